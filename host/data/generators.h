// Seeded synthetic data sets, the same numbers on every platform (all randomness from lscan::Rng).
// A spec names the generator and, optionally, parameters: "blobs", "xor:n=500,noise=0.2,seed=3".
// n defaults to 1000 and seed to 0 for every generator. Draws use separate Rng streams of the
// seed, so that changing one parameter (noise, say) leaves the other draws as they were.
//
//   blobs:   dim=2 classes=3 spread=1
//            centres c_k ~ U[-5, 5]^dim (stream 0, class-major); sample i has label k = i % classes
//            (balanced) and x = c_k + spread * N(0, I) (stream 1).
//   spirals: classes=2 noise=0.1 turns=1.5 (dim 2)
//            sample i is on arm k = i % classes at t ~ U[0, 1) (stream 0), radius t and angle
//            2 pi (turns t + k / classes); then + noise * N(0, I) (stream 1).
//   xor:     noise=0.1 (dim 2)
//            x ~ U[-1, 1]^2 (stream 0); label 1 when x1 x2 > 0, else 0; then x += noise * N(0, I)
//            (stream 1), so labels follow the noise-free rule.
//   teacher: dim=10 hidden=16 classes=2 noise=0
//            x ~ N(0, I) (stream 0); a teacher z = W2 tanh(W1 x), no biases, W1 (hidden, dim) and
//            W2 (m, hidden) with entries N(0, 1 / fan_in) (stream 1, W1 then W2, row-major);
//            z += noise * N(0, I) (stream 2). classes >= 2: m = classes and label = argmax z (the
//            first on ties). classes = 0: regression, m = 1 and target = z.
#pragma once

#include <string>

#include "host/data/dataset.h"

namespace lscan {

// Whether `spec` names a generator: blobs, spirals, xor or teacher, alone or followed by ':'.
bool is_generator_spec(const std::string& spec);

// Throws InputError (field `flag`, the option that gave the spec) naming the spec and the key on an
// unknown generator or key, a repeated key, or a value that is not a number in range. The
// description records every parameter: "blobs(n=1000, dim=2, classes=3, spread=1, seed=0)".
Dataset generate_dataset(const std::string& spec, const std::string& flag = "--data");

}  // namespace lscan
