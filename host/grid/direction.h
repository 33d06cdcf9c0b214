// Directions in parameter space (Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets").
// A scan point with coefficients c has parameters theta0 + sum_i c_i d_i.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/model/model.h"

namespace lscan {

// filter: every row j of a weight tensor (one output unit) is rescaled to the norm of the same
//   row of theta: d_j <- d_j * |theta_j| / |d_j|.
// layer:  every weight tensor as a whole: d <- d * |theta| / |d|.
// none:   the raw Gaussian.
enum class DirNorm { Filter, Layer, None };
// ignore: bias entries of the direction are zero.
// keep:   with filter or layer normalisation the bias entries equal the biases themselves (what
//         loss-landscape does for 1-D tensors); with none they stay Gaussian.
enum class BiasMode { Ignore, Keep };

struct Direction {
  std::vector<double> v;  // (P)
  std::string kind;       // how it was made, stored in the output
};

DirNorm parse_dir_norm(const std::string& s);    // "filter" | "layer" | "none"
BiasMode parse_bias_mode(const std::string& s);  // "ignore" | "keep"
const char* dir_norm_name(DirNorm n);
const char* bias_mode_name(BiasMode b);

// Gaussian direction number `index` of seed `seed`: element p of theta order is the p-th normal
// deviate of lscan::Rng(seed, index), then normalised.
Direction random_direction(const Model& model, uint64_t seed, int index, DirNorm norm,
                           BiasMode bias);

// Applies the normalisation and bias rule in place; d has the model's layout.
void normalize_direction(std::vector<double>& d, const Model& model, DirNorm norm, BiasMode bias);

// theta_b - theta_a; both models must have the same spec (names and shapes). `source` names the
// second model in errors.
Direction difference_direction(const Model& a, const Model& b, const std::string& source);

}  // namespace lscan
