// The model spec, a JSON file that mirrors a PyTorch nn.Sequential:
//   {"input_dim": 784,
//    "layers": [{"type": "linear", "out": 128}, {"type": "relu"},
//               {"type": "linear", "out": 10, "bias": true}],
//    "loss": "cross_entropy"}
// Layer types: "linear" (out: int >= 1, required; bias: bool, default true) and the activations
// identity, relu, leaky_relu (negative_slope: number, default 0.01), tanh, sigmoid, gelu, softplus.
// Every entry of "layers" is one module and takes one index, as in nn.Sequential, so the Linear at
// layers[i] owns the tensors "<i>.weight" and "<i>.bias". An activation follows a linear, at most
// one per linear. Losses: cross_entropy, mse, hinge, logistic, sigmoid_mse (the binary losses need
// one output). Unknown keys are errors.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "host/model/model.h"

namespace lscan {

// `source` names the file in messages. Throws InputError naming the field (e.g. "layers[2].out").
ModelSpec parse_spec(const nlohmann::json& j, const std::string& source);
ModelSpec read_spec(const std::string& path);

// The spec as parse_spec reads it: every field explicit, an "identity" module where the module
// indices leave a gap. Throws std::invalid_argument when the indices are not those of a Sequential.
nlohmann::json spec_to_json(const ModelSpec& spec);
// Writes spec_to_json, indented, atomically (see write_file_atomic).
void write_spec(const std::string& path, const ModelSpec& spec);

}  // namespace lscan
