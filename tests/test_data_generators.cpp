// Seeded generators: the same data for a seed and different data for another, the documented
// stream layout (so values are known exactly from lscan::Rng), balanced classes, shapes and label
// ranges, and spec errors that name the spec and the key.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/core/rng.h"
#include "host/data/generators.h"
#include "tests/data_test_util.h"

namespace lscan {
namespace {

std::vector<int64_t> class_counts(const Dataset& ds) {
  std::vector<int64_t> counts(static_cast<size_t>(ds.num_classes), 0);
  for (double y : ds.Y) ++counts[static_cast<size_t>(y)];
  return counts;
}

TEST(Generators, SameSeedSameDataOtherSeedOtherData) {
  for (const std::string name : {"blobs", "spirals", "xor", "teacher", "teacher:classes=0"}) {
    SCOPED_TRACE(name);
    const std::string sep = name.find(':') == std::string::npos ? ":" : ",";
    const Dataset a = generate_dataset(name + sep + "n=200,seed=5");
    const Dataset b = generate_dataset(name + sep + "n=200,seed=5");
    const Dataset c = generate_dataset(name + sep + "n=200,seed=6");
    EXPECT_EQ(a.X, b.X);
    EXPECT_EQ(a.Y, b.Y);
    EXPECT_NE(a.X, c.X);
    EXPECT_EQ(a.n, 200);
    EXPECT_EQ(a.X.size(), static_cast<size_t>(a.n * a.d));
    EXPECT_EQ(a.Y.size(), static_cast<size_t>(a.n));
  }
}

TEST(Generators, DescriptionsRecordEveryParameter) {
  EXPECT_EQ(generate_dataset("blobs").description,
            "blobs(n=1000, dim=2, classes=3, spread=1, seed=0)");
  EXPECT_EQ(generate_dataset("blobs:n=10,dim=4,classes=5,spread=0.25,seed=7").description,
            "blobs(n=10, dim=4, classes=5, spread=0.25, seed=7)");
  EXPECT_EQ(generate_dataset("spirals").description,
            "spirals(n=1000, classes=2, noise=0.1, turns=1.5, seed=0)");
  EXPECT_EQ(generate_dataset("xor: n = 1e3 , noise=0").description, "xor(n=1000, noise=0, seed=0)");
  EXPECT_EQ(generate_dataset("teacher:seed=18446744073709551615").description,
            "teacher(n=1000, dim=10, hidden=16, classes=2, noise=0, seed=18446744073709551615)");
}

TEST(Generators, BlobsAreBalancedAroundTheirCentres) {
  const Dataset ds = generate_dataset("blobs:n=999,dim=3,classes=3,spread=0,seed=4");
  EXPECT_EQ(ds.d, 3);
  EXPECT_TRUE(ds.classification);
  EXPECT_EQ(ds.num_classes, 3);
  EXPECT_EQ(class_counts(ds), (std::vector<int64_t>{333, 333, 333}));
  // spread = 0: every sample sits on its class centre, drawn class-major from stream 0.
  Rng centres(4, 0);
  std::vector<double> c(9);
  for (double& v : c) v = centres.uniform(-5.0, 5.0);
  for (int64_t i = 0; i < ds.n; ++i) {
    const auto k = static_cast<size_t>(ds.Y[i]);
    EXPECT_EQ(k, static_cast<size_t>(i % 3));
    for (size_t j = 0; j < 3; ++j) EXPECT_EQ(ds.X[i * 3 + j], c[k * 3 + j]);
  }
  const Dataset wide = generate_dataset("blobs:n=1000,classes=3");
  EXPECT_EQ(class_counts(wide), (std::vector<int64_t>{334, 333, 333}));
}

TEST(Generators, SpiralsFollowTheirArms) {
  const Dataset ds = generate_dataset("spirals:n=300,classes=3,noise=0,turns=1.5,seed=2");
  EXPECT_EQ(ds.d, 2);
  EXPECT_EQ(ds.num_classes, 3);
  EXPECT_EQ(class_counts(ds), (std::vector<int64_t>{100, 100, 100}));
  // noise = 0: radius t and angle 2 pi (1.5 t + k / 3), t from stream 0.
  Rng positions(2, 0);
  const double two_pi = 6.283185307179586476925;
  for (int64_t i = 0; i < ds.n; ++i) {
    const double t = positions.uniform();
    const double x = ds.X[2 * i], y = ds.X[2 * i + 1];
    EXPECT_NEAR(std::hypot(x, y), t, 1e-12);
    const double expected = two_pi * (1.5 * t + ds.Y[i] / 3.0);
    EXPECT_NEAR(std::remainder(std::atan2(y, x) - expected, two_pi), 0.0, 1e-9) << i;
  }
}

TEST(Generators, XorLabelsFollowTheNoiseFreeRule) {
  const Dataset clean = generate_dataset("xor:n=2000,noise=0,seed=9");
  EXPECT_EQ(clean.d, 2);
  EXPECT_EQ(clean.num_classes, 2);
  Rng positions(9, 0);
  int64_t ones = 0;
  for (int64_t i = 0; i < clean.n; ++i) {
    const double x1 = clean.X[2 * i], x2 = clean.X[2 * i + 1];
    EXPECT_EQ(x1, positions.uniform(-1.0, 1.0));
    EXPECT_EQ(x2, positions.uniform(-1.0, 1.0));
    EXPECT_EQ(clean.Y[i], x1 * x2 > 0 ? 1.0 : 0.0);
    ones += clean.Y[i] == 1.0;
  }
  EXPECT_GT(ones, 900);
  EXPECT_LT(ones, 1100);
  // Noise is drawn from its own stream: labels stay those of the clean points.
  const Dataset noisy = generate_dataset("xor:n=2000,noise=0.3,seed=9");
  EXPECT_EQ(noisy.Y, clean.Y);
  EXPECT_NE(noisy.X, clean.X);
}

TEST(Generators, TeacherClassesAndRegression) {
  const Dataset cls = generate_dataset("teacher:n=2000,dim=10,hidden=16,classes=4,seed=1");
  EXPECT_EQ(cls.d, 10);
  EXPECT_TRUE(cls.classification);
  EXPECT_LE(cls.num_classes, 4);
  EXPECT_GE(cls.num_classes, 2);
  for (double y : cls.Y) {
    EXPECT_GE(y, 0);
    EXPECT_LT(y, 4);
    EXPECT_EQ(y, std::floor(y));
  }
  // x ~ N(0, I) from stream 0.
  Rng xs(1, 0);
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(cls.X[i], xs.normal());

  const Dataset reg = generate_dataset("teacher:n=500,dim=3,classes=0,seed=1");
  const Dataset noisy = generate_dataset("teacher:n=500,dim=3,classes=0,noise=0.5,seed=1");
  EXPECT_FALSE(reg.classification);
  EXPECT_EQ(reg.num_classes, 0);
  EXPECT_EQ(reg.ty, 1);
  EXPECT_EQ(reg.d, 3);
  EXPECT_EQ(noisy.X, reg.X);
  double max_abs = 0, max_diff = 0;
  for (size_t i = 0; i < reg.Y.size(); ++i) {
    EXPECT_TRUE(std::isfinite(reg.Y[i]));
    max_abs = std::max(max_abs, std::abs(reg.Y[i]));
    max_diff = std::max(max_diff, std::abs(noisy.Y[i] - reg.Y[i]));
  }
  EXPECT_GT(max_abs, 0.1);
  EXPECT_GT(max_diff, 0.5);
  // |z| <= sum |W2| with |tanh| <= 1; with 16 N(0, 1/16) weights that is far below 16.
  EXPECT_LT(max_abs, 16.0);
}

TEST(Generators, RecognisesSpecs) {
  for (const std::string s : {"blobs", "spirals:n=5", "xor:", "teacher:classes=0"})
    EXPECT_TRUE(is_generator_spec(s)) << s;
  for (const std::string s : {"", "blob", "blobsy", "xor.npy", "data/xor.csv", "Blobs"})
    EXPECT_FALSE(is_generator_spec(s)) << s;
}

TEST(Generators, RejectsBadSpecs) {
  EXPECT_INPUT_ERROR(generate_dataset("blob:n=10"), "--data", "'blob:n=10'",
                     "unknown generator 'blob'", "blobs, spirals, xor or teacher");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:n=abc"), "--data", "'blobs:n=abc'", "n:", "'abc'");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:n=0"), "--data", "n:", "from 1");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:n=2.5"), "--data", "n:", "'2.5'");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:foo=1"), "--data", "'blobs:foo=1'", "foo",
                     "unknown key", "n, dim, classes, spread, seed");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:n=10,n=20"), "--data", "n:", "given twice");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:n"), "--data", "n:", "key=value");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:classes=1"), "--data", "classes:");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:n=2,classes=3"), "--data", "classes:", "n = 2");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:spread=-1"), "--data", "spread:", "'-1'");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:seed=-1"), "--data", "seed:", "'-1'");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:seed=18446744073709551616"), "--data", "seed:");
  EXPECT_INPUT_ERROR(generate_dataset("blobs:n=100000000,dim=100"), "--data",
                     "dim:", "more than the limit");
  EXPECT_INPUT_ERROR(generate_dataset("spirals:turns=0"), "--data", "turns:");
  EXPECT_INPUT_ERROR(generate_dataset("xor:noise=nan"), "--data", "noise:", "'nan'");
  EXPECT_INPUT_ERROR(generate_dataset("xor:dim=3"), "--data", "dim", "unknown key",
                     "n, noise, seed");
  EXPECT_INPUT_ERROR(generate_dataset("teacher:classes=1"), "--data", "classes:", "0 (regression)");
}

}  // namespace
}  // namespace lscan
