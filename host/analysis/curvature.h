// Curvature from the grid itself: second and mixed central differences along the scan directions,
// the projected Hessian H_ab = d_a^T (Hessian) d_b they estimate (exactly, for a quadratic loss),
// its eigenvalues at every interior point, and the |lambda_min / lambda_max| map of Li et al. 2018.
// Coordinates are the grid's coefficients c, so H is the Hessian of c -> f(theta0 + sum c_a d_a).
#pragma once

#include <cstdint>
#include <vector>

#include "host/analysis/noise.h"
#include "host/grid/grid.h"

namespace lscan {

struct CurvatureMaps {
  int dims = 0;
  int stencil = 1;        // s: differences over s grid steps
  std::vector<double> h;  // (dims): step of the differences per axis, s * grid spacing

  // Maps, each (npoints) in grid order. A point is interior when it has neighbours s steps away on
  // both sides along every axis; every map holds NaN at the other points, and at interior points
  // whose stencil touches a non-finite loss.
  std::vector<std::vector<double>> second;  // [a]: H_aa = (f(+s e_a) - 2 f + f(-s e_a)) / h_a^2
  // [pair]: H_ab = (f(+,+) - f(+,-) - f(-,+) + f(-,-)) / (4 h_a h_b) for the pairs (0,1) in 2-D,
  // (0,1), (0,2), (1,2) in 3-D; none in 1-D.
  std::vector<std::vector<double>> mixed;
  // [j]: eigenvalues of H ascending, [0] = lambda_min, [dims - 1] = lambda_max.
  std::vector<std::vector<double>> eigenvalues;
  std::vector<double> ratio;  // |lambda_min / lambda_max| (IEEE: x/0 is inf)
  // k_tau times the noise of an eigenvalue, sqrt(sum_a var H_aa + 2 sum_{a<b} var H_ab), from each
  // stencil point's sigma (noise.h).
  std::vector<double> tau;
  // The smallest directional second difference over the lattice directions of the stencil: the
  // axes e_a and the diagonals e_a +- e_b,
  //   D_u = (f(c + s u) - 2 f(c) + f(c - s u)) / |s u|^2   (|.| in coefficient units),
  // = u^T H u / |u|^2 >= lambda_min for a quadratic. Unlike lambda_min, D_u >= 0 for every convex
  // f, smooth or not: it is the second difference of f restricted to a line. A kink between the
  // stencil points (hinge, relu) can make the Hessian estimate indefinite while every D_u stays
  // >= 0, so the convexity verdict uses D_u.
  std::vector<double> min_directional;

  // Over interior points with finite values:
  int64_t interior = 0;
  int64_t nonfinite = 0;  // interior points left out because a stencil value is NaN or Inf
  int64_t negative = 0;   // lambda_min < 0
  int64_t significant_negative = 0;  // lambda_min < -tau
  // The verdict: points where some D_u < 0, and where some D_u < -k_tau * (its noise,
  // sqrt(sigma_+^2 + 4 sigma_0^2 + sigma_-^2) / |s u|^2). Zero for a convex f up to noise.
  int64_t directional_negative = 0;
  int64_t directional_significant = 0;
  std::vector<int64_t> axis_negative;  // [a]: H_aa < 0
  // [a]: H_aa < -k_tau * sqrt(sigma_-^2 + 4 sigma_0^2 + sigma_+^2) / h_a^2
  std::vector<int64_t> axis_significant_negative;
  double min_lambda = 0;            // the smallest lambda_min (NaN without interior points)
  int64_t argmin_lambda = -1;       // its flat index (lowest index on ties)
  double tau_at_argmin = 0;         // tau there
  double tau_min = 0, tau_max = 0;  // range of tau over the counted points (the noise floor)
};

// f: (npoints) of `grid` (1 to 3 axes). stencil: 1, 2 or 4 grid steps (std::invalid_argument
// otherwise). An axis with fewer than 2 s + 1 points leaves no interior point.
CurvatureMaps grid_curvature(const Grid& grid, const std::vector<double>& f, int stencil,
                             const NoiseModel& noise);

}  // namespace lscan
