// The training loss of a model on a whole data set and its gradient with respect to theta, by
// reverse-mode differentiation on the CPU. Activations are stored feature-major, A_l as (n_l, Nc)
// row-major, so that sample j's output column is A + j with stride Nc, the layout sample_loss
// reads.
#pragma once

#include <cstdint>
#include <vector>

#include "host/data/dataset.h"
#include "host/model/model.h"
#include "host/model/targets.h"

namespace lscan {

// Samples per chunk. The buffers hold (2 sum_l n_l + 2 max_l n_l) * kBackpropChunk doubles: Z_l and
// A_l for every layer, and two gradient buffers for the backward pass.
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

}  // namespace lscan
