// Permutation symmetry of hidden units: reordering the units of a hidden layer (rows of W_l and
// b_l, columns of W_{l+1}) leaves the network's function, and so its loss, unchanged. Every
// minimum therefore has copies, one per permutation.
#pragma once

#include <cstdint>
#include <vector>

#include "host/model/model.h"

namespace lscan {

// Applies perm to the units of hidden layer `layer` (0-based index into spec.layers; not the
// last layer): new unit i is old unit perm[i]. Throws std::invalid_argument for a bad layer or a
// perm that is not a permutation of 0..out-1.
void permute_hidden_units(Model& model, int layer, const std::vector<int>& perm);

// A seeded random permutation of n items (Fisher-Yates with lscan::Rng) that moves at least one
// item when n > 1.
std::vector<int> random_permutation(int n, uint64_t seed);

}  // namespace lscan
