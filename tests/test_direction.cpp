// Directions: the documented generator, filter / layer normalisation (Li et al. 2018) and the
// bias rules, the model difference.
#include <gtest/gtest.h>

#include <cmath>

#include "host/core/error.h"
#include "host/core/rng.h"
#include "host/grid/direction.h"
#include "host/grid/grid.h"
#include "random_problems.h"

namespace lscan {
namespace {

double row_norm(const double* x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += x[i] * x[i];
  return std::sqrt(s);
}

// SplitMix64 from state 0 is a published sequence; lscan's generator is built on it.
TEST(Rng, SplitMix64KnownSequence) {
  uint64_t x = 0;
  const uint64_t expected[] = {0xE220A8397B1DCDAFull, 0x6E789E6AA1B965F4ull, 0x06C45D188009454Full};
  for (uint64_t e : expected) {
    x += 0x9E3779B97F4A7C15ull;
    EXPECT_EQ(splitmix64_mix(x), e);
  }
}

TEST(Rng, NormalHasUnitMomentsAndStreamsDiffer) {
  Rng a(7, 0), b(7, 1), a2(7, 0);
  double s = 0, s2 = 0;
  const int n = 200000;
  bool differ = false;
  for (int i = 0; i < n; ++i) {
    const double x = a.normal();
    EXPECT_EQ(x, a2.normal());
    differ |= x != b.normal();
    s += x;
    s2 += x * x;
  }
  EXPECT_TRUE(differ);
  EXPECT_NEAR(s / n, 0.0, 0.01);    // sd of the mean: 1/sqrt(n) = 0.0022
  EXPECT_NEAR(s2 / n, 1.0, 0.015);  // sd of the variance: sqrt(2/n) = 0.0032
}

TEST(Direction, FilterNormalisedRowsHaveTheNormOfTheirWeightRows) {
  const uint64_t seed = testing::fresh_seed();
  const Model m =
      testing::random_model({7, 5, 4, 3}, Activation::Relu, LossKind::CrossEntropy, seed);
  for (BiasMode bias : {BiasMode::Ignore, BiasMode::Keep}) {
    const Direction d = random_direction(m, seed, 0, DirNorm::Filter, bias);
    for (const TensorInfo& t : m.tensors) {
      if (t.is_bias) {
        for (int64_t i = 0; i < t.size; ++i)
          EXPECT_EQ(d.v[t.offset + i], bias == BiasMode::Ignore ? 0.0 : m.theta[t.offset + i]);
        continue;
      }
      const int64_t cols = t.shape[1];
      for (int64_t r = 0; r < t.shape[0]; ++r) {
        const double want = row_norm(m.theta.data() + t.offset + r * cols, cols);
        EXPECT_NEAR(row_norm(d.v.data() + t.offset + r * cols, cols), want, 1e-12 * want)
            << t.name << " row " << r;
      }
    }
  }
}

TEST(Direction, LayerNormalisationMatchesTensorNorms) {
  const uint64_t seed = testing::fresh_seed();
  const Model m = testing::random_model({6, 5, 2}, Activation::Tanh, LossKind::CrossEntropy, seed);
  const Direction d = random_direction(m, seed, 3, DirNorm::Layer, BiasMode::Ignore);
  for (const TensorInfo& t : m.tensors) {
    if (t.is_bias) continue;
    const double want = row_norm(m.theta.data() + t.offset, t.size);
    EXPECT_NEAR(row_norm(d.v.data() + t.offset, t.size), want, 1e-12 * want);
    // Not filter-normalised: rows differ from their weight rows' norms.
    const double r0 = row_norm(d.v.data() + t.offset, t.shape[1]);
    EXPECT_GT(std::fabs(r0 - row_norm(m.theta.data() + t.offset, t.shape[1])), 1e-9);
  }
}

TEST(Direction, SeedDeterminesTheDirection) {
  const Model m = testing::random_model({4, 3, 2}, Activation::Tanh, LossKind::CrossEntropy, 1);
  const Direction a = random_direction(m, 42, 0, DirNorm::None, BiasMode::Keep);
  const Direction b = random_direction(m, 42, 0, DirNorm::None, BiasMode::Keep);
  const Direction c = random_direction(m, 42, 1, DirNorm::None, BiasMode::Keep);
  EXPECT_EQ(a.v, b.v);
  EXPECT_NE(a.v, c.v);
  // With norm none, element p is the p-th normal deviate of Rng(seed, index).
  Rng rng(42, 0);
  for (double x : a.v) EXPECT_EQ(x, rng.normal());
}

TEST(Direction, DifferenceAndMismatch) {
  const Model a = testing::random_model({4, 3, 2}, Activation::Tanh, LossKind::CrossEntropy, 1);
  const Model b = testing::random_model({4, 3, 2}, Activation::Tanh, LossKind::CrossEntropy, 2);
  const Direction d = difference_direction(a, b, "b.safetensors");
  for (size_t p = 0; p < a.theta.size(); ++p) EXPECT_EQ(d.v[p], b.theta[p] - a.theta[p]);
  const Model c = testing::random_model({4, 5, 2}, Activation::Tanh, LossKind::CrossEntropy, 2);
  EXPECT_THROW(difference_direction(a, c, "c.safetensors"), InputError);
}

TEST(Grid, LinspaceLayoutAndParsing) {
  const GridAxis a = GridAxis::parse("-1:1:5", "--x");
  EXPECT_EQ(a.coordinates(), (std::vector<double>{-1, -0.5, 0, 0.5, 1}));
  const GridAxis z = GridAxis::parse("0:0.3:4", "--y");
  EXPECT_EQ(z.at(0), 0.0);
  EXPECT_EQ(z.at(3), 0.3);
  EXPECT_EQ(GridAxis::parse("0.5:0.5:1", "--x").at(0), 0.5);
  Grid g{{a, z}};
  EXPECT_EQ(g.num_points(), 20);
  double c[2];
  g.coefficients(7, c);  // ix = 1, iy = 3
  EXPECT_EQ(c[0], -0.5);
  EXPECT_EQ(c[1], 0.3);
  for (const char* bad : {"", "1:2", "a:1:3", "1:0:3", "0:1:0", "0:1:2.5", "1:1:3", "0:inf:3",
                          "0:1:3:4", "-1:1:-5"}) {
    try {
      GridAxis::parse(bad, "--x");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--x"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace lscan
