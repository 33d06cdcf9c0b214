#include "host/data/generators.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/core/rng.h"
#include "host/data/reader.h"
#include "kernels/activations.cuh"

namespace lscan {

namespace {

constexpr const char* kGenerators[] = {"blobs", "spirals", "xor", "teacher"};
constexpr double kTwoPi = 6.283185307179586476925;
constexpr int64_t kMaxSamples = 100000000;
constexpr int64_t kMaxValues = 1000000000;  // n * dim

// The shortest decimal that reads back as v: 1, 0.1, 2.5e-07.
std::string number_str(double v) {
  std::string s;
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream os;
    os.precision(precision);
    os << v;
    s = os.str();
    if (std::strtod(s.c_str(), nullptr) == v) break;
  }
  return s;
}

// "name:key=value,key=value" with typed, range-checked look-ups. Keys that no look-up asked for
// are rejected by finish(), which also builds the description from the values looked up.
class SpecArgs {
 public:
  SpecArgs(const std::string& spec, const std::string& flag) : spec_(spec), flag_(flag) {
    const size_t colon = spec.find(':');
    name_ = trim(spec.substr(0, colon));
    if (colon == std::string::npos) return;
    std::istringstream in(spec.substr(colon + 1));
    std::string item;
    while (std::getline(in, item, ',')) {
      const size_t eq = item.find('=');
      const std::string key = trim(item.substr(0, eq));
      if (eq == std::string::npos || key.empty())
        fail(trim(item), "expected key=value, e.g. n=1000");
      for (const auto& kv : given_)
        if (kv.first == key) fail(key, "given twice");
      given_.emplace_back(key, trim(item.substr(eq + 1)));
    }
  }

  const std::string& name() const { return name_; }

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    input_error("", flag_, "'" + spec_ + "': " + key + ": " + what);
  }

  // A whole number in [lo, hi]; "1e4" is accepted.
  int64_t integer(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
    int64_t v = def;
    if (const std::string* text = lookup(key)) {
      char* end = nullptr;
      const double x = std::strtod(text->c_str(), &end);
      if (text->empty() || *end != '\0' || !(x >= static_cast<double>(lo)) ||
          !(x <= static_cast<double>(hi)) || x != std::floor(x))
        fail(key, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                      ", found '" + *text + "'");
      v = static_cast<int64_t>(x);
    }
    record(key, std::to_string(v));
    return v;
  }

  double real(const std::string& key, double def, double lo, double hi) {
    double v = def;
    if (const std::string* text = lookup(key)) {
      char* end = nullptr;
      v = std::strtod(text->c_str(), &end);
      if (text->empty() || *end != '\0' || !(v >= lo && v <= hi))
        fail(key, "expected a number from " + number_str(lo) + " to " + number_str(hi) +
                      ", found '" + *text + "'");
    }
    record(key, number_str(v));
    return v;
  }

  uint64_t seed() {
    uint64_t v = 0;
    if (const std::string* text = lookup("seed")) {
      char* end = nullptr;
      errno = 0;
      v = std::strtoull(text->c_str(), &end, 10);
      if (text->empty() || (*text)[0] < '0' || (*text)[0] > '9' || *end != '\0' || errno == ERANGE)
        fail("seed", "expected an integer from 0 to 2^64 - 1, found '" + *text + "'");
    }
    record("seed", std::to_string(v));
    return v;
  }

  // Rejects keys nobody looked up; returns "name(k=v, ...)".
  std::string finish() const {
    for (const auto& kv : given_) {
      bool known = false;
      for (const auto& r : resolved_) known = known || r.first == kv.first;
      if (!known) {
        std::string keys;
        for (const auto& r : resolved_) keys += (keys.empty() ? "" : ", ") + r.first;
        fail(kv.first, "unknown key; " + name_ + " takes " + keys);
      }
    }
    std::string d = name_ + "(";
    for (size_t i = 0; i < resolved_.size(); ++i)
      d += (i > 0 ? ", " : "") + resolved_[i].first + "=" + resolved_[i].second;
    return d + ")";
  }

 private:
  const std::string* lookup(const std::string& key) const {
    for (const auto& kv : given_)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
  void record(const std::string& key, const std::string& value) {
    resolved_.emplace_back(key, value);
  }

  std::string spec_;
  std::string flag_;  // the option that gave the spec: --data or --test-data
  std::string name_;
  std::vector<std::pair<std::string, std::string>> given_;
  std::vector<std::pair<std::string, std::string>> resolved_;
};

int64_t sample_count(SpecArgs& a) {
  return a.integer("n", 1000, 1, kMaxSamples);
}

int feature_count(SpecArgs& a, int64_t n, int64_t def) {
  const int64_t dim = a.integer("dim", def, 1, 100000);
  if (n * dim > kMaxValues)
    a.fail("dim", "n * dim = " + std::to_string(n * dim) + " values is more than the limit " +
                      std::to_string(kMaxValues));
  return static_cast<int>(dim);
}

// Class counts where labels go round-robin: every class needs a sample.
int round_robin_classes(SpecArgs& a, int64_t n, int64_t def) {
  const int64_t classes = a.integer("classes", def, 2, static_cast<int64_t>(kMaxClassLabel));
  if (classes > n)
    a.fail("classes", std::to_string(classes) +
                          " classes need at least as many samples, n = " + std::to_string(n));
  return static_cast<int>(classes);
}

// X (n, d) and Y (n, 1) zero-filled, for a generator to fill.
Dataset make_dataset(int64_t n, int d, std::string description) {
  Dataset ds;
  ds.n = n;
  ds.d = d;
  ds.X.resize(static_cast<size_t>(n) * static_cast<size_t>(d));
  ds.Y.resize(static_cast<size_t>(n));
  ds.description = std::move(description);
  return ds;
}

// Y holds class indices: sets classification and num_classes.
void mark_class_labels(Dataset& ds) {
  assign_targets(ds, std::move(ds.Y), 1, true, "");
}

Dataset blobs(SpecArgs& a) {
  const int64_t n = sample_count(a);
  const int dim = feature_count(a, n, 2);
  const int classes = round_robin_classes(a, n, 3);
  const double spread = a.real("spread", 1.0, 0.0, 1e6);
  const uint64_t seed = a.seed();

  Rng centre_rng(seed, 0), noise_rng(seed, 1);
  std::vector<double> centres(static_cast<size_t>(classes) * dim);  // (classes, dim)
  for (double& c : centres) c = centre_rng.uniform(-5.0, 5.0);
  Dataset ds = make_dataset(n, dim, a.finish());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = i % classes;
    for (int j = 0; j < dim; ++j)
      ds.X[i * dim + j] = centres[k * dim + j] + spread * noise_rng.normal();
    ds.Y[i] = static_cast<double>(k);
  }
  mark_class_labels(ds);
  return ds;
}

Dataset spirals(SpecArgs& a) {
  const int64_t n = sample_count(a);
  const int classes = round_robin_classes(a, n, 2);
  const double noise = a.real("noise", 0.1, 0.0, 1e6);
  const double turns = a.real("turns", 1.5, 1e-3, 1e3);
  const uint64_t seed = a.seed();

  Rng position_rng(seed, 0), noise_rng(seed, 1);
  Dataset ds = make_dataset(n, 2, a.finish());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = i % classes;
    const double t = position_rng.uniform();
    const double angle = kTwoPi * (turns * t + static_cast<double>(k) / classes);
    ds.X[2 * i] = t * std::cos(angle) + noise * noise_rng.normal();
    ds.X[2 * i + 1] = t * std::sin(angle) + noise * noise_rng.normal();
    ds.Y[i] = static_cast<double>(k);
  }
  mark_class_labels(ds);
  return ds;
}

Dataset xor_quadrants(SpecArgs& a) {
  const int64_t n = sample_count(a);
  const double noise = a.real("noise", 0.1, 0.0, 1e6);
  const uint64_t seed = a.seed();

  Rng position_rng(seed, 0), noise_rng(seed, 1);
  Dataset ds = make_dataset(n, 2, a.finish());
  for (int64_t i = 0; i < n; ++i) {
    const double x1 = position_rng.uniform(-1.0, 1.0);
    const double x2 = position_rng.uniform(-1.0, 1.0);
    ds.Y[i] = x1 * x2 > 0 ? 1.0 : 0.0;
    ds.X[2 * i] = x1 + noise * noise_rng.normal();
    ds.X[2 * i + 1] = x2 + noise * noise_rng.normal();
  }
  mark_class_labels(ds);
  return ds;
}

Dataset teacher(SpecArgs& a) {
  const int64_t n = sample_count(a);
  const int dim = feature_count(a, n, 10);
  const int hidden = static_cast<int>(a.integer("hidden", 16, 1, 100000));
  const int64_t classes = a.integer("classes", 2, 0, static_cast<int64_t>(kMaxClassLabel));
  if (classes == 1) a.fail("classes", "expected 0 (regression) or at least 2 classes, found 1");
  const double noise = a.real("noise", 0.0, 0.0, 1e6);
  const uint64_t seed = a.seed();
  const int m = classes == 0 ? 1 : static_cast<int>(classes);

  Rng x_rng(seed, 0), weight_rng(seed, 1), noise_rng(seed, 2);
  Dataset ds = make_dataset(n, dim, a.finish());
  for (double& x : ds.X) x = x_rng.normal();
  std::vector<double> w1(static_cast<size_t>(hidden) * dim);  // (hidden, dim)
  std::vector<double> w2(static_cast<size_t>(m) * hidden);    // (m, hidden)
  for (double& w : w1) w = weight_rng.normal() / std::sqrt(static_cast<double>(dim));
  for (double& w : w2) w = weight_rng.normal() / std::sqrt(static_cast<double>(hidden));

  std::vector<double> h(static_cast<size_t>(hidden)), z(static_cast<size_t>(m));
  for (int64_t i = 0; i < n; ++i) {
    const double* x = &ds.X[i * dim];
    for (int r = 0; r < hidden; ++r) {
      double s = 0;
      for (int j = 0; j < dim; ++j) s += w1[r * dim + j] * x[j];
      h[r] = activate(Activation::Tanh, s, 0.0);
    }
    for (int k = 0; k < m; ++k) {
      double s = 0;
      for (int r = 0; r < hidden; ++r) s += w2[k * hidden + r] * h[r];
      z[k] = s + noise * noise_rng.normal();
    }
    int best = 0;
    for (int k = 1; k < m; ++k)
      if (z[k] > z[best]) best = k;
    ds.Y[i] = classes == 0 ? z[0] : best;
  }
  if (classes == 0) {
    ds.classification = false;  // float targets, even where one happens to be whole
  } else {
    mark_class_labels(ds);
  }
  return ds;
}

}  // namespace

bool is_generator_spec(const std::string& spec) {
  for (const char* name : kGenerators) {
    const std::string g = name;
    if (spec.compare(0, g.size(), g) == 0 && (spec.size() == g.size() || spec[g.size()] == ':'))
      return true;
  }
  return false;
}

Dataset generate_dataset(const std::string& spec, const std::string& flag) {
  SpecArgs args(spec, flag);
  if (args.name() == "blobs") return blobs(args);
  if (args.name() == "spirals") return spirals(args);
  if (args.name() == "xor") return xor_quadrants(args);
  if (args.name() == "teacher") return teacher(args);
  input_error("", flag,
              "'" + spec + "': unknown generator '" + args.name() +
                  "'; expected blobs, spirals, xor or teacher");
}

}  // namespace lscan
