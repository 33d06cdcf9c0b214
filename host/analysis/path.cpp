#include "host/analysis/path.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "host/analysis/critical_points.h"
#include "host/core/error.h"

namespace lscan {

namespace {

// The grid index whose coordinate is t, or -1.
int64_t grid_index_of(const GridAxis& axis, double t) {
  if (axis.num < 2) return axis.min == t ? 0 : -1;
  const double step = (axis.max - axis.min) / (axis.num - 1);
  const double x = std::round((t - axis.min) / step);
  if (x < 0 || x > axis.num - 1) return -1;
  const int i = static_cast<int>(x);
  return std::fabs(axis.at(i) - t) <= 1e-6 * step ? i : -1;
}

}  // namespace

PathBarrier path_barrier(const Grid& grid, const std::vector<double>& f, const NoiseModel& noise) {
  if (grid.dims() != 1)
    input_error("", "x axis",
                "a path analysis needs a 1-D scan, got " + std::to_string(grid.dims()) + " axes");
  const GridAxis& axis = grid.axes[0];
  if (static_cast<int64_t>(f.size()) != axis.num)
    throw std::invalid_argument("path_barrier: the values do not match the grid");
  PathBarrier r;
  r.index0 = grid_index_of(axis, 0.0);
  r.index1 = grid_index_of(axis, 1.0);
  if (r.index0 < 0 || r.index1 < 0)
    input_error("", "x axis",
                "a path analysis needs t = 0 and t = 1 as grid points, got " + axis.str() +
                    " (e.g. -0.5:1.5:41)");
  r.f0 = f[static_cast<size_t>(r.index0)];
  r.f1 = f[static_cast<size_t>(r.index1)];
  const double s0 = noise.sigma(r.f0), s1 = noise.sigma(r.f1);
  const double fmax01 = std::max(r.f0, r.f1);

  double lowest = r.f0, highest = r.f0, max_sigma = 0;
  r.barrier = -std::numeric_limits<double>::infinity();
  r.plain_barrier = -std::numeric_limits<double>::infinity();
  for (int64_t i = r.index0; i <= r.index1; ++i) {
    const double t = axis.at(static_cast<int>(i));
    const double fi = f[static_cast<size_t>(i)];
    const double excess = fi - ((1.0 - t) * r.f0 + t * r.f1);
    if (excess > r.barrier) {
      const double si = noise.sigma(fi);
      r.barrier = excess;
      r.barrier_t = t;
      r.barrier_index = i;
      r.barrier_tau =
          noise.k_tau * std::sqrt(si * si + (1.0 - t) * (1.0 - t) * s0 * s0 + t * t * s1 * s1);
    }
    if (fi - fmax01 > r.plain_barrier) {
      r.plain_barrier = fi - fmax01;
      r.plain_barrier_t = t;
    }
    r.max_rise = std::max(r.max_rise, fi - lowest);
    r.max_fall = std::max(r.max_fall, highest - fi);
    lowest = std::min(lowest, fi);
    highest = std::max(highest, fi);
    max_sigma = std::max(max_sigma, noise.sigma(fi));
  }
  r.barrier_significant = r.barrier > r.barrier_tau;
  r.mono_tau = noise.k_tau * std::sqrt(2.0) * max_sigma;
  r.monotone = r.max_rise <= r.mono_tau || r.max_fall <= r.mono_tau;

  const CriticalPoints cp = critical_points(grid, f, noise);
  r.minima = cp.minima;
  r.boundary_minima = cp.boundary_minima;
  r.significant_minima = cp.significant_minima;
  r.significant_boundary_minima = cp.significant_boundary_minima;
  return r;
}

}  // namespace lscan
