// Small helpers shared by the benchmark programs: wall time, medians, the CPU's name.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
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

// "a,b,,c" -> {"a", "b", "c"}
inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  for (size_t p = 0; p <= s.size();) {
    const size_t q = std::min(s.find(sep, p), s.size());
    if (q > p) out.push_back(s.substr(p, q - p));
    p = q + 1;
  }
  return out;
}

// "784-128-10" -> {784, 128, 10}
inline std::vector<int> parse_widths(const std::string& spec) {
  std::vector<int> widths;
  for (const std::string& w : split(spec, '-')) widths.push_back(std::stoi(w));
  return widths;
}

// "--name value" pairs into the variables registered for them:
//   Flags f;  f.add("--runs", &runs).add("--models", &models);
//   if (!f.parse(argc, argv)) return 2;
class Flags {
 public:
  Flags& add(const std::string& name, int* v) {
    set_[name] = [v](const std::string& s) { *v = std::stoi(s); };
    return *this;
  }
  Flags& add(const std::string& name, int64_t* v) {
    set_[name] = [v](const std::string& s) { *v = std::stoll(s); };
    return *this;
  }
  Flags& add(const std::string& name, std::string* v) {
    set_[name] = [v](const std::string& s) { *v = s; };
    return *this;
  }
  // False, with a message on stderr, on an unknown flag, a flag without a value or a bad number.
  bool parse(int argc, char** argv) const {
    for (int i = 1; i < argc; i += 2) {
      const auto it = set_.find(argv[i]);
      if (it == set_.end() || i + 1 >= argc) {
        std::fprintf(stderr, "%s: unknown option or missing value: %s\n", argv[0], argv[i]);
        return false;
      }
      try {
        it->second(argv[i + 1]);
      } catch (const std::exception&) {
        std::fprintf(stderr, "%s: %s expects a number, got '%s'\n", argv[0], argv[i], argv[i + 1]);
        return false;
      }
    }
    return true;
  }

 private:
  std::map<std::string, std::function<void(const std::string&)>> set_;
};

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
