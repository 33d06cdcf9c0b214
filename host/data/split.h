// A seeded train/test split: a Fisher-Yates permutation of the samples drawn with lscan::Rng(seed)
// (for i = n-1 down to 1: swap(p[i], p[Rng::below(i + 1)])), the first
// n_train = round((1 - test_fraction) n) permuted samples to train, the rest to test.
#pragma once

#include <cstdint>
#include <utility>

#include "host/data/dataset.h"

namespace lscan {

// Returns (train, test). Both keep the whole set's num_classes, so that a part that lacks the
// highest class still fits the same model. Descriptions get " [train 80%]" and " [test 20%]".
// Throws InputError (field "--test-fraction") on a fraction outside (0, 1) or one that leaves a
// part empty.
std::pair<Dataset, Dataset> split_dataset(const Dataset& d, double test_fraction, uint64_t seed);

}  // namespace lscan
