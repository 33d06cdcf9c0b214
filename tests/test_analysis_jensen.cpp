// The Jensen (chord) test on surfaces whose answer is known: a convex function violates nothing,
// f = -x^2 violates on every x-line with excess exactly (a - b)^2 / 4, and noise below tau adds
// no significant violation.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis_surfaces.h"
#include "host/analysis/jensen.h"
#include "random_problems.h"

namespace lscan {
namespace {

using testing::add_uniform_noise;
using testing::make_grid;
using testing::no_noise;
using testing::sample;

// Even-distance pairs on one line of n points: sum over even d in [2, n - 1] of (n - d).
int64_t line_pairs(int64_t n) {
  int64_t s = 0;
  for (int64_t d = 2; d <= n - 1; d += 2) s += n - d;
  return s;
}

TEST(AnalysisJensen, ConvexFunctionHasNoViolations) {
  const Grid grid = make_grid({{-2.0, 2.0, 41}, {-1.0, 1.5, 37}});
  const auto f = sample(grid, [](const double* c) { return std::exp(c[0]) + c[1] * c[1]; });
  JensenOptions opt;
  opt.offline_pairs = 20000;
  opt.seed = testing::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(opt.seed));
  const JensenResult r = jensen_violations(grid, f, no_noise(), opt);
  EXPECT_EQ(r.lines.pairs, 37 * line_pairs(41) + 41 * line_pairs(37));
  EXPECT_EQ(r.lines.violations, 0);
  EXPECT_EQ(r.lines.significant, 0);
  EXPECT_LT(r.lines.worst_excess, 0);
  EXPECT_EQ(r.offline.pairs, opt.offline_pairs);
  EXPECT_EQ(r.offline.violations, 0);
  EXPECT_EQ(r.offline.significant, 0);
}

TEST(AnalysisJensen, ConcaveParabolaViolatesOnEveryPairWithKnownExcess) {
  // 1-D: every pair violates, the worst is the widest even pair, (D h)^2 / 4.
  const Grid line = make_grid({{-1.0, 2.0, 31}});  // h = 0.1, widest even distance D = 30
  const auto f1 = sample(line, [](const double* c) { return -c[0] * c[0]; });
  const JensenResult r1 = jensen_violations(line, f1, no_noise());
  EXPECT_EQ(r1.lines.pairs, line_pairs(31));
  EXPECT_EQ(r1.lines.violations, r1.lines.pairs);
  EXPECT_EQ(r1.lines.fraction, 1.0);
  EXPECT_NEAR(r1.lines.worst_excess, 3.0 * 3.0 / 4.0, 1e-12);
  EXPECT_EQ(r1.lines.worst_a, 0);
  EXPECT_EQ(r1.lines.worst_mid, 15);
  EXPECT_EQ(r1.lines.worst_b, 30);
  EXPECT_EQ(r1.offline.pairs, 0);

  // 2-D f = -x^2: x-lines violate everywhere; along y the excess is exactly 0, not a violation.
  const Grid grid = make_grid({{-1.0, 1.0, 21}, {0.0, 1.0, 12}});
  const auto f2 = sample(grid, [](const double* c) { return -c[0] * c[0]; });
  const JensenResult r2 = jensen_violations(grid, f2, no_noise());
  EXPECT_EQ(r2.lines.pairs, 12 * line_pairs(21) + 21 * line_pairs(12));
  EXPECT_EQ(r2.lines.violations, 12 * line_pairs(21));
  EXPECT_EQ(r2.lines.significant, r2.lines.violations);
  EXPECT_NEAR(r2.lines.worst_excess, 2.0 * 2.0 / 4.0, 1e-12);
  // The lowest flat (a, b) among the 12 equal worst pairs: the line y = 0.
  EXPECT_EQ(r2.lines.worst_a, 0);
  EXPECT_EQ(r2.lines.worst_mid, 10 * 12);
  EXPECT_EQ(r2.lines.worst_b, 20 * 12);
}

// Every off-line pair of a strictly concave paraboloid violates, with excess |a - b|^2 / 4.
TEST(AnalysisJensen, OfflinePairsOfConcaveParaboloid) {
  const Grid grid = make_grid({{-1.0, 1.0, 21}, {-1.0, 1.0, 21}, {-0.5, 0.5, 11}});
  const auto f =
      sample(grid, [](const double* c) { return -(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]); });
  JensenOptions opt;
  opt.offline_pairs = 5000;
  opt.seed = 42;
  const JensenResult r = jensen_violations(grid, f, no_noise(), opt);
  EXPECT_EQ(r.lines.violations, r.lines.pairs);
  EXPECT_EQ(r.lines.pairs,
            21 * 11 * line_pairs(21) + 21 * 11 * line_pairs(21) + 21 * 21 * line_pairs(11));
  EXPECT_EQ(r.offline.pairs, 5000);
  EXPECT_EQ(r.offline.violations, 5000);
  // The reported worst pair: excess = |c_a - c_b|^2 / 4, midpoint the mean of the ends.
  double ca[3], cb[3], cm[3];
  grid.coefficients(r.offline.worst_a, ca);
  grid.coefficients(r.offline.worst_b, cb);
  grid.coefficients(r.offline.worst_mid, cm);
  double d2 = 0;
  for (int a = 0; a < 3; ++a) {
    d2 += (ca[a] - cb[a]) * (ca[a] - cb[a]);
    EXPECT_NEAR(cm[a], 0.5 * (ca[a] + cb[a]), 1e-12);
  }
  EXPECT_NEAR(r.offline.worst_excess, d2 / 4, 1e-12);
  int on_a_line = 0;
  for (int a = 0; a < 3; ++a) on_a_line += ca[a] == cb[a];
  EXPECT_LE(on_a_line, 1);
  // The same seed draws the same pairs.
  const JensenResult again = jensen_violations(grid, f, no_noise(), opt);
  EXPECT_EQ(again.offline.worst_a, r.offline.worst_a);
  EXPECT_EQ(again.offline.worst_b, r.offline.worst_b);
}

TEST(AnalysisJensen, NoiseBelowTauAddsNoSignificantViolation) {
  const uint64_t seed = testing::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Grid grid = make_grid({{-1.0, 1.0, 61}, {-1.0, 1.0, 61}});
  const double amplitude = 1e-7;
  NoiseModel noise;
  noise.absolute = amplitude;
  JensenOptions opt;
  opt.offline_pairs = 10000;
  opt.seed = seed;
  // A plane (convex, not strictly): the noise alone decides the sign of every excess.
  auto plane = sample(grid, [](const double* c) { return 1.0 + c[0] + 2.0 * c[1]; });
  add_uniform_noise(plane, amplitude, seed);
  const JensenResult r = jensen_violations(grid, plane, noise, opt);
  EXPECT_GT(r.lines.violations, r.lines.pairs / 4);
  EXPECT_EQ(r.lines.significant, 0);
  EXPECT_EQ(r.offline.significant, 0);
  // tau = k_tau sqrt(1.5) sigma for equal sigmas.
  EXPECT_NEAR(r.lines.worst_tau, 10.0 * std::sqrt(1.5) * amplitude, 1e-20);
  // A strictly convex surface with the same noise.
  auto convex = sample(grid, [](const double* c) { return std::exp(c[0]) + c[1] * c[1]; });
  add_uniform_noise(convex, amplitude, seed + 1);
  const JensenResult rc = jensen_violations(grid, convex, noise, opt);
  EXPECT_EQ(rc.lines.significant, 0);
  EXPECT_EQ(rc.offline.significant, 0);
}

TEST(AnalysisJensen, NonFinitePairsAreLeftOut) {
  const Grid line = make_grid({{0.0, 1.0, 5}});
  const std::vector<double> f = {0.0, -1.0, 0.5, NAN, 0.0};
  const JensenResult r = jensen_violations(line, f, no_noise());
  // Of (0,2), (1,3), (2,4), (0,4), the middle two touch the NaN at 3.
  EXPECT_EQ(r.lines.pairs, 2);
  EXPECT_EQ(r.lines.violations, 1);
  EXPECT_EQ(r.lines.worst_excess, 0.5);
  EXPECT_EQ(r.lines.worst_a, 0);
  EXPECT_EQ(r.lines.worst_mid, 2);
  EXPECT_EQ(r.lines.worst_b, 4);
}

}  // namespace
}  // namespace lscan
