// Full-batch training on the CPU or a CUDA device: gradient descent or Adam on the mean loss of the
// whole data set, so that a scan can start from a trained minimum without leaving lscan. The loss
// and its gradient come from a LossGradient (host/train/backprop.h); the optimizer steps run on
// the host in fp64, the same code for every device.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "host/data/dataset.h"
#include "host/model/model.h"
#include "host/model/targets.h"
#include "host/train/backprop.h"

namespace lscan {

struct TrainOptions {
  std::string optimizer = "adam";  // "gd" | "adam"
  double lr = 1e-2;
  int epochs = 500;         // optimizer steps, one per full pass over the data
  double weight_decay = 0;  // L2: weight_decay * theta is added to the gradient (torch.optim)
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // Adam only
  // Stop early when |grad + weight_decay theta|_inf < tol; 0 runs all epochs.
  double tol = 0;
};

struct TrainReport {
  int epochs_run = 0;                // optimizer steps taken (< epochs when tol stopped early)
  double loss = 0;                   // mean loss at the returned theta (without the L2 term)
  double accuracy = 0;               // fraction of samples classified correctly there
  double grad_norm = 0;              // |grad + weight_decay theta|_2 there
  std::vector<double> loss_history;  // (epochs_run + 1): the loss after 0, 1, ... steps
  double seconds = 0;                // wall-clock time of the whole run
};

// Trains model.theta in place with the loss and gradient of `loss` (made for model.spec).
// on_epoch(t, loss) is called with the loss after t steps, for t = 0..epochs_run. Throws
// InputError naming the option ("--lr", "--optimizer", ...) on an invalid option, and naming --lr
// when the loss becomes non-finite (the run diverged). Deterministic: the same model, data and
// options give bit-identical theta and history on every run on the same device (on the CPU, with
// the same number of threads; see loss_and_grad).
TrainReport train_model(Model& model, LossGradient& loss, const TrainOptions& opt,
                        const std::function<void(int epoch, double loss)>& on_epoch = {});

// The same on the CPU.
TrainReport train_model(Model& model, const Dataset& data, const Targets& targets,
                        const TrainOptions& opt,
                        const std::function<void(int epoch, double loss)>& on_epoch = {});

// Throws InputError naming the first invalid option.
void validate_train_options(const TrainOptions& opt);

}  // namespace lscan
