// Per-sample losses, their gradients with respect to the network output, and the accuracy test,
// written once for the CPU backend and the CUDA kernels. Conventions follow PyTorch so that a scan
// reproduces the loss a PyTorch user trained with:
//   cross_entropy  nn.CrossEntropyLoss        lse(z) - z_y                     y: class index
//   mse            nn.MSELoss                 (1/m) sum_j (z_j - t_j)^2        t: m targets
//   hinge          nn.MultiMarginLoss (p=1)   (1/m) sum_{j!=y} max(0, 1 - z_y + z_j)
//   logistic       nn.BCEWithLogitsLoss       softplus(z) - t z                t in [0, 1], m = 1
//   sigmoid_mse    sigmoid then nn.MSELoss    (sigma(z) - t)^2                 t in [0, 1], m = 1
// z is one sample's output column: z[j * stride], j < m. R is the type the loss is computed in:
// fp64 by default; the fp32 engine computes per-sample losses in fp32 (a few ulp of the loss,
// far below fp32's forward-pass error) and still accumulates them per point in fp64.
#pragma once

#include <cmath>

#include "kernels/activations.cuh"
#include "kernels/hd.cuh"

namespace lscan {

enum class LossKind : int { CrossEntropy = 0, Mse, Hinge, Logistic, SigmoidMse };

template <class T>
LSCAN_HD LSCAN_INLINE int argmax_column(const T* z, long long stride, int m) {
  int best = 0;
  for (int j = 1; j < m; ++j)
    if (z[j * stride] > z[best * stride]) best = j;
  return best;
}

// Loss of one sample; *correct is set to 1 when the prediction matches the label (classification
// data), 0 otherwise. y holds 1 value (class index or binary target) or m values (mse targets).
template <class T, class R = double>
LSCAN_HD LSCAN_INLINE R sample_loss(LossKind kind, const T* z, long long stride, int m,
                                    const double* y, int* correct) {
  using std::exp;
  using std::fabs;
  using std::fmax;
  using std::log;
  using std::log1p;
  switch (kind) {
    case LossKind::CrossEntropy: {
      const int label = static_cast<int>(y[0]);
      R zmax = static_cast<R>(z[0]);
      for (int j = 1; j < m; ++j) zmax = fmax(zmax, static_cast<R>(z[j * stride]));
      R s = 0;
      for (int j = 0; j < m; ++j) s += exp(static_cast<R>(z[j * stride]) - zmax);
      *correct = argmax_column(z, stride, m) == label;
      return zmax + log(s) - static_cast<R>(z[label * stride]);
    }
    case LossKind::Mse: {
      R s = 0;
      for (int j = 0; j < m; ++j) {
        const R r = static_cast<R>(z[j * stride]) - static_cast<R>(y[j]);
        s += r * r;
      }
      if (m == 1) {
        *correct = (static_cast<R>(z[0]) > R(0.5)) == (y[0] > 0.5);
      } else {
        int ybest = 0;
        for (int j = 1; j < m; ++j)
          if (y[j] > y[ybest]) ybest = j;
        *correct = argmax_column(z, stride, m) == ybest;
      }
      return s / static_cast<R>(m);
    }
    case LossKind::Hinge: {
      const int label = static_cast<int>(y[0]);
      const R zy = static_cast<R>(z[label * stride]);
      R s = 0;
      for (int j = 0; j < m; ++j) {
        if (j == label) continue;
        const R margin = R(1) - zy + static_cast<R>(z[j * stride]);
        if (margin > R(0)) s += margin;
      }
      *correct = argmax_column(z, stride, m) == label;
      return s / static_cast<R>(m);
    }
    case LossKind::Logistic: {
      const R x = static_cast<R>(z[0]);
      *correct = (x > R(0)) == (y[0] > 0.5);
      // softplus(x) - t x, with softplus evaluated as max(x, 0) + log1p(e^-|x|) for all x
      return fmax(x, R(0)) + log1p(exp(-fabs(x))) - static_cast<R>(y[0]) * x;
    }
    case LossKind::SigmoidMse: {
      const R x = static_cast<R>(z[0]);
      *correct = (x > R(0)) == (y[0] > 0.5);
      const R r = stable_sigmoid(x) - static_cast<R>(y[0]);
      return r * r;
    }
  }
  *correct = 0;
  return R(0);
}

// g[j * gstride] = d sample_loss / d z_j, in fp64.
template <class T>
LSCAN_HD LSCAN_INLINE void sample_loss_grad(LossKind kind, const T* z, long long stride, int m,
                                            const double* y, double* g, long long gstride) {
  using std::exp;
  using std::fmax;
  switch (kind) {
    case LossKind::CrossEntropy: {
      const int label = static_cast<int>(y[0]);
      double zmax = static_cast<double>(z[0]);
      for (int j = 1; j < m; ++j) zmax = fmax(zmax, static_cast<double>(z[j * stride]));
      double s = 0.0;
      for (int j = 0; j < m; ++j) s += exp(static_cast<double>(z[j * stride]) - zmax);
      for (int j = 0; j < m; ++j)
        g[j * gstride] = exp(static_cast<double>(z[j * stride]) - zmax) / s - (j == label);
      return;
    }
    case LossKind::Mse:
      for (int j = 0; j < m; ++j)
        g[j * gstride] = 2.0 * (static_cast<double>(z[j * stride]) - y[j]) / m;
      return;
    case LossKind::Hinge: {
      const int label = static_cast<int>(y[0]);
      const double zy = static_cast<double>(z[label * stride]);
      double gy = 0.0;
      for (int j = 0; j < m; ++j) {
        g[j * gstride] = 0.0;
        if (j == label) continue;
        if (1.0 - zy + static_cast<double>(z[j * stride]) > 0.0) {
          g[j * gstride] = 1.0 / m;
          gy -= 1.0 / m;
        }
      }
      g[label * gstride] = gy;
      return;
    }
    case LossKind::Logistic:
      g[0] = stable_sigmoid(static_cast<double>(z[0])) - y[0];
      return;
    case LossKind::SigmoidMse: {
      const double s = stable_sigmoid(static_cast<double>(z[0]));
      g[0] = 2.0 * (s - y[0]) * s * (1.0 - s);
      return;
    }
  }
}

}  // namespace lscan
