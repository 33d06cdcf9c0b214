// The training loss of a model on a whole data set and its gradient with respect to theta, by
// reverse-mode differentiation (host/train/backprop_pass.h), on the CPU or a CUDA device. Every
// device computes in fp64.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/data/dataset.h"
#include "host/model/model.h"
#include "host/model/targets.h"

namespace lscan {

struct DeviceChoice;

// Samples per chunk on the CPU. The buffers hold (2 sum_l n_l + 2 max_l n_l) * kBackpropChunk
// doubles: Z_l and A_l for every layer, and two gradient buffers for the backward pass.
constexpr int64_t kBackpropChunk = 4096;

// Mean loss over the data set, (1/N) sum_j sample_loss(z_j, y_j), and, when grad != nullptr, its
// gradient d loss / d theta (P), all in fp64. acc (may be null) receives the fraction of correctly
// classified samples. Bit-identical from run to run with the same number of OpenMP threads: the
// per-sample losses are summed in sample order and every other sum has a fixed order. With another
// thread count the GEMMs may round differently (OpenBLAS splits a product between threads), by a
// few ulps. Throws std::invalid_argument when the data or targets do not fit the model
// (make_targets checks them for the user first).
double loss_and_grad(const Model& model, const Dataset& data, const Targets& targets,
                     std::vector<double>* grad, double* acc);

// Throws std::invalid_argument unless the layers chain from the data's width to the targets'
// and lie inside a theta of num_params values.
void check_backprop_inputs(const ModelSpec& spec, int64_t num_params, const Dataset& data,
                           const Targets& targets);

// loss_and_grad for one model and data set on one device, evaluated at many theta: the training
// loop's view. Buffers (and on CUDA the data) are set up once. Keeps references to data and
// targets, which must outlive it.
class LossGradient {
 public:
  virtual ~LossGradient() = default;
  // Mean loss at theta (P); grad (P, may be null) receives its gradient, acc (may be null) the
  // fraction classified correctly.
  virtual double evaluate(const double* theta, double* grad, double* acc) = 0;
  // "cpu" or "cuda:N".
  virtual std::string device() const = 0;
  // Samples per chunk of the pass.
  virtual int64_t chunk() const = 0;
};

std::unique_ptr<LossGradient> make_cpu_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                     const Dataset& data, const Targets& targets);

// On the chosen device: the CPU, or CUDA device `device.index` with a memory budget of
// max_memory bytes (0: 70% of the free device memory). Throws InputError naming --device when the
// build or the machine has no such device, or --max-memory when the data does not fit the budget.
std::unique_ptr<LossGradient> make_loss_gradient(const DeviceChoice& device, double max_memory,
                                                 const ModelSpec& spec, int64_t num_params,
                                                 const Dataset& data, const Targets& targets);

}  // namespace lscan
