// The verdicts do not depend on the backend: a surface scanned on the GPU, reduced, gives the same
// counts as the same surface scanned on the CPU (device_run_suite.h). Skips without a device.
#include <gtest/gtest.h>

#include <string>

#include "device_run_suite.h"
#include "host/engine/device.h"

namespace lscan::testing {
namespace {

TEST(GpuAnalysis, SameCountsAsTheCpu) {
  if (cuda_devices().empty()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_analysis_counts_match_cpu(seed);
}

}  // namespace
}  // namespace lscan::testing
