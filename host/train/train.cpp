#include "host/train/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "host/core/error.h"
#include "host/core/format.h"

namespace lscan {

void validate_train_options(const TrainOptions& opt) {
  if (opt.optimizer != "gd" && opt.optimizer != "adam")
    input_error("", "--optimizer",
                "unknown optimizer '" + opt.optimizer + "', expected gd or adam");
  if (!(opt.lr > 0) || !std::isfinite(opt.lr))
    input_error("", "--lr", "expected a finite learning rate > 0, got " + format_number(opt.lr));
  if (opt.epochs < 0)
    input_error("", "--epochs",
                "expected a number of epochs >= 0, got " + std::to_string(opt.epochs));
  if (!(opt.weight_decay >= 0) || !std::isfinite(opt.weight_decay))
    input_error("", "--weight-decay",
                "expected a finite value >= 0, got " + format_number(opt.weight_decay));
  if (!(opt.beta1 >= 0 && opt.beta1 < 1))
    input_error("", "--beta1", "expected a value in [0, 1), got " + format_number(opt.beta1));
  if (!(opt.beta2 >= 0 && opt.beta2 < 1))
    input_error("", "--beta2", "expected a value in [0, 1), got " + format_number(opt.beta2));
  if (!(opt.eps >= 0) || !std::isfinite(opt.eps))
    input_error("", "--eps", "expected a finite value >= 0, got " + format_number(opt.eps));
  if (!(opt.tol >= 0))
    input_error("", "--tol", "expected a value >= 0, got " + format_number(opt.tol));
}

TrainReport train_model(Model& model, const Dataset& data, const Targets& targets,
                        const TrainOptions& opt,
                        const std::function<void(int epoch, double loss)>& on_epoch) {
  const auto loss = make_cpu_loss_gradient(model.spec, model.num_params(), data, targets);
  return train_model(model, *loss, opt, on_epoch);
}

TrainReport train_model(Model& model, LossGradient& loss_gradient, const TrainOptions& opt,
                        const std::function<void(int epoch, double loss)>& on_epoch) {
  validate_train_options(opt);
  const auto t0 = std::chrono::steady_clock::now();
  const bool adam = opt.optimizer == "adam";
  std::vector<double>& theta = model.theta;  // (P)
  const size_t num_params = theta.size();
  std::vector<double> g(num_params);  // (P)
  std::vector<double> m1, m2;         // (P) Adam's first and second moments
  if (adam) {
    m1.assign(num_params, 0.0);
    m2.assign(num_params, 0.0);
  }

  TrainReport report;
  report.loss_history.reserve(static_cast<size_t>(std::min(opt.epochs, 1 << 20)) + 1);
  for (int t = 0;; ++t) {
    double acc = 0.0;
    const double loss = loss_gradient.evaluate(theta.data(), g.data(), &acc);
    if (!std::isfinite(loss))
      input_error("", "--lr",
                  "training diverged after " + std::to_string(t) + " steps (loss " +
                      format_number(loss) + " at learning rate " + format_number(opt.lr) +
                      "); try a smaller learning rate");
    report.loss_history.push_back(loss);
    if (on_epoch) on_epoch(t, loss);

    // The gradient the optimizer follows: d/d theta [loss + (weight_decay / 2) |theta|^2].
    if (opt.weight_decay != 0)
      for (size_t i = 0; i < num_params; ++i) g[i] += opt.weight_decay * theta[i];
    double g_inf = 0.0;
    for (double gi : g) g_inf = std::fmax(g_inf, std::fabs(gi));

    if (t == opt.epochs || g_inf < opt.tol) {
      double g_sq = 0.0;
      for (double gi : g) g_sq += gi * gi;
      report.epochs_run = t;
      report.loss = loss;
      report.accuracy = acc;
      report.grad_norm = std::sqrt(g_sq);
      break;
    }

    if (!adam) {
      for (size_t i = 0; i < num_params; ++i) theta[i] -= opt.lr * g[i];
      continue;
    }
    // torch.optim.Adam (amsgrad = False), step s = t + 1:
    //   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
    //   theta -= (lr / (1 - b1^s)) * m / (sqrt(v) / sqrt(1 - b2^s) + eps)
    const double step = static_cast<double>(t) + 1.0;
    const double bias_correction1 = 1.0 - std::pow(opt.beta1, step);
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(opt.beta2, step));
    const double step_size = opt.lr / bias_correction1;
    for (size_t i = 0; i < num_params; ++i) {
      m1[i] = opt.beta1 * m1[i] + (1.0 - opt.beta1) * g[i];
      m2[i] = opt.beta2 * m2[i] + (1.0 - opt.beta2) * g[i] * g[i];
      const double denom = std::sqrt(m2[i]) / bias_correction2_sqrt + opt.eps;
      theta[i] -= step_size * (m1[i] / denom);
    }
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace lscan
