// Small helpers shared by the benchmark programs: wall time, medians, the CPU's name.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "host/core/rng.h"
#include "host/data/dataset.h"
#include "host/model/model.h"

namespace lscan::bench {

inline double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline std::string cpu_name() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

// A ReLU MLP with cross-entropy, widths {d, n_1, ..., m}, weights U(-1/sqrt(in), 1/sqrt(in))
// from Rng(seed, 0).
inline Model make_mlp(const std::vector<int>& widths, uint64_t seed) {
  ModelSpec spec;
  spec.input_dim = widths[0];
  spec.loss = LossKind::CrossEntropy;
  for (size_t l = 1; l < widths.size(); ++l) {
    DenseLayer layer;
    layer.in = widths[l - 1];
    layer.out = widths[l];
    layer.act = l + 1 == widths.size() ? Activation::Identity : Activation::Relu;
    layer.module_index = static_cast<int>(2 * (l - 1));
    spec.layers.push_back(layer);
  }
  Model m = make_model(spec);
  Rng rng(seed, 0);
  for (const auto& t : m.tensors) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(m.spec.layers[t.layer].in));
    for (int64_t i = 0; i < t.size; ++i) m.theta[t.offset + i] = rng.uniform(-bound, bound);
  }
  return m;
}

// `samples` pixel-like samples for an MLP with widths {d, ..., m}: features U[0, 1) and uniform
// class labels below m, from Rng(2, 0).
inline Dataset make_pixel_data(const std::vector<int>& widths, int64_t samples) {
  Dataset data;
  data.n = samples;
  data.d = widths[0];
  data.X.resize(static_cast<size_t>(samples * data.d));
  data.Y.resize(static_cast<size_t>(samples));
  Rng rng(2, 0);
  for (double& x : data.X) x = rng.uniform();
  for (double& y : data.Y) y = static_cast<double>(rng.below(static_cast<uint64_t>(widths.back())));
  data.num_classes = widths.back();
  return data;
}

}  // namespace lscan::bench
