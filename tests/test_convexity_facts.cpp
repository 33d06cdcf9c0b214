// The classic facts, with numbers, through the whole pipeline (train, scan, analyse):
// one-layer models with convex losses are convex within noise, in fp32 and fp64, with curvature
// beyond the plane probed; logistic least squares is not; a hidden layer is not, and permuting
// its units copies the minimum behind a barrier.
#include <gtest/gtest.h>

#include <cmath>

#include "host/analysis/scan_analysis.h"
#include "host/data/generators.h"
#include "host/engine/surface_scan.h"
#include "host/model/model_io.h"
#include "host/model/permute.h"
#include "host/model/spec_io.h"
#include "host/model/targets.h"
#include "host/train/train.h"

namespace lscan {
namespace {

Model trained(const std::string& spec_json, const Dataset& data, int epochs, double lr) {
  Model m = init_model(parse_spec(nlohmann::json::parse(spec_json), "spec"), 1);
  const Targets t = make_targets(m.spec, data, data.description);
  TrainOptions o;
  o.epochs = epochs;
  o.lr = lr;
  train_model(m, data, t, o);
  return m;
}

struct Scan {
  Surface surface;
  SetAnalysis analysis;
};

Scan scan_and_analyze(const Model& model, const Dataset& data, std::vector<Direction> dirs,
                      Grid grid, Precision precision, bool probe) {
  ScanRequest req;
  req.model = &model;
  req.train = &data;
  req.directions = std::move(dirs);
  req.grid = std::move(grid);
  req.precision = precision;
  Scan s;
  s.surface = scan_surface(req);
  ScanAnalysisOptions o;
  o.probe = probe;
  o.probe_options.directions = 8;
  o.probe_options.stride = 4;
  s.analysis = analyze_scan(req, s.surface, o).front();
  return s;
}

std::vector<Direction> plane(const Model& m) {
  return {random_direction(m, 7, 0, DirNorm::Filter, BiasMode::Keep),
          random_direction(m, 7, 1, DirNorm::Filter, BiasMode::Keep)};
}

void expect_convex(const SetAnalysis& a) {
  EXPECT_TRUE(a.convex_within_noise);
  for (const std::string& r : a.reasons) ADD_FAILURE() << r;
  ASSERT_FALSE(a.curvature.empty());
  for (const CurvatureMaps& c : a.curvature) {
    EXPECT_GT(c.interior, 0);
    EXPECT_EQ(c.directional_significant, 0);
  }
  EXPECT_GT(a.jensen.lines.pairs, 0);
  EXPECT_EQ(a.jensen.lines.significant, 0);
  EXPECT_EQ(a.jensen.offline.significant, 0);
  ASSERT_TRUE(a.probe);
  EXPECT_GT(a.probe->evaluated, 0);
  EXPECT_EQ(a.probe->fraction_significant_all, 0.0);
  EXPECT_LE(a.critical.significant_minima + a.critical.significant_boundary_minima, 1);
}

const Grid kPlane{{GridAxis{-1, 1, 17}, GridAxis{-1, 1, 17}}};

TEST(ConvexityFacts, LogisticRegressionIsConvex) {
  const Dataset data = generate_dataset("blobs:n=300,dim=2,classes=3,spread=2.5,seed=3");
  const Model m = trained(R"({"input_dim": 2, "layers": [{"type": "linear", "out": 3}],
                              "loss": "cross_entropy"})",
                          data, 300, 0.05);
  for (Precision p : {Precision::FP64, Precision::FP32}) {
    SCOPED_TRACE(precision_name(p));
    expect_convex(scan_and_analyze(m, data, plane(m), kPlane, p, true).analysis);
  }
}

TEST(ConvexityFacts, LinearRegressionIsConvex) {
  const Dataset data = generate_dataset("teacher:n=300,dim=4,hidden=8,classes=0,noise=0.1,seed=2");
  const Model m = trained(R"({"input_dim": 4, "layers": [{"type": "linear", "out": 1}],
                              "loss": "mse"})",
                          data, 300, 0.05);
  for (Precision p : {Precision::FP64, Precision::FP32}) {
    SCOPED_TRACE(precision_name(p));
    expect_convex(scan_and_analyze(m, data, plane(m), kPlane, p, true).analysis);
  }
}

TEST(ConvexityFacts, LinearSvmIsConvex) {
  const Dataset data = generate_dataset("blobs:n=300,dim=2,classes=3,spread=2.5,seed=4");
  const Model m = trained(R"({"input_dim": 2, "layers": [{"type": "linear", "out": 3}],
                              "loss": "hinge"})",
                          data, 300, 0.05);
  for (Precision p : {Precision::FP64, Precision::FP32}) {
    SCOPED_TRACE(precision_name(p));
    expect_convex(scan_and_analyze(m, data, plane(m), kPlane, p, true).analysis);
  }
}

// Sigmoid then squared error: bounded in the weights, so far enough out along any line it
// flattens and cannot be convex. Scanned wide, the violations are found.
TEST(ConvexityFacts, LogisticLeastSquaresIsNotConvex) {
  const Dataset data = generate_dataset("blobs:n=300,dim=2,classes=2,spread=2,seed=5");
  const Model m = trained(R"({"input_dim": 2, "layers": [{"type": "linear", "out": 1}],
                              "loss": "sigmoid_mse"})",
                          data, 300, 0.05);
  const Grid wide{{GridAxis{-12, 12, 25}, GridAxis{-12, 12, 25}}};
  for (Precision p : {Precision::FP64, Precision::FP32}) {
    SCOPED_TRACE(precision_name(p));
    const SetAnalysis a = scan_and_analyze(m, data, plane(m), wide, p, true).analysis;
    EXPECT_FALSE(a.convex_within_noise);
    EXPECT_GT(a.jensen.lines.significant, 0);
    EXPECT_GT(a.curvature.front().directional_significant, 0);
  }
}

// A hidden layer: the model and its permuted copy have the same loss; the straight path between
// them rises above the chord by far more than the noise, and its midpoint breaks Jensen's
// inequality, which proves the loss is not convex.
TEST(ConvexityFacts, PermutedHiddenUnitsCopyTheMinimumBehindABarrier) {
  const Dataset data = generate_dataset("spirals:n=300,classes=3,noise=0.05,seed=6");
  const Model m = trained(R"({"input_dim": 2, "layers": [{"type": "linear", "out": 16},
                              {"type": "tanh"}, {"type": "linear", "out": 3}],
                              "loss": "cross_entropy"})",
                          data, 600, 0.02);
  Model copy = m;
  permute_hidden_units(copy, 0, random_permutation(16, 9));
  const std::vector<Direction> path = {difference_direction(m, copy, "permuted copy")};
  for (Precision p : {Precision::FP64, Precision::FP32}) {
    SCOPED_TRACE(precision_name(p));
    const SetAnalysis a =
        scan_and_analyze(m, data, path, Grid{{GridAxis{0, 1, 21}}}, p, false).analysis;
    ASSERT_TRUE(a.path);
    const double tau_ends = a.noise.k_tau * std::sqrt(2.0) * a.noise.sigma(a.path->f0);
    EXPECT_LE(std::fabs(a.path->f1 - a.path->f0), tau_ends);
    EXPECT_TRUE(a.path->barrier_significant);
    EXPECT_GT(a.path->barrier, 10 * a.path->barrier_tau);
    EXPECT_GT(a.jensen.lines.significant, 0);
    EXPECT_FALSE(a.convex_within_noise);
  }
}

}  // namespace
}  // namespace lscan
