// Grid curvature on quadratics written directly as surfaces, where every finite difference is
// exact up to rounding, so the maps must equal the Hessian that defined the surface; and the
// shared eigenvalue formulas on matrices with known spectra.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "analysis_surfaces.h"
#include "host/analysis/curvature.h"
#include "kernels/stencils.cuh"
#include "random_problems.h"

namespace lscan {
namespace {

using testing::add_uniform_noise;
using testing::make_grid;
using testing::no_noise;
using testing::quadratic;
using testing::sample;

// Checks every map of a 2-D quadratic with Hessian [[a, b], [b, c]] at every point.
void expect_quadratic_2d(const Grid& grid, const CurvatureMaps& m, double a, double b, double c,
                         int s) {
  const double lo = 0.5 * (a + c) - std::hypot(0.5 * (a - c), b);
  const double hi = 0.5 * (a + c) + std::hypot(0.5 * (a - c), b);
  // u^T H u / |u|^2 over the axes and the diagonals (hx, +-hy).
  const double hx = m.h[0], hy = m.h[1], d2 = hx * hx + hy * hy;
  const double dmin = std::min({a, c, (a * hx * hx + 2 * b * hx * hy + c * hy * hy) / d2,
                                (a * hx * hx - 2 * b * hx * hy + c * hy * hy) / d2});
  const int nx = grid.axes[0].num, ny = grid.axes[1].num;
  int64_t interior = 0;
  for (int ix = 0; ix < nx; ++ix)
    for (int iy = 0; iy < ny; ++iy) {
      const size_t i = static_cast<size_t>(ix * ny + iy);
      const bool in = ix >= s && ix < nx - s && iy >= s && iy < ny - s;
      if (!in) {
        EXPECT_TRUE(std::isnan(m.second[0][i]) && std::isnan(m.mixed[0][i]) &&
                    std::isnan(m.eigenvalues[0][i]) && std::isnan(m.ratio[i]))
            << "point " << ix << "," << iy << " is not interior";
        continue;
      }
      ++interior;
      ASSERT_NEAR(m.second[0][i], a, 1e-10) << ix << "," << iy;
      ASSERT_NEAR(m.second[1][i], c, 1e-10) << ix << "," << iy;
      ASSERT_NEAR(m.mixed[0][i], b, 1e-10) << ix << "," << iy;
      ASSERT_NEAR(m.eigenvalues[0][i], lo, 1e-10) << ix << "," << iy;
      ASSERT_NEAR(m.eigenvalues[1][i], hi, 1e-10) << ix << "," << iy;
      ASSERT_NEAR(m.min_directional[i], dmin, 1e-10) << ix << "," << iy;
    }
  EXPECT_EQ(m.interior, interior);
  EXPECT_EQ(m.interior, static_cast<int64_t>(nx - 2 * s) * (ny - 2 * s));
}

TEST(AnalysisCurvature, PositiveDefiniteQuadraticExactForEveryStencil) {
  const double a = 2.0, b = 0.6, c = 1.0;
  // Asymmetric bounds and different steps per axis.
  const Grid grid = make_grid({{-1.0, 1.2, 23}, {-0.8, 1.0, 19}});
  const auto f = sample(grid, quadratic(2, {a, b, b, c}, {0.3, -0.7}, 1.5));
  for (int s : {1, 2, 4}) {
    SCOPED_TRACE("stencil " + std::to_string(s));
    const CurvatureMaps m = grid_curvature(grid, f, s, no_noise());
    EXPECT_EQ(m.stencil, s);
    EXPECT_DOUBLE_EQ(m.h[0], s * 2.2 / 22);
    EXPECT_DOUBLE_EQ(m.h[1], s * 1.8 / 18);
    expect_quadratic_2d(grid, m, a, b, c, s);
    EXPECT_EQ(m.negative, 0);
    EXPECT_EQ(m.significant_negative, 0);
    EXPECT_EQ(m.axis_negative[0] + m.axis_negative[1], 0);
    EXPECT_EQ(m.directional_negative, 0);
    // |lambda_min / lambda_max| of a constant Hessian.
    const double lo = 1.5 - std::sqrt(0.61), hi = 1.5 + std::sqrt(0.61);
    EXPECT_NEAR(m.ratio[static_cast<size_t>(10 * 19 + 9)], lo / hi, 1e-10);
  }
}

TEST(AnalysisCurvature, IndefiniteQuadraticEveryInteriorPointNegative) {
  const Grid grid = make_grid({{-1.0, 1.0, 21}, {-1.0, 1.0, 21}});
  const auto f = sample(grid, quadratic(2, {3.0, 1.0, 1.0, -2.0}, {0.0, 0.0}));
  const CurvatureMaps m = grid_curvature(grid, f, 1, no_noise());
  expect_quadratic_2d(grid, m, 3.0, 1.0, -2.0, 1);
  EXPECT_EQ(m.negative, m.interior);
  EXPECT_EQ(m.significant_negative, m.interior);
  EXPECT_EQ(m.axis_negative[0], 0);
  EXPECT_EQ(m.axis_negative[1], m.interior);
  EXPECT_NEAR(m.min_lambda, 0.5 - std::sqrt(7.25), 1e-10);
  EXPECT_EQ(m.directional_negative, m.interior);
  EXPECT_EQ(m.directional_significant, m.interior);
  EXPECT_EQ(m.argmin_lambda >= 0, true);
}

// A singular Hessian has lambda_min = 0: rounding makes about half the computed values slightly
// negative, and the noise floor must keep every one of them from counting.
TEST(AnalysisCurvature, SingularQuadraticRoundingIsNotNegativeCurvature) {
  const Grid grid = make_grid({{-2.0, 2.0, 41}, {-1.5, 2.5, 37}});
  const auto f = sample(grid, quadratic(2, {1.0, 2.0, 2.0, 4.0}, {0.1, 0.2}, 3.0));
  const CurvatureMaps raw = grid_curvature(grid, f, 1, no_noise());
  expect_quadratic_2d(grid, raw, 1.0, 2.0, 4.0, 1);
  NoiseModel fp64;
  fp64.relative = 0x1.0p-52;  // the values above carry a few ulp of error
  const CurvatureMaps m = grid_curvature(grid, f, 1, fp64);
  EXPECT_EQ(m.significant_negative, 0) << m.negative << " raw negative points";
  EXPECT_EQ(m.directional_significant, 0);
  EXPECT_GT(m.tau_min, 0);
  for (size_t i = 0; i < f.size(); ++i)
    if (!std::isnan(m.ratio[i])) {
      ASSERT_LT(m.ratio[i], 1e-10);
    }
}

TEST(AnalysisCurvature, OneDimensionalSecondDifference) {
  const Grid grid = make_grid({{-1.0, 3.0, 41}});
  const auto f = sample(grid, [](const double* c) { return 3.0 * c[0] * c[0] - c[0] + 2.0; });
  for (int s : {1, 2, 4}) {
    const CurvatureMaps m = grid_curvature(grid, f, s, no_noise());
    EXPECT_EQ(m.interior, 41 - 2 * s);
    EXPECT_TRUE(m.mixed.empty());
    for (int i = s; i < 41 - s; ++i) {
      ASSERT_NEAR(m.second[0][static_cast<size_t>(i)], 6.0, 1e-10);
      ASSERT_EQ(m.eigenvalues[0][static_cast<size_t>(i)], m.second[0][static_cast<size_t>(i)]);
      ASSERT_EQ(m.ratio[static_cast<size_t>(i)], 1.0);
    }
  }
}

// H = [[2, 1, 0], [1, 2, 1], [0, 1, 2]] - 2.5 I: eigenvalues -0.5 - sqrt 2, -0.5, -0.5 + sqrt 2.
TEST(AnalysisCurvature, ThreeDimensionalQuadraticKnownEigenvalues) {
  const std::vector<double> H = {-0.5, 1.0, 0.0, 1.0, -0.5, 1.0, 0.0, 1.0, -0.5};
  const Grid grid = make_grid({{-1.0, 1.0, 9}, {-0.5, 1.5, 11}, {-2.0, 1.0, 7}});
  const auto f = sample(grid, quadratic(3, H, {0.2, -0.1, 0.4}, 1.0));
  const CurvatureMaps m = grid_curvature(grid, f, 1, no_noise());
  ASSERT_EQ(m.eigenvalues.size(), 3u);
  ASSERT_EQ(m.mixed.size(), 3u);
  EXPECT_EQ(m.interior, 7 * 9 * 5);
  const double r2 = std::sqrt(2.0);
  for (size_t i = 0; i < f.size(); ++i) {
    if (std::isnan(m.eigenvalues[0][i])) continue;
    ASSERT_NEAR(m.second[0][i], -0.5, 1e-10);
    ASSERT_NEAR(m.second[1][i], -0.5, 1e-10);
    ASSERT_NEAR(m.second[2][i], -0.5, 1e-10);
    ASSERT_NEAR(m.mixed[0][i], 1.0, 1e-10);  // (0, 1)
    ASSERT_NEAR(m.mixed[1][i], 0.0, 1e-10);  // (0, 2)
    ASSERT_NEAR(m.mixed[2][i], 1.0, 1e-10);  // (1, 2)
    ASSERT_NEAR(m.eigenvalues[0][i], -0.5 - r2, 1e-10);
    ASSERT_NEAR(m.eigenvalues[1][i], -0.5, 1e-10);
    ASSERT_NEAR(m.eigenvalues[2][i], -0.5 + r2, 1e-10);
    ASSERT_NEAR(m.ratio[i], (0.5 + r2) / (r2 - 0.5), 1e-10);
  }
  EXPECT_EQ(m.negative, m.interior);
}

// Jacobi on matrices Q diag(l) Q^T with a random orthogonal Q and chosen l, repeated and
// nearly repeated eigenvalues included: the spectrum must come back to 1e-12 |l|.
TEST(AnalysisCurvature, Sym3EigenvaluesRecoverKnownSpectra) {
  const uint64_t seed = testing::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  const double spectra[][3] = {{-1.0, 0.5, 2.0}, {1.0, 1.0, 1.0},        {-3.0, -3.0, 7.0},
                               {0.0, 0.0, 5.0},  {1.0, 1.0 + 1e-9, 2.0}, {-1e-6, 1e-6, 1.0}};
  for (const auto& l : spectra) {
    for (int rep = 0; rep < 50; ++rep) {
      // Q from Gram-Schmidt on Gaussian columns, run twice so that Q is orthogonal to rounding
      // even when the columns are nearly dependent.
      double q[3][3];
      for (auto& row : q)
        for (double& x : row) x = normal(gen);
      for (int j = 0; j < 3; ++j) {
        for (int pass = 0; pass < 2; ++pass)
          for (int p = 0; p < j; ++p) {
            double dot = 0;
            for (int i = 0; i < 3; ++i) dot += q[i][j] * q[i][p];
            for (int i = 0; i < 3; ++i) q[i][j] -= dot * q[i][p];
          }
        double nrm = 0;
        for (int i = 0; i < 3; ++i) nrm += q[i][j] * q[i][j];
        for (int i = 0; i < 3; ++i) q[i][j] /= std::sqrt(nrm);
      }
      double A[3][3];
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          A[i][j] = 0;
          for (int t = 0; t < 3; ++t) A[i][j] += q[i][t] * l[t] * q[j][t];
        }
      double ev[3];
      sym3_eigenvalues(A[0][0], 0.5 * (A[0][1] + A[1][0]), 0.5 * (A[0][2] + A[2][0]), A[1][1],
                       0.5 * (A[1][2] + A[2][1]), A[2][2], ev);
      const double scale = std::max({std::fabs(l[0]), std::fabs(l[1]), std::fabs(l[2])});
      for (int t = 0; t < 3; ++t) ASSERT_NEAR(ev[t], l[t], 1e-12 * scale) << "eigenvalue " << t;
    }
  }
  double ev[3];
  sym3_eigenvalues(4.0, 0.0, 0.0, -1.0, 0.0, 2.0, ev);  // already diagonal
  EXPECT_EQ(ev[0], -1.0);
  EXPECT_EQ(ev[1], 2.0);
  EXPECT_EQ(ev[2], 4.0);
}

TEST(AnalysisCurvature, NoiseBelowTauAddsNoSignificantNegativeCurvature) {
  const uint64_t seed = testing::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  // A plane has zero curvature: every negative value below comes from the noise.
  const Grid grid = make_grid({{-1.0, 1.0, 51}, {-1.0, 1.0, 51}});
  auto f = sample(grid, [](const double* c) { return 2.0 + c[0] - 0.5 * c[1]; });
  const double amplitude = 1e-6;
  add_uniform_noise(f, amplitude, seed);
  NoiseModel noise;
  noise.absolute = amplitude;
  for (int s : {1, 2, 4}) {
    const CurvatureMaps m = grid_curvature(grid, f, s, noise);
    EXPECT_GT(m.negative, m.interior / 4) << "stencil " << s;
    EXPECT_EQ(m.significant_negative, 0) << "stencil " << s;
    EXPECT_EQ(m.axis_significant_negative[0] + m.axis_significant_negative[1], 0);
    EXPECT_EQ(m.directional_significant, 0);
    // tau = k_tau sqrt(6 + 6 + 2 / 4) sigma / h^2 for equal steps and sigmas.
    const double h = m.h[0];
    EXPECT_NEAR(m.tau_min, 10.0 * std::sqrt(12.5) * amplitude / (h * h), 1e-9 * m.tau_min);
  }
}

// f = max(0, x + y - h) with grid step h: at the origin only f(h, h) = h is nonzero among the
// stencil values, so H_xx = H_yy = 0 and H_xy = 1 / (4 h): eigenvalues -+1 / (4 h). f is convex,
// and every directional second difference is >= 0 (1 / (2 h) along (1, 1), 0 elsewhere).
TEST(AnalysisCurvature, KinkBetweenStencilPointsIsNotAConvexityViolation) {
  const double h = 0.125;  // exact in binary, so the kink sits exactly between grid points
  const Grid grid = make_grid({{-1.0, 1.0, 17}, {-1.0, 1.0, 17}});
  const auto f = sample(grid, [h](const double* c) { return std::max(0.0, c[0] + c[1] - h); });
  NoiseModel fp64;
  fp64.relative = 0x1.0p-52;
  const CurvatureMaps m = grid_curvature(grid, f, 1, fp64);
  const size_t origin = 8 * 17 + 8;
  EXPECT_EQ(m.eigenvalues[0][origin], -1.0 / (4 * h));
  EXPECT_EQ(m.eigenvalues[1][origin], 1.0 / (4 * h));
  EXPECT_EQ(m.min_directional[origin], 0.0);
  EXPECT_GT(m.significant_negative, 0);
  EXPECT_EQ(m.directional_negative, 0);
  EXPECT_EQ(m.directional_significant, 0);
}

TEST(AnalysisCurvature, NonFiniteValuesAreLeftOut) {
  const Grid grid = make_grid({{-1.0, 1.0, 11}, {-1.0, 1.0, 11}});
  auto f = sample(grid, quadratic(2, {1.0, 0.0, 0.0, 1.0}, {0.0, 0.0}));
  f[5 * 11 + 5] = NAN;
  const CurvatureMaps m = grid_curvature(grid, f, 1, no_noise());
  // The NaN point is in the stencil of itself, its 4 axis neighbours and 4 diagonal ones.
  EXPECT_EQ(m.nonfinite, 9);
  EXPECT_EQ(m.interior, 81 - 9);
  EXPECT_TRUE(std::isnan(m.eigenvalues[0][5 * 11 + 6]));
}

TEST(AnalysisCurvature, RejectsBadStencilAndShape) {
  const Grid grid = make_grid({{-1.0, 1.0, 11}});
  const std::vector<double> f(11, 1.0);
  EXPECT_THROW(grid_curvature(grid, f, 3, NoiseModel{}), std::invalid_argument);
  EXPECT_THROW(grid_curvature(grid, std::vector<double>(10, 1.0), 1, NoiseModel{}),
               std::invalid_argument);
}

}  // namespace
}  // namespace lscan
