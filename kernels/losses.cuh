// Per-sample losses, their gradients with respect to the network output, and the accuracy test,
// written once for the CPU backend and the CUDA kernels. Conventions follow PyTorch so that a scan
// reproduces the loss a PyTorch user trained with:
//   cross_entropy  nn.CrossEntropyLoss        lse(z) - z_y                     y: class index
//   mse            nn.MSELoss                 (1/m) sum_j (z_j - t_j)^2        t: m targets
//   hinge          nn.MultiMarginLoss (p=1)   (1/m) sum_{j!=y} max(0, 1 - z_y + z_j)
//   logistic       nn.BCEWithLogitsLoss       softplus(z) - t z                t in [0, 1], m = 1
//   sigmoid_mse    sigmoid then nn.MSELoss    (sigma(z) - t)^2                 t in [0, 1], m = 1
// z is one sample's output column: z[j * stride], j < m. Losses are evaluated in fp64 whatever the
// precision of z, so that the per-point fp64 accumulation is not spoiled by the last step.
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
template <class T>
LSCAN_HD LSCAN_INLINE double sample_loss(LossKind kind, const T* z, long long stride, int m,
                                         const double* y, int* correct) {
  using std::exp;
  using std::fabs;
  using std::fmax;
  using std::log;
  using std::log1p;
  switch (kind) {
    case LossKind::CrossEntropy: {
      const int label = static_cast<int>(y[0]);
      double zmax = static_cast<double>(z[0]);
      for (int j = 1; j < m; ++j) zmax = fmax(zmax, static_cast<double>(z[j * stride]));
      double s = 0.0;
      for (int j = 0; j < m; ++j) s += exp(static_cast<double>(z[j * stride]) - zmax);
      *correct = argmax_column(z, stride, m) == label;
      return zmax + log(s) - static_cast<double>(z[label * stride]);
    }
    case LossKind::Mse: {
      double s = 0.0;
      for (int j = 0; j < m; ++j) {
        const double r = static_cast<double>(z[j * stride]) - y[j];
        s += r * r;
      }
      if (m == 1) {
        *correct = (static_cast<double>(z[0]) > 0.5) == (y[0] > 0.5);
      } else {
        int ybest = 0;
        for (int j = 1; j < m; ++j)
          if (y[j] > y[ybest]) ybest = j;
        *correct = argmax_column(z, stride, m) == ybest;
      }
      return s / m;
    }
    case LossKind::Hinge: {
      const int label = static_cast<int>(y[0]);
      const double zy = static_cast<double>(z[label * stride]);
      double s = 0.0;
      for (int j = 0; j < m; ++j) {
        if (j == label) continue;
        const double margin = 1.0 - zy + static_cast<double>(z[j * stride]);
        if (margin > 0.0) s += margin;
      }
      *correct = argmax_column(z, stride, m) == label;
      return s / m;
    }
    case LossKind::Logistic: {
      const double x = static_cast<double>(z[0]);
      *correct = (x > 0.0) == (y[0] > 0.5);
      // softplus(x) - t x, with softplus evaluated as max(x, 0) + log1p(e^-|x|) for all x
      return fmax(x, 0.0) + log1p(exp(-fabs(x))) - y[0] * x;
    }
    case LossKind::SigmoidMse: {
      const double x = static_cast<double>(z[0]);
      *correct = (x > 0.0) == (y[0] > 0.5);
      const double r = stable_sigmoid(x) - y[0];
      return r * r;
    }
  }
  *correct = 0;
  return 0.0;
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
