// The CUDA training pass against the CPU's, written once and run on a real device
// (test_gpu_train.cpp) and on the emulated one (cuda_emu/test_emu_train.cpp), and `lscan train
// --device cuda` against `--device cpu`. A factory is
//   std::unique_ptr<LossGradient> make(spec, num_params, data, targets, max_memory)
// for device 0, max_memory 0 meaning the default budget.
//
// Bounds. Both devices run the same steps in fp64 (host/train/backprop_pass.h); they differ only
// in how the GEMMs order their sums (cuBLAS against OpenBLAS) and in the bias gradient (a GEMV
// against a loop), and the per-sample losses are summed in the same order on both.
//   loss      a sum of n non-negative per-sample losses, each off by a few ulps of its forward
//             pass: relative 1e-12 (observed on the CPU between thread counts: 1e-16).
//   gradient  every entry is a sum of n (samples) times n_l terms whose magnitudes add up to at
//             most ~30 |g|_inf on these problems (random labels make the terms cancel); an
//             error of n u sum|terms| ~ 1500 * 1.1e-16 * 30 = 5e-12 of |g|_inf in the worst case:
//             |g_gpu - g_cpu|_inf <= 1e-10 |g_cpu|_inf.
//   training  100 steps of GD or Adam on a smooth (tanh) model carry the gradient's relative
//             differences forward with a growth of at most a few per step's curvature; Adam
//             divides by sqrt(v), which keeps them relative as long as no gradient entry is within
//             1e-12 of zero (tanh units never die): theta within 1e-8 of |theta|_inf, the loss
//             history within 1e-9 relative.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "file_test_util.h"
#include "host/model/model_io.h"
#include "host/model/targets.h"
#include "host/train/backprop.h"
#include "host/train/train.h"
#include "random_problems.h"

namespace lscan::testing {

struct TrainProblem {
  Model model;
  Dataset data;
  Targets targets;
  TrainProblem(const std::vector<int>& widths, Activation act, LossKind loss, int64_t n,
               uint64_t seed)
      : model(random_model(widths, act, loss, seed)),
        data(random_data(model.spec, n, seed)),
        targets(make_targets(model.spec, data, "random")) {}
};

struct PassResult {
  double loss = 0, acc = 0;
  std::vector<double> grad;
};

// One evaluation, the gradient buffer poisoned with NaN so that an entry left unwritten shows.
inline PassResult run_pass(LossGradient& f, const std::vector<double>& theta) {
  PassResult r;
  r.grad.assign(theta.size(), std::numeric_limits<double>::quiet_NaN());
  r.loss = f.evaluate(theta.data(), r.grad.data(), &r.acc);
  return r;
}

inline void expect_same_pass(const PassResult& got, const PassResult& want, int64_t n) {
  EXPECT_LT(rel_err(got.loss, want.loss), 1e-12);
  EXPECT_NEAR(got.acc, want.acc, 1.0 / static_cast<double>(n));  // a tie may break either way
  for (size_t i = 0; i < got.grad.size(); ++i)
    ASSERT_TRUE(std::isfinite(got.grad[i])) << "gradient entry " << i << " was not written";
  EXPECT_LT(max_rel_err(got.grad, want.grad), 1e-10);
}

// Loss, accuracy and gradient of one pass, for every activation and loss; `samples` per problem.
// The pass must name `device`, the one its factory makes it on.
template <class Make>
void expect_pass_matches_cpu(const Make& make, int64_t samples, uint64_t seed,
                             const std::string& device = "cuda:0") {
  uint64_t s = seed;
  for (const EngineCase& c : all_engine_cases()) {
    SCOPED_TRACE(std::string(activation_name(c.act)) + " / " + loss_name(c.loss));
    const int m = loss_is_binary(c.loss) ? 1 : 3;
    const TrainProblem pb({5, 9, 7, m}, c.act, c.loss, samples, ++s);
    const int64_t P = pb.model.num_params();
    auto cpu = make_cpu_loss_gradient(pb.model.spec, P, pb.data, pb.targets);
    auto dev = make(pb.model.spec, P, pb.data, pb.targets, 0.0);
    EXPECT_EQ(dev->device(), device);
    const PassResult want = run_pass(*cpu, pb.model.theta);
    const PassResult got = run_pass(*dev, pb.model.theta);
    expect_same_pass(got, want, pb.data.n);
    double acc = -1;
    EXPECT_EQ(dev->evaluate(pb.model.theta.data(), nullptr, &acc), got.loss);
    EXPECT_EQ(acc, got.acc);
  }
}

// A budget that leaves room for about 300 samples per chunk: 17 chunks of the 5000 samples, the
// last one short. Same values as the CPU, and the same bits on a second evaluation.
template <class Make>
void expect_chunked_pass_matches_cpu(const Make& make, uint64_t seed) {
  const TrainProblem pb({7, 32, 16, 4}, Activation::Tanh, LossKind::CrossEntropy, 5000, seed);
  const int64_t P = pb.model.num_params();
  // The budget of cuda_loss_gradient.h: data, targets, theta, gradient and 2 sums, then per
  // sample 2 sum n_l + 2 max n_l + 1 values.
  const double fixed = 8.0 * (5000.0 * (7 + 1) + 2.0 * static_cast<double>(P) + 2);
  const double per_sample = 8.0 * (2 * (32 + 16 + 4) + 2 * 32 + 1);
  auto dev = make(pb.model.spec, P, pb.data, pb.targets, fixed + 300.5 * per_sample);
  ASSERT_EQ(dev->chunk(), 300);
  auto cpu = make_cpu_loss_gradient(pb.model.spec, P, pb.data, pb.targets);
  const PassResult want = run_pass(*cpu, pb.model.theta);
  const PassResult first = run_pass(*dev, pb.model.theta);
  expect_same_pass(first, want, pb.data.n);
  const PassResult second = run_pass(*dev, pb.model.theta);
  EXPECT_EQ(second.loss, first.loss);
  EXPECT_EQ(0, std::memcmp(second.grad.data(), first.grad.data(), P * sizeof(double)));
  // One chunk for everything: the same values to rounding.
  auto whole = make(pb.model.spec, P, pb.data, pb.targets, 0.0);
  EXPECT_EQ(whole->chunk(), 5000);
  expect_same_pass(run_pass(*whole, pb.model.theta), want, pb.data.n);
}

template <class Make>
void expect_budget_too_small_is_clear(const Make& make) {
  const TrainProblem pb({7, 32, 4}, Activation::Tanh, LossKind::CrossEntropy, 5000, 1);
  EXPECT_TRUE(testing_util::throws_input_error(
      [&] { make(pb.model.spec, pb.model.num_params(), pb.data, pb.targets, 64 * 1024.0); },
      {"--max-memory", "cuda:0", "needs at least", "--device cpu"}));
}

// `epochs` steps of GD and of Adam on the device follow the CPU's, and repeat to the bit.
template <class Make>
void expect_training_follows_cpu(const Make& make, int epochs, int64_t samples, uint64_t seed) {
  const TrainProblem pb({6, 16, 8, 3}, Activation::Tanh, LossKind::CrossEntropy, samples, seed);
  for (const char* optimizer : {"gd", "adam"}) {
    SCOPED_TRACE(optimizer);
    TrainOptions opt;
    opt.optimizer = optimizer;
    opt.lr = opt.optimizer == "gd" ? 0.1 : 1e-2;
    opt.epochs = epochs;
    opt.weight_decay = 1e-3;
    Model on_cpu = pb.model, on_dev = pb.model;
    auto cpu = make_cpu_loss_gradient(pb.model.spec, pb.model.num_params(), pb.data, pb.targets);
    auto dev = make(pb.model.spec, pb.model.num_params(), pb.data, pb.targets, 0.0);
    const TrainReport rc = train_model(on_cpu, *cpu, opt);
    const TrainReport rd = train_model(on_dev, *dev, opt);
    ASSERT_EQ(rd.epochs_run, rc.epochs_run);
    ASSERT_EQ(rd.loss_history.size(), rc.loss_history.size());
    EXPECT_LT(rc.loss_history.back(), 0.99 * rc.loss_history.front()) << "the run must move";
    for (size_t t = 0; t < rc.loss_history.size(); ++t)
      EXPECT_LT(rel_err(rd.loss_history[t], rc.loss_history[t]), 1e-9) << "step " << t;
    EXPECT_LT(max_rel_err(on_dev.theta, on_cpu.theta), 1e-8);
    EXPECT_NEAR(rd.accuracy, rc.accuracy, 1.0 / static_cast<double>(pb.data.n));
    // Runs on the device repeat to the bit.
    Model again = pb.model;
    train_model(again, *dev, opt);
    EXPECT_EQ(0, std::memcmp(again.theta.data(), on_dev.theta.data(),
                             again.theta.size() * sizeof(double)));
  }
}

// `lscan train --device cuda` against `--device cpu`: the same weights within the training bound
// (200 GD steps, theta within 1e-8 of |theta|_inf), the device named on stderr and in the report.
// The command line runs the binary that LSCAN_BINARY names (lscan, or lscan_emu).
inline void expect_cli_training_matches_cpu() {
  testing_util::ScratchDir dir;
  testing_util::write_bytes(
      dir.file("m.json"),
      R"({"input_dim": 2, "layers": [{"type": "linear", "out": 16}, {"type": "tanh"},
          {"type": "linear", "out": 3}], "loss": "cross_entropy"})");
  const std::string args =
      "train --model m.json --data spirals:n=600,classes=3,seed=4 --test-fraction 0.25 "
      "--epochs 200 --lr 0.02 --seed 9 --weights-dtype f64 ";
  const auto cpu = testing_util::run_lscan(dir, args + "--device cpu --out c");
  ASSERT_EQ(cpu.code, 0) << cpu.err;
  const auto gpu = testing_util::run_lscan(dir, args + "--device cuda --out g");
  ASSERT_EQ(gpu.code, 0) << gpu.err;
  EXPECT_NE(gpu.err.find("device: cuda:0"), std::string::npos) << gpu.err;
  EXPECT_NE(gpu.out.find("on cuda:0 (fp64)"), std::string::npos) << gpu.out;
  EXPECT_NE(gpu.out.find("test loss"), std::string::npos) << gpu.out;
  const Model c = load_model(dir.file("m.json"), dir.file("c.safetensors"));
  const Model g = load_model(dir.file("m.json"), dir.file("g.safetensors"));
  EXPECT_LT(max_rel_err(g.theta, c.theta), 1e-8);
}

}  // namespace lscan::testing
