// Surfaces with known answers for the analysis tests: functions sampled on a grid, quadratics with
// a given Hessian, seeded uniform noise, and a linear model with squared loss (a quadratic in its
// parameters, with Hessian known in closed form).
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "host/analysis/noise.h"
#include "host/core/rng.h"
#include "host/data/dataset.h"
#include "host/grid/grid.h"
#include "host/model/model.h"

namespace lscan::testing {

// Every loss has the same absolute rounding noise sigma (relative part 0), default k_tau.
inline NoiseModel uniform_noise(double sigma) {
  return NoiseModel{0.0, sigma, kDefaultKTau};
}
// No rounding noise at all: every violation counts.
inline NoiseModel no_noise() {
  return uniform_noise(0.0);
}

inline Grid make_grid(const std::vector<GridAxis>& axes) {
  Grid g;
  g.axes = axes;
  return g;
}

// f at every grid point, from its coefficients c (k values).
inline std::vector<double> sample(const Grid& grid,
                                  const std::function<double(const double* c)>& fn) {
  const int64_t n = grid.num_points();
  std::vector<double> f(static_cast<size_t>(n));
  std::vector<double> c(static_cast<size_t>(grid.dims()));
  for (int64_t i = 0; i < n; ++i) {
    grid.coefficients(i, c.data());
    f[static_cast<size_t>(i)] = fn(c.data());
  }
  return f;
}

// 0.5 c^T H c + g.c + f0 with H (k, k) row-major, symmetric.
inline std::function<double(const double*)> quadratic(int k, std::vector<double> H,
                                                      std::vector<double> g, double f0 = 0) {
  return [k, H, g, f0](const double* c) {
    double s = f0;
    for (int a = 0; a < k; ++a) {
      s += g[static_cast<size_t>(a)] * c[a];
      for (int b = 0; b < k; ++b) s += 0.5 * c[a] * H[static_cast<size_t>(a * k + b)] * c[b];
    }
    return s;
  };
}

// Adds noise uniform in [-amplitude, amplitude] from lscan::Rng(seed, 7).
inline void add_uniform_noise(std::vector<double>& f, double amplitude, uint64_t seed) {
  Rng rng(seed, 7);
  for (double& x : f) x += rng.uniform(-amplitude, amplitude);
}

// One Linear layer d -> m (identity) with mse loss, random weights.
inline Model linear_mse_model(int d, int m, uint64_t seed) {
  ModelSpec spec;
  spec.input_dim = d;
  spec.loss = LossKind::Mse;
  DenseLayer layer;
  layer.in = d;
  layer.out = m;
  layer.bias = true;
  spec.layers.push_back(layer);
  Model model = make_model(spec);
  Rng rng(seed, 11);
  for (double& x : model.theta) x = 0.5 * rng.normal();
  return model;
}

inline Dataset regression_data(int64_t n, int d, int m, uint64_t seed) {
  Dataset data;
  data.n = n;
  data.d = d;
  data.ty = m;
  data.classification = false;
  data.num_classes = 0;
  data.description = "regression by hand";
  Rng rng(seed, 12);
  data.X.resize(static_cast<size_t>(n * d));
  for (double& x : data.X) x = rng.normal();
  data.Y.resize(static_cast<size_t>(n * m));
  for (double& y : data.Y) y = rng.normal();
  return data;
}

// u^T H w for the Hessian H of the mse loss of a linear model, (1/N) sum_i (1/m) |W x_i + b -
// y_i|^2: with U, W the weight parts ([m, d]) and ub, wb the bias parts of u and w,
//   u^T H w = (2 / (N m)) sum_i sum_j (U_j . x_i + ub_j) (W_j . x_i + wb_j).
inline double linear_mse_hessian(const Model& model, const Dataset& data,
                                 const std::vector<double>& u, const std::vector<double>& w) {
  const DenseLayer& layer = model.spec.layers[0];
  const int d = layer.in, m = layer.out;
  double s = 0;
  for (int64_t i = 0; i < data.n; ++i) {
    const double* x = data.X.data() + i * d;
    for (int j = 0; j < m; ++j) {
      double a = u[static_cast<size_t>(layer.b_offset + j)];
      double b = w[static_cast<size_t>(layer.b_offset + j)];
      for (int t = 0; t < d; ++t) {
        a += u[static_cast<size_t>(layer.w_offset + j * d + t)] * x[t];
        b += w[static_cast<size_t>(layer.w_offset + j * d + t)] * x[t];
      }
      s += a * b;
    }
  }
  return 2.0 * s / (static_cast<double>(data.n) * m);
}

}  // namespace lscan::testing
