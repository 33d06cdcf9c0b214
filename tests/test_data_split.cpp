// Train/test splits: sizes, disjoint parts that together hold every sample once with its own
// label, determinism for a seed, and rejected fractions.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "host/data/split.h"
#include "tests/data_test_util.h"

namespace lscan {
namespace {

// Sample i has features (i, -i) and label i % 3, so a row carries its identity.
Dataset numbered(int64_t n) {
  Dataset d;
  d.n = n;
  d.d = 2;
  for (int64_t i = 0; i < n; ++i) {
    d.X.push_back(static_cast<double>(i));
    d.X.push_back(-static_cast<double>(i));
    d.Y.push_back(static_cast<double>(i % 3));
  }
  d.num_classes = 3;
  d.description = "numbered";
  return d;
}

std::vector<int64_t> ids(const Dataset& part) {
  std::vector<int64_t> out;
  for (int64_t r = 0; r < part.n; ++r) {
    const double id = part.X[2 * r];
    EXPECT_EQ(part.X[2 * r + 1], -id);
    EXPECT_EQ(part.Y[r], std::fmod(id, 3.0));
    out.push_back(static_cast<int64_t>(id));
  }
  return out;
}

TEST(Split, SizesAndDisjointParts) {
  for (const auto& c : std::vector<std::pair<int64_t, double>>{{10, 0.2}, {1000, 0.25}, {7, 0.5}}) {
    const Dataset d = numbered(c.first);
    const auto parts = split_dataset(d, c.second, 3);
    const auto n_train = static_cast<int64_t>(std::llround((1 - c.second) * c.first));
    EXPECT_EQ(parts.first.n, n_train);
    EXPECT_EQ(parts.second.n, c.first - n_train);
    EXPECT_EQ(parts.first.X.size(), static_cast<size_t>(2 * n_train));
    EXPECT_EQ(parts.second.Y.size(), static_cast<size_t>(c.first - n_train));
    std::vector<int64_t> all = ids(parts.first);
    const std::vector<int64_t> test_ids = ids(parts.second);
    all.insert(all.end(), test_ids.begin(), test_ids.end());
    std::sort(all.begin(), all.end());
    for (int64_t i = 0; i < c.first; ++i) EXPECT_EQ(all[static_cast<size_t>(i)], i);
  }
}

TEST(Split, SeededAndDescribed) {
  const Dataset d = numbered(100);
  const auto a = split_dataset(d, 0.2, 11);
  const auto b = split_dataset(d, 0.2, 11);
  const auto c = split_dataset(d, 0.2, 12);
  EXPECT_EQ(a.first.X, b.first.X);
  EXPECT_EQ(a.second.Y, b.second.Y);
  EXPECT_NE(a.first.X, c.first.X);
  std::vector<int64_t> order = ids(a.first);
  EXPECT_FALSE(std::is_sorted(order.begin(), order.end()));  // shuffled, not a prefix
  EXPECT_EQ(a.first.description, "numbered [train 80%]");
  EXPECT_EQ(a.second.description, "numbered [test 20%]");
  EXPECT_EQ(a.first.num_classes, 3);
  EXPECT_EQ(a.second.num_classes, 3);
  EXPECT_TRUE(a.second.classification);
  EXPECT_EQ(a.second.d, 2);
}

TEST(Split, RejectsFractionsOutsideTheOpenInterval) {
  const Dataset d = numbered(10);
  for (double f : {0.0, 1.0, -0.1, 1.5, std::nan("")})
    EXPECT_INPUT_ERROR(split_dataset(d, f, 0), "--test-fraction", "between 0 and 1");
  EXPECT_INPUT_ERROR(split_dataset(d, 0.01, 0), "--test-fraction", "10 samples", "0 to test");
  EXPECT_INPUT_ERROR(split_dataset(d, 0.99, 0), "--test-fraction", "0 to train");
}

}  // namespace
}  // namespace lscan
