// Fresh random models, data and directions for the engine tests. Each test draws a new seed (from
// std::random_device) and prints it on failure, so a failure can be replayed.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "host/core/rng.h"
#include "host/data/dataset.h"
#include "host/grid/direction.h"
#include "host/model/model.h"
#include "host/model/targets.h"

namespace lscan::testing {

// Every activation with every loss, for suites that test each combination.
struct EngineCase {
  Activation act;
  LossKind loss;
};

inline std::vector<EngineCase> all_engine_cases() {
  const Activation acts[] = {Activation::Identity, Activation::Relu,    Activation::LeakyRelu,
                             Activation::Tanh,     Activation::Sigmoid, Activation::Gelu,
                             Activation::Softplus};
  const LossKind losses[] = {LossKind::CrossEntropy, LossKind::Mse, LossKind::Hinge,
                             LossKind::Logistic, LossKind::SigmoidMse};
  std::vector<EngineCase> out;
  for (Activation a : acts)
    for (LossKind l : losses) out.push_back({a, l});
  return out;
}

// LSCAN_TEST_SEED=<seed> replays a failure.
inline uint64_t fresh_seed() {
  if (const char* replay = std::getenv("LSCAN_TEST_SEED"))
    return std::strtoull(replay, nullptr, 10);
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

// widths = {d, n_1, ..., n_L}; every layer gets activation `act` except the last (identity).
inline Model random_model(const std::vector<int>& widths, Activation act, LossKind loss,
                          uint64_t seed, bool bias = true) {
  ModelSpec spec;
  spec.input_dim = widths[0];
  spec.loss = loss;
  int module = 0;
  for (size_t l = 1; l < widths.size(); ++l) {
    DenseLayer layer;
    layer.in = widths[l - 1];
    layer.out = widths[l];
    layer.bias = bias;
    layer.module_index = module;
    const bool last = l + 1 == widths.size();
    layer.act = last ? Activation::Identity : act;
    layer.alpha = 0.07;
    module += last || act == Activation::Identity ? 1 : 2;
    spec.layers.push_back(layer);
  }
  Model m = make_model(spec);
  Rng rng(seed, 1);
  for (const TensorInfo& t : m.tensors) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(m.spec.layers[t.layer].in));
    for (int64_t i = 0; i < t.size; ++i) m.theta[t.offset + i] = scale * rng.normal();
  }
  return m;
}

// Data that fits the model's loss: class labels, binary targets or float targets.
inline Dataset random_data(const ModelSpec& spec, int64_t n, uint64_t seed) {
  Dataset d;
  d.n = n;
  d.d = spec.input_dim;
  Rng rng(seed, 2);
  d.X.resize(static_cast<size_t>(n * d.d));
  for (double& x : d.X) x = rng.normal();
  const int m = spec.output_dim();
  if (spec.loss == LossKind::Mse) {
    d.classification = false;
    d.ty = m;
    d.num_classes = 0;
    d.Y.resize(static_cast<size_t>(n * m));
    for (double& y : d.Y) y = rng.normal();
  } else {
    const int classes = loss_is_binary(spec.loss) ? 2 : m;
    d.classification = true;
    d.ty = 1;
    d.num_classes = classes;
    d.Y.resize(static_cast<size_t>(n));
    for (double& y : d.Y) y = static_cast<double>(rng.below(static_cast<uint64_t>(classes)));
  }
  d.description = "random";
  return d;
}

inline std::vector<Direction> random_directions(const Model& m, int k, uint64_t seed) {
  std::vector<Direction> dirs;
  for (int i = 0; i < k; ++i)
    dirs.push_back(random_direction(m, seed, i, DirNorm::Filter, BiasMode::Keep));
  return dirs;
}

// (npoints, k) coefficients uniform in [-1, 1].
inline std::vector<double> random_points(int64_t npoints, int k, uint64_t seed) {
  Rng rng(seed, 3);
  std::vector<double> c(static_cast<size_t>(npoints * k));
  for (double& x : c) x = rng.uniform(-1.0, 1.0);
  return c;
}

// |a - ref|_inf / |ref|_inf
inline double max_rel_err(const std::vector<double>& a, const std::vector<double>& ref) {
  double err = 0.0, scale = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    err = std::max(err, std::fabs(a[i] - ref[i]));
    scale = std::max(scale, std::fabs(ref[i]));
  }
  return err / scale;
}

inline double rel_err(double a, double ref) {
  return std::fabs(a - ref) / std::max(std::fabs(ref), 1e-300);
}

}  // namespace lscan::testing
