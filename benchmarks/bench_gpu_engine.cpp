// Points per second of the CUDA engine on a 2-D grid, in fp32, tf32, bf16 and fp64, for an MLP
// 784-128-10 and a deeper 784-512-512-512-10 (relu, cross_entropy, pixel-like data), with the
// FLOP rates that put the times in context:
//   naive FLOPs      2 N sum_l n_l n_{l-1} per point: one forward pass per point, what a per-point
//                    loop (loss-landscape) computes; "effective FLOP/s" = naive FLOPs / time.
//   engine FLOPs     what the engine's GEMMs compute: the factorised layer 1 costs
//                    2 (k+1) n_1 d N per tile instead of 2 n_1 d N per point, plus 2 (k+1) n_1 N
//                    per point for the combination; deeper layers as in the naive count.
//   GEMM rate        cuBLAS on this card, same precision, for two shapes: the engine's batched
//                    deeper-layer GEMM (n_l, n_{l-1}) x (n_{l-1}, Nc), and the per-point loop's
//                    first-layer GEMM (N, d) x (d, n_1).
//   floor            engine FLOPs / batched GEMM rate: the time if every FLOP ran at that rate;
//                    the ratio floor / time says how close the engine comes.
//   naive floor      naive FLOPs / first-layer GEMM rate: the least time a per-point loop needs
//                    on this card; naive floor / time is the engine's speed-up over that bound.
//
//   bench_gpu_engine [--samples 10000] [--grid 101] [--runs 3] [--device 0]
//                    [--precisions fp32,tf32,bf16,fp64] [--models 784-128-10,784-512-512-512-10]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "benchmarks/bench_util.h"
#include "host/core/rng.h"
#include "host/engine/backend.h"
#include "host/engine/cuda/cuda_backend.h"
#include "host/engine/device.h"
#include "host/engine/scan.h"
#include "host/grid/grid.h"

#ifndef LSCAN_HAVE_CUDA

int main() {
  std::fprintf(stderr, "bench_gpu_engine: this build has no CUDA backend (nvcc was not found)\n");
  return 1;
}

#else

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstring>

#include "host/engine/cuda/cuda_blas.h"
#include "host/engine/cuda/device_buffer.h"
#include "kernels/cuda_check.cuh"

namespace {

using lscan::Precision;
using lscan::bench::median;
using lscan::bench::now;
using lscan::bench::split;

// FLOP/s of cuBLAS for a row-major batch of C (M, N) = A (M, K) * B (K, N) in precision p, as the
// engine calls it (same data and compute types). Median of 10 timed calls after a warm-up.
double gemm_rate(Precision p, int64_t M, int64_t N, int64_t K, int64_t batch) {
  cudaDataType_t type = CUDA_R_32F;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  if (p == Precision::FP64) {
    type = CUDA_R_64F;
    compute = CUBLAS_COMPUTE_64F;
  } else if (p == Precision::TF32) {
    compute = CUBLAS_COMPUTE_32F_FAST_TF32;
  } else if (p == Precision::BF16) {
    type = CUDA_R_16BF;
  }
  const size_t elem = static_cast<size_t>(lscan::cuda_detail::type_bytes(type));
  auto filled = [&](int64_t n, uint64_t seed) {
    // Values in [-1, 1) written in the storage format (bf16 is the top half of an fp32).
    lscan::Rng rng(seed, 0);
    std::vector<unsigned char> bytes(static_cast<size_t>(n) * elem);
    for (int64_t i = 0; i < n; ++i) {
      const double v = rng.uniform(-1.0, 1.0);
      const float f = static_cast<float>(v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      const uint16_t half = static_cast<uint16_t>(bits >> 16);
      unsigned char* dst = bytes.data() + i * elem;
      if (elem == 8) std::memcpy(dst, &v, 8);
      if (elem == 4) std::memcpy(dst, &f, 4);
      if (elem == 2) std::memcpy(dst, &half, 2);
    }
    lscan::DeviceBuffer<unsigned char> d(bytes.size());
    d.upload(bytes.data(), bytes.size());
    return d;
  };
  lscan::DeviceBuffer<unsigned char> A = filled(batch * M * K, 1), B = filled(batch * K * N, 2);
  lscan::DeviceBuffer<unsigned char> C(static_cast<size_t>(batch * M * N) * elem);
  cublasHandle_t h = nullptr;
  LSCAN_CUDA_CHECK(cublasCreate(&h));
  const double one64 = 1, zero64 = 0;
  const float one32 = 1, zero32 = 0;
  const bool f64 = p == Precision::FP64;
  auto call = [&] {
    // Column-major view of the row-major product: C^T (N, M) = B^T (N, K) A^T (K, M).
    LSCAN_CUDA_CHECK(cublasGemmStridedBatchedEx(
        h, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(N), static_cast<int>(M), static_cast<int>(K),
        f64 ? static_cast<const void*>(&one64) : &one32, B.data(), type, static_cast<int>(N), K * N,
        A.data(), type, static_cast<int>(K), M * K,
        f64 ? static_cast<const void*>(&zero64) : &zero32, C.data(), type, static_cast<int>(N),
        M * N, static_cast<int>(batch), compute, CUBLAS_GEMM_DEFAULT));
  };
  call();
  LSCAN_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<double> t;
  for (int r = 0; r < 10; ++r) {
    const double t0 = now();
    call();
    LSCAN_CUDA_CHECK(cudaDeviceSynchronize());
    t.push_back(now() - t0);
  }
  LSCAN_CUDA_CHECK(cublasDestroy(h));
  return 2.0 * M * N * K * batch / median(t);
}

struct Row {
  std::string model, precision;
  int64_t points = 0, tile = 0, chunk = 0;
  double seconds = 0, naive_flops = 0, engine_flops = 0, batched_rate = 0, layer1_rate = 0;
  double check = 0;  // max relative loss difference from the CPU backend in fp64, 5 points
};

}  // namespace

int main(int argc, char** argv) {
  int64_t samples = 10000;
  int grid_n = 101, runs = 3, device = 0;
  std::string precisions = "fp32,tf32,bf16,fp64";
  std::string models = "784-128-10,784-512-512-512-10";
  lscan::bench::Flags flags;
  flags.add("--samples", &samples).add("--grid", &grid_n).add("--runs", &runs);
  flags.add("--device", &device).add("--precisions", &precisions).add("--models", &models);
  if (!flags.parse(argc, argv)) return 2;
  const auto devices = lscan::cuda_devices();
  if (devices.empty()) {
    std::fprintf(stderr, "bench_gpu_engine: no CUDA device\n");
    return 1;
  }
  if (device < 0 || device >= static_cast<int>(devices.size())) {
    std::fprintf(stderr, "bench_gpu_engine: no CUDA device %d (%zu found)\n", device,
                 devices.size());
    return 1;
  }
  LSCAN_CUDA_CHECK(cudaSetDevice(device));
  int driver = 0, runtime = 0;
  LSCAN_CUDA_CHECK(cudaDriverGetVersion(&driver));
  LSCAN_CUDA_CHECK(cudaRuntimeGetVersion(&runtime));

  const lscan::Grid grid{{lscan::GridAxis{-1, 1, grid_n}, lscan::GridAxis{-1, 1, grid_n}}};
  const auto coeffs = grid.coefficient_matrix();
  const int64_t npoints = grid.num_points();
  std::vector<Row> rows;
  for (const std::string& spec : split(models, ',')) {
    const std::vector<int> widths = lscan::bench::parse_widths(spec);
    const lscan::Model model = lscan::bench::make_mlp(widths, 1);
    const lscan::Dataset data = lscan::bench::make_pixel_data(widths, samples);
    const lscan::Targets targets = lscan::make_targets(model.spec, data, "synthetic");
    const std::vector<lscan::Direction> dirs = {
        lscan::random_direction(model, 3, 0, lscan::DirNorm::Filter, lscan::BiasMode::Ignore),
        lscan::random_direction(model, 3, 1, lscan::DirNorm::Filter, lscan::BiasMode::Ignore)};
    const int k = 2;

    // The check: the CPU backend in fp64 on 5 points (the corners and the centre of the grid).
    const int64_t c = grid_n / 2;
    const int64_t check_index[5] = {0, grid_n - 1, c * grid_n + c, npoints - grid_n, npoints - 1};
    std::vector<double> check_coeffs, check_loss;
    for (int64_t i : check_index)
      check_coeffs.insert(check_coeffs.end(), coeffs.begin() + i * k, coeffs.begin() + i * k + k);
    {
      lscan::EvalSetup setup;
      setup.model = &model;
      setup.directions = &dirs;
      setup.data = &data;
      setup.targets = &targets;
      setup.precision = Precision::FP64;
      auto cpu = lscan::make_cpu_backend(setup);
      check_loss = lscan::evaluate_points(*cpu, check_coeffs, k).loss;
    }

    for (const std::string& pname : split(precisions, ',')) {
      lscan::EvalSetup setup;
      setup.model = &model;
      setup.directions = &dirs;
      setup.data = &data;
      setup.targets = &targets;
      setup.precision = lscan::parse_precision(pname);
      auto backend = lscan::make_cuda_backend(setup, device);
      lscan::evaluate_points(*backend, coeffs, k);  // warm-up: allocates the tile's buffers
      std::vector<double> t;
      lscan::PointValues v;
      for (int r = 0; r < runs; ++r) {
        v = lscan::evaluate_points(*backend, coeffs, k);
        t.push_back(v.seconds);
      }

      Row row;
      row.model = spec;
      row.precision = pname;
      row.points = npoints;
      row.tile = backend->max_tile();
      row.chunk = backend->chunk();
      row.seconds = median(t);
      for (int i = 0; i < 5; ++i)
        row.check = std::max(row.check, std::fabs(v.loss[check_index[i]] - check_loss[i]) /
                                            std::fabs(check_loss[i]));
      backend.reset();  // its buffers would crowd out the GEMM rate measurements
      const double N = static_cast<double>(samples);
      const double d = widths[0], n1 = widths[1];
      // deeper: sum over layers l >= 2 of n_l n_{l-1}; (big_out, big_in): the largest of them,
      // or layer 1 for a one-layer model.
      double deeper = 0;
      int big_out = widths[1], big_in = widths[0];
      for (size_t l = 2; l < widths.size(); ++l) {
        const double size = static_cast<double>(widths[l]) * widths[l - 1];
        deeper += size;
        if (l == 2 || size > static_cast<double>(big_out) * big_in) {
          big_out = widths[l];
          big_in = widths[l - 1];
        }
      }
      row.naive_flops = 2.0 * N * (n1 * d + deeper) * npoints;
      const double tiles = std::ceil(static_cast<double>(npoints) / row.tile);
      row.engine_flops = 2.0 * (k + 1) * n1 * d * N * tiles +  // P per chunk, once per tile
                         2.0 * (k + 1) * n1 * N * npoints +    // the combination into Z1
                         2.0 * N * deeper * npoints;
      row.batched_rate = gemm_rate(setup.precision, big_out, row.chunk, big_in, 64);
      row.layer1_rate = gemm_rate(setup.precision, samples, widths[1], widths[0], 1);
      rows.push_back(row);
    }
  }

  std::printf("device     : cuda:%d %s, %.1f GiB, driver %d, runtime %d\n", device,
              devices[device].name.c_str(), devices[device].total_memory / (1ull << 30), driver,
              runtime);
  std::printf(
      "problem    : relu MLPs, cross_entropy, %lld samples, %dx%d grid (%lld points), "
      "2 filter-normalised directions, median of %d runs\n",
      static_cast<long long>(samples), grid_n, grid_n, static_cast<long long>(npoints), runs);
  std::printf("%-22s %-5s %6s %6s %9s %11s %9s %9s %9s %9s %7s %8s %9s\n", "model", "prec", "tile",
              "chunk", "seconds", "points/s", "eff TF/s", "eng TF/s", "GEMM TF/s", "floor s",
              "floor/t", "naive/t", "vs cpu");
  for (const Row& r : rows) {
    const double floor_s = r.engine_flops / r.batched_rate;
    const double naive_floor_s = r.naive_flops / r.layer1_rate;
    std::printf("%-22s %-5s %6lld %6lld %9.3f %11.1f %9.2f %9.2f %9.2f %9.3f %7.2f %8.1f %9.1e\n",
                r.model.c_str(), r.precision.c_str(), static_cast<long long>(r.tile),
                static_cast<long long>(r.chunk), r.seconds, r.points / r.seconds,
                r.naive_flops / r.seconds * 1e-12, r.engine_flops / r.seconds * 1e-12,
                r.batched_rate * 1e-12, floor_s, floor_s / r.seconds, naive_floor_s / r.seconds,
                r.check);
  }
  std::printf(
      "eff TF/s: naive FLOPs / time; eng TF/s: engine FLOPs / time; GEMM TF/s: cuBLAS on "
      "the engine's batched deeper-layer shape;\nfloor/t: engine FLOPs at that rate / "
      "time; naive/t: a per-point loop's least time (naive FLOPs at the cuBLAS rate of its "
      "(N, d) x (d, n_1) GEMM) / time;\nvs cpu: max relative loss difference from the CPU "
      "backend in fp64 at the grid's corners and centre\n");
  return 0;
}

#endif
