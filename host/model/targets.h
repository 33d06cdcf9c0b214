// The targets a loss reads, built from a data set and checked against the model: class indices
// in range for cross_entropy and hinge, binary targets in [0, 1] for logistic and sigmoid_mse,
// m floats per sample for mse (class labels become one-hot rows).
#pragma once

#include <string>
#include <vector>

#include "host/data/dataset.h"
#include "host/model/model.h"

namespace lscan {

struct Targets {
  int width = 1;          // values per sample
  std::vector<double> y;  // (N, width)
};

// `source` names the data in error messages. Throws InputError on a label out of range, a
// feature width that differs from the model's input, or a target width that does not fit the loss.
Targets make_targets(const ModelSpec& spec, const Dataset& data, const std::string& source);

}  // namespace lscan
