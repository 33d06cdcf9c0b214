// Permuting hidden units leaves the loss unchanged (up to the order of the sums), and changes the
// parameters.
#include <gtest/gtest.h>

#include <algorithm>

#include "host/engine/reference.h"
#include "host/model/permute.h"
#include "random_problems.h"

namespace lscan {
namespace {

TEST(Permute, HiddenUnitPermutationKeepsTheLoss) {
  const uint64_t seed = testing::fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Model m = testing::random_model({5, 7, 6, 3}, Activation::Tanh, LossKind::CrossEntropy, seed);
  const Dataset data = testing::random_data(m.spec, 64, seed);
  const Targets targets = make_targets(m.spec, data, "random");
  const std::vector<Direction> none;
  double before = 0, acc0 = 0, after = 0, acc1 = 0;
  reference_evaluate(m, none, data, targets, nullptr, &before, &acc0);
  const Model original = m;
  for (int layer : {0, 1}) {
    const auto perm = random_permutation(m.spec.layers[static_cast<size_t>(layer)].out, seed);
    EXPECT_FALSE(std::is_sorted(perm.begin(), perm.end()));
    permute_hidden_units(m, layer, perm);
  }
  EXPECT_NE(m.theta, original.theta);
  reference_evaluate(m, none, data, targets, nullptr, &after, &acc1);
  EXPECT_NEAR(after, before, 1e-14 * before);
  EXPECT_EQ(acc1, acc0);
  // The permuted parameters are the original ones, reordered.
  std::vector<double> a = m.theta, b = original.theta;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
}

TEST(Permute, RejectsTheOutputLayerAndNonPermutations) {
  Model m = testing::random_model({3, 4, 2}, Activation::Relu, LossKind::CrossEntropy, 1);
  EXPECT_THROW(permute_hidden_units(m, 1, {1, 0}), std::invalid_argument);
  EXPECT_THROW(permute_hidden_units(m, 0, {0, 1, 1, 2}), std::invalid_argument);
  EXPECT_THROW(permute_hidden_units(m, 0, {0, 1, 2}), std::invalid_argument);
}

}  // namespace
}  // namespace lscan
