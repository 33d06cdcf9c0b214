// The engine tests, written once and instantiated per backend (test_engine.cpp: the CPU,
// test_gpu_engine.cpp: CUDA). Each instantiation compares its backend with the per-point fp64
// reference on fresh random models, directions and points, for every activation and loss.
//
// A backend is described by a type with
//   static bool available();                    false: every test skips, naming the reason
//   static const char* unavailable_reason();
//   static bool supports(Precision);            an unsupported mode must be an InputError
//   static std::unique_ptr<Backend> make(const EvalSetup&);
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/engine/backend.h"
#include "host/engine/reference.h"
#include "host/engine/scan.h"
#include "random_problems.h"

namespace lscan::testing {

inline const Precision kAllPrecisions[] = {Precision::FP64, Precision::FP32, Precision::TF32,
                                           Precision::BF16};

// Bound on the relative error of a point's loss against the fp64 reference, for the random
// problems below (widths <= 12, 157 samples, losses of order 0.3 to 40):
//   fp64  every product and sum in fp64: a few units of 2^-53 ~ 1e-16 per operation, grown by the
//         depth and the sums over <= 12 terms, stays near 1e-14.
//   fp32  fp32 forward passes through 3 layers (a few units of 2^-24 ~ 6e-8 per operation, grown
//         by the depth and the loss's condition), fp64 loss sums: well inside 1e-5.
//   tf32  GEMM operands (data, weights, hidden activations) rounded to TF32, 11 significant bits:
//         a relative error up to 2^-11 ~ 5e-4 each, about 4 of them along a point's network, and
//         a squared loss doubles a relative error: up to ~4e-3 in the worst case. The emulation of
//         the CUDA engine's roundings in benchmarks/emulate_precision.py (seeds 0 and 1, 25,760
//         points shaped like these) gives a median of 4e-5 and a maximum of 1.9e-3; 3e-3. (With
//         the operands truncated by the tensor cores instead, the maximum is 6.4e-3; with only the
//         hidden activations truncated, as a GEMM epilogue that adds the bias and applies the
//         activation would leave them, 3.4e-3: past the bound.)
//   bf16  weights, data, stacked products and activations stored in bf16, 8 significant bits: a
//         relative rounding error up to 2^-8 ~ 4e-3 each, about 8 along the network, partly
//         cancelling. The same emulation gives a median of 3e-4 and a maximum of 1.5e-2; 3e-2.
inline double engine_tolerance(Precision p) {
  switch (p) {
    case Precision::FP64:
      return 1e-12;
    case Precision::FP32:
      return 1e-5;
    case Precision::TF32:
      return 3e-3;
    case Precision::BF16:
      return 3e-2;
  }
  return 0;
}

// A random problem and the objects an EvalSetup points to.
struct EngineProblem {
  Model model;
  Dataset data;
  Targets targets;
  std::vector<Direction> dirs;
  std::vector<double> coeffs;  // (npoints, k)
  int k = 0;

  EngineProblem(const std::vector<int>& widths, Activation act, LossKind loss, int k_dirs,
                int64_t samples, int64_t npoints, uint64_t seed)
      : model(random_model(widths, act, loss, seed)),
        data(random_data(model.spec, samples, seed)),
        targets(make_targets(model.spec, data, "random")),
        dirs(random_directions(model, k_dirs, seed)),
        coeffs(random_points(npoints, k_dirs, seed)),
        k(k_dirs) {}

  int64_t npoints() const { return k > 0 ? static_cast<int64_t>(coeffs.size()) / k : 1; }
  EvalSetup setup(Precision p, int64_t tile = 0, int64_t chunk = 0, double max_memory = 0) const {
    EvalSetup s;
    s.model = &model;
    s.directions = &dirs;
    s.data = &data;
    s.targets = &targets;
    s.precision = p;
    s.tile = tile;
    s.chunk = chunk;
    s.max_memory = max_memory;
    return s;
  }
};

// widths = {9, hidden..., m}, m = 1 for binary losses and 4 otherwise.
inline std::vector<int> case_widths(const EngineCase& c, const std::vector<int>& hidden) {
  std::vector<int> widths = {9};
  widths.insert(widths.end(), hidden.begin(), hidden.end());
  widths.push_back(loss_is_binary(c.loss) ? 1 : 4);
  return widths;
}

// Max relative error of the engine against the reference over random points, after checking
// that every point was written. In fp64 the accuracy must match exactly.
template <class Engine>
double max_engine_error(const EngineProblem& pb, const EvalSetup& setup) {
  auto backend = Engine::make(setup);
  const PointValues v = evaluate_points(*backend, pb.coeffs, pb.k);
  double worst = 0;
  for (int64_t p = 0; p < pb.npoints(); ++p) {
    double loss = 0, acc = 0;
    reference_evaluate(pb.model, pb.dirs, pb.data, pb.targets, pb.coeffs.data() + p * pb.k, &loss,
                       &acc);
    EXPECT_TRUE(std::isfinite(v.loss[p])) << "point " << p << " was not written";
    worst = std::max(worst, rel_err(v.loss[p], loss));
    if (setup.precision == Precision::FP64) {
      EXPECT_EQ(v.acc[p], acc) << "point " << p;
    }
  }
  return worst;
}

// For each activation and loss: a supported precision within its bound, an unsupported one
// refused with an InputError.
template <class Engine>
void check_all_cases(Precision prec, const std::vector<int>& hidden, int k, uint64_t seed) {
  for (const EngineCase& c : all_engine_cases()) {
    SCOPED_TRACE(std::string(activation_name(c.act)) + " / " + loss_name(c.loss) + " / " +
                 precision_name(prec));
    const EngineProblem pb(case_widths(c, hidden), c.act, c.loss, k, 157, 23, seed);
    if (!Engine::supports(prec)) {
      EXPECT_THROW(Engine::make(pb.setup(prec)), InputError);
      return;
    }
    EXPECT_LT(max_engine_error<Engine>(pb, pb.setup(prec)), engine_tolerance(prec));
  }
}

// A device backend against the CPU backend on the same problems, every activation, loss and
// precision. Against the CPU at the same precision: fp64 1e-12 (both within ~1e-14 of the exact
// value), fp32 1e-5 (both within ~1e-6: fp32 forward passes with different summation orders and
// FMA use). tf32 and bf16 against the CPU's fp32, with their bounds from engine_tolerance (the
// fp32 error is 100 times smaller).
template <class Engine>
void expect_matches_cpu_backend(uint64_t seed) {
  for (const EngineCase& c : all_engine_cases()) {
    SCOPED_TRACE(std::string(activation_name(c.act)) + " / " + loss_name(c.loss));
    const EngineProblem pb(case_widths(c, {6, 5}), c.act, c.loss, 2, 157, 23, seed);
    for (Precision prec : kAllPrecisions) {
      SCOPED_TRACE(precision_name(prec));
      const Precision cpu_prec = prec == Precision::FP64 ? Precision::FP64 : Precision::FP32;
      auto cpu = make_cpu_backend(pb.setup(cpu_prec));
      auto dev = Engine::make(pb.setup(prec));
      const PointValues want = evaluate_points(*cpu, pb.coeffs, pb.k);
      const PointValues got = evaluate_points(*dev, pb.coeffs, pb.k);
      for (int64_t p = 0; p < pb.npoints(); ++p) {
        ASSERT_TRUE(std::isfinite(got.loss[p])) << "point " << p << " was not written";
        EXPECT_LT(rel_err(got.loss[p], want.loss[p]), engine_tolerance(prec)) << "point " << p;
        if (prec == Precision::FP64) {
          EXPECT_EQ(got.acc[p], want.acc[p]) << "point " << p;
        }
      }
    }
  }
}

// fp64 scans at the widths of real scans give the same bits in tiles of 1, 7 and `points`
// points (one chunk of `samples`), on both first-layer paths: factorised (k = 2 < d = 64) and
// materialised (k = 3 > d = 3).
template <class Engine>
void expect_fp64_tiles_identical_at_scan_widths(int64_t samples, int64_t points, uint64_t seed) {
  for (const auto& [widths, k] : {std::pair<std::vector<int>, int>{{64, 256, 256, 10}, 2},
                                  std::pair<std::vector<int>, int>{{3, 512, 512, 10}, 3}}) {
    SCOPED_TRACE("input width " + std::to_string(widths[0]));
    const EngineProblem pb(widths, Activation::Tanh, LossKind::CrossEntropy, k, samples, points,
                           seed);
    std::vector<PointValues> runs;
    for (int64_t tile : {int64_t(1), int64_t(7), points}) {
      auto backend = Engine::make(pb.setup(Precision::FP64, tile, samples));
      runs.push_back(evaluate_points(*backend, pb.coeffs, pb.k));
    }
    for (size_t r = 1; r < runs.size(); ++r)
      for (int64_t p = 0; p < pb.npoints(); ++p)
        EXPECT_EQ(runs[r].loss[p], runs[0].loss[p]) << "tile run " << r << " point " << p;
  }
}

template <class Impl>
class Engine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Impl::available()) GTEST_SKIP() << Impl::unavailable_reason();
  }
};

TYPED_TEST_SUITE_P(Engine);

TYPED_TEST_P(Engine, MatchesReferenceFp64AllActivationsAndLosses) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  check_all_cases<TypeParam>(Precision::FP64, {6, 5}, 2, seed);
}

TYPED_TEST_P(Engine, MatchesReferenceFp32AllActivationsAndLosses) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  check_all_cases<TypeParam>(Precision::FP32, {6, 5}, 2, seed);
}

TYPED_TEST_P(Engine, MatchesReferenceTf32AllActivationsAndLosses) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  check_all_cases<TypeParam>(Precision::TF32, {6, 5}, 2, seed);
}

TYPED_TEST_P(Engine, MatchesReferenceBf16AllActivationsAndLosses) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  check_all_cases<TypeParam>(Precision::BF16, {6, 5}, 2, seed);
}

// k + 1 >= d switches the first layer from the factorised product to materialised weights.
TYPED_TEST_P(Engine, MaterialisedFirstLayerMatchesReference) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const EngineCase& c : {EngineCase{Activation::Tanh, LossKind::CrossEntropy},
                              EngineCase{Activation::Relu, LossKind::Mse}}) {
    const EngineProblem pb(case_widths(c, {5}), c.act, c.loss, 9, 157, 23, seed);
    for (Precision prec : kAllPrecisions) {
      if (!TypeParam::supports(prec)) continue;
      SCOPED_TRACE(precision_name(prec));
      EXPECT_LT(max_engine_error<TypeParam>(pb, pb.setup(prec)), engine_tolerance(prec));
    }
  }
}

// One layer: the first layer's output is the network's output. Three layers: the hidden buffers
// take turns.
TYPED_TEST_P(Engine, OneLayerAndThreeDirections) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const EngineProblem one({9, 1}, Activation::Identity, LossKind::Logistic, 3, 157, 23, seed);
  const EngineProblem deep({9, 7, 3, 5, 4}, Activation::Gelu, LossKind::Hinge, 3, 157, 23, seed);
  for (Precision prec : kAllPrecisions) {
    if (!TypeParam::supports(prec)) continue;
    SCOPED_TRACE(precision_name(prec));
    EXPECT_LT(max_engine_error<TypeParam>(one, one.setup(prec)), engine_tolerance(prec));
    EXPECT_LT(max_engine_error<TypeParam>(deep, deep.setup(prec)), engine_tolerance(prec));
  }
}

// Five directions on 9 inputs: the factorised first layer with more terms than the unrolled
// 1- to 3-direction paths.
TYPED_TEST_P(Engine, FiveDirectionsFactorised) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const EngineProblem p({9, 6, 4}, Activation::Softplus, LossKind::CrossEntropy, 5, 157, 23, seed);
  for (Precision prec : kAllPrecisions) {
    if (!TypeParam::supports(prec)) continue;
    SCOPED_TRACE(precision_name(prec));
    EXPECT_LT(max_engine_error<TypeParam>(p, p.setup(prec)), engine_tolerance(prec));
  }
}

TYPED_TEST_P(Engine, ZeroDirectionsEvaluatesTheModelItself) {
  const uint64_t seed = fresh_seed();
  const EngineProblem pb({4, 3, 2}, Activation::Tanh, LossKind::CrossEntropy, 0, 40, 1, seed);
  auto backend = TypeParam::make(pb.setup(Precision::FP64));
  double loss = NAN, acc = NAN, ref = 0, ref_acc = 0;
  backend->evaluate(nullptr, 1, &loss, &acc);
  reference_evaluate(pb.model, pb.dirs, pb.data, pb.targets, nullptr, &ref, &ref_acc);
  EXPECT_LT(rel_err(loss, ref), 1e-12);
  EXPECT_EQ(acc, ref_acc);
}

// Outputs poisoned with NaN: every point of a full tile is written, and nothing past it.
TYPED_TEST_P(Engine, EveryPointIsWrittenAndNoMore) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const EngineProblem pb({9, 6, 4}, Activation::Relu, LossKind::CrossEntropy, 2, 157, 13, seed);
  for (Precision prec : kAllPrecisions) {
    if (!TypeParam::supports(prec)) continue;
    SCOPED_TRACE(precision_name(prec));
    auto backend = TypeParam::make(pb.setup(prec, 13));
    ASSERT_EQ(backend->max_tile(), 13);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> loss(14, nan), acc(14, nan);
    backend->evaluate(pb.coeffs.data(), 13, loss.data(), acc.data());
    for (int p = 0; p < 13; ++p) {
      EXPECT_TRUE(std::isfinite(loss[p])) << "point " << p << " was not written";
      EXPECT_TRUE(acc[p] >= 0 && acc[p] <= 1) << "point " << p << ": accuracy " << acc[p];
    }
    EXPECT_TRUE(std::isnan(loss[13]) && std::isnan(acc[13])) << "written past the tile";
  }
}

// Accuracies of one point from two runs whose logits differ by rounding: a sample whose top two
// logits lie within that rounding of each other may be classified either way. In fp32 on a GPU,
// where cuBLAS may pick another kernel for another tile or chunk, that is about 3e-7 of the
// samples, so a run of a few hundred thousand sample evaluations can meet one; one sample of n is
// allowed.
inline void expect_same_accuracy(double got, double want, int64_t n) {
  EXPECT_NEAR(got, want, 1.0 / static_cast<double>(n) + 1e-12);
}

// The results of a problem for each (tile, chunk) cut.
template <class Engine>
std::vector<PointValues> runs_for_cuts(const EngineProblem& pb, Precision prec,
                                       const std::vector<std::pair<int64_t, int64_t>>& cuts) {
  std::vector<PointValues> runs;
  for (auto [tile, chunk] : cuts) {
    auto backend = Engine::make(pb.setup(prec, tile, chunk));
    runs.push_back(evaluate_points(*backend, pb.coeffs, pb.k));
  }
  return runs;
}

// Tiles change which points are evaluated together, never a point's numbers: fp64 bit-identical,
// fp32 within 1e-6. A point's arithmetic is the same whatever the tile; the loss is summed per
// point over the samples in order.
TYPED_TEST_P(Engine, TileSizeDoesNotChangeResults) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const EngineProblem pb({12, 8, 6, 3}, Activation::Softplus, LossKind::CrossEntropy, 2, 301, 37,
                         seed);
  for (Precision prec : {Precision::FP64, Precision::FP32}) {
    SCOPED_TRACE(precision_name(prec));
    const auto runs = runs_for_cuts<TypeParam>(pb, prec, {{1, 64}, {5, 64}, {37, 64}});
    for (size_t r = 1; r < runs.size(); ++r)
      for (size_t p = 0; p < runs[0].loss.size(); ++p) {
        if (prec == Precision::FP64) {
          EXPECT_EQ(runs[r].loss[p], runs[0].loss[p]) << "run " << r << " point " << p;
          EXPECT_EQ(runs[r].acc[p], runs[0].acc[p]) << "run " << r << " point " << p;
        } else {
          EXPECT_LT(rel_err(runs[r].loss[p], runs[0].loss[p]), 1e-6)
              << "run " << r << " point " << p;
          expect_same_accuracy(runs[r].acc[p], runs[0].acc[p], pb.data.n);
        }
      }
  }
}

// Chunks change the width of each layer's GEMM, and a BLAS may round a column differently in
// another blocking (OpenBLAS does, by an ulp, in its edge kernels); the per-point sum over samples
// keeps its order. So fp64 agrees to a few ulp of the loss, fp32 within 1e-6.
TYPED_TEST_P(Engine, ChunkSizeChangesOnlyRounding) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const EngineProblem pb({12, 8, 6, 3}, Activation::Softplus, LossKind::CrossEntropy, 2, 301, 37,
                         seed);
  for (Precision prec : {Precision::FP64, Precision::FP32}) {
    SCOPED_TRACE(precision_name(prec));
    const auto runs = runs_for_cuts<TypeParam>(pb, prec, {{0, 0}, {37, 301}, {5, 64}, {37, 7}});
    const double tol = prec == Precision::FP64 ? 1e-14 : 1e-6;
    for (size_t r = 1; r < runs.size(); ++r)
      for (size_t p = 0; p < runs[0].loss.size(); ++p) {
        EXPECT_LT(rel_err(runs[r].loss[p], runs[0].loss[p]), tol) << "run " << r << " point " << p;
        if (prec == Precision::FP64) {
          EXPECT_EQ(runs[r].acc[p], runs[0].acc[p]) << "run " << r << " point " << p;
        } else {
          expect_same_accuracy(runs[r].acc[p], runs[0].acc[p], pb.data.n);
        }
      }
  }
}

// A budget of 40 KiB: small chunks and tiles of a few points. The data (301 samples, 31 KB in
// fp64) then takes more than half the budget, so the CUDA backend streams it through its two
// chunk slots instead of keeping it on the device.
TYPED_TEST_P(Engine, SmallMemoryBudgetMatchesReference) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const EngineProblem pb({12, 8, 6, 3}, Activation::Tanh, LossKind::CrossEntropy, 2, 301, 11, seed);
  const EvalSetup setup = pb.setup(Precision::FP64, 0, 0, 40 * 1024);
  auto backend = TypeParam::make(setup);
  EXPECT_LT(backend->chunk(), 301);
  EXPECT_LT(max_engine_error<TypeParam>(pb, setup), 1e-12);
}

TYPED_TEST_P(Engine, MemoryBudgetTooSmallIsAClearError) {
  const uint64_t seed = fresh_seed();
  const EngineProblem pb({20, 16, 3}, Activation::Relu, LossKind::CrossEntropy, 2, 100, 1, seed);
  try {
    TypeParam::make(pb.setup(Precision::FP32, 0, 0, 100));  // 100 bytes
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--max-memory"), std::string::npos) << e.what();
  }
}

REGISTER_TYPED_TEST_SUITE_P(Engine, MatchesReferenceFp64AllActivationsAndLosses,
                            MatchesReferenceFp32AllActivationsAndLosses,
                            MatchesReferenceTf32AllActivationsAndLosses,
                            MatchesReferenceBf16AllActivationsAndLosses,
                            MaterialisedFirstLayerMatchesReference, OneLayerAndThreeDirections,
                            FiveDirectionsFactorised, ZeroDirectionsEvaluatesTheModelItself,
                            EveryPointIsWrittenAndNoMore, TileSizeDoesNotChangeResults,
                            ChunkSizeChangesOnlyRounding, SmallMemoryBudgetMatchesReference,
                            MemoryBudgetTooSmallIsAClearError);

}  // namespace lscan::testing
