// Curvature beyond the scanned plane: at grid points theta = theta0 + sum_a c_a d_a, K random
// directions v in the full parameter space and the second differences
//   q_j = (f(theta + h v_j) - 2 f(theta) + f(theta - h v_j)) / h^2 = v_j^T H v_j + O(h^2)
// (exact for a quadratic loss). For Rademacher v (+-1 per parameter) E[v^T H v] = tr H, so the
// mean over j is Hutchinson's trace estimate; the minimum and the fraction of negative q_j show
// negative curvature the plane cannot see.
//
// All values come from one Backend::evaluate path: the directions are extended to
// [d_1..d_k, v_1..v_K] and each probed point becomes 1 + 2K rows of coefficients
//   [c, 0 .. 0], then for each j: [c, +h e_j], [c, -h e_j]        ((1 + 2K), k + K)
// so f(theta) and f(theta +- h v_j) are evaluated by the same engine at the same precision.
// Memory: the K probe directions are held in full (K x P doubles), and the probe's backend stacks
// k + K + 1 copies of the parameters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/analysis/noise.h"
#include "host/engine/backend.h"
#include "host/grid/direction.h"
#include "host/grid/grid.h"
#include "host/model/model.h"

namespace lscan {

enum class ProbeKind { Rademacher, Gaussian };
ProbeKind parse_probe_kind(const std::string& s);  // "rademacher" | "gaussian"; InputError
const char* probe_kind_name(ProbeKind k);

// Probe direction j uses random stream kProbeStreamBase + j of the seed, apart from the streams
// 0..k-1 of the scan's own random directions.
inline constexpr int kProbeStreamBase = 1000000;

struct HessianProbeOptions {
  int directions = 16;  // K
  ProbeKind kind = ProbeKind::Rademacher;
  // Gaussian only: random_direction(model, seed, kProbeStreamBase + j, norm, bias). The mean
  // estimates tr H only with DirNorm::None.
  DirNorm norm = DirNorm::Filter;
  BiasMode bias = BiasMode::Ignore;
  uint64_t seed = 0;
  // Step along v; 0 picks u^(1/4) |theta0| / rms_j |v_j| (u: the unit roundoff of the precision;
  // |theta0| replaced by sqrt(P) when theta0 = 0). The displacement |h v| is then u^(1/4) |theta0|,
  // which balances the O(h^2 f'''') truncation error of the second difference against its
  // O(sigma / h^2) rounding noise for a loss that changes on the scale of |theta0|. In fp32, tf32
  // and bf16 h is rounded to fp32, the precision the engine holds coefficients in.
  double h = 0;
  int stride = 1;               // probe grid points whose every index is a multiple of stride
  std::vector<int64_t> points;  // flat grid indices to probe instead, when not empty
};

struct HessianProbe {
  int directions = 0;  // K
  ProbeKind kind = ProbeKind::Rademacher;
  double h = 0;                   // the step used
  std::vector<int64_t> points;    // (npts) flat grid indices probed, increasing
  std::vector<double> f0;         // (npts) f(theta) from the probe's own evaluation
  std::vector<double> curvature;  // (npts, K) q_j, row-major
  std::vector<double> tau;  // (npts, K) k_tau sqrt(sigma(f-)^2 + 4 sigma(f0)^2 + sigma(f+)^2) / h^2
  // Per point, over the finite q_j (NaN when none):
  std::vector<double> mean;                  // (npts) Hutchinson tr H for Rademacher v
  std::vector<double> min;                   // (npts)
  std::vector<double> fraction_negative;     // (npts) q_j < 0
  std::vector<double> fraction_significant;  // (npts) q_j < -tau_j
  // Over all points and directions:
  int64_t evaluated = 0;      // finite q_j
  int64_t nonfinite = 0;      // q_j that came out NaN or Inf (left out everywhere)
  double overall_min = 0;     // NaN when nothing is finite
  int64_t argmin_point = -1;  // flat grid index of overall_min
  int argmin_direction = -1;  // its j
  double mean_trace = 0;      // mean of the per-point means
  double fraction_negative_all = 0;
  double fraction_significant_all = 0;
  double seconds = 0;  // evaluation time
};

// Probe direction j (0-based) of the options' kind and seed, in the model's parameter order.
// Rademacher: element p is +1 when the top bit of the (p+1)-th word of
// lscan::Rng(seed, kProbeStreamBase + j) is set, else -1.
Direction probe_direction(const Model& model, const HessianProbeOptions& options, int j);

// The default step for `options`' directions at `precision` (see HessianProbeOptions::h).
double default_probe_step(const Model& model, Precision precision,
                          const HessianProbeOptions& options);

// setup: model, data, targets, precision and memory settings of the scan, with
// setup.directions = the scan's k = grid.dims() directions. The probe builds its own backend
// through `make` for the k + K directions. Throws std::invalid_argument on inconsistent input
// (K < 1, stride < 1, a point off the grid, directions that do not match the grid).
HessianProbe probe_hessian(const EvalSetup& setup, const Grid& grid,
                           const HessianProbeOptions& options, const NoiseModel& noise,
                           const BackendFactory& make = make_cpu_backend);

}  // namespace lscan
