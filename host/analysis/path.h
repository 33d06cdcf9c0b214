// A 1-D path between two solutions: the loss f(t) along theta_a + t (theta_b - theta_a) (a
// model-difference direction), scanned on a grid over [min, max] that holds t = 0 and t = 1.
#pragma once

#include <cstdint>
#include <vector>

#include "host/analysis/noise.h"
#include "host/grid/grid.h"

namespace lscan {

struct PathBarrier {
  int64_t index0 = -1, index1 = -1;  // grid indices of t = 0 and t = 1
  double f0 = 0, f1 = 0;             // f(0), f(1)

  // Barrier over the chord: max over grid t in [0, 1] of f(t) - ((1 - t) f(0) + t f(1)) (0 at
  // the ends, so never negative), the t where it is reached (the first on ties), and its noise
  // threshold tau = k_tau sqrt(sigma(f(t))^2 + (1 - t)^2 sigma(f0)^2 + t^2 sigma(f1)^2).
  double barrier = 0;
  double barrier_t = 0;
  int64_t barrier_index = -1;
  double barrier_tau = 0;
  bool barrier_significant = false;  // barrier > barrier_tau

  // Barrier over the higher end: max over grid t in [0, 1] of f(t) - max(f(0), f(1)) (>= 0).
  double plain_barrier = 0;
  double plain_barrier_t = 0;

  // Monotonicity on [0, 1]: max_rise = max over t_i < t_j of f(t_j) - f(t_i), max_fall the
  // same for f(t_i) - f(t_j) (both >= 0). f is monotone within tau when max_rise <= mono_tau or
  // max_fall <= mono_tau, with mono_tau = k_tau sqrt(2) max_{t in [0,1]} sigma(f(t)).
  double max_rise = 0, max_fall = 0;
  double mono_tau = 0;
  bool monotone = false;

  // Minima along the whole scanned path (critical_points in 1-D): raw counts, and those whose
  // persistence exceeds its tau. Boundary minima are the scan window's two ends.
  int64_t minima = 0, boundary_minima = 0;
  int64_t significant_minima = 0, significant_boundary_minima = 0;
};

// f: (num) values on the single axis of `grid`. Throws InputError naming the x axis when the grid
// is not 1-D or does not hold t = 0 and t = 1 as grid points (within 1e-6 of a grid step).
PathBarrier path_barrier(const Grid& grid, const std::vector<double>& f, const NoiseModel& noise);

}  // namespace lscan
