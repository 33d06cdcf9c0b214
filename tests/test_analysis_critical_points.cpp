// Critical points, basins and persistence on surfaces with a known answer: Rastrigin's function
// sampled so that its minima, maxima and saddles fall on grid points, quadratics with a single
// critical point at the origin, and a double well with a known barrier.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "analysis_surfaces.h"
#include "host/analysis/critical_points.h"
#include "random_problems.h"

namespace lscan {
namespace {

using testing::add_uniform_noise;
using testing::make_grid;
using testing::quadratic;
using testing::sample;
using testing::uniform_noise;

constexpr double kPi = 3.14159265358979323846;

// 20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y) on [-5.5, 5.5]^2 with step 0.1: a minimum
// within 0.03 of every integer point (121 of them, all on the grid's nearest point), a maximum
// near every (n + 1/2, m + 1/2) (10 x 10) and a saddle near every (n + 1/2, m) and (n, m + 1/2)
// (2 x 10 x 11). 121 - 220 + 100 = 1, the Euler characteristic of the square.
Grid rastrigin_grid() {
  return make_grid({{-5.5, 5.5, 111}, {-5.5, 5.5, 111}});
}
std::vector<double> rastrigin(const Grid& grid) {
  return sample(grid, [](const double* c) {
    return 20.0 + c[0] * c[0] - 10.0 * std::cos(2 * kPi * c[0]) + c[1] * c[1] -
           10.0 * std::cos(2 * kPi * c[1]);
  });
}

TEST(AnalysisCriticalPoints, RastriginMinimaMaximaSaddlesExact) {
  const Grid grid = rastrigin_grid();
  const auto f = rastrigin(grid);
  const CriticalPoints cp = critical_points(grid, f, uniform_noise(0.0));
  EXPECT_EQ(cp.minima, 121);
  EXPECT_EQ(cp.boundary_minima, 0);
  EXPECT_EQ(cp.maxima, 100);
  EXPECT_EQ(cp.saddles, 220);
  EXPECT_EQ(cp.significant_minima, 121);
  // Every minimum sits on an integer lattice point, and every lattice point has one.
  std::set<std::pair<long, long>> lattice;
  double c[2];
  for (const Minimum& m : cp.sinks) {
    grid.coefficients(m.index, c);
    EXPECT_NEAR(c[0], std::round(c[0]), 1e-9);
    EXPECT_NEAR(c[1], std::round(c[1]), 1e-9);
    lattice.insert({std::lround(c[0]), std::lround(c[1])});
  }
  EXPECT_EQ(lattice.size(), 121u);
  // The deepest is the origin, f = 0.
  EXPECT_NEAR(cp.sinks[0].value, 0.0, 1e-12);
  EXPECT_EQ(cp.sinks[0].index, 55 * 111 + 55);
  EXPECT_TRUE(std::isinf(cp.sinks[0].persistence));
  // Each point's basin is a minimum; 121 basins.
  std::set<int64_t> basins(cp.basin.begin(), cp.basin.end());
  EXPECT_EQ(basins.size(), 121u);
  // Neighbouring minima (n, m) and (n + 1, m) are separated by a saddle near (n + 1/2, m) of
  // height about 20 + (n + 1/2)^2 + m^2 - 10 cos(2 pi m) + ...: every lattice neighbour pair is
  // an adjacent basin pair.
  int64_t lattice_edges = 0;
  for (const BasinPair& p : cp.adjacent) {
    double ca[2], cb[2];
    grid.coefficients(p.a, ca);
    grid.coefficients(p.b, cb);
    const double dx = std::fabs(ca[0] - cb[0]), dy = std::fabs(ca[1] - cb[1]);
    if ((std::lround(dx) == 1 && std::lround(dy) == 0) ||
        (std::lround(dx) == 0 && std::lround(dy) == 1)) {
      ++lattice_edges;
      EXPECT_GT(p.saddle, std::max(f[static_cast<size_t>(p.a)], f[static_cast<size_t>(p.b)]));
    }
  }
  EXPECT_EQ(lattice_edges, 2 * 10 * 11);
}

TEST(AnalysisCriticalPoints, RastriginNoiseBelowTauChangesNothing) {
  const uint64_t seed = testing::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Grid grid = rastrigin_grid();
  const auto clean = rastrigin(grid);
  auto noisy = clean;
  const double amplitude = 1e-3;
  add_uniform_noise(noisy, amplitude, seed);
  const CriticalPoints a = critical_points(grid, clean, uniform_noise(amplitude));
  const CriticalPoints b = critical_points(grid, noisy, uniform_noise(amplitude));
  EXPECT_EQ(b.minima, 121);
  EXPECT_EQ(b.significant_minima, 121);
  EXPECT_EQ(b.boundary_minima, 0);
  // The same minima, at the same grid points.
  auto significant = [](const CriticalPoints& cp) {
    std::set<int64_t> s;
    for (const Minimum& m : cp.sinks)
      if (m.significant) s.insert(m.index);
    return s;
  };
  EXPECT_EQ(significant(a), significant(b));
}

TEST(AnalysisCriticalPoints, RastriginLargeTauLeavesOneBasin) {
  const Grid grid = rastrigin_grid();
  const auto f = rastrigin(grid);
  // tau = 10 sqrt(2) * 10 = 141 exceeds every basin depth (19.25 at most, see the next test).
  const CriticalPoints cp = critical_points(grid, f, uniform_noise(10.0));
  EXPECT_EQ(cp.minima, 121);
  EXPECT_EQ(cp.significant_minima, 1);
  const int64_t origin = 55 * 111 + 55;
  for (int64_t b : cp.merged_basin) ASSERT_EQ(b, origin);
}

// The minimum at lattice point (n, m) joins a deeper basin over the saddle at half a step towards
// the origin along its larger coordinate r = max(|n|, |m|): depth
// (r - 1/2)^2 + 10 - (r^2 - 10) = 20.25 - r, so rings of minima die in order as tau grows.
TEST(AnalysisCriticalPoints, RastriginPersistenceIsKnownPerRing) {
  const Grid grid = rastrigin_grid();
  const auto f = rastrigin(grid);
  const CriticalPoints cp = critical_points(grid, f, uniform_noise(0.0));
  double c[2];
  for (const Minimum& m : cp.sinks) {
    grid.coefficients(m.index, c);
    const long r = std::max(std::labs(std::lround(c[0])), std::labs(std::lround(c[1])));
    if (r == 0) continue;
    EXPECT_NEAR(m.persistence, 20.25 - r, 1e-9) << c[0] << ", " << c[1];
  }
  // tau = 10 sqrt(2) sigma = 17 merges the rings r = 5 (depth 15.25) and r = 4 (16.25) and keeps
  // r <= 3: 7 x 7 = 49 minima.
  const CriticalPoints mid =
      critical_points(grid, f, uniform_noise(17.0 / (10.0 * std::sqrt(2.0))));
  EXPECT_EQ(mid.significant_minima, 49);
}

// Noise on the flat bottom of a bowl creates many raw minima, all shallower than tau.
TEST(AnalysisCriticalPoints, PersistenceRemovesNoiseMinima) {
  const uint64_t seed = testing::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Grid grid = make_grid({{-1.0, 1.0, 201}, {-1.0, 1.0, 201}});
  auto f = sample(grid, quadratic(2, {2.0, 0.0, 0.0, 2.0}, {0.0, 0.0}, 1.0));
  const double amplitude = 1e-2;
  add_uniform_noise(f, amplitude, seed);
  const CriticalPoints cp = critical_points(grid, f, uniform_noise(amplitude));
  EXPECT_GT(cp.minima, 20);
  EXPECT_EQ(cp.significant_minima, 1);
  EXPECT_EQ(cp.significant_boundary_minima, 0);
  const int64_t deepest = cp.sinks[0].index;
  for (int64_t b : cp.merged_basin) ASSERT_EQ(b, deepest);
  double c[2];
  grid.coefficients(deepest, c);
  EXPECT_LT(std::hypot(c[0], c[1]), 0.15);  // r^2 - 0.01 <= 0.01 at the deepest point
}

TEST(AnalysisCriticalPoints, IndefiniteQuadraticSaddleExactlyAtOrigin) {
  const Grid grid = make_grid({{-1.0, 1.0, 21}, {-1.0, 1.0, 21}});
  const auto f = sample(grid, quadratic(2, {3.0, 1.0, 1.0, -2.0}, {0.0, 0.0}));
  const CriticalPoints cp = critical_points(grid, f, uniform_noise(0.0));
  EXPECT_EQ(cp.saddles, 1);
  EXPECT_EQ(cp.kind[10 * 21 + 10], CriticalKind::Saddle);
  EXPECT_EQ(cp.minima, 0);
  EXPECT_EQ(cp.maxima, 0);
  // Positive definite: the single minimum at the origin, nothing else.
  const auto g = sample(grid, quadratic(2, {2.0, 0.5, 0.5, 1.0}, {0.0, 0.0}));
  const CriticalPoints pd = critical_points(grid, g, uniform_noise(0.0));
  EXPECT_EQ(pd.minima, 1);
  EXPECT_EQ(pd.kind[10 * 21 + 10], CriticalKind::Minimum);
  EXPECT_EQ(pd.saddles + pd.maxima + pd.boundary_minima, 0);
  for (int64_t b : pd.basin) ASSERT_EQ(b, 10 * 21 + 10);
}

TEST(AnalysisCriticalPoints, ThreeDimensionalQuadratics) {
  const Grid grid = make_grid({{-1.0, 1.0, 11}, {-1.0, 1.0, 11}, {-1.0, 1.0, 11}});
  const int64_t origin = (5 * 11 + 5) * 11 + 5;
  const auto pd =
      sample(grid, quadratic(3, {2.0, 0.3, 0.0, 0.3, 1.5, 0.2, 0.0, 0.2, 1.0}, {0.0, 0.0, 0.0}));
  const CriticalPoints a = critical_points(grid, pd, uniform_noise(0.0));
  EXPECT_EQ(a.minima, 1);
  EXPECT_EQ(a.kind[static_cast<size_t>(origin)], CriticalKind::Minimum);
  EXPECT_EQ(a.maxima + a.saddles + a.boundary_minima, 0);
  // x^2 + 1.3 y^2 - 0.7 z^2: the neighbours below the origin are the two caps z = +-1, two
  // face-connected groups of the shell, so the origin is a saddle; and the only one.
  const auto saddle =
      sample(grid, quadratic(3, {2.0, 0.0, 0.0, 0.0, 2.6, 0.0, 0.0, 0.0, -1.4}, {0.0, 0.0, 0.0}));
  const CriticalPoints b = critical_points(grid, saddle, uniform_noise(0.0));
  EXPECT_EQ(b.kind[static_cast<size_t>(origin)], CriticalKind::Saddle);
  EXPECT_EQ(b.saddles, 1);
  EXPECT_EQ(b.minima + b.maxima, 0);
  // -(positive definite): one maximum.
  auto neg = pd;
  for (double& x : neg) x = -x;
  const CriticalPoints c = critical_points(grid, neg, uniform_noise(0.0));
  EXPECT_EQ(c.maxima, 1);
  EXPECT_EQ(c.kind[static_cast<size_t>(origin)], CriticalKind::Maximum);
  EXPECT_EQ(c.minima + c.saddles, 0);
}

// (x^2 - 1)^2 on [-2, 2]: minima at -1 and +1 (f = 0), a barrier of height 1 at x = 0.
TEST(AnalysisCriticalPoints, DoubleWellBarrierAndPersistence) {
  const Grid grid = make_grid({{-2.0, 2.0, 41}});
  const auto f = sample(grid, [](const double* c) {
    const double q = c[0] * c[0] - 1.0;
    return q * q;
  });
  const CriticalPoints cp = critical_points(grid, f, uniform_noise(0.0));
  EXPECT_EQ(cp.minima, 2);
  EXPECT_EQ(cp.maxima, 1);
  EXPECT_EQ(cp.saddles, 0);
  EXPECT_EQ(cp.boundary_minima, 0);
  ASSERT_EQ(cp.adjacent.size(), 1u);
  EXPECT_EQ(cp.adjacent[0].a, 10);
  EXPECT_EQ(cp.adjacent[0].b, 30);
  EXPECT_EQ(cp.adjacent[0].saddle, 1.0);
  EXPECT_EQ(cp.adjacent[0].saddle_index, 20);
  // Equal depths: the lower index is older, the other dies at the barrier with persistence 1.
  ASSERT_EQ(cp.sinks.size(), 2u);
  EXPECT_EQ(cp.sinks[0].index, 10);
  EXPECT_EQ(cp.sinks[1].index, 30);
  EXPECT_EQ(cp.sinks[1].persistence, 1.0);
  EXPECT_EQ(cp.sinks[1].merged_into, 10);
  EXPECT_EQ(cp.sinks[1].saddle_index, 20);
  EXPECT_EQ(cp.significant_minima, 2);
  for (int i = 0; i < 41; ++i) EXPECT_EQ(cp.basin[static_cast<size_t>(i)], i <= 20 ? 10 : 30);
  // tau = 10 sqrt(2) sigma above 1 merges the two wells.
  const CriticalPoints merged = critical_points(grid, f, uniform_noise(0.1));
  EXPECT_EQ(merged.significant_minima, 1);
  EXPECT_NEAR(merged.sinks[1].tau, 10.0 * std::sqrt(2.0) * 0.1, 1e-15);
  for (int64_t b : merged.merged_basin) EXPECT_EQ(b, 10);
}

TEST(AnalysisCriticalPoints, BoundaryMinimaCountedApart) {
  // A tilted plane: its only minimum is the lowest corner.
  const Grid grid = make_grid({{0.0, 1.0, 11}, {0.0, 1.0, 11}});
  const auto f = sample(grid, [](const double* c) { return c[0] + 2.0 * c[1]; });
  const CriticalPoints cp = critical_points(grid, f, uniform_noise(0.0));
  EXPECT_EQ(cp.minima, 0);
  EXPECT_EQ(cp.boundary_minima, 1);
  EXPECT_EQ(cp.kind[0], CriticalKind::BoundaryMinimum);
  EXPECT_EQ(cp.significant_boundary_minima, 1);
  EXPECT_EQ(cp.significant_minima, 0);
  ASSERT_EQ(cp.sinks.size(), 1u);
  EXPECT_TRUE(cp.sinks[0].boundary);
}

TEST(AnalysisCriticalPoints, PlateauTiesGiveOneMinimum) {
  const Grid grid = make_grid({{0.0, 1.0, 9}, {0.0, 1.0, 7}});
  const std::vector<double> flat(63, 2.5);
  const CriticalPoints cp = critical_points(grid, flat, uniform_noise(0.0));
  EXPECT_EQ(cp.minima + cp.boundary_minima, 1);
  EXPECT_EQ(cp.sinks[0].index, 0);  // ties go to the lowest index
  for (int64_t b : cp.basin) ASSERT_EQ(b, 0);
}

}  // namespace
}  // namespace lscan
