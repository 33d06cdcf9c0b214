#include "host/model/permute.h"

#include <numeric>
#include <stdexcept>

#include "host/core/rng.h"

namespace lscan {

void permute_hidden_units(Model& model, int layer, const std::vector<int>& perm) {
  const auto& layers = model.spec.layers;
  if (layer < 0 || layer + 1 >= static_cast<int>(layers.size()))
    throw std::invalid_argument("permute_hidden_units: layer " + std::to_string(layer) +
                                " is not a hidden layer");
  const DenseLayer& l = layers[static_cast<size_t>(layer)];
  const DenseLayer& next = layers[static_cast<size_t>(layer) + 1];
  const int n = l.out;
  std::vector<char> seen(static_cast<size_t>(n), 0);
  if (static_cast<int>(perm.size()) != n)
    throw std::invalid_argument("permute_hidden_units: permutation of the wrong length");
  for (int p : perm) {
    if (p < 0 || p >= n || seen[static_cast<size_t>(p)])
      throw std::invalid_argument("permute_hidden_units: not a permutation");
    seen[static_cast<size_t>(p)] = 1;
  }
  const std::vector<double> old = model.theta;
  double* theta = model.theta.data();
  for (int i = 0; i < n; ++i) {
    const int src = perm[static_cast<size_t>(i)];
    // Row i of W_l (n, in) and b_l (n) from row src.
    for (int j = 0; j < l.in; ++j)
      theta[l.w_offset + static_cast<int64_t>(i) * l.in + j] =
          old[static_cast<size_t>(l.w_offset + static_cast<int64_t>(src) * l.in + j)];
    if (l.b_offset >= 0) theta[l.b_offset + i] = old[static_cast<size_t>(l.b_offset + src)];
    // Column i of W_{l+1} (out, n) from column src.
    for (int r = 0; r < next.out; ++r)
      theta[next.w_offset + static_cast<int64_t>(r) * n + i] =
          old[static_cast<size_t>(next.w_offset + static_cast<int64_t>(r) * n + src)];
  }
}

std::vector<int> random_permutation(int n, uint64_t seed) {
  std::vector<int> p(static_cast<size_t>(n));
  std::iota(p.begin(), p.end(), 0);
  if (n < 2) return p;
  Rng rng(seed, 0x7065726dULL);  // stream "perm"
  do {
    for (int i = n - 1; i > 0; --i)
      std::swap(p[static_cast<size_t>(i)],
                p[static_cast<size_t>(rng.below(static_cast<uint64_t>(i) + 1))]);
  } while ([&] {
    for (int i = 0; i < n; ++i)
      if (p[static_cast<size_t>(i)] != i) return false;
    return true;
  }());
  return p;
}

}  // namespace lscan
