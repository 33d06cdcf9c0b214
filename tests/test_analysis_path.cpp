// The barrier along a 1-D path on functions whose barrier is known in closed form.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis_surfaces.h"
#include "file_test_util.h"
#include "host/analysis/path.h"

namespace lscan {
namespace {

using testing::no_noise;

using testing::make_grid;
using testing::sample;
using testing_util::throws_input_error;

// f(t) = 4 (t - t^2) + 0.3 + 0.7 t: the chord from f(0) = 0.3 to f(1) = 1 is the linear part, so
// the barrier over the chord is 4 (t - t^2), exactly 1 at t = 0.5.
TEST(AnalysisPath, ParabolicBarrierIsExactlyOneAtHalf) {
  const Grid grid = make_grid({{-0.5, 1.5, 41}});  // step 0.05: t = 0, 0.5, 1 are grid points
  const auto f =
      sample(grid, [](const double* c) { return 4.0 * (c[0] - c[0] * c[0]) + 0.3 + 0.7 * c[0]; });
  const PathBarrier p = path_barrier(grid, f, no_noise());
  EXPECT_EQ(p.index0, 10);
  EXPECT_EQ(p.index1, 30);
  EXPECT_NEAR(p.f0, 0.3, 1e-15);
  EXPECT_NEAR(p.f1, 1.0, 1e-15);
  EXPECT_NEAR(p.barrier, 1.0, 1e-12);
  EXPECT_NEAR(p.barrier_t, 0.5, 1e-12);
  EXPECT_EQ(p.barrier_index, 20);
  EXPECT_TRUE(p.barrier_significant);
  // Over the higher end: max f on the grid is at t = 0.6 (the peak of -4 t^2 + 4.7 t + 0.3 is at
  // 0.5875), f(0.6) = 1.68.
  EXPECT_NEAR(p.plain_barrier, 0.68, 1e-12);
  EXPECT_NEAR(p.plain_barrier_t, 0.6, 1e-12);
  EXPECT_FALSE(p.monotone);
  EXPECT_NEAR(p.max_rise, 1.68 - 0.3, 1e-12);
  EXPECT_NEAR(p.max_fall, 0.68, 1e-12);
  // Concave: no interior minimum, the two ends of the window are boundary minima.
  EXPECT_EQ(p.minima, 0);
  EXPECT_EQ(p.boundary_minima, 2);
}

TEST(AnalysisPath, NoiseFloorDecidesSignificance) {
  const Grid grid = make_grid({{0.0, 1.0, 11}});
  const auto f = sample(grid, [](const double* c) { return 1e-3 * 4.0 * (c[0] - c[0] * c[0]); });
  NoiseModel noise{0.0, 1e-4, kDefaultKTau};
  const PathBarrier p = path_barrier(grid, f, noise);
  EXPECT_NEAR(p.barrier, 1e-3, 1e-15);
  // tau at t = 1/2: 10 sqrt(1 + 1/4 + 1/4) 1e-4.
  EXPECT_NEAR(p.barrier_tau, 10.0 * std::sqrt(1.5) * 1e-4, 1e-15);
  EXPECT_FALSE(p.barrier_significant);
  // The rise and fall of 1e-3 are below 10 sqrt(2) 1e-4: monotone within the noise.
  EXPECT_TRUE(p.monotone);
}

TEST(AnalysisPath, MonotonePathHasNoBarrier) {
  const Grid grid = make_grid({{-1.0, 2.0, 31}});
  const auto f = sample(grid, [](const double* c) { return std::exp(-c[0]); });
  const PathBarrier p = path_barrier(grid, f, no_noise());
  EXPECT_EQ(p.barrier, 0.0);  // convex: the chord lies above f, the maximum is at the ends
  EXPECT_EQ(p.barrier_t, 0.0);
  EXPECT_FALSE(p.barrier_significant);
  EXPECT_EQ(p.plain_barrier, 0.0);
  EXPECT_TRUE(p.monotone);
  EXPECT_EQ(p.max_rise, 0.0);
  EXPECT_EQ(p.minima, 0);
  EXPECT_EQ(p.boundary_minima, 1);  // t = 2, the end of the window
}

TEST(AnalysisPath, MinimaAlongThePathAfterPersistence) {
  // Two wells at t = 0 and t = 1 with a bump between, and a ripple of 1e-4 that noise of
  // sigma 1e-4 must merge away.
  const Grid grid = make_grid({{-0.5, 1.5, 201}});
  const auto f = sample(grid, [](const double* c) {
    const double t = c[0];
    return t * t * (t - 1) * (t - 1) + 1e-4 * std::cos(80 * 3.14159265358979 * t);
  });
  const PathBarrier raw = path_barrier(grid, f, no_noise());
  EXPECT_GT(raw.minima, 2);
  NoiseModel noise{0.0, 1e-4, kDefaultKTau};
  const PathBarrier p = path_barrier(grid, f, noise);
  EXPECT_EQ(p.significant_minima, 2);
  EXPECT_EQ(p.significant_boundary_minima, 0);
}

TEST(AnalysisPath, GridWithoutZeroOrOneIsAnInputError) {
  const std::vector<double> f(21, 1.0);
  EXPECT_TRUE(throws_input_error(
      [&] {
        path_barrier(make_grid({{0.05, 1.05, 21}}), f, no_noise());
      },
      {"x axis", "t = 0"}));
  EXPECT_TRUE(throws_input_error(
      [&] {
        path_barrier(make_grid({{-1.0, 0.9, 21}}), f, no_noise());
      },
      {"t = 1"}));
  EXPECT_TRUE(throws_input_error(
      [&] {
        path_barrier(make_grid({{0.0, 1.0, 3}, {0.0, 1.0, 7}}), f, no_noise());
      },
      {"1-D"}));
}

}  // namespace
}  // namespace lscan
