// `lscan scan --device cuda` end to end against `--device cpu`: every precision, the data on the
// device and streamed, `--device auto`, and the device's errors (device_run_suite.h). Suites named
// Gpu* need a device (ctest -L gpu) and skip visibly without one.
#include <gtest/gtest.h>

#include "device_run_suite.h"
#include "host/engine/device.h"

namespace lscan::testing {
namespace {

TEST(GpuCli, ScansMatchTheCpuInEveryPrecision) {
  if (cuda_devices().empty()) GTEST_SKIP() << "no CUDA device";
  expect_cli_scans_match_cpu();
}

TEST(GpuCli, DeviceChoiceAndErrors) {
  if (cuda_devices().empty()) GTEST_SKIP() << "no CUDA device";
  expect_cli_device_choice_and_errors();
}

}  // namespace
}  // namespace lscan::testing
