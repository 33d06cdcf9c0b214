// The CUDA training pass's host code (host/train/cuda/cuda_loss_gradient.cu) on the emulated
// device, against the CPU's pass: the checks test_gpu_train.cpp makes on a real device
// (train_suite.h).
#include <gtest/gtest.h>

#include "emu_test_util.h"
#include "kernels/cuda_check.cuh"
#include "train_suite.h"

namespace lscan::testing {
namespace {

template <emu::Schedule S, bool Simt = false>
std::unique_ptr<LossGradient> make_emu(const ModelSpec& spec, int64_t num_params,
                                       const Dataset& data, const Targets& targets,
                                       double max_memory) {
  emu::Config c = emu_config(S);
  c.simt = Simt;
  emu::configure(c);
  return make_emu_loss_gradient(spec, num_params, data, targets, max_memory);
}

TEST(EmuTrain, LossAndGradientMatchTheCpuForEveryActivationAndLoss) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_pass_matches_cpu(make_emu<emu::Schedule::Lazy>, 1500, seed);
}

// The same with the kernels' own code, thread by thread (emu_simt.h).
TEST(EmuTrain, KernelsOwnCodeMatchesTheCpu) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_pass_matches_cpu(make_emu<emu::Schedule::Random, true>, 300, seed);
}

TEST(EmuTrain, ChunkedPassMatchesTheCpuAndRepeatsBitForBit) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_chunked_pass_matches_cpu(make_emu<emu::Schedule::Random>, seed);
}

TEST(EmuTrain, BudgetTooSmallIsAClearError) {
  expect_budget_too_small_is_clear(make_emu<emu::Schedule::Lazy>);
}

TEST(EmuTrain, GradientDescentAndAdamFollowTheCpu) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_training_follows_cpu(make_emu<emu::Schedule::Random>, 100, 2000, seed);
}

// cuda:1 of two devices, device 0 current again between the passes: all of it on device 1.
TEST(EmuTrain, SecondDeviceRunsEverythingThere) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  emu::reset_counters();
  expect_pass_matches_cpu(
      [](const ModelSpec& spec, int64_t num_params, const Dataset& data, const Targets& targets,
         double max_memory) {
        emu::Config c = emu_config(emu::Schedule::Random);
        c.devices = 2;
        emu::configure(c);
        auto f = emu_make_cuda_loss_gradient(spec, num_params, data, targets, 1, max_memory);
        LSCAN_CUDA_CHECK(cudaSetDevice(0));
        return f;
      },
      300, seed, "cuda:1");
  EXPECT_EQ(emu::counters().allocations_on_device[0], 0);
  EXPECT_EQ(emu::counters().work_on_device[0], 0);
  EXPECT_GT(emu::counters().work_on_device[1], 0);
  EXPECT_TRUE(emu::violations().empty());
}

TEST(EmuTrain, ReleasesEverything) {
  const TrainProblem pb({5, 9, 3}, Activation::Tanh, LossKind::CrossEntropy, 100, 2);
  const size_t before = emu::live_device_allocations();
  {
    auto f = make_emu<emu::Schedule::Lazy>(pb.model.spec, pb.model.num_params(), pb.data,
                                           pb.targets, 0.0);
    run_pass(*f, pb.model.theta);
  }
  EXPECT_EQ(emu::live_device_allocations(), before);
  EXPECT_TRUE(emu::idle());
  EXPECT_TRUE(emu::violations().empty());
}

}  // namespace
}  // namespace lscan::testing
