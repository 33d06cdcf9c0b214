#include "host/analysis/hessian_probe.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "host/analysis/grid_view.h"
#include "host/core/error.h"
#include "host/core/rng.h"
#include "host/engine/scan.h"
#include "kernels/stencils.cuh"

namespace lscan {

ProbeKind parse_probe_kind(const std::string& s) {
  if (s == "rademacher") return ProbeKind::Rademacher;
  if (s == "gaussian") return ProbeKind::Gaussian;
  input_error("", "--probe-kind", "expected rademacher or gaussian, got '" + s + "'");
}

const char* probe_kind_name(ProbeKind k) {
  return k == ProbeKind::Rademacher ? "rademacher" : "gaussian";
}

Direction probe_direction(const Model& model, const HessianProbeOptions& options, int j) {
  const int stream = kProbeStreamBase + j;
  if (options.kind == ProbeKind::Gaussian)
    return random_direction(model, options.seed, stream, options.norm, options.bias);
  Direction d;
  d.v.resize(model.theta.size());
  Rng rng(options.seed, static_cast<uint64_t>(stream));
  for (double& x : d.v) x = (rng.next_u64() >> 63) ? 1.0 : -1.0;
  std::ostringstream os;
  os << "rademacher(seed=" << options.seed << ", index=" << stream << ")";
  d.kind = os.str();
  return d;
}

namespace {

double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

double step_for(const Model& model, Precision precision, const std::vector<Direction>& probes) {
  double vv = 0;
  for (const Direction& d : probes) vv += norm(d.v) * norm(d.v);
  const double rms_v = std::sqrt(vv / static_cast<double>(probes.size()));
  double scale = norm(model.theta);
  if (scale == 0) scale = std::sqrt(static_cast<double>(model.theta.size()));
  if (rms_v == 0) throw std::invalid_argument("probe_hessian: the probe directions are zero");
  return std::pow(unit_roundoff(precision), 0.25) * scale / rms_v;
}

}  // namespace

double default_probe_step(const Model& model, Precision precision,
                          const HessianProbeOptions& options) {
  std::vector<Direction> probes;
  for (int j = 0; j < options.directions; ++j) probes.push_back(probe_direction(model, options, j));
  if (probes.empty()) throw std::invalid_argument("default_probe_step: no directions");
  return step_for(model, precision, probes);
}

HessianProbe probe_hessian(const EvalSetup& setup, const Grid& grid,
                           const HessianProbeOptions& options, const NoiseModel& noise,
                           const BackendFactory& make) {
  if (!setup.model || !setup.directions)
    throw std::invalid_argument("probe_hessian: the setup needs a model and directions");
  const GridView g(grid, static_cast<size_t>(grid.num_points()), "probe_hessian");
  const int k = g.dims;
  const int K = options.directions;
  if (static_cast<int>(setup.directions->size()) != k)
    throw std::invalid_argument("probe_hessian: one scan direction per grid axis is needed");
  if (K < 1) throw std::invalid_argument("probe_hessian: at least one probe direction");
  if (options.stride < 1) throw std::invalid_argument("probe_hessian: stride < 1");
  const Model& model = *setup.model;

  HessianProbe r;
  r.directions = K;
  r.kind = options.kind;
  if (options.points.empty()) {
    for (int64_t i = 0; i < g.size; ++i) {
      int64_t ijk[3];
      g.index_to_ijk(i, ijk);
      bool on = true;
      for (int a = 0; a < k; ++a) on = on && ijk[a] % options.stride == 0;
      if (on) r.points.push_back(i);
    }
  } else {
    r.points = options.points;
    for (int64_t p : r.points)
      if (p < 0 || p >= g.size)
        throw std::invalid_argument("probe_hessian: a point index is outside the grid");
    std::sort(r.points.begin(), r.points.end());
    r.points.erase(std::unique(r.points.begin(), r.points.end()), r.points.end());
  }

  // Extended directions [d_1..d_k, v_1..v_K], each (P).
  std::vector<Direction> dirs = *setup.directions;
  std::vector<Direction> probes;
  for (int j = 0; j < K; ++j) probes.push_back(probe_direction(model, options, j));
  r.h = options.h > 0 ? options.h : step_for(model, setup.precision, probes);
  if (setup.precision != Precision::FP64) r.h = static_cast<double>(static_cast<float>(r.h));
  for (Direction& d : probes) dirs.push_back(std::move(d));
  probes.clear();
  EvalSetup ext = setup;
  ext.directions = &dirs;
  auto backend = make(ext);

  const int64_t npts = static_cast<int64_t>(r.points.size());
  const int kk = k + K;
  const int64_t rows_per_point = 1 + 2 * static_cast<int64_t>(K);
  r.f0.assign(static_cast<size_t>(npts), 0.0);
  r.curvature.assign(static_cast<size_t>(npts * K), 0.0);
  r.tau.assign(static_cast<size_t>(npts * K), 0.0);

  // Points in batches of about 2^16 rows, so the coefficient matrix stays small.
  const int64_t batch = std::max<int64_t>(1, (int64_t{1} << 16) / rows_per_point);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<double> c(static_cast<size_t>(k));
  for (int64_t p0 = 0; p0 < npts; p0 += batch) {
    const int64_t nb = std::min(batch, npts - p0);
    std::vector<double> coeffs(static_cast<size_t>(nb * rows_per_point * kk), 0.0);  // (rows, k+K)
    for (int64_t p = 0; p < nb; ++p) {
      grid.coefficients(r.points[static_cast<size_t>(p0 + p)], c.data());
      double* block = coeffs.data() + p * rows_per_point * kk;  // (1 + 2K, k + K)
      for (int64_t row = 0; row < rows_per_point; ++row)
        std::copy(c.begin(), c.end(), block + row * kk);
      for (int j = 0; j < K; ++j) {
        block[(1 + 2 * j) * kk + k + j] = r.h;
        block[(2 + 2 * j) * kk + k + j] = -r.h;
      }
    }
    const PointValues v = evaluate_points(*backend, coeffs, kk);
    for (int64_t p = 0; p < nb; ++p) {
      const double* f = v.loss.data() + p * rows_per_point;  // (1 + 2K)
      const int64_t q = p0 + p;
      r.f0[static_cast<size_t>(q)] = f[0];
      const double s0 = noise.sigma(f[0]);
      for (int j = 0; j < K; ++j) {
        const double fp = f[1 + 2 * j], fm = f[2 + 2 * j];
        r.curvature[static_cast<size_t>(q * K + j)] = second_difference(fm, f[0], fp, r.h);
        r.tau[static_cast<size_t>(q * K + j)] =
            noise.k_tau * second_difference_noise(noise.sigma(fm), s0, noise.sigma(fp), r.h);
      }
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.mean.assign(static_cast<size_t>(npts), nan);
  r.min.assign(static_cast<size_t>(npts), nan);
  r.fraction_negative.assign(static_cast<size_t>(npts), nan);
  r.fraction_significant.assign(static_cast<size_t>(npts), nan);
  int64_t negative_all = 0, significant_all = 0, points_with_mean = 0;
  double sum_means = 0;
  r.overall_min = nan;
  for (int64_t q = 0; q < npts; ++q) {
    int64_t n = 0, neg = 0, sig = 0;
    double sum = 0, lo = std::numeric_limits<double>::infinity();
    for (int j = 0; j < K; ++j) {
      const double x = r.curvature[static_cast<size_t>(q * K + j)];
      if (!std::isfinite(x)) {
        ++r.nonfinite;
        continue;
      }
      ++n;
      sum += x;
      neg += x < 0;
      sig += x < -r.tau[static_cast<size_t>(q * K + j)];
      lo = std::min(lo, x);
      if (r.argmin_point < 0 || x < r.overall_min) {
        r.overall_min = x;
        r.argmin_point = r.points[static_cast<size_t>(q)];
        r.argmin_direction = j;
      }
    }
    if (n == 0) continue;
    r.evaluated += n;
    negative_all += neg;
    significant_all += sig;
    r.mean[static_cast<size_t>(q)] = sum / static_cast<double>(n);
    r.min[static_cast<size_t>(q)] = lo;
    r.fraction_negative[static_cast<size_t>(q)] = static_cast<double>(neg) / n;
    r.fraction_significant[static_cast<size_t>(q)] = static_cast<double>(sig) / n;
    sum_means += r.mean[static_cast<size_t>(q)];
    ++points_with_mean;
  }
  r.mean_trace = points_with_mean > 0 ? sum_means / static_cast<double>(points_with_mean) : nan;
  r.fraction_negative_all =
      r.evaluated > 0 ? static_cast<double>(negative_all) / static_cast<double>(r.evaluated) : nan;
  r.fraction_significant_all =
      r.evaluated > 0 ? static_cast<double>(significant_all) / static_cast<double>(r.evaluated)
                      : nan;
  return r;
}

}  // namespace lscan
