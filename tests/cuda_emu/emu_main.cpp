// The test program of the emulated CUDA backend: GoogleTest, plus the emulated schedule's seed
// printed with each failure.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "emu_test_util.h"
#include "host/train/backprop.h"

namespace lscan::testing {
namespace {

uint64_t g_seed = 0;

class SeedReporter : public ::testing::EmptyTestEventListener {
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (r.failed() && emu::config().schedule == emu::Schedule::Random)
      std::printf("  (emulated device: Random schedule, LSCAN_EMU_SEED=%llu replays it)\n",
                  static_cast<unsigned long long>(g_seed));
  }
};

}  // namespace

emu::Config emu_config(emu::Schedule schedule, size_t memory_bytes) {
  emu::Config c;
  c.schedule = schedule;
  c.memory_bytes = memory_bytes;
  if (const char* replay = std::getenv("LSCAN_EMU_SEED")) {
    g_seed = std::strtoull(replay, nullptr, 10);
  } else {
    std::random_device rd;
    g_seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
  c.seed = g_seed;
  return c;
}

uint64_t last_emu_seed() {
  return g_seed;
}

std::unique_ptr<Backend> make_emu_backend(const EvalSetup& setup) {
  check_eval_setup(setup);
  return cuda_emu::create_cuda_backend(setup, 0);
}

std::unique_ptr<LossGradient> make_emu_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                     const Dataset& data, const Targets& targets,
                                                     double max_memory) {
  check_backprop_inputs(spec, num_params, data, targets);
  return cuda_emu::create_cuda_loss_gradient(spec, num_params, data, targets, 0, max_memory);
}

}  // namespace lscan::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new lscan::testing::SeedReporter);
  return RUN_ALL_TESTS();
}
