#include "host/grid/direction.h"

#include <cmath>
#include <sstream>

#include "host/core/error.h"
#include "host/core/rng.h"

namespace lscan {

DirNorm parse_dir_norm(const std::string& s) {
  if (s == "filter") return DirNorm::Filter;
  if (s == "layer") return DirNorm::Layer;
  if (s == "none") return DirNorm::None;
  input_error("", "--norm", "expected filter, layer or none, got '" + s + "'");
}

BiasMode parse_bias_mode(const std::string& s) {
  if (s == "ignore") return BiasMode::Ignore;
  if (s == "keep") return BiasMode::Keep;
  input_error("", "--bias", "expected ignore or keep, got '" + s + "'");
}

const char* dir_norm_name(DirNorm n) {
  switch (n) {
    case DirNorm::Filter:
      return "filter";
    case DirNorm::Layer:
      return "layer";
    case DirNorm::None:
      return "none";
  }
  return "?";
}

const char* bias_mode_name(BiasMode b) {
  return b == BiasMode::Ignore ? "ignore" : "keep";
}

namespace {
// Scales x[0..n) so that its norm equals the norm of ref[0..n); a zero x stays zero.
void match_norm(double* x, const double* ref, int64_t n) {
  double nx = 0, nr = 0;
  for (int64_t i = 0; i < n; ++i) {
    nx += x[i] * x[i];
    nr += ref[i] * ref[i];
  }
  if (nx == 0) return;
  const double s = std::sqrt(nr) / std::sqrt(nx);
  for (int64_t i = 0; i < n; ++i) x[i] *= s;
}
}  // namespace

void normalize_direction(std::vector<double>& d, const Model& model, DirNorm norm, BiasMode bias) {
  for (const TensorInfo& t : model.tensors) {
    double* dt = d.data() + t.offset;
    const double* wt = model.theta.data() + t.offset;
    if (t.is_bias) {
      if (bias == BiasMode::Ignore) {
        for (int64_t i = 0; i < t.size; ++i) dt[i] = 0.0;
      } else if (norm != DirNorm::None) {
        for (int64_t i = 0; i < t.size; ++i) dt[i] = wt[i];
      }
      continue;
    }
    if (norm == DirNorm::Filter) {
      const int64_t rows = t.shape[0], cols = t.size / t.shape[0];
      for (int64_t r = 0; r < rows; ++r) match_norm(dt + r * cols, wt + r * cols, cols);
    } else if (norm == DirNorm::Layer) {
      match_norm(dt, wt, t.size);
    }
  }
}

Direction random_direction(const Model& model, uint64_t seed, int index, DirNorm norm,
                           BiasMode bias) {
  Direction dir;
  dir.v.resize(model.theta.size());
  Rng rng(seed, static_cast<uint64_t>(index));
  for (double& x : dir.v) x = rng.normal();
  normalize_direction(dir.v, model, norm, bias);
  std::ostringstream os;
  os << "random(seed=" << seed << ", index=" << index << ", norm=" << dir_norm_name(norm)
     << ", bias=" << bias_mode_name(bias) << ")";
  dir.kind = os.str();
  return dir;
}

Direction difference_direction(const Model& a, const Model& b, const std::string& source) {
  if (a.tensors.size() != b.tensors.size())
    input_error(source, "tensors",
                "the second model has " + std::to_string(b.tensors.size()) +
                    " tensors, the first " + std::to_string(a.tensors.size()));
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    if (a.tensors[i].name != b.tensors[i].name || a.tensors[i].shape != b.tensors[i].shape)
      input_error(source, "tensor '" + b.tensors[i].name + "'",
                  "the second model must have the same tensors as the first (expected '" +
                      a.tensors[i].name + "' of the same shape)");
  }
  Direction dir;
  dir.v.resize(a.theta.size());
  for (size_t p = 0; p < a.theta.size(); ++p) dir.v[p] = b.theta[p] - a.theta[p];
  dir.kind = "difference(" + source + " - model)";
  return dir;
}

}  // namespace lscan
