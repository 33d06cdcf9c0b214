// Training on CUDA against training on the CPU: the fp64 loss and gradient of one pass, a pass in
// several sample chunks, whole GD and Adam runs, the memory budget and `lscan train --device
// cuda`. Suites named Gpu* need a device (ctest -L gpu) and skip visibly without one; CudaTrain.*
// runs everywhere.
//
// The shared bodies and their bounds are in train_suite.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "file_test_util.h"
#include "host/engine/device.h"
#include "host/model/targets.h"
#include "host/train/backprop.h"
#include "host/train/cuda/cuda_loss_gradient.h"
#include "host/train/train.h"
#include "random_problems.h"
#include "train_suite.h"

namespace lscan::testing {
namespace {

using testing_util::throws_input_error;

bool no_gpu() {
  return cuda_devices().empty();
}

// Runs on every machine: training on a CUDA device that does not exist (no device, or an index
// past the last one) is an InputError naming --device, never a crash.
TEST(CudaTrain, MissingDeviceIsAnInputError) {
  const TrainProblem pb({4, 3, 2}, Activation::Tanh, LossKind::CrossEntropy, 10, 1);
  const int missing = static_cast<int>(cuda_devices().size());
  EXPECT_TRUE(throws_input_error(
      [&] {
        make_cuda_loss_gradient(pb.model.spec, pb.model.num_params(), pb.data, pb.targets, missing,
                                0);
      },
      {"--device"}));
  DeviceChoice choice;
  choice.cuda = true;
  choice.index = missing;
  EXPECT_TRUE(throws_input_error(
      [&] {
        make_loss_gradient(choice, 0, pb.model.spec, pb.model.num_params(), pb.data, pb.targets);
      },
      {"--device"}));
}

std::unique_ptr<LossGradient> make_gpu(const ModelSpec& spec, int64_t num_params,
                                       const Dataset& data, const Targets& targets,
                                       double max_memory) {
  return make_cuda_loss_gradient(spec, num_params, data, targets, 0, max_memory);
}

TEST(GpuTrain, LossAndGradientMatchTheCpuForEveryActivationAndLoss) {
  if (no_gpu()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_pass_matches_cpu(make_gpu, 1500, seed);
}

TEST(GpuTrain, ChunkedPassMatchesTheCpuAndRepeatsBitForBit) {
  if (no_gpu()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_chunked_pass_matches_cpu(make_gpu, seed);
}

TEST(GpuTrain, BudgetTooSmallIsAClearError) {
  if (no_gpu()) GTEST_SKIP() << "no CUDA device";
  expect_budget_too_small_is_clear(make_gpu);
}

TEST(GpuTrain, GradientDescentAndAdamFollowTheCpu) {
  if (no_gpu()) GTEST_SKIP() << "no CUDA device";
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  expect_training_follows_cpu(make_gpu, 100, 2000, seed);
}

TEST(GpuTrain, CliTrainsOnTheGpuLikeOnTheCpu) {
  if (no_gpu()) GTEST_SKIP() << "no CUDA device";
  expect_cli_training_matches_cpu();
}

}  // namespace
}  // namespace lscan::testing
