// The verdicts do not depend on the backend: a surface scanned on the GPU, reduced, gives the same
// counts as the same surface scanned on the CPU (fp64, where both surfaces agree to ~1e-14 and no
// count sits within that of its threshold on these smooth problems). Skips without a device.
#include <gtest/gtest.h>

#include "host/analysis/scan_analysis.h"
#include "host/engine/device.h"
#include "host/engine/surface_scan.h"
#include "random_problems.h"

namespace lscan {
namespace {

TEST(GpuAnalysis, SameCountsAsTheCpu) {
  if (cuda_devices().empty()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = testing::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Model model =
      testing::random_model({6, 12, 3}, Activation::Tanh, LossKind::CrossEntropy, seed);
  const Dataset data = testing::random_data(model.spec, 200, seed);
  std::vector<SetAnalysis> results;
  for (const bool cuda : {false, true}) {
    ScanRequest req;
    req.model = &model;
    req.train = &data;
    req.directions = testing::random_directions(model, 2, seed);
    req.grid.axes = {GridAxis{-2, 2, 25}, GridAxis{-2, 2, 25}};
    req.precision = Precision::FP64;
    req.device.cuda = cuda;
    const Surface s = scan_surface(req);
    ScanAnalysisOptions o;
    o.probe = true;
    o.probe_options.directions = 4;
    o.probe_options.stride = 6;
    results.push_back(analyze_scan(req, s, o).front());
  }
  const SetAnalysis &cpu = results[0], &gpu = results[1];
  EXPECT_EQ(gpu.convex_within_noise, cpu.convex_within_noise);
  ASSERT_EQ(gpu.curvature.size(), cpu.curvature.size());
  for (size_t i = 0; i < cpu.curvature.size(); ++i) {
    EXPECT_EQ(gpu.curvature[i].directional_significant, cpu.curvature[i].directional_significant);
    EXPECT_EQ(gpu.curvature[i].significant_negative, cpu.curvature[i].significant_negative);
  }
  EXPECT_EQ(gpu.jensen.lines.significant, cpu.jensen.lines.significant);
  EXPECT_EQ(gpu.jensen.offline.significant, cpu.jensen.offline.significant);
  EXPECT_EQ(gpu.critical.minima, cpu.critical.minima);
  EXPECT_EQ(gpu.critical.saddles, cpu.critical.saddles);
  EXPECT_EQ(gpu.critical.significant_minima, cpu.critical.significant_minima);
  ASSERT_TRUE(gpu.probe && cpu.probe);
  EXPECT_NEAR(gpu.probe->mean_trace, cpu.probe->mean_trace,
              1e-6 * std::fabs(cpu.probe->mean_trace));
}

}  // namespace
}  // namespace lscan
