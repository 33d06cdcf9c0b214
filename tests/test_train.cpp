// CPU training: the backprop gradient against central finite differences for every activation and
// loss, the loss against a per-sample loop, optimizers on problems whose solution is known, and
// run-to-run determinism.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/core/rng.h"
#include "host/model/model.h"
#include "host/model/targets.h"
#include "host/train/backprop.h"
#include "host/train/train.h"
#include "random_problems.h"

namespace lscan {
namespace {

const Activation kAllActivations[] = {
    Activation::Identity, Activation::Relu, Activation::LeakyRelu, Activation::Tanh,
    Activation::Sigmoid,  Activation::Gelu, Activation::Softplus};
const LossKind kAllLosses[] = {LossKind::CrossEntropy, LossKind::Mse, LossKind::Hinge,
                               LossKind::Logistic, LossKind::SigmoidMse};

int outputs_for(LossKind loss, int classes) {
  return loss_is_binary(loss) ? 1 : classes;
}

// An MLP d -> hidden... -> m, `hidden_act` after every hidden layer and `last_act` after the last,
// biases on, weights N(0, 1/in) and biases N(0, 0.3^2) from lscan::Rng.
Model random_mlp(int d, const std::vector<int>& hidden, int m, Activation hidden_act,
                 Activation last_act, LossKind loss, uint64_t seed) {
  ModelSpec spec;
  spec.input_dim = d;
  spec.loss = loss;
  int in = d;
  std::vector<int> widths = hidden;
  widths.push_back(m);
  for (size_t l = 0; l < widths.size(); ++l) {
    DenseLayer layer;
    layer.in = in;
    layer.out = widths[l];
    layer.act = l + 1 < widths.size() ? hidden_act : last_act;
    layer.alpha = 0.1;
    layer.module_index = static_cast<int>(2 * l);
    spec.layers.push_back(layer);
    in = widths[l];
  }
  Model model = make_model(spec);
  Rng rng(seed);
  for (const TensorInfo& t : model.tensors) {
    const double scale = t.is_bias ? 0.3 : 1.0 / std::sqrt(static_cast<double>(t.shape[1]));
    for (int64_t i = 0; i < t.size; ++i) model.theta[t.offset + i] = scale * rng.normal();
  }
  return model;
}

// Gaussian features and targets of the kind `loss` reads: class labels (cross_entropy, hinge),
// soft targets in [0, 1] (logistic), hard 0/1 targets (sigmoid_mse) or m Gaussian values (mse).
Dataset random_data(int64_t n, int d, int m, LossKind loss, uint64_t seed) {
  Dataset data;
  data.n = n;
  data.d = d;
  Rng rng(seed, 1);
  data.X.resize(static_cast<size_t>(n * d));
  for (double& x : data.X) x = rng.normal();
  if (loss == LossKind::Mse) {
    data.classification = false;
    data.ty = m;
    data.Y.resize(static_cast<size_t>(n * m));
    for (double& y : data.Y) y = rng.normal();
  } else if (loss == LossKind::Logistic) {
    data.classification = false;
    data.Y.resize(static_cast<size_t>(n));
    for (double& y : data.Y) y = rng.uniform();
  } else {
    const int classes = loss_is_binary(loss) ? 2 : m;
    data.num_classes = classes;
    data.Y.resize(static_cast<size_t>(n));
    for (double& y : data.Y) y = static_cast<double>(rng.below(static_cast<uint64_t>(classes)));
  }
  return data;
}

// Central differences of loss_and_grad's loss, h = 1e-6, one parameter at a time.
std::vector<double> finite_difference_grad(Model model, const Dataset& data, const Targets& t) {
  const double h = 1e-6;
  std::vector<double> fd(model.theta.size());
  for (size_t i = 0; i < model.theta.size(); ++i) {
    const double saved = model.theta[i];
    model.theta[i] = saved + h;
    const double plus = loss_and_grad(model, data, t, nullptr, nullptr);
    model.theta[i] = saved - h;
    const double minus = loss_and_grad(model, data, t, nullptr, nullptr);
    model.theta[i] = saved;
    fd[i] = (plus - minus) / (2 * h);
  }
  return fd;
}

// Every (hidden activation, last activation, loss) on a 4 -> 6 -> 5 -> m model, N = 40.
// Bound: |g - fd|_inf <= 1e-6 |g|_inf. With h = 1e-6 and losses of order 1, the difference
// quotient carries a rounding error of about eps |f| / h ~ 1e-10 and a truncation error of
// h^2 f''' / 6 ~ 1e-12, against |g|_inf between 3e-3 and 5: the observed worst case is 3e-8
// (sigmoid then sigmoid with sigmoid_mse, the smallest gradient), so the bound has a margin of 30.
// relu, leaky_relu and hinge have kinks where a central difference is wrong (it straddles the
// kink); a pre-activation or a margin would have to lie within ~1e-6 of zero for that, which with
// these seeds and Gaussian values of order 1 none does (chance below 1e-3 per model). A failure
// for a kinked combination after a seed change should be checked for a kink first.
TEST(Backprop, GradientMatchesFiniteDifferencesForEveryActivationAndLoss) {
  uint64_t seed = 100;
  for (Activation act : kAllActivations) {
    for (LossKind loss : kAllLosses) {
      for (Activation last : {Activation::Identity, act}) {
        ++seed;
        const int m = outputs_for(loss, 3);
        const Model model = random_mlp(4, {6, 5}, m, act, last, loss, seed);
        const Dataset data = random_data(40, 4, m, loss, seed);
        const Targets t = make_targets(model.spec, data, "test");
        std::vector<double> g;
        loss_and_grad(model, data, t, &g, nullptr);
        ASSERT_EQ(g.size(), model.theta.size());
        const std::vector<double> fd = finite_difference_grad(model, data, t);
        double g_inf = 0.0;
        for (double gi : g) g_inf = std::max(g_inf, std::fabs(gi));
        const std::string what = std::string(activation_name(act)) + " then " +
                                 activation_name(last) + ", " + loss_name(loss);
        EXPECT_GT(g_inf, 1e-4) << what << ": a vanishing gradient would make the check vacuous";
        EXPECT_LT(testing::max_rel_err(g, fd), 1e-6) << what;
      }
    }
  }
}

// Several sample chunks (N = 2 * kBackpropChunk + 123) and a layer without bias.
TEST(Backprop, GradientMatchesFiniteDifferencesAcrossChunks) {
  const int64_t n = 2 * kBackpropChunk + 123;
  Model model =
      random_mlp(3, {5}, 3, Activation::Tanh, Activation::Identity, LossKind::CrossEntropy, 7);
  ModelSpec spec = model.spec;
  spec.layers[1].bias = false;
  Model no_bias = make_model(spec);
  Rng rng(8);
  for (double& v : no_bias.theta) v = rng.normal() * 0.5;
  const Dataset data = random_data(n, 3, 3, LossKind::CrossEntropy, 7);
  const Targets t = make_targets(no_bias.spec, data, "test");
  std::vector<double> g;
  loss_and_grad(no_bias, data, t, &g, nullptr);
  EXPECT_LT(testing::max_rel_err(g, finite_difference_grad(no_bias, data, t)), 1e-6);
}

// The mean loss and accuracy of a per-sample loop: a matrix-vector product per layer, then
// sample_loss on the output column, summed in sample order.
double naive_loss(const Model& model, const Dataset& data, const Targets& t, double* acc) {
  double sum = 0.0;
  int64_t correct = 0;
  for (int64_t j = 0; j < data.n; ++j) {
    std::vector<double> a(data.X.begin() + j * data.d, data.X.begin() + (j + 1) * data.d);
    for (const DenseLayer& layer : model.spec.layers) {
      std::vector<double> z(static_cast<size_t>(layer.out));
      for (int i = 0; i < layer.out; ++i) {
        double s = layer.b_offset >= 0 ? model.theta[layer.b_offset + i] : 0.0;
        for (int k = 0; k < layer.in; ++k)
          s += model.theta[layer.w_offset + static_cast<int64_t>(i) * layer.in + k] * a[k];
        z[i] = activate(layer.act, s, layer.alpha);
      }
      a = z;
    }
    int ok = 0;
    sum += sample_loss(model.spec.loss, a.data(), 1, model.spec.output_dim(),
                       t.y.data() + j * t.width, &ok);
    correct += ok;
  }
  *acc = static_cast<double>(correct) / static_cast<double>(data.n);
  return sum / static_cast<double>(data.n);
}

// Agreement to 1e-12 relative: the two differ only in the summation order of the dot products.
// Accuracy may differ by a sample whose top two outputs tie to rounding; none does here, but the
// bound allows one.
TEST(Backprop, LossMatchesPerSampleLoop) {
  const int64_t n = 2 * kBackpropChunk + 77;
  uint64_t seed = 300;
  for (Activation act : kAllActivations) {
    for (LossKind loss : kAllLosses) {
      ++seed;
      const int m = outputs_for(loss, 4);
      const Model model = random_mlp(5, {7, 6}, m, act, Activation::Identity, loss, seed);
      const Dataset data = random_data(n, 5, m, loss, seed);
      const Targets t = make_targets(model.spec, data, "test");
      double acc = -1.0, acc_no_grad = -1.0, acc_naive = -1.0;
      std::vector<double> g;
      const double with_grad = loss_and_grad(model, data, t, &g, &acc);
      const double without_grad = loss_and_grad(model, data, t, nullptr, &acc_no_grad);
      const double expected = naive_loss(model, data, t, &acc_naive);
      const std::string what = std::string(activation_name(act)) + ", " + loss_name(loss);
      EXPECT_NEAR(with_grad, expected, 1e-12 * std::fabs(expected)) << what;
      EXPECT_EQ(with_grad, without_grad) << what;
      EXPECT_EQ(acc, acc_no_grad) << what;
      EXPECT_NEAR(acc, acc_naive, 1.0 / static_cast<double>(n)) << what;
    }
  }
}

TEST(Backprop, RejectsDataThatDoesNotFitTheModel) {
  const Model model =
      random_mlp(3, {4}, 2, Activation::Tanh, Activation::Identity, LossKind::CrossEntropy, 1);
  const Dataset data = random_data(10, 3, 2, LossKind::CrossEntropy, 1);
  const Targets t = make_targets(model.spec, data, "test");
  Dataset wrong = data;
  wrong.d = 4;
  wrong.X.resize(40);
  EXPECT_THROW(loss_and_grad(model, wrong, t, nullptr, nullptr), std::invalid_argument);
  Targets short_targets = t;
  short_targets.y.pop_back();
  EXPECT_THROW(loss_and_grad(model, data, short_targets, nullptr, nullptr), std::invalid_argument);
  Dataset empty = data;
  empty.n = 0;
  empty.X.clear();
  EXPECT_THROW(loss_and_grad(model, empty, Targets{1, {}}, nullptr, nullptr),
               std::invalid_argument);
}

// The training loop's evaluator keeps its buffers between calls: evaluations at two thetas, one
// after the other, give the bits of fresh loss_and_grad calls (a gradient not zeroed, or a sum not
// reset, would add the first call's values to the second).
TEST(Backprop, LossGradientReusesItsBuffersCleanly) {
  const Model model =
      random_mlp(5, {9, 4}, 3, Activation::Gelu, Activation::Identity, LossKind::CrossEntropy, 41);
  const Dataset data = random_data(kBackpropChunk + 333, 5, 3, LossKind::CrossEntropy, 42);
  const Targets t = make_targets(model.spec, data, "test");
  Model other_theta = model;
  for (double& v : other_theta.theta) v *= 0.5;
  const Model& other = other_theta;
  const auto evaluator = make_cpu_loss_gradient(model.spec, model.num_params(), data, t);
  EXPECT_EQ(evaluator->device(), "cpu");
  EXPECT_EQ(evaluator->chunk(), kBackpropChunk);
  for (const Model* m : {&model, &other, &model}) {
    std::vector<double> want, got(m->theta.size(), std::nan(""));
    double want_acc = -1.0, got_acc = -2.0;
    const double want_loss = loss_and_grad(*m, data, t, &want, &want_acc);
    const double got_loss = evaluator->evaluate(m->theta.data(), got.data(), &got_acc);
    EXPECT_EQ(got_loss, want_loss);
    EXPECT_EQ(got_acc, want_acc);
    EXPECT_EQ(0, std::memcmp(got.data(), want.data(), want.size() * sizeof(double)));
    EXPECT_EQ(evaluator->evaluate(m->theta.data(), nullptr, nullptr), want_loss);
  }
}

// y = X w* + b* exactly, so the least-squares minimum is theta* = (w*, b*) with loss 0.
struct LinearProblem {
  Model model;
  Dataset data;
  Targets targets;
  std::vector<double> theta_star;  // (w*, b*) in theta's layout: "0.weight" then "0.bias"
};

LinearProblem linear_regression_problem() {
  LinearProblem p;
  ModelSpec spec;
  spec.input_dim = 3;
  spec.loss = LossKind::Mse;
  DenseLayer layer;
  layer.in = 3;
  layer.out = 1;
  spec.layers.push_back(layer);
  p.model = make_model(spec);
  p.theta_star = {1.5, -2.0, 0.5, 0.3};
  p.data = random_data(64, 3, 1, LossKind::Mse, 11);
  for (int64_t j = 0; j < p.data.n; ++j) {
    double y = p.theta_star[3];
    for (int k = 0; k < 3; ++k) y += p.theta_star[k] * p.data.X[j * 3 + k];
    p.data.Y[j] = y;
  }
  p.targets = make_targets(spec, p.data, "test");
  return p;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0.0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

TEST(Train, GradientDescentFindsTheLeastSquaresSolution) {
  LinearProblem p = linear_regression_problem();
  TrainOptions opt;
  opt.optimizer = "gd";
  opt.lr = 0.2;
  opt.epochs = 1000;
  const TrainReport r = train_model(p.model, p.data, p.targets, opt);
  EXPECT_EQ(r.epochs_run, 1000);
  EXPECT_LT(r.loss, 1e-20);
  EXPECT_LT(max_abs_diff(p.model.theta, p.theta_star), 1e-10);
  EXPECT_LT(r.grad_norm, 1e-10);
  ASSERT_EQ(r.loss_history.size(), 1001u);
  EXPECT_EQ(r.loss_history.back(), r.loss);
  EXPECT_GT(r.loss_history.front(), 1.0);
}

TEST(Train, AdamFindsTheLeastSquaresSolution) {
  LinearProblem p = linear_regression_problem();
  TrainOptions opt;
  opt.optimizer = "adam";
  opt.lr = 1e-2;
  opt.epochs = 3000;
  const TrainReport r = train_model(p.model, p.data, p.targets, opt);
  EXPECT_LT(r.loss, 1e-10);
  EXPECT_LT(max_abs_diff(p.model.theta, p.theta_star), 1e-5);
}

// One GD step is theta - lr (g + weight_decay theta), to the last bit.
TEST(Train, GradientDescentStepWithWeightDecayIsExact) {
  LinearProblem p = linear_regression_problem();
  p.model.theta = {0.1, 0.2, -0.3, 0.4};
  std::vector<double> g;
  loss_and_grad(p.model, p.data, p.targets, &g, nullptr);
  const std::vector<double> theta0 = p.model.theta;
  TrainOptions opt;
  opt.optimizer = "gd";
  opt.lr = 0.05;
  opt.epochs = 1;
  opt.weight_decay = 0.1;
  train_model(p.model, p.data, p.targets, opt);
  for (size_t i = 0; i < theta0.size(); ++i)
    EXPECT_EQ(p.model.theta[i], theta0[i] - opt.lr * (g[i] + opt.weight_decay * theta0[i]));
}

// With bias correction, Adam's first step is lr g / (|g| + eps) for every parameter: m_hat = g and
// sqrt(v_hat) = |g|, up to a few ulps of rounding in the corrections.
TEST(Train, AdamFirstStepIsLrTimesTheSignOfTheGradient) {
  LinearProblem p = linear_regression_problem();
  std::vector<double> g;
  loss_and_grad(p.model, p.data, p.targets, &g, nullptr);
  const std::vector<double> theta0 = p.model.theta;
  TrainOptions opt;
  opt.lr = 0.01;
  opt.epochs = 1;
  train_model(p.model, p.data, p.targets, opt);
  for (size_t i = 0; i < theta0.size(); ++i) {
    ASSERT_GT(std::fabs(g[i]), 1e-3);
    const double expected = -opt.lr * g[i] / (std::fabs(g[i]) + opt.eps);
    EXPECT_NEAR(p.model.theta[i] - theta0[i], expected, 1e-14 * opt.lr);
  }
}

// Two Gaussian blobs per class, centres 4 apart with standard deviation 0.5: separable with a
// margin, so a linear classifier reaches accuracy 1.
Dataset blobs(int classes, int64_t per_class, uint64_t seed) {
  const double centres[3][2] = {{2.0, 2.0}, {-2.0, -2.0}, {2.0, -2.0}};
  Dataset data;
  data.n = classes * per_class;
  data.d = 2;
  data.num_classes = classes;
  Rng rng(seed);
  for (int64_t j = 0; j < data.n; ++j) {
    const int c = static_cast<int>(j % classes);
    data.X.push_back(centres[c][0] + 0.5 * rng.normal());
    data.X.push_back(centres[c][1] + 0.5 * rng.normal());
    data.Y.push_back(c);
  }
  return data;
}

TEST(Train, LinearClassifiersSeparateBlobs) {
  for (LossKind loss : {LossKind::Logistic, LossKind::CrossEntropy, LossKind::Hinge}) {
    const int classes = loss == LossKind::Logistic ? 2 : 3;
    Model model = random_mlp(2, {}, outputs_for(loss, classes), Activation::Identity,
                             Activation::Identity, loss, 5);
    const Dataset data = blobs(classes, 100, 6);
    const Targets t = make_targets(model.spec, data, "test");
    TrainOptions opt;
    opt.lr = 0.05;
    opt.epochs = 300;
    const TrainReport r = train_model(model, data, t, opt);
    EXPECT_EQ(r.accuracy, 1.0) << loss_name(loss);
    EXPECT_LT(r.loss, r.loss_history.front()) << loss_name(loss);
  }
}

TEST(Train, RunsAreBitIdentical) {
  const int64_t n = kBackpropChunk + 500;
  for (const char* optimizer : {"gd", "adam"}) {
    const Model start = random_mlp(6, {16, 8}, 4, Activation::Gelu, Activation::Identity,
                                   LossKind::CrossEntropy, 21);
    const Dataset data = random_data(n, 6, 4, LossKind::CrossEntropy, 22);
    const Targets t = make_targets(start.spec, data, "test");
    TrainOptions opt;
    opt.optimizer = optimizer;
    opt.epochs = 10;
    opt.weight_decay = 1e-3;
    Model a = start, b = start;
    const TrainReport ra = train_model(a, data, t, opt);
    const TrainReport rb = train_model(b, data, t, opt);
    ASSERT_EQ(a.theta.size(), b.theta.size());
    EXPECT_EQ(0, std::memcmp(a.theta.data(), b.theta.data(), a.theta.size() * sizeof(double)))
        << optimizer;
    EXPECT_EQ(ra.loss_history, rb.loss_history) << optimizer;
    EXPECT_EQ(ra.loss, rb.loss) << optimizer;
    EXPECT_EQ(ra.grad_norm, rb.grad_norm) << optimizer;
  }
}

// Across thread counts the results agree to rounding, not to the bit: the element loops and the
// sums over samples have a fixed order, but OpenBLAS splits a GEMM's rows and columns between
// threads and the split decides which edge kernel (with its own summation order) computes an
// element. Observed here: 118 of 2660 gradient entries differ, by at most 2e-18 against
// |g|_inf = 0.14.
TEST(Train, ThreadCountChangesOnlyRounding) {
  const Model model = random_mlp(6, {64, 32}, 4, Activation::Tanh, Activation::Identity,
                                 LossKind::CrossEntropy, 31);
  const Dataset data = random_data(2 * kBackpropChunk + 9, 6, 4, LossKind::CrossEntropy, 32);
  const Targets t = make_targets(model.spec, data, "test");
  const int threads = omp_get_max_threads();
  std::vector<double> g1, gn;
  omp_set_num_threads(1);
  const double loss1 = loss_and_grad(model, data, t, &g1, nullptr);
  omp_set_num_threads(std::max(threads, 2));
  const double lossn = loss_and_grad(model, data, t, &gn, nullptr);
  omp_set_num_threads(threads);
  EXPECT_NEAR(loss1, lossn, 1e-14 * std::fabs(loss1));
  EXPECT_LT(testing::max_rel_err(g1, gn), 1e-14);
}

TEST(Train, StopsWhenTheGradientIsBelowTol) {
  LinearProblem p = linear_regression_problem();
  TrainOptions opt;
  opt.optimizer = "gd";
  opt.lr = 0.2;
  opt.epochs = 100000;
  opt.tol = 1e-8;
  std::vector<double> seen;
  const TrainReport r = train_model(p.model, p.data, p.targets, opt, [&](int epoch, double loss) {
    EXPECT_EQ(epoch, static_cast<int>(seen.size()));
    seen.push_back(loss);
  });
  EXPECT_LT(r.epochs_run, opt.epochs);
  EXPECT_GT(r.epochs_run, 0);
  EXPECT_EQ(seen, r.loss_history);
  EXPECT_EQ(r.loss_history.size(), static_cast<size_t>(r.epochs_run) + 1);
  std::vector<double> g;
  loss_and_grad(p.model, p.data, p.targets, &g, nullptr);
  for (double gi : g) EXPECT_LT(std::fabs(gi), opt.tol);
}

TEST(Train, ZeroEpochsEvaluatesOnly) {
  LinearProblem p = linear_regression_problem();
  const std::vector<double> theta0 = p.model.theta;
  TrainOptions opt;
  opt.epochs = 0;
  const TrainReport r = train_model(p.model, p.data, p.targets, opt);
  EXPECT_EQ(r.epochs_run, 0);
  EXPECT_EQ(p.model.theta, theta0);
  EXPECT_EQ(r.loss, loss_and_grad(p.model, p.data, p.targets, nullptr, nullptr));
}

void expect_option_error(const TrainOptions& opt, const std::string& field) {
  LinearProblem p = linear_regression_problem();
  try {
    train_model(p.model, p.data, p.targets, opt);
    ADD_FAILURE() << "no error for " << field;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(Train, RejectsInvalidOptions) {
  TrainOptions opt;
  opt.optimizer = "sgd";
  expect_option_error(opt, "--optimizer");
  opt = TrainOptions();
  opt.lr = 0;
  expect_option_error(opt, "--lr");
  opt.lr = std::nan("");
  expect_option_error(opt, "--lr");
  opt = TrainOptions();
  opt.epochs = -1;
  expect_option_error(opt, "--epochs");
  opt = TrainOptions();
  opt.weight_decay = -1;
  expect_option_error(opt, "--weight-decay");
  opt = TrainOptions();
  opt.beta1 = 1.0;
  expect_option_error(opt, "--beta1");
  opt = TrainOptions();
  opt.beta2 = -0.1;
  expect_option_error(opt, "--beta2");
  opt = TrainOptions();
  opt.eps = -1;
  expect_option_error(opt, "--eps");
  opt = TrainOptions();
  opt.tol = -1;
  expect_option_error(opt, "--tol");
}

// GD on a quadratic with lr far above 2 / lambda_max grows without bound; the run stops with an
// error naming --lr instead of returning NaN weights.
TEST(Train, DivergenceIsReportedAgainstTheLearningRate) {
  TrainOptions opt;
  opt.optimizer = "gd";
  opt.lr = 1e3;
  opt.epochs = 1000;
  expect_option_error(opt, "--lr");
}

}  // namespace
}  // namespace lscan
