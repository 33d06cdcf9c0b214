// The batched CPU engine against the per-point fp64 reference on fresh random models, directions
// and points, for every activation and loss, in fp64 and fp32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "host/core/error.h"
#include "host/engine/backend.h"
#include "host/engine/reference.h"
#include "host/engine/scan.h"
#include "random_problems.h"

namespace lscan {
namespace {

using testing::fresh_seed;
using testing::random_data;
using testing::random_directions;
using testing::random_model;
using testing::random_points;
using testing::rel_err;

struct Case {
  Activation act;
  LossKind loss;
};

std::vector<Case> all_cases() {
  const Activation acts[] = {Activation::Identity, Activation::Relu,    Activation::LeakyRelu,
                             Activation::Tanh,     Activation::Sigmoid, Activation::Gelu,
                             Activation::Softplus};
  const LossKind losses[] = {LossKind::CrossEntropy, LossKind::Mse, LossKind::Hinge,
                             LossKind::Logistic, LossKind::SigmoidMse};
  std::vector<Case> out;
  for (Activation a : acts)
    for (LossKind l : losses) out.push_back({a, l});
  return out;
}

// Max relative error of the engine against the reference over random points.
double max_engine_error(const Case& c, Precision prec, const std::vector<int>& hidden, int k,
                        uint64_t seed, EvalSetup overrides = {}) {
  const int m = loss_is_binary(c.loss) ? 1 : 4;
  std::vector<int> widths = {9};
  widths.insert(widths.end(), hidden.begin(), hidden.end());
  widths.push_back(m);
  const Model model = random_model(widths, c.act, c.loss, seed);
  const Dataset data = random_data(model.spec, 157, seed);
  const Targets targets = make_targets(model.spec, data, "random");
  const auto dirs = random_directions(model, k, seed);
  const int64_t npoints = 23;
  const auto coeffs = random_points(npoints, k, seed);

  EvalSetup setup = overrides;
  setup.model = &model;
  setup.directions = &dirs;
  setup.data = &data;
  setup.targets = &targets;
  setup.precision = prec;
  auto backend = make_cpu_backend(setup);
  const PointValues v = evaluate_points(*backend, coeffs, k);

  double worst = 0;
  for (int64_t p = 0; p < npoints; ++p) {
    double loss = 0, acc = 0;
    reference_evaluate(model, dirs, data, targets, coeffs.data() + p * k, &loss, &acc);
    EXPECT_TRUE(std::isfinite(v.loss[p])) << "point " << p << " was not written";
    worst = std::max(worst, rel_err(v.loss[p], loss));
    if (prec == Precision::FP64) {
      EXPECT_EQ(v.acc[p], acc) << "point " << p;
    }
  }
  return worst;
}

TEST(Engine, MatchesReferenceFp64AllActivationsAndLosses) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(std::string(activation_name(c.act)) + " / " + loss_name(c.loss));
    EXPECT_LT(max_engine_error(c, Precision::FP64, {6, 5}, 2, seed), 1e-12);
  }
}

// fp32 storage and GEMMs with fp64 loss accumulation: the error is that of fp32 forward passes
// through 3 layers of width <= 9 (a few units of 2^-24 ~ 6e-8 per operation, grown by the depth
// and the loss's condition), well inside 1e-5.
TEST(Engine, MatchesReferenceFp32AllActivationsAndLosses) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(std::string(activation_name(c.act)) + " / " + loss_name(c.loss));
    EXPECT_LT(max_engine_error(c, Precision::FP32, {6, 5}, 2, seed), 1e-5);
  }
}

// k + 1 >= d switches the first layer from the factorised GEMM to materialised weights.
TEST(Engine, MaterialisedFirstLayerMatchesReference) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const Case& c :
       {Case{Activation::Tanh, LossKind::CrossEntropy}, Case{Activation::Relu, LossKind::Mse}}) {
    EXPECT_LT(max_engine_error(c, Precision::FP64, {5}, 9, seed), 1e-12);
    EXPECT_LT(max_engine_error(c, Precision::FP32, {5}, 9, seed), 1e-5);
  }
}

TEST(Engine, OneLayerAndThreeDirections) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  EXPECT_LT(
      max_engine_error({Activation::Identity, LossKind::Logistic}, Precision::FP64, {}, 3, seed),
      1e-12);
  EXPECT_LT(
      max_engine_error({Activation::Gelu, LossKind::Hinge}, Precision::FP64, {7, 3, 5}, 3, seed),
      1e-12);
}

TEST(Engine, ZeroDirectionsEvaluatesTheModelItself) {
  const uint64_t seed = fresh_seed();
  const Model model = random_model({4, 3, 2}, Activation::Tanh, LossKind::CrossEntropy, seed);
  const Dataset data = random_data(model.spec, 40, seed);
  const Targets targets = make_targets(model.spec, data, "random");
  const std::vector<Direction> dirs;
  EvalSetup setup;
  setup.model = &model;
  setup.directions = &dirs;
  setup.data = &data;
  setup.targets = &targets;
  setup.precision = Precision::FP64;
  auto backend = make_cpu_backend(setup);
  double loss = NAN, acc = NAN, ref = 0, ref_acc = 0;
  backend->evaluate(nullptr, 1, &loss, &acc);
  reference_evaluate(model, dirs, data, targets, nullptr, &ref, &ref_acc);
  EXPECT_LT(rel_err(loss, ref), 1e-12);
}

// The tile changes how the points are grouped, never a point's numbers: bit-identical in fp64
// and fp32. The chunk changes the shapes of the BLAS calls, whose kernels may round differently
// at the edges; the per-point sums still run over the samples in order, so results agree to a
// few units of rounding: 1e-13 in fp64, 1e-6 in fp32.
TEST(Engine, TileAndChunkSizeDoNotChangeResults) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Model model =
      random_model({12, 8, 6, 3}, Activation::Softplus, LossKind::CrossEntropy, seed);
  const Dataset data = random_data(model.spec, 301, seed);
  const Targets targets = make_targets(model.spec, data, "random");
  const auto dirs = random_directions(model, 2, seed);
  const auto coeffs = random_points(37, 2, seed);
  auto run = [&](Precision prec, int64_t tile, int64_t chunk) {
    EvalSetup setup;
    setup.model = &model;
    setup.directions = &dirs;
    setup.data = &data;
    setup.targets = &targets;
    setup.precision = prec;
    setup.tile = tile;
    setup.chunk = chunk;
    auto backend = make_cpu_backend(setup);
    return evaluate_points(*backend, coeffs, 2);
  };
  for (Precision prec : {Precision::FP64, Precision::FP32}) {
    const PointValues base = run(prec, 0, 64);
    for (int64_t tile : {1, 5, 37}) {
      const PointValues v = run(prec, tile, 64);
      for (size_t p = 0; p < base.loss.size(); ++p) {
        EXPECT_EQ(v.loss[p], base.loss[p]) << "tile " << tile << " point " << p;
        EXPECT_EQ(v.acc[p], base.acc[p]);
      }
    }
    const double bound = prec == Precision::FP64 ? 1e-13 : 1e-6;
    for (int64_t chunk : {7, 128, 301}) {
      const PointValues v = run(prec, 5, chunk);
      for (size_t p = 0; p < base.loss.size(); ++p)
        EXPECT_LT(rel_err(v.loss[p], base.loss[p]), bound) << "chunk " << chunk << " point " << p;
    }
  }
}

TEST(Engine, MemoryBudgetTooSmallIsAClearError) {
  const uint64_t seed = fresh_seed();
  const Model model = random_model({20, 16, 3}, Activation::Relu, LossKind::CrossEntropy, seed);
  const Dataset data = random_data(model.spec, 100, seed);
  const Targets targets = make_targets(model.spec, data, "random");
  const auto dirs = random_directions(model, 2, seed);
  EvalSetup setup;
  setup.model = &model;
  setup.directions = &dirs;
  setup.data = &data;
  setup.targets = &targets;
  setup.max_memory = 100;  // bytes
  try {
    make_cpu_backend(setup);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--max-memory"), std::string::npos) << e.what();
  }
}

TEST(Engine, CpuRejectsTensorCoreModes) {
  const uint64_t seed = fresh_seed();
  const Model model = random_model({4, 2}, Activation::Identity, LossKind::CrossEntropy, seed);
  const Dataset data = random_data(model.spec, 10, seed);
  const Targets targets = make_targets(model.spec, data, "random");
  const std::vector<Direction> dirs;
  EvalSetup setup;
  setup.model = &model;
  setup.directions = &dirs;
  setup.data = &data;
  setup.targets = &targets;
  setup.precision = Precision::BF16;
  EXPECT_THROW(make_cpu_backend(setup), InputError);
}

}  // namespace
}  // namespace lscan
