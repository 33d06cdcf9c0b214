#include "host/analysis/curvature.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "host/analysis/grid_view.h"
#include "kernels/stencils.cuh"

namespace lscan {

namespace {

constexpr int kPairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};

struct Tally {
  int64_t interior = 0, nonfinite = 0, negative = 0, significant = 0;
  int64_t dir_negative = 0, dir_significant = 0;
  int64_t axis_negative[3] = {0, 0, 0}, axis_significant[3] = {0, 0, 0};
  double min_lambda = std::numeric_limits<double>::infinity();
  int64_t argmin = -1;
  double tau_at_argmin = 0;
  double tau_min = std::numeric_limits<double>::infinity(), tau_max = 0;

  void merge(const Tally& o) {
    interior += o.interior;
    nonfinite += o.nonfinite;
    negative += o.negative;
    significant += o.significant;
    dir_negative += o.dir_negative;
    dir_significant += o.dir_significant;
    for (int a = 0; a < 3; ++a) {
      axis_negative[a] += o.axis_negative[a];
      axis_significant[a] += o.axis_significant[a];
    }
    if (o.argmin >= 0 && (argmin < 0 || o.min_lambda < min_lambda ||
                          (o.min_lambda == min_lambda && o.argmin < argmin))) {
      min_lambda = o.min_lambda;
      argmin = o.argmin;
      tau_at_argmin = o.tau_at_argmin;
    }
    tau_min = std::fmin(tau_min, o.tau_min);
    tau_max = std::fmax(tau_max, o.tau_max);
  }
};

}  // namespace

CurvatureMaps grid_curvature(const Grid& grid, const std::vector<double>& f, int stencil,
                             const NoiseModel& noise) {
  if (stencil != 1 && stencil != 2 && stencil != 4)
    throw std::invalid_argument("grid_curvature: the stencil must be 1, 2 or 4 grid steps");
  const GridView g(grid, f.size(), "grid_curvature");
  const int k = g.dims;
  const int npairs = k == 1 ? 0 : (k == 2 ? 1 : 3);
  const int64_t s = stencil;

  CurvatureMaps out;
  out.dims = k;
  out.stencil = stencil;
  for (int a = 0; a < k; ++a) out.h.push_back(static_cast<double>(s) * g.step[a]);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const size_t np = static_cast<size_t>(g.size);
  out.second.assign(static_cast<size_t>(k), std::vector<double>(np, nan));
  out.mixed.assign(static_cast<size_t>(npairs), std::vector<double>(np, nan));
  out.eigenvalues.assign(static_cast<size_t>(k), std::vector<double>(np, nan));
  out.ratio.assign(np, nan);
  out.tau.assign(np, nan);
  out.min_directional.assign(np, nan);

  double h[3] = {0, 0, 0};
  long long off[3] = {0, 0, 0};  // index offset of s steps per axis
  for (int a = 0; a < k; ++a) {
    h[a] = out.h[static_cast<size_t>(a)];
    off[a] = s * g.stride[a];
  }
  const double* fv = f.data();
  const double k_tau = noise.k_tau;
  Tally total;

#pragma omp parallel
  {
    Tally t;
#pragma omp for schedule(static)
    for (int64_t idx = 0; idx < g.size; ++idx) {
      int64_t ijk[3];
      g.index_to_ijk(idx, ijk);
      if (!g.interior(ijk, s)) continue;
      PointCurvature pc;
      point_curvature(fv, idx, off, h, k, noise.relative, noise.absolute, k_tau, &pc);
      if (!pc.finite) {
        ++t.nonfinite;
        continue;
      }
      ++t.interior;
      const size_t i = static_cast<size_t>(idx);
      for (int a = 0; a < k; ++a) {
        out.second[static_cast<size_t>(a)][i] = pc.H[a][a];
        out.eigenvalues[static_cast<size_t>(a)][i] = pc.ev[a];
        if (pc.H[a][a] < 0) ++t.axis_negative[a];
        if (pc.H[a][a] < -k_tau * pc.axis_noise[a]) ++t.axis_significant[a];
      }
      for (int p = 0; p < npairs; ++p)
        out.mixed[static_cast<size_t>(p)][i] = pc.H[kPairs[p][0]][kPairs[p][1]];
      const double lmin = pc.ev[0], lmax = pc.ev[k - 1];
      out.ratio[i] = std::fabs(lmin / lmax);
      out.tau[i] = pc.tau;
      out.min_directional[i] = pc.min_directional;
      if (lmin < 0) ++t.negative;
      if (lmin < -pc.tau) ++t.significant;
      t.dir_negative += pc.min_directional < 0;
      t.dir_significant += pc.directional_significant;
      if (t.argmin < 0 || lmin < t.min_lambda) {  // idx rises within a thread: ties keep the first
        t.min_lambda = lmin;
        t.argmin = idx;
        t.tau_at_argmin = pc.tau;
      }
      t.tau_min = std::fmin(t.tau_min, pc.tau);
      t.tau_max = std::fmax(t.tau_max, pc.tau);
    }
#pragma omp critical(lscan_curvature_merge)
    total.merge(t);
  }

  out.interior = total.interior;
  out.nonfinite = total.nonfinite;
  out.negative = total.negative;
  out.significant_negative = total.significant;
  out.directional_negative = total.dir_negative;
  out.directional_significant = total.dir_significant;
  for (int a = 0; a < k; ++a) {
    out.axis_negative.push_back(total.axis_negative[a]);
    out.axis_significant_negative.push_back(total.axis_significant[a]);
  }
  out.argmin_lambda = total.argmin;
  out.min_lambda = total.argmin >= 0 ? total.min_lambda : nan;
  out.tau_at_argmin = total.argmin >= 0 ? total.tau_at_argmin : nan;
  out.tau_min = total.argmin >= 0 ? total.tau_min : nan;
  out.tau_max = total.argmin >= 0 ? total.tau_max : nan;
  return out;
}

}  // namespace lscan
