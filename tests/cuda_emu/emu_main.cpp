// The test program of the emulated CUDA backend: GoogleTest, plus the emulated schedules' seed
// printed with each failing test.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include "emu_test_util.h"

namespace lscan::testing {
namespace {

// The process's seed, from LSCAN_EMU_SEED or fresh; each device configuration of a test derives
// its own from it, the test's name and how many the test has made, so that
// LSCAN_EMU_SEED=<seed> --gtest_filter=<test> replays a failure.
uint64_t base_seed() {
  static const uint64_t seed = [] {
    if (const char* replay = std::getenv("LSCAN_EMU_SEED"))
      return static_cast<uint64_t>(std::strtoull(replay, nullptr, 10));
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  return seed;
}

class SeedReporter : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo&) override { reported_ = false; }
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (!r.failed() || reported_) return;
    reported_ = true;
    std::printf(
        "  (emulated device: LSCAN_EMU_SEED=%llu with this test alone replays its "
        "schedules)\n",
        static_cast<unsigned long long>(base_seed()));
  }
  bool reported_ = false;
};

}  // namespace

emu::Config emu_config(emu::Schedule schedule, size_t memory_bytes) {
  static std::string test;
  static uint64_t made = 0;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name =
      info ? std::string(info->test_suite_name()) + "." + info->name() : std::string();
  if (name != test) {
    test = name;
    made = 0;
  }
  emu::Config c;
  c.schedule = schedule;
  c.memory_bytes = memory_bytes;
  c.seed = base_seed() ^ (std::hash<std::string>{}(name) + 0x9e3779b97f4a7c15ULL * ++made);
  return c;
}

}  // namespace lscan::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new lscan::testing::SeedReporter);
  return RUN_ALL_TESTS();
}
