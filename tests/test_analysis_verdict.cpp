// The verdict's three outcomes on surfaces with known answers: a convex bowl is "convex within
// noise"; a concave cap is "not convex"; a surface with NaN or Inf values is "undetermined" unless
// a test finds a violation among its finite values, and its NaN walls never count as extra minima.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "host/analysis/analyze.h"
#include "tests/analysis_surfaces.h"

namespace lscan {
namespace {

using testing::make_grid;
using testing::sample;
using testing::uniform_noise;

const Grid kGrid = make_grid({GridAxis{-1, 1, 21}, GridAxis{-1, 1, 21}});  // 441 points

std::vector<double> bowl() {
  return sample(kGrid, [](const double* c) { return 1 + c[0] * c[0] + 0.5 * c[1] * c[1]; });
}

SetAnalysis analyze(const std::vector<double>& f) {
  return analyze_values("train", kGrid, f, uniform_noise(1e-12), AnalysisOptions{});
}

bool has_reason(const SetAnalysis& a, const std::string& part) {
  for (const std::string& r : a.reasons)
    if (r.find(part) != std::string::npos) return true;
  return false;
}

TEST(Verdict, FiniteConvexBowlIsConvex) {
  const SetAnalysis a = analyze(bowl());
  EXPECT_EQ(a.verdict, "convex within noise");
  EXPECT_TRUE(a.convex_within_noise);
  EXPECT_EQ(a.points, 441);
  EXPECT_EQ(a.nonfinite_points, 0);
  EXPECT_TRUE(a.reasons.empty());
}

TEST(Verdict, NonFiniteValuesLeaveAConvexBowlUndetermined) {
  std::vector<double> f = bowl();
  f[5 * 21 + 7] = std::numeric_limits<double>::quiet_NaN();
  SetAnalysis a = analyze(f);
  EXPECT_EQ(a.verdict, "undetermined");
  EXPECT_FALSE(a.convex_within_noise);
  EXPECT_EQ(a.nonfinite_points, 1);
  EXPECT_TRUE(has_reason(a, "1 of 441 grid points are NaN or Inf")) << a.reasons[0];
  EXPECT_TRUE(has_reason(a, "not established"));

  const std::vector<double> inf(441, std::numeric_limits<double>::infinity());
  a = analyze(inf);
  EXPECT_EQ(a.verdict, "undetermined");
  EXPECT_EQ(a.nonfinite_points, 441);
}

// A row of NaN through the bowl (an overflowed band) splits it into two halves, each with a
// minimum of its own: still undetermined, not "not convex".
TEST(Verdict, NanWallsDoNotMakeMinimaCount) {
  std::vector<double> f = bowl();
  for (int j = 0; j < 21; ++j) f[10 * 21 + j] = std::numeric_limits<double>::quiet_NaN();
  const SetAnalysis a = analyze(f);
  EXPECT_EQ(a.critical.minima, 2);  // (-0.1, 0) and (0.1, 0), one on each side of the wall
  EXPECT_EQ(a.verdict, "undetermined");
  EXPECT_FALSE(has_reason(a, "distinct minima"));
  EXPECT_EQ(a.nonfinite_points, 21);
}

TEST(Verdict, ViolationsAmongFiniteValuesMakeItNotConvex) {
  std::vector<double> f =
      sample(kGrid, [](const double* c) { return 5 - c[0] * c[0] - 0.5 * c[1] * c[1]; });
  f[3] = std::numeric_limits<double>::infinity();
  const SetAnalysis a = analyze(f);
  EXPECT_EQ(a.verdict, "not convex");
  EXPECT_TRUE(has_reason(a, "negative curvature"));
  EXPECT_TRUE(has_reason(a, "1 of 441 grid points are NaN or Inf"));
  EXPECT_FALSE(has_reason(a, "not established"));
}

TEST(Verdict, JsonAndSurfaceAttributesCarryIt) {
  std::vector<double> f = bowl();
  f[0] = std::numeric_limits<double>::quiet_NaN();
  const SetAnalysis a = analyze(f);
  const nlohmann::json j = analysis_json(a, kGrid);
  EXPECT_EQ(j["verdict"], "undetermined");
  EXPECT_EQ(j["convex_within_noise"], false);
  EXPECT_EQ(j["nonfinite_points"], 1);
  EXPECT_EQ(j["points"], 441);
  SurfaceFile file;
  file.axes = kGrid.axes;
  file.maps["train_loss"] = f;
  add_analysis_maps(file, a);
  EXPECT_EQ(file.text_attrs.at("train_verdict"), "undetermined");
}

}  // namespace
}  // namespace lscan
