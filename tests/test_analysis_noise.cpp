// The noise model's formulas, the measured floor, and the property the floor exists for: a model
// with a convex loss, scanned in fp32, is never reported non-convex.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "analysis_surfaces.h"
#include "host/analysis/curvature.h"
#include "host/analysis/jensen.h"
#include "host/analysis/noise.h"
#include "host/engine/scan.h"
#include "random_problems.h"

namespace lscan {
namespace {

using testing::fresh_seed;
using testing::make_grid;
using testing::random_data;
using testing::random_directions;
using testing::random_model;

TEST(AnalysisNoise, UnitRoundoffs) {
  EXPECT_EQ(unit_roundoff(Precision::FP64), std::ldexp(1.0, -53));
  EXPECT_EQ(unit_roundoff(Precision::FP32), std::ldexp(1.0, -24));
  EXPECT_EQ(unit_roundoff(Precision::TF32), std::ldexp(1.0, -11));
  EXPECT_EQ(unit_roundoff(Precision::BF16), std::ldexp(1.0, -8));
}

TEST(AnalysisNoise, ModelFormula) {
  const Model m = random_model({784, 128, 10}, Activation::Relu, LossKind::CrossEntropy, 1);
  const double A = 2 * (std::sqrt(784.0) + std::sqrt(128.0)) + 2 * std::sqrt(10.0);
  EXPECT_DOUBLE_EQ(forward_amplification(m.spec), A);
  const NoiseModel n = model_noise(m.spec, Precision::FP32, 60000);
  EXPECT_DOUBLE_EQ(n.relative,
                   std::ldexp(1.0, -24) * A + std::ldexp(1.0, -53) * std::sqrt(60000.0));
  EXPECT_EQ(n.absolute, 0.0);
  EXPECT_EQ(n.k_tau, 10.0);
  EXPECT_DOUBLE_EQ(n.sigma(2.0), 2.0 * n.relative);
  EXPECT_DOUBLE_EQ(n.sigma(-2.0), 2.0 * n.relative);
  EXPECT_EQ(model_noise(m.spec, Precision::BF16, 10, 3.0).k_tau, 3.0);
  EXPECT_THROW(model_noise(m.spec, Precision::FP32, 0), std::invalid_argument);
  // Propagated thresholds.
  EXPECT_DOUBLE_EQ(second_difference_tau(n, 2.0, 0.1), 10 * std::sqrt(6.0) * n.sigma(2.0) / 0.01);
  EXPECT_DOUBLE_EQ(jensen_tau(n, 2.0), 10 * std::sqrt(1.5) * n.sigma(2.0));
}

TEST(AnalysisNoise, MeasurementAndCombination) {
  const std::vector<double> working = {1.0, 2.5, NAN, -4.0, 0.0};
  const std::vector<double> fp64 = {1.5, 2.0, 1.0, -4.0, 1e-3};
  const NoiseMeasurement m = measure_noise(working, fp64);
  EXPECT_EQ(m.points, 4);
  EXPECT_EQ(m.max_abs, 0.5);
  EXPECT_DOUBLE_EQ(m.rms, std::sqrt((0.25 + 0.25 + 0.0 + 1e-6) / 4));
  EXPECT_EQ(m.max_rel, 1.0);  // |0 - 1e-3| / 1e-3
  NoiseModel model{1e-3, 0.0, kDefaultKTau};
  const NoiseModel both = with_measurement(model, m);
  EXPECT_EQ(both.sigma(1.0), 0.5);     // the measured floor
  EXPECT_EQ(both.sigma(1000.0), 1.0);  // the model, where larger
  EXPECT_THROW(measure_noise({1.0}, {}), std::invalid_argument);
}

TEST(AnalysisNoise, CheckPointsAreDistinctSortedAndSeeded) {
  const Grid grid = make_grid({{-1.0, 1.0, 30}, {-1.0, 1.0, 20}});
  const auto a = noise_check_points(grid, 50, 7);
  ASSERT_EQ(a.size(), 50u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<int64_t>(a.begin(), a.end()).size(), 50u);
  EXPECT_GE(a.front(), 0);
  EXPECT_LT(a.back(), 600);
  EXPECT_EQ(noise_check_points(grid, 50, 7), a);
  EXPECT_NE(noise_check_points(grid, 50, 8), a);
  EXPECT_EQ(noise_check_points(grid, 1000, 7).size(), 600u);
}

struct ScannedSurface {
  Grid grid;
  std::vector<double> loss;
  NoiseModel model, measured;
  NoiseMeasurement measurement;
};

// A convex model (one linear layer with a convex loss) scanned in fp32 on a 2-D grid.
ScannedSurface scan_convex(LossKind loss, uint64_t seed) {
  const int m = loss_is_binary(loss) ? 1 : 3;
  const Model model = random_model({6, m}, Activation::Identity, loss, seed);
  const Dataset data = random_data(model.spec, 400, seed);
  const Targets targets = make_targets(model.spec, data, "random");
  const auto dirs = random_directions(model, 2, seed);
  ScannedSurface s;
  s.grid = make_grid({{-1.0, 1.0, 41}, {-1.0, 1.0, 41}});
  EvalSetup setup;
  setup.model = &model;
  setup.directions = &dirs;
  setup.data = &data;
  setup.targets = &targets;
  setup.precision = Precision::FP32;
  auto backend = make_cpu_backend(setup);
  s.loss = evaluate_points(*backend, s.grid.coefficient_matrix(), 2).loss;
  s.model = model_noise(model.spec, Precision::FP32, data.n);
  s.measurement = measure_noise_fp64(setup, s.grid, s.loss, noise_check_points(s.grid, 200, seed));
  s.measured = with_measurement(s.model, s.measurement);
  return s;
}

// The design's promise: convex losses scanned in fp32 show no significant violation, by the
// model floor alone and with the measured floor.
TEST(AnalysisNoise, ConvexModelsAreNeverReportedNonConvexInFp32) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (LossKind loss :
       {LossKind::CrossEntropy, LossKind::Mse, LossKind::Hinge, LossKind::Logistic}) {
    SCOPED_TRACE(loss_name(loss));
    const ScannedSurface s = scan_convex(loss, seed);
    EXPECT_GT(s.measurement.points, 0);
    // The model is conservative: it exceeds every relative error measured against fp64.
    EXPECT_LE(s.measurement.max_rel, s.model.relative);
    for (const NoiseModel* noise : {&s.model, &s.measured}) {
      for (int st : {1, 2, 4}) {
        const CurvatureMaps c = grid_curvature(s.grid, s.loss, st, *noise);
        EXPECT_EQ(c.directional_significant, 0)
            << "stencil " << st << ", raw " << c.directional_negative;
        // The hinge loss is piecewise linear: kinks between stencil points make the Hessian
        // estimate indefinite (see curvature.h), so only the smooth losses are held to it.
        if (loss != LossKind::Hinge) {
          EXPECT_EQ(c.significant_negative, 0) << "stencil " << st << ", raw " << c.negative;
        }
      }
      JensenOptions opt;
      opt.offline_pairs = 20000;
      opt.seed = seed;
      const JensenResult j = jensen_violations(s.grid, s.loss, *noise, opt);
      EXPECT_EQ(j.lines.significant, 0) << "raw " << j.lines.violations;
      EXPECT_EQ(j.offline.significant, 0) << "raw " << j.offline.violations;
    }
  }
}

TEST(AnalysisNoise, Fp64MeasuredAgainstItselfIsExact) {
  const uint64_t seed = fresh_seed();
  const Model model = random_model({5, 4, 2}, Activation::Tanh, LossKind::CrossEntropy, seed);
  const Dataset data = random_data(model.spec, 100, seed);
  const Targets targets = make_targets(model.spec, data, "random");
  const auto dirs = random_directions(model, 1, seed);
  const Grid grid = make_grid({{-1.0, 1.0, 9}});
  EvalSetup setup;
  setup.model = &model;
  setup.directions = &dirs;
  setup.data = &data;
  setup.targets = &targets;
  setup.precision = Precision::FP64;
  auto backend = make_cpu_backend(setup);
  const auto loss = evaluate_points(*backend, grid.coefficient_matrix(), 1).loss;
  const NoiseMeasurement m = measure_noise_fp64(setup, grid, loss, noise_check_points(grid, 9, 1));
  EXPECT_EQ(m.points, 9);
  EXPECT_EQ(m.max_abs, 0.0);
}

}  // namespace
}  // namespace lscan
