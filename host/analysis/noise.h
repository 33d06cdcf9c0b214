// The rounding-noise floor of evaluated losses, and the thresholds tau that curvature, Jensen,
// persistence and barrier tests compare against, so that a convex model is never reported
// non-convex because of rounding.
//
// Model (an estimate of the standard deviation sigma_f of the rounding error of one loss value f):
//
//   sigma_f = u_fwd * A * |f|  +  u_64 * sqrt(N) * |f|
//   A       = sum_{l=1..L} 2 sqrt(n_{l-1})  +  2 sqrt(m)
//
//   u_fwd   unit roundoff of the forward pass: fp64 2^-53, fp32 2^-24, tf32 2^-11, bf16 2^-8
//   n_{l-1} fan-in of layer l (n_0 = input width), L layers, m outputs, N samples
//   u_64    2^-53, for the fp64 running sum of the N per-sample losses
//
// Why this form: an n-term dot product in precision u has a rounding error of about
// sqrt(n) u * sum |terms| (Higham & Mary 2019, probabilistic bound), and each term carries two
// roundings (the weight theta0 + sum c_i d_i rounded to the working precision, then the
// multiply-add); layer errors add up through a network whose layers neither amplify nor damp
// much; the loss itself (a sum over m outputs) adds 2 sqrt(m) u. Relative errors of the
// per-sample losses carry to the mean loss WITHOUT a 1/sqrt(N) reduction: the samples share the
// same rounded weights, so their errors are correlated, and the conservative choice is that they
// add coherently. Every lscan loss is >= 0 per sample, so the mean per-sample magnitude is f.
//
// In practice it is conservative: on one- to four-layer networks scanned in fp32 (2000 samples)
// it exceeds the measured RMS error against fp64 by 30x to 600x, and every measured error.
//
// What it misses: cancellation (large logits with a tiny cross-entropy, a squared residual far
// smaller than the outputs) makes the true error larger than the model says. The MEASURED floor
// covers that: re-evaluate some points in fp64 and take the largest |f_prec - f_64| as an
// absolute floor. The noise used is then sigma(f) = max(model(f), measured).
//
// Propagation (independent errors at distinct points; a linear combination sum w_i f_i has
// noise sqrt(sum w_i^2 sigma_i^2), see kernels/stencils.cuh), with equal sigmas:
//   second difference (f(+h) - 2 f(0) + f(-h)) / h^2   sqrt(6) sigma / h^2
//   mixed difference over 4 corners / (4 hx hy)        sigma / (2 hx hy)
//   Hessian eigenvalue                                 sqrt(sum_i var H_ii + 2 sum_{i<j} var H_ij)
//   Jensen excess f(mid) - (f(a) + f(b)) / 2           sqrt(1.5) sigma
//   depth of a minimum below a saddle f(s) - f(min)    sqrt(2) sigma
//   path barrier f(t) - ((1 - t) f(0) + t f(1))        <= sqrt(1.5) sigma
// (the code uses each point's own sigma). A violation counts as significant only beyond
// tau = k_tau * (propagated noise), k_tau = 10 by default.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "host/engine/backend.h"
#include "host/grid/grid.h"
#include "host/model/model.h"
#include "kernels/stencils.cuh"

namespace lscan {

// The multiple of the propagated noise beyond which a violation is significant.
inline constexpr double kDefaultKTau = 10.0;

struct NoiseModel {
  double relative = 0;  // sigma grows with the loss: relative * |f|
  double absolute = 0;  // and never falls below this (the measured floor)
  double k_tau = kDefaultKTau;

  // sigma_f = max(relative |f|, absolute)
  double sigma(double f) const { return loss_sigma(relative, absolute, f); }
};

// Unit roundoff of a precision: 2^-53, 2^-24, 2^-11 (tf32's 10-bit mantissa), 2^-8 (bf16).
double unit_roundoff(Precision p);

// A = sum_l 2 sqrt(n_{l-1}) + 2 sqrt(m) for the network of `spec`.
double forward_amplification(const ModelSpec& spec);

// The model above: relative = u_fwd A + u_64 sqrt(N), absolute = 0. Throws std::invalid_argument
// for a spec without layers, num_samples < 1 or k_tau < 0.
NoiseModel model_noise(const ModelSpec& spec, Precision precision, int64_t num_samples,
                       double k_tau = kDefaultKTau);

// The error of the working precision, measured on points evaluated both ways.
struct NoiseMeasurement {
  int64_t points = 0;  // points compared (both values finite)
  double max_abs = 0;  // max |f_prec - f_64|
  double rms = 0;      // sqrt(mean (f_prec - f_64)^2)
  double max_rel = 0;  // max |f_prec - f_64| / |f_64| over points with f_64 != 0
};

// f_working and f_fp64: the same points (equal lengths, else std::invalid_argument). Points where
// either value is not finite are left out.
NoiseMeasurement measure_noise(const std::vector<double>& f_working,
                               const std::vector<double>& f_fp64);

// The model with its absolute floor raised to the measured max |f_prec - f_64|: sigma(f) is then
// max(model(f), measured).
NoiseModel with_measurement(NoiseModel model, const NoiseMeasurement& m);

// `count` distinct flat grid indices (all of them when count >= the number of points), drawn
// without replacement from lscan::Rng(seed, 0x6e6f697365) and returned in increasing order.
std::vector<int64_t> noise_check_points(const Grid& grid, int64_t count, uint64_t seed);

// Makes the backend for an evaluation; make_cpu_backend, or the CLI's device choice.
using BackendFactory = std::function<std::unique_ptr<Backend>(const EvalSetup&)>;

// Re-evaluates the grid points `points` in fp64 with `working`'s model, directions, data and
// targets (through a backend from `make`) and compares them with values[points[i]], the losses
// the scan computed at the working precision. values: (npoints) of `grid`.
NoiseMeasurement measure_noise_fp64(const EvalSetup& working, const Grid& grid,
                                    const std::vector<double>& values,
                                    const std::vector<int64_t>& points,
                                    const BackendFactory& make = make_cpu_backend);

// Thresholds at a loss level f, for summaries: k_tau sqrt(6) sigma(f) / h^2 for a second
// difference with step h, k_tau sqrt(1.5) sigma(f) for a Jensen excess.
double second_difference_tau(const NoiseModel& noise, double f, double h);
double jensen_tau(const NoiseModel& noise, double f);

}  // namespace lscan
