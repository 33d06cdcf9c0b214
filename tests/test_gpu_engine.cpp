// The engine test suite (engine_suite.h) on the CUDA backend in all four precision modes, and the
// CUDA backend against the CPU backend. Suites named Gpu* need a device (ctest -L gpu) and skip
// visibly without one; CudaBackend.* runs everywhere.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_suite.h"
#include "host/core/error.h"
#include "host/engine/backend.h"
#include "host/engine/cuda/cuda_backend.h"
#include "host/engine/device.h"
#include "host/engine/scan.h"
#ifdef LSCAN_HAVE_CUDA
#include "host/engine/cuda/device_buffer.h"
#endif

namespace lscan::testing {

struct CudaEngine {
  static bool available() { return !cuda_devices().empty(); }
  static const char* unavailable_reason() { return "no CUDA device"; }
  static bool supports(Precision) { return true; }
  static std::unique_ptr<Backend> make(const EvalSetup& setup) {
    return make_cuda_backend(setup, 0);
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Gpu, Engine, ::testing::Types<CudaEngine>);

namespace {

// The CUDA backend against the CPU backend (bounds in engine_suite.h).
TEST(GpuVsCpu, AllActivationsLossesAndPrecisions) {
  if (cuda_devices().empty()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_matches_cpu_backend<CudaEngine>(seed);
}

// The suite's tile test runs tiny problems, where cuBLAS has one sensible kernel. At the widths of
// real scans it chooses among several by the whole call's shape, the batch count included; the
// fp64 engine keeps a point's bits independent of its tile anyway (one GEMM call per point).
TEST(GpuEngine, Fp64TilesGiveIdenticalBitsAtScanWidths) {
  if (cuda_devices().empty()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_fp64_tiles_identical_at_scan_widths<CudaEngine>(4096, 64, seed);
}

#ifdef LSCAN_HAVE_CUDA
// With the device nearly full, the first evaluate() runs out of memory for the whole tile, halves
// it until the buffers fit, and evaluates the tile in pieces: the values are those of small tiles.
TEST(GpuEngine, OutOfMemoryHalvesTheTile) {
  if (cuda_devices().empty()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  // About 0.6 MB of tile buffers per point in fp32: 4000 points need 2.4 GB.
  const int64_t npoints = 4000;
  const EngineProblem pb({9, 256, 256, 4}, Activation::Tanh, LossKind::CrossEntropy, 2, 157,
                         npoints, seed);
  PointValues small;
  {
    auto backend = make_cuda_backend(pb.setup(Precision::FP32, 64), 0);
    small = evaluate_points(*backend, pb.coeffs, pb.k);
  }
  PointValues whole;
  {
    size_t free_bytes = 0, total_bytes = 0;
    LSCAN_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const size_t leave = size_t(512) << 20;  // for the context, cuBLAS and ~500 points
    ASSERT_GT(free_bytes, leave);
    DeviceBuffer<char> hog(free_bytes - leave);
    // The budget claims room for every point, so the plan asks for one tile of 4000.
    auto backend = make_cuda_backend(pb.setup(Precision::FP32, npoints, 0, 1e12), 0);
    ASSERT_EQ(backend->max_tile(), npoints);
    whole = evaluate_points(*backend, pb.coeffs, pb.k);
  }
  for (int64_t p = 0; p < npoints; ++p) {
    ASSERT_TRUE(std::isfinite(whole.loss[p])) << "point " << p << " was not written";
    EXPECT_LT(rel_err(whole.loss[p], small.loss[p]), 1e-6) << "point " << p;
    expect_same_accuracy(whole.acc[p], small.acc[p], pb.data.n);
  }
}
#endif

// Runs on every machine: with no device (or an index past the last one), asking for the CUDA
// backend is an InputError that names --device, never a crash.
TEST(CudaBackend, MissingDeviceIsAnInputError) {
  const EngineProblem pb({4, 3, 2}, Activation::Tanh, LossKind::CrossEntropy, 1, 10, 1, 1);
  const int missing = static_cast<int>(cuda_devices().size());
  try {
    make_cuda_backend(pb.setup(Precision::FP32), missing);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--device"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lscan::testing
