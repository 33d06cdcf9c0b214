// Finite-difference curvature on a grid, the Jensen (chord) excess and how rounding noise
// propagates through each, written once for the CPU reducers and CUDA kernels.
//
// Noise: every loss value f carries an independent rounding error of standard deviation sigma
// (host/analysis/noise.h). A linear combination sum_i w_i f_i then has standard deviation
// sqrt(sum_i w_i^2 sigma_i^2); the *_noise functions below are that formula for each stencil.
#pragma once

#include <cmath>

#include "kernels/hd.cuh"

namespace lscan {

// sigma of one loss value f: max(relative |f|, absolute) (the model of host/analysis/noise.h).
LSCAN_HD LSCAN_INLINE double loss_sigma(double relative, double absolute, double f) {
  using std::fabs;
  const double r = relative * fabs(f);
  return r > absolute ? r : absolute;
}

// Central second difference with step h: (f(+h) - 2 f(0) + f(-h)) / h^2. Exact for a quadratic.
LSCAN_HD LSCAN_INLINE double second_difference(double fm, double f0, double fp, double h) {
  return (fp - 2.0 * f0 + fm) / (h * h);
}

// Its noise: sqrt(sigma_-^2 + 4 sigma_0^2 + sigma_+^2) / h^2, sqrt(6) sigma / h^2 when the three
// sigmas are equal.
LSCAN_HD LSCAN_INLINE double second_difference_noise(double sm, double s0, double sp, double h) {
  using std::sqrt;
  return sqrt(sm * sm + 4.0 * s0 * s0 + sp * sp) / (h * h);
}

// Central mixed difference: (f(+,+) - f(+,-) - f(-,+) + f(-,-)) / (4 hx hy). Exact for a
// quadratic.
LSCAN_HD LSCAN_INLINE double mixed_difference(double fpp, double fpm, double fmp, double fmm,
                                              double hx, double hy) {
  return (fpp - fpm - fmp + fmm) / (4.0 * hx * hy);
}

// Its noise: sqrt(sum of the four sigma^2) / (4 hx hy), sigma / (2 hx hy) for equal sigmas.
LSCAN_HD LSCAN_INLINE double mixed_difference_noise(double spp, double spm, double smp, double smm,
                                                    double hx, double hy) {
  using std::sqrt;
  return sqrt(spp * spp + spm * spm + smp * smp + smm * smm) / (4.0 * hx * hy);
}

// Eigenvalues lo <= hi of the symmetric matrix [[a, b], [b, c]]:
// (a + c) / 2 -+ hypot((a - c) / 2, b).
LSCAN_HD LSCAN_INLINE void sym2_eigenvalues(double a, double b, double c, double* lo, double* hi) {
  using std::hypot;
  const double mean = 0.5 * (a + c);
  const double r = hypot(0.5 * (a - c), b);
  *lo = mean - r;
  *hi = mean + r;
}

// Eigenvalues ev[0] <= ev[1] <= ev[2] of the symmetric matrix
// [[a00, a01, a02], [a01, a11, a12], [a02, a12, a22]] by cyclic Jacobi rotations (Golub & Van
// Loan, Algorithm 8.5.3): each rotation zeroes one off-diagonal entry, convergence is quadratic,
// and the eigenvalues come out with an absolute error of a few ulp of the matrix norm, also for
// nearly equal eigenvalues (where the trigonometric closed form loses half the digits).
LSCAN_HD LSCAN_INLINE void sym3_eigenvalues(double a00, double a01, double a02, double a11,
                                            double a12, double a22, double* ev) {
  using std::fabs;
  using std::hypot;
  using std::sqrt;
  double a[3][3] = {{a00, a01, a02}, {a01, a11, a12}, {a02, a12, a22}};
  for (int sweep = 0; sweep < 32; ++sweep) {
    const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    const double diag = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
    // Off-diagonal mass below (1e-18 |A|)^2 moves no eigenvalue by more than 1e-18 |A|.
    if (!(off > 1e-36 * (diag + 2.0 * off))) break;
    for (int p = 0; p < 2; ++p) {
      for (int q = p + 1; q < 3; ++q) {
        const double apq = a[p][q];
        if (apq == 0.0) continue;
        // tan of the rotation angle, the smaller root of t^2 + 2 theta t - 1 = 0
        const double theta = (a[q][q] - a[p][p]) / (2.0 * apq);
        const double t = (theta >= 0.0 ? 1.0 : -1.0) / (fabs(theta) + hypot(theta, 1.0));
        const double c = 1.0 / sqrt(t * t + 1.0);
        const double s = t * c;
        for (int k = 0; k < 3; ++k) {  // A <- A J
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < 3; ++k) {  // A <- J^T A
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        a[p][q] = 0.0;
        a[q][p] = 0.0;
      }
    }
  }
  double x = a[0][0], y = a[1][1], z = a[2][2];
  if (x > y) {
    const double t = x;
    x = y;
    y = t;
  }
  if (y > z) {
    const double t = y;
    y = z;
    z = t;
  }
  if (x > y) {
    const double t = x;
    x = y;
    y = t;
  }
  ev[0] = x;
  ev[1] = y;
  ev[2] = z;
}

// Noise of an eigenvalue of a noisy symmetric k x k matrix H + E: |delta lambda| <= |E|_2 <=
// |E|_F (Weyl), and E |E|_F^2 = sum_i var(H_ii) + 2 sum_{i<j} var(H_ij) whatever the
// correlations between entries. diag_noise[i], offdiag_noise[j]: the entries' standard deviations.
LSCAN_HD LSCAN_INLINE double eigenvalue_noise(const double* diag_noise, int k,
                                              const double* offdiag_noise, int npairs) {
  using std::sqrt;
  double s = 0.0;
  for (int i = 0; i < k; ++i) s += diag_noise[i] * diag_noise[i];
  for (int j = 0; j < npairs; ++j) s += 2.0 * offdiag_noise[j] * offdiag_noise[j];
  return sqrt(s);
}

// Everything the curvature maps keep about one interior grid point.
struct PointCurvature {
  double H[3][3];                // projected Hessian estimate (k, k)
  double ev[3];                  // its eigenvalues, ascending (k)
  double axis_noise[3];          // noise of H_aa (k)
  double tau;                    // k_tau * eigenvalue_noise
  double min_directional;        // smallest directional second difference, axes and diagonals
  bool directional_significant;  // some directional second difference < -k_tau * its noise
  bool finite;                   // every stencil value finite (otherwise the rest is meaningless)
};

// Curvature at flat index idx of a surface f with k = 1..3 axes: off[a] is the index step of s
// grid steps along axis a, h[a] = s * spacing. Diagonal directions e_a +- e_b use the corner
// values of the mixed difference with step hypot(h_a, h_b). sigma of each value from
// loss_sigma(rel, abs_floor, f).
LSCAN_HD LSCAN_INLINE void point_curvature(const double* f, long long idx, const long long* off,
                                           const double* h, int k, double rel, double abs_floor,
                                           double k_tau, PointCurvature* out) {
  using std::hypot;
  using std::isfinite;
  const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
  const int npairs = k == 1 ? 0 : (k == 2 ? 1 : 3);
  const double f0 = f[idx];
  const double s0 = loss_sigma(rel, abs_floor, f0);
  bool finite = isfinite(f0);
  double on[3];
  double dmin = 0.0;
  bool dsig = false;
  for (int a = 0; a < k; ++a) {
    const double fm = f[idx - off[a]], fp = f[idx + off[a]];
    finite = finite && isfinite(fm) && isfinite(fp);
    out->H[a][a] = second_difference(fm, f0, fp, h[a]);
    out->axis_noise[a] = second_difference_noise(loss_sigma(rel, abs_floor, fm), s0,
                                                 loss_sigma(rel, abs_floor, fp), h[a]);
    dmin = a == 0 || out->H[a][a] < dmin ? out->H[a][a] : dmin;
    dsig = dsig || out->H[a][a] < -k_tau * out->axis_noise[a];
  }
  for (int p = 0; p < npairs; ++p) {
    const int a = pairs[p][0], b = pairs[p][1];
    const double fpp = f[idx + off[a] + off[b]], fpm = f[idx + off[a] - off[b]];
    const double fmp = f[idx - off[a] + off[b]], fmm = f[idx - off[a] - off[b]];
    finite = finite && isfinite(fpp) && isfinite(fpm) && isfinite(fmp) && isfinite(fmm);
    const double spp = loss_sigma(rel, abs_floor, fpp), spm = loss_sigma(rel, abs_floor, fpm);
    const double smp = loss_sigma(rel, abs_floor, fmp), smm = loss_sigma(rel, abs_floor, fmm);
    out->H[a][b] = out->H[b][a] = mixed_difference(fpp, fpm, fmp, fmm, h[a], h[b]);
    on[p] = mixed_difference_noise(spp, spm, smp, smm, h[a], h[b]);
    const double hd = hypot(h[a], h[b]);
    const double dplus = second_difference(fmm, f0, fpp, hd);   // along e_a + e_b
    const double dminus = second_difference(fmp, f0, fpm, hd);  // along e_a - e_b
    dmin = dplus < dmin ? dplus : dmin;
    dmin = dminus < dmin ? dminus : dmin;
    dsig = dsig || dplus < -k_tau * second_difference_noise(smm, s0, spp, hd);
    dsig = dsig || dminus < -k_tau * second_difference_noise(smp, s0, spm, hd);
  }
  out->finite = finite;
  out->min_directional = dmin;
  out->directional_significant = dsig;
  if (k == 1) {
    out->ev[0] = out->H[0][0];
  } else if (k == 2) {
    sym2_eigenvalues(out->H[0][0], out->H[0][1], out->H[1][1], &out->ev[0], &out->ev[1]);
  } else {
    sym3_eigenvalues(out->H[0][0], out->H[0][1], out->H[0][2], out->H[1][1], out->H[1][2],
                     out->H[2][2], out->ev);
  }
  out->tau = k_tau * eigenvalue_noise(out->axis_noise, k, on, npairs);
}

// The Jensen (chord) excess of a pair a, b with midpoint m: f(m) - (f(a) + f(b)) / 2. A convex f
// has excess <= 0 for every pair; for f = -x^2 it is (a - b)^2 / 4.
LSCAN_HD LSCAN_INLINE double jensen_excess(double fa, double fm, double fb) {
  return fm - 0.5 * (fa + fb);
}

// The square of its noise: sigma_m^2 + (sigma_a^2 + sigma_b^2) / 4, 1.5 sigma^2 for equal sigmas.
LSCAN_HD LSCAN_INLINE double jensen_noise_sq(double sa2, double sm2, double sb2) {
  return sm2 + 0.25 * (sa2 + sb2);
}

}  // namespace lscan
