// The CUDA backend's host code on the emulated device (emu_device.h): the engine test suite
// (engine_suite.h) in all four precision modes under the Lazy schedule (work runs only when
// something waits for it) and the Random one (streams run in random interleavings), and with the
// kernels' own code run thread by thread (EmuSimt); the checks
// test_gpu_engine.cpp makes on a real device; and what only the emulator can see: how many GEMMs a
// tile takes, what is copied, that everything is released.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "emu_test_util.h"
#include "engine_suite.h"
#include "host/engine/cuda/cuda_blas.h"
#include "kernels/cuda_check.cuh"

namespace lscan::testing {

using EmuLazyEngine = EmuEngine<emu::Schedule::Lazy>;
using EmuRandomEngine = EmuEngine<emu::Schedule::Random>;
using EmuSimtEngine = EmuEngine<emu::Schedule::Random, true>;
INSTANTIATE_TYPED_TEST_SUITE_P(EmuLazy, Engine, ::testing::Types<EmuLazyEngine>);
INSTANTIATE_TYPED_TEST_SUITE_P(EmuRandom, Engine, ::testing::Types<EmuRandomEngine>);
INSTANTIATE_TYPED_TEST_SUITE_P(EmuSimt, Engine, ::testing::Types<EmuSimtEngine>);

namespace {

TEST(EmuEngine, MatchesTheCpuBackend) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_matches_cpu_backend<EmuRandomEngine>(seed);
}

// cuda:1 of two devices, with device 0 made current again after each backend is built (as other
// code in the process may do): every allocation and every piece of work lands on device 1, and the
// values are the CPU's.
struct EmuSecondDeviceEngine {
  static bool available() { return true; }
  static const char* unavailable_reason() { return ""; }
  static bool supports(Precision) { return true; }
  static std::unique_ptr<Backend> make(const EvalSetup& setup) {
    emu::Config c = emu_config(emu::Schedule::Random);
    c.devices = 2;
    emu::configure(c);
    auto backend = emu_make_cuda_backend(setup, 1);
    LSCAN_CUDA_CHECK(cudaSetDevice(0));
    return backend;
  }
};

TEST(EmuEngine, SecondDeviceRunsEverythingThere) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  emu::reset_counters();
  expect_matches_cpu_backend<EmuSecondDeviceEngine>(seed);
  EXPECT_EQ(emu::counters().allocations_on_device[0], 0);
  EXPECT_EQ(emu::counters().work_on_device[0], 0);
  EXPECT_GT(emu::counters().work_on_device[1], 0);
  EXPECT_TRUE(emu::violations().empty());
  EXPECT_EQ(emu::live_device_allocations(), 0u);
}

// Fewer samples and points than on a GPU: the emulated GEMMs are plain loops. (Their sums do not
// depend on the batch; what this checks here is the host code's side: the pointers of each
// point's GEMMs and the tiles' pieces.)
TEST(EmuEngine, Fp64TilesGiveIdenticalBitsAtScanWidths) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_fp64_tiles_identical_at_scan_widths<EmuLazyEngine>(128, 9, seed);
}

// DESIGN.md's engine, counted: per chunk, layer 1 factorised is ONE GEMM for all the points of
// the tile ((K1 n_1, d) x (d, Nc)), and each deeper layer one strided-batched GEMM over the tile;
// fp64 makes one call per point instead (cuda_backend.cu, point_gemms). With materialised first
// weights (k + 1 >= d), layer 1 is a batched GEMM too.
TEST(EmuEngine, GemmsPerTileFollowTheDesign) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int64_t points = 37, samples = 301, chunk = 64, chunks = 5;
  const EngineProblem factorised({9, 6, 5, 4}, Activation::Tanh, LossKind::CrossEntropy, 2, samples,
                                 points, seed);
  const EngineProblem materialised({9, 6, 5, 4}, Activation::Tanh, LossKind::CrossEntropy, 9,
                                   samples, points, seed);
  struct Case {
    const EngineProblem* pb;
    Precision prec;
    int64_t calls, products;
  };
  const Case cases[] = {
      {&factorised, Precision::FP32, chunks * 3, chunks * (1 + 2 * points)},
      {&factorised, Precision::BF16, chunks * 3, chunks * (1 + 2 * points)},
      {&factorised, Precision::FP64, chunks * (1 + 2 * points), chunks * (1 + 2 * points)},
      {&materialised, Precision::TF32, chunks * 3, chunks * 3 * points},
      {&materialised, Precision::FP64, chunks * 3 * points, chunks * 3 * points},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(precision_name(c.prec)) + (c.pb == &factorised ? " factorised" : ""));
    auto backend = EmuLazyEngine::make(c.pb->setup(c.prec, points, chunk));
    ASSERT_EQ(backend->chunk(), chunk);
    emu::reset_counters();
    const PointValues v = evaluate_points(*backend, c.pb->coeffs, c.pb->k);
    EXPECT_EQ(emu::counters().gemm_calls, c.calls);
    EXPECT_EQ(emu::counters().gemm_batches, c.products);
    EXPECT_TRUE(std::isfinite(v.loss[points - 1]));
  }
}

// A tile of more points than one strided-batched cuBLAS call takes (cuda_blas.h, kMaxGemmBatch):
// each deeper layer's GEMM goes in two calls (the emulated cuBLAS refuses larger ones), and every
// point has the values it has in tiles of 1000, the last ones included.
TEST(EmuEngine, TileOfMorePointsThanOneGemmCallTakes) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int64_t points = cuda_emu::kMaxGemmBatch + 1500;
  const EngineProblem pb({3, 2, 2, 2}, Activation::Tanh, LossKind::CrossEntropy, 1, 7, points,
                         seed);
  PointValues small;
  {
    auto backend = EmuLazyEngine::make(pb.setup(Precision::FP32, 1000));
    small = evaluate_points(*backend, pb.coeffs, pb.k);
  }
  auto backend = EmuLazyEngine::make(pb.setup(Precision::FP32, points));
  ASSERT_EQ(backend->max_tile(), points);
  emu::reset_counters();
  const PointValues whole = evaluate_points(*backend, pb.coeffs, pb.k);
  // One chunk: layer 1's factorised GEMM, then two calls for each of the two deeper layers.
  EXPECT_EQ(emu::counters().gemm_calls, 1 + 2 * 2);
  EXPECT_EQ(emu::counters().gemm_batches, 1 + 2 * points);
  EXPECT_TRUE(emu::violations().empty());
  for (int64_t p = 0; p < points; ++p) {
    ASSERT_TRUE(std::isfinite(whole.loss[p])) << "point " << p << " was not written";
    ASSERT_EQ(whole.loss[p], small.loss[p]) << "point " << p;
    ASSERT_EQ(whole.acc[p], small.acc[p]) << "point " << p;
  }
}

// Resident data is copied once, at construction: a tile then copies only its coefficients up and
// its sums down. Streamed data (a small budget) goes up chunk by chunk, features and targets, for
// every tile.
TEST(EmuEngine, DataIsCopiedOnceWhenItFits) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const EngineProblem pb({12, 8, 6, 3}, Activation::Tanh, LossKind::CrossEntropy, 2, 301, 12, seed);
  {
    auto backend = EmuLazyEngine::make(pb.setup(Precision::FP64, 4, 64));
    emu::reset_counters();
    evaluate_points(*backend, pb.coeffs, pb.k);  // 3 tiles of 4
    EXPECT_EQ(emu::counters().copies_to_device, 3);
    EXPECT_EQ(emu::counters().copies_to_host, 3 * 2);
  }
  {
    auto backend = EmuLazyEngine::make(pb.setup(Precision::FP64, 4, 64, 40 * 1024));
    const int64_t chunks = (301 + backend->chunk() - 1) / backend->chunk();
    emu::reset_counters();
    evaluate_points(*backend, pb.coeffs, pb.k);
    EXPECT_EQ(emu::counters().copies_to_device, 3 * (1 + 2 * chunks));
  }
}

// Streamed data under many random interleavings of the compute and copy streams: any missing
// wait between them would, in some of them, read a slot before its copy or overwrite it while in
// use.
TEST(EmuEngine, StreamedDataSurvivesRandomSchedules) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const EngineProblem pb({12, 8, 6, 3}, Activation::Tanh, LossKind::CrossEntropy, 2, 301, 9, seed);
  std::vector<double> want(9), want_acc(9);
  for (int p = 0; p < 9; ++p)
    reference_evaluate(pb.model, pb.dirs, pb.data, pb.targets, pb.coeffs.data() + p * pb.k,
                       &want[p], &want_acc[p]);
  for (int run = 0; run < 20; ++run) {
    SCOPED_TRACE("schedule " + std::to_string(run));
    auto backend = EmuRandomEngine::make(pb.setup(Precision::FP64, 3, 0, 40 * 1024));
    ASSERT_LT(backend->chunk(), 301 / 4);
    const PointValues v = evaluate_points(*backend, pb.coeffs, pb.k);
    for (int p = 0; p < 9; ++p) {
      EXPECT_LT(rel_err(v.loss[p], want[p]), 1e-12) << "point " << p;
      EXPECT_EQ(v.acc[p], want_acc[p]) << "point " << p;
    }
  }
}

// Every device and pinned allocation is returned and no work is left behind, however the backend
// ends.
TEST(EmuEngine, ReleasesEverything) {
  const EngineProblem pb({12, 8, 6, 3}, Activation::Relu, LossKind::Mse, 2, 301, 9, 5);
  emu::configure(emu_config(emu::Schedule::Lazy));
  const size_t before = emu::live_device_allocations();
  for (double budget : {0.0, 40.0 * 1024}) {
    auto backend = make_emu_backend(pb.setup(Precision::BF16, 4, 0, budget));
    evaluate_points(*backend, pb.coeffs, pb.k);
    EXPECT_GT(emu::live_device_allocations(), before);
    backend.reset();
    EXPECT_EQ(emu::live_device_allocations(), before);
    EXPECT_EQ(emu::live_host_allocations(), 0u);
    EXPECT_TRUE(emu::idle());
    EXPECT_TRUE(emu::violations().empty());
  }
}

// A device with less memory than the budget claims: the first evaluate() cannot allocate the
// whole tile, halves it until the buffers fit, and evaluates the tile in pieces, with the values
// of small tiles. With no room for even one point it fails with a message that says what one
// point needs and what is free.
TEST(EmuEngine, OutOfMemoryHalvesTheTile) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const int64_t npoints = 200;
  const EngineProblem pb({9, 32, 32, 4}, Activation::Tanh, LossKind::CrossEntropy, 2, 157, npoints,
                         seed);
  PointValues small;
  {
    auto backend = EmuLazyEngine::make(pb.setup(Precision::FP32, 8));
    small = evaluate_points(*backend, pb.coeffs, pb.k);
  }
  // The budget (1e12 bytes) claims room for every point: one tile of 200.
  const EvalSetup whole_tile = pb.setup(Precision::FP32, npoints, 0, 1e12);
  size_t fixed = 0, per_point = 0;
  {
    auto backend = EmuLazyEngine::make(whole_tile);
    fixed = emu::live_device_bytes();
    double loss = 0, acc = 0;
    backend->evaluate(pb.coeffs.data(), 1, &loss, &acc);
    per_point = emu::live_device_bytes() - fixed;
  }
  emu::configure(emu_config(emu::Schedule::Lazy, fixed + 40 * per_point));
  {
    auto backend = make_emu_backend(whole_tile);
    ASSERT_EQ(backend->max_tile(), npoints);
    emu::reset_counters();
    const PointValues whole = evaluate_points(*backend, pb.coeffs, pb.k);
    EXPECT_LE(emu::counters().peak_device_bytes, fixed + 40 * per_point);
    for (int64_t p = 0; p < npoints; ++p) {
      ASSERT_TRUE(std::isfinite(whole.loss[p])) << "point " << p << " was not written";
      EXPECT_EQ(whole.loss[p], small.loss[p]) << "point " << p;
      EXPECT_EQ(whole.acc[p], small.acc[p]) << "point " << p;
    }
  }
  emu::configure(emu_config(emu::Schedule::Lazy, fixed + per_point / 2));
  auto backend = make_emu_backend(whole_tile);
  double loss = 0, acc = 0;
  try {
    backend->evaluate(pb.coeffs.data(), 1, &loss, &acc);
    FAIL() << "expected an out-of-memory error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cuda:0 is out of memory: one point with 157 samples per chunk needs"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("are free; lower --max-memory"), std::string::npos) << what;
  }
  emu::configure(emu_config(emu::Schedule::Lazy));
}

// Without a budget the plan takes 70% of the device's free memory: a smaller device gives smaller
// tiles, and a device too small for one point is an InputError that says what it has.
TEST(EmuEngine, DefaultBudgetIsSeventyPercentOfFreeMemory) {
  const EngineProblem pb({9, 32, 32, 4}, Activation::Tanh, LossKind::CrossEntropy, 2, 157, 1, 3);
  emu::configure(emu_config(emu::Schedule::Lazy, size_t(256) << 20));
  const int64_t big = make_emu_backend(pb.setup(Precision::FP32))->max_tile();
  emu::configure(emu_config(emu::Schedule::Lazy, size_t(64) << 20));
  const int64_t small = make_emu_backend(pb.setup(Precision::FP32))->max_tile();
  EXPECT_GT(big, 4 * small);
  EXPECT_GT(small, 0);
  // The cuBLAS workspace (32 MiB) and 16 KiB: less than the stacked weights.
  emu::configure(emu_config(emu::Schedule::Lazy, (size_t(32) << 20) + 16 * 1024));
  try {
    make_emu_backend(pb.setup(Precision::FP32));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("70% of the free memory of cuda:0"), std::string::npos)
        << e.what();
  }
  emu::configure(emu_config(emu::Schedule::Lazy));
}

}  // namespace
}  // namespace lscan::testing
