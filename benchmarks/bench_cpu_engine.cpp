// Points per second of the batched CPU engine against a per-point fp32 loop that uses the same
// BLAS: set the weights of one point, run one forward pass over the whole data set, repeat (how
// loss-landscape evaluates a surface). Same model, data, directions and grid, same run.
//
//   bench_cpu_engine [--widths 784-128-10] [--samples 10000] [--grid 51] [--runs 3]
//                    [--loop-points 130] [--precision fp32|fp64] [--chunk samples]
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "benchmarks/bench_util.h"
#include "host/core/rng.h"
#include "host/engine/backend.h"
#include "host/engine/scan.h"
#include "host/grid/grid.h"
#include "kernels/activations.cuh"
#include "kernels/losses.cuh"

namespace {

using lscan::bench::cpu_name;
using lscan::bench::median;
using lscan::bench::now;

using lscan::Activation;
using lscan::LossKind;

// One point the loss-landscape way: theta(c) in fp32, one forward pass over all samples with
// multithreaded sgemm per layer, then the loss.
double per_point_loss(const lscan::Model& model, const std::vector<float>& X, int64_t n,
                      const std::vector<double>& y, const std::vector<float>& theta_c) {
  const auto& layers = model.spec.layers;
  std::vector<float> a, z;  // (n, width) sample-major, as a framework holds a batch
  const float* in = X.data();
  int width = model.spec.input_dim;
  for (const auto& layer : layers) {
    z.resize(static_cast<size_t>(n * layer.out));
    // z (n, out) = in (n, width) * W^T (width, out)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, layer.out, width, 1.0f, in, width,
                theta_c.data() + layer.w_offset, width, 0.0f, z.data(), layer.out);
    const float* b = theta_c.data() + layer.b_offset;
#pragma omp parallel for
    for (int64_t s = 0; s < n; ++s)
      for (int i = 0; i < layer.out; ++i)
        z[s * layer.out + i] = lscan::activate(layer.act, z[s * layer.out + i] + b[i],
                                               static_cast<float>(layer.alpha));
    a.swap(z);
    in = a.data();
    width = layer.out;
  }
  double sum = 0;
  for (int64_t s = 0; s < n; ++s) {
    int ok;
    sum += lscan::sample_loss(model.spec.loss, a.data() + s * width, 1, width, &y[s], &ok);
  }
  return sum / n;
}

}  // namespace

int main(int argc, char** argv) {
  std::string widths_flag = "784-128-10";
  int64_t samples = 10000;
  int grid_n = 51, runs = 3;
  int64_t loop_points = 130;
  std::string precision = "fp32";
  int64_t chunk = 0;
  lscan::bench::Flags flags;
  flags.add("--widths", &widths_flag).add("--samples", &samples).add("--grid", &grid_n);
  flags.add("--runs", &runs).add("--loop-points", &loop_points).add("--chunk", &chunk);
  flags.add("--precision", &precision);
  if (!flags.parse(argc, argv)) return 2;
  const std::vector<int> widths = lscan::bench::parse_widths(widths_flag);

  const lscan::Model model = lscan::bench::make_mlp(widths, 1);
  const lscan::Dataset data = lscan::bench::make_pixel_data(widths, samples);
  const lscan::Targets targets = lscan::make_targets(model.spec, data, "synthetic");
  std::vector<lscan::Direction> dirs = {
      lscan::random_direction(model, 3, 0, lscan::DirNorm::Filter, lscan::BiasMode::Ignore),
      lscan::random_direction(model, 3, 1, lscan::DirNorm::Filter, lscan::BiasMode::Ignore)};
  lscan::Grid grid{{lscan::GridAxis{-1, 1, grid_n}, lscan::GridAxis{-1, 1, grid_n}}};
  const auto coeffs = grid.coefficient_matrix();
  const int64_t npoints = grid.num_points();

  lscan::EvalSetup setup;
  setup.model = &model;
  setup.directions = &dirs;
  setup.data = &data;
  setup.targets = &targets;
  setup.precision = lscan::parse_precision(precision);
  setup.chunk = chunk;
  auto backend = lscan::make_cpu_backend(setup);

  std::vector<double> batched_s;
  lscan::PointValues batched;
  for (int r = 0; r < runs; ++r) {
    batched = lscan::evaluate_points(*backend, coeffs, 2);
    batched_s.push_back(batched.seconds);
  }

  // The per-point loop on the first loop_points points of the same grid.
  loop_points = std::min(loop_points, npoints);
  std::vector<float> Xf(data.X.begin(), data.X.end());
  std::vector<double> loop_s;
  double max_rel = 0;
  for (int r = 0; r < runs; ++r) {
    const double t0 = now();
    std::vector<float> theta_c(model.theta.size());
    for (int64_t p = 0; p < loop_points; ++p) {
      for (size_t q = 0; q < theta_c.size(); ++q)
        theta_c[q] = static_cast<float>(model.theta[q] + coeffs[2 * p] * dirs[0].v[q] +
                                        coeffs[2 * p + 1] * dirs[1].v[q]);
      const double loss = per_point_loss(model, Xf, samples, data.Y, theta_c);
      max_rel = std::max(max_rel, std::fabs(loss - batched.loss[p]) / std::fabs(batched.loss[p]));
    }
    loop_s.push_back(now() - t0);
  }

  const double batched_pps = npoints / median(batched_s);
  const double loop_pps = loop_points / median(loop_s);
  std::string w;
  for (int x : widths) w += (w.empty() ? "" : "-") + std::to_string(x);
  std::printf("device     : %s, %d OpenMP threads (OpenBLAS %s)\n", cpu_name().c_str(),
              omp_get_max_threads(), "openmp");
  std::printf("problem    : MLP %s relu, cross_entropy, %lld samples, %dx%d grid, %s\n", w.c_str(),
              static_cast<long long>(samples), grid_n, grid_n, precision.c_str());
  std::printf("tile       : %lld points x %lld samples per chunk\n",
              static_cast<long long>(backend->max_tile()),
              static_cast<long long>(backend->chunk()));
  std::printf("%-28s %10s %14s %12s\n", "method", "points", "median s", "points/s");
  std::printf("%-28s %10lld %14.3f %12.1f\n", "batched engine (lscan)",
              static_cast<long long>(npoints), median(batched_s), batched_pps);
  std::printf("%-28s %10lld %14.3f %12.1f\n", "per-point loop, same BLAS",
              static_cast<long long>(loop_points), median(loop_s), loop_pps);
  std::printf("speed-up   : %.1fx (median of %d runs each)\n", batched_pps / loop_pps, runs);
  std::printf("agreement  : max relative loss difference %.2e over %lld points\n", max_rel,
              static_cast<long long>(loop_points));
  return 0;
}
