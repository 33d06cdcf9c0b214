// A linear model with squared loss is a quadratic in its parameters with Hessian
// (2 / (N m)) sum_i [x_i; 1][x_i; 1]^T per output: scanned through the engine in fp64, the grid
// curvature must equal the projected Hessian d_a^T H d_b, and every probe second difference must
// equal v^T H v.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis_surfaces.h"
#include "host/analysis/curvature.h"
#include "host/analysis/hessian_probe.h"
#include "host/engine/scan.h"
#include "random_problems.h"

namespace lscan {
namespace {

using testing::no_noise;

using testing::fresh_seed;
using testing::linear_mse_hessian;
using testing::linear_mse_model;
using testing::make_grid;
using testing::random_directions;
using testing::regression_data;

struct LinearProblem {
  Model model;
  Dataset data;
  Targets targets;
  std::vector<Direction> dirs;
  EvalSetup setup;

  LinearProblem(uint64_t seed, int k, Precision precision)
      : model(linear_mse_model(5, 2, seed)),
        data(regression_data(50, 5, 2, seed)),
        targets(make_targets(model.spec, data, "regression")),
        dirs(random_directions(model, k, seed)) {
    setup.model = &model;
    setup.directions = &dirs;
    setup.data = &data;
    setup.targets = &targets;
    setup.precision = precision;
  }
  LinearProblem(const LinearProblem&) = delete;
};

TEST(AnalysisHessianProbe, GridCurvatureOfLinearModelIsTheProjectedHessian) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (int k : {2, 3}) {
    LinearProblem p(seed, k, Precision::FP64);
    const Grid grid = k == 2 ? make_grid({{-1.0, 1.0, 9}, {-0.5, 1.5, 7}})
                             : make_grid({{-1.0, 1.0, 5}, {-0.5, 1.5, 7}, {0.0, 1.0, 5}});
    auto backend = make_cpu_backend(p.setup);
    const auto f = evaluate_points(*backend, grid.coefficient_matrix(), k).loss;
    const CurvatureMaps m = grid_curvature(grid, f, 1, no_noise());
    double H[3][3];
    for (int a = 0; a < k; ++a)
      for (int b = 0; b < k; ++b)
        H[a][b] = linear_mse_hessian(p.model, p.data, p.dirs[a].v, p.dirs[b].v);
    double scale = 0;
    for (int a = 0; a < k; ++a) scale = std::max(scale, std::fabs(H[a][a]));
    const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    ASSERT_GT(m.interior, 0);
    for (size_t i = 0; i < f.size(); ++i) {
      if (std::isnan(m.ratio[i])) continue;
      for (int a = 0; a < k; ++a) ASSERT_NEAR(m.second[a][i], H[a][a], 1e-8 * scale);
      for (size_t q = 0; q < m.mixed.size(); ++q)
        ASSERT_NEAR(m.mixed[q][i], H[pairs[q][0]][pairs[q][1]], 1e-8 * scale);
    }
    EXPECT_EQ(m.negative, 0);  // H is positive semi-definite, here definite on the plane
  }
}

// The loss is exactly quadratic, so (f(+hv) - 2 f + f(-hv)) / h^2 = v^T H v at every point and
// for every step.
TEST(AnalysisHessianProbe, EverySecondDifferenceIsVTHV) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  LinearProblem p(seed, 2, Precision::FP64);
  const Grid grid = make_grid({{-1.0, 1.0, 7}, {-1.0, 1.0, 7}});
  for (ProbeKind kind : {ProbeKind::Rademacher, ProbeKind::Gaussian}) {
    for (double h : {0.1, 0.0}) {
      SCOPED_TRACE(std::string(probe_kind_name(kind)) + (h > 0 ? " h = 0.1" : " default h"));
      HessianProbeOptions opt;
      opt.directions = 6;
      opt.kind = kind;
      opt.seed = seed;
      opt.h = h;
      opt.stride = 3;  // indices 0, 3, 6 on each axis: 9 points
      const HessianProbe r = probe_hessian(p.setup, grid, opt, no_noise());
      ASSERT_EQ(r.points.size(), 9u);
      EXPECT_EQ(r.points[1], 3);
      if (h > 0) {
        EXPECT_EQ(r.h, h);
      } else {
        EXPECT_EQ(r.h, default_probe_step(p.model, Precision::FP64, opt));
      }
      // Rounding in the difference grows as h shrinks: eps f / (h^2 v^T H v).
      const double tol = h > 0 ? 1e-10 : 1e-6;
      double vhv[6];
      double mean = 0;
      for (int j = 0; j < 6; ++j) {
        const Direction v = probe_direction(p.model, opt, j);
        vhv[j] = linear_mse_hessian(p.model, p.data, v.v, v.v);
        mean += vhv[j] / 6;
      }
      for (size_t q = 0; q < r.points.size(); ++q) {
        for (int j = 0; j < 6; ++j)
          ASSERT_NEAR(r.curvature[q * 6 + j], vhv[j], tol * vhv[j]) << "point " << q;
        EXPECT_NEAR(r.mean[q], mean, tol * mean);
        EXPECT_EQ(r.fraction_negative[q], 0.0);
      }
      EXPECT_EQ(r.evaluated, 54);
      EXPECT_EQ(r.fraction_negative_all, 0.0);
      EXPECT_GT(r.overall_min, 0.0);
    }
  }
}

TEST(AnalysisHessianProbe, RademacherDirectionsAndTheirStep) {
  const Model model = linear_mse_model(5, 2, 3);
  HessianProbeOptions opt;
  opt.seed = 9;
  const Direction v = probe_direction(model, opt, 0);
  ASSERT_EQ(v.v.size(), 12u);
  for (double x : v.v) EXPECT_TRUE(x == 1.0 || x == -1.0);
  EXPECT_EQ(probe_direction(model, opt, 0).v, v.v);
  EXPECT_NE(probe_direction(model, opt, 1).v, v.v);
  // |h v| = u^(1/4) |theta0| for Rademacher v (|v| = sqrt P).
  double theta = 0;
  for (double x : model.theta) theta += x * x;
  const double h = default_probe_step(model, Precision::FP32, opt);
  EXPECT_NEAR(h * std::sqrt(12.0), std::pow(std::ldexp(1.0, -24), 0.25) * std::sqrt(theta), 1e-12);
}

// Hutchinson: for Rademacher v, E[v^T H v] = tr H = (2 / N) sum_i (|x_i|^2 + 1). With a fixed seed
// and 400 directions the mean lies within 4 standard errors (the variance of one sample is
// 2 sum_{p != q} H_pq^2).
TEST(AnalysisHessianProbe, RademacherMeanEstimatesTheTrace) {
  LinearProblem p(5, 1, Precision::FP64);
  const Grid grid = make_grid({{0.0, 0.0, 1}});
  HessianProbeOptions opt;
  opt.directions = 400;
  opt.seed = 17;
  opt.h = 0.5;
  const HessianProbe r = probe_hessian(p.setup, grid, opt, no_noise());
  double trace = 0;
  for (double x : p.data.X) trace += x * x;
  trace = 2.0 * (trace + static_cast<double>(p.data.n)) / static_cast<double>(p.data.n);
  // Off-diagonal mass: within each output's (d + 1) block, H_pq = (2 / (N m)) sum_i z_ip z_iq.
  double off = 0;
  const int d = 5, m = 2;
  for (int a = 0; a <= d; ++a)
    for (int b = 0; b <= d; ++b) {
      if (a == b) continue;
      double s = 0;
      for (int64_t i = 0; i < p.data.n; ++i) {
        const double za = a < d ? p.data.X[static_cast<size_t>(i * d + a)] : 1.0;
        const double zb = b < d ? p.data.X[static_cast<size_t>(i * d + b)] : 1.0;
        s += za * zb;
      }
      const double hpq = 2.0 * s / (static_cast<double>(p.data.n) * m);
      off += m * hpq * hpq;
    }
  const double stderr_mean = std::sqrt(2.0 * off / 400.0);
  EXPECT_NEAR(r.mean[0], trace, 4 * stderr_mean);
  EXPECT_NEAR(r.mean_trace, r.mean[0], 1e-12);
}

// fp32: the differences carry rounding noise, the curvature is positive, and nothing is
// significantly negative; f0 agrees with the scan's own value at the point.
TEST(AnalysisHessianProbe, Fp32ConvexModelHasNoSignificantNegativeCurvature) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  LinearProblem p(seed, 2, Precision::FP32);
  const Grid grid = make_grid({{-1.0, 1.0, 11}, {-1.0, 1.0, 11}});
  HessianProbeOptions opt;
  opt.directions = 8;
  opt.seed = seed;
  opt.points = {0, 60, 120, 60};  // duplicates are probed once
  const NoiseModel noise = model_noise(p.model.spec, Precision::FP32, p.data.n);
  const HessianProbe r = probe_hessian(p.setup, grid, opt, noise);
  ASSERT_EQ(r.points.size(), 3u);
  EXPECT_EQ(r.h, static_cast<double>(static_cast<float>(r.h)));
  EXPECT_EQ(r.fraction_significant_all, 0.0);
  auto backend = make_cpu_backend(p.setup);
  const auto f = evaluate_points(*backend, grid.coefficient_matrix(), 2).loss;
  for (size_t q = 0; q < r.points.size(); ++q)
    EXPECT_NEAR(r.f0[q], f[static_cast<size_t>(r.points[q])], 1e-5 * f[r.points[q]]);
  // Each q_j is v^T H v up to rounding, and the rounding stays within the stated floor tau.
  for (size_t q = 0; q < r.points.size(); ++q)
    for (int j = 0; j < 8; ++j) {
      const Direction v = probe_direction(p.model, opt, j);
      const double vhv = linear_mse_hessian(p.model, p.data, v.v, v.v);
      EXPECT_NEAR(r.curvature[q * 8 + j], vhv, r.tau[q * 8 + j]);
      EXPECT_LT(r.tau[q * 8 + j], 0.5 * vhv);  // the floor resolves the curvature
    }
}

TEST(AnalysisHessianProbe, RejectsInconsistentInput) {
  LinearProblem p(1, 2, Precision::FP64);
  HessianProbeOptions opt;
  EXPECT_THROW(probe_hessian(p.setup, make_grid({{0.0, 1.0, 3}}), opt, no_noise()),
               std::invalid_argument);
  opt.directions = 0;
  EXPECT_THROW(probe_hessian(p.setup, make_grid({{0.0, 1.0, 3}, {0.0, 1.0, 3}}), opt, no_noise()),
               std::invalid_argument);
  opt.directions = 2;
  opt.points = {9};
  EXPECT_THROW(probe_hessian(p.setup, make_grid({{0.0, 1.0, 3}, {0.0, 1.0, 3}}), opt, no_noise()),
               std::invalid_argument);
}

}  // namespace
}  // namespace lscan
