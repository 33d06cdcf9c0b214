// The training pass, written once for every device: the mean loss over a data set and its
// gradient by reverse-mode differentiation, in fp64, over chunks of Nc samples. The CPU
// (host/train/backprop.cpp: OpenBLAS + OpenMP loops) and CUDA (host/train/cuda/: cuBLAS + the
// kernels of kernels/backprop_kernels.cu) supply an Ops type with the memory and the primitives;
// the order of every step, and so what is summed in which order, is fixed here.
//
// Layout: activations are feature-major, A_l as (n_l, Nc) row-major, so that sample j's output
// column is A + j with stride Nc, the layout sample_loss reads. With A_{-1} = Xc^T:
//   forward   Z_l = W_l A_{l-1} + b_l 1^T,  A_l = act(Z_l)
//   loss      sum_j sample_loss(A_{L-1}[:, j], y_j), added in sample order
//   backward  G = d loss / d A_{L-1} (per sample), then for l = L-1 .. 0:
//             delta_l = G * act'(Z_l);  dW_l += delta_l A_{l-1}^T;  db_l += delta_l 1;
//             G = W_l^T delta_l
//
// Ops (pointers are in the device's memory; matrices row-major):
//   const double* theta();  double* grad()            (P), set by begin()
//   const double* X(start);  const double* y(start)    rows start.. of (n, d) and (n, width)
//   double* Z(l);  double* A(l)                        (n_l, chunk) each
//   double* G(i), i = 0, 1                             (max_l n_l, chunk) each
//   gemm(ta, tb, M, N, K, A, lda, B, ldb, beta, C, ldc)
//       C (M, N) = op(A) op(B) + beta C; op(A) = A (M, K), or A^T of A (K, M) when ta; same for B
//   fill_rows(Z, b, rows, Nc)                          Z[i, :] = b[i]
//   activate(act, alpha, Z, A, size)                   A = act(Z)
//   mul_activation_grad(act, alpha, Z, G, size)        G *= act'(Z)
//   add_losses(kind, out, Nc, m, y, width)             running fp64 sum of sample losses in
//                                                      sample order, and the count correct
//   sample_loss_grads(kind, out, Nc, m, y, width, G)   G[:, j] = d sample_loss_j / d out[:, j]
//   add_row_sums(delta, rows, Nc, gb)                  gb[i] += sum_j delta[i, j]
//   int64_t chunk();  std::string device()             samples per chunk; "cpu", "cuda:N"
//   begin(theta_host, grad_host)                       theta in; grad (when grad_host is not
//                                                      null) and the sums zeroed
//   finish(grad_host, &loss_sum, &num_correct)         the unscaled grad into grad_host (when not
//                                                      null) and the sums out
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "host/data/dataset.h"
#include "host/model/model.h"
#include "host/model/targets.h"
#include "host/train/backprop.h"

namespace lscan {

// One pass over the n samples in chunks of `chunk`; with_grad adds the backward pass. The
// gradient accumulates in ops.grad() unscaled (sum over samples).
template <class Ops>
void backprop_pass(Ops& ops, const ModelSpec& spec, int64_t n, int d, int width, int64_t chunk,
                   bool with_grad) {
  const auto& layers = spec.layers;
  const int num_layers = static_cast<int>(layers.size());
  const int m = spec.output_dim();
  const LossKind loss_kind = spec.loss;
  const double* theta = ops.theta();
  double* grad = ops.grad();
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t nc = std::min(chunk, n - start);
    const double* Xc = ops.X(start);  // (Nc, d)
    const double* yc = ops.y(start);  // (Nc, width)

    for (int l = 0; l < num_layers; ++l) {
      const DenseLayer& layer = layers[l];
      const double* W = theta + layer.w_offset;  // (n_l, n_{l-1})
      double* z = ops.Z(l);                      // (n_l, Nc)
      double beta = 0.0;
      if (layer.b_offset >= 0) {
        ops.fill_rows(z, theta + layer.b_offset, layer.out, nc);
        beta = 1.0;
      }
      if (l == 0)
        ops.gemm(false, true, layer.out, nc, layer.in, W, layer.in, Xc, d, beta, z, nc);
      else
        ops.gemm(false, false, layer.out, nc, layer.in, W, layer.in, ops.A(l - 1), nc, beta, z, nc);
      ops.activate(layer.act, layer.alpha, z, ops.A(l), layer.out * nc);
    }

    const double* out = ops.A(num_layers - 1);  // (m, Nc)
    ops.add_losses(loss_kind, out, nc, m, yc, width);
    if (!with_grad) continue;

    // G (m, Nc) = d sample_loss_j / d A_{L-1}; the mean's 1/N comes at the end.
    double* g = ops.G(0);
    double* g_prev = ops.G(1);
    ops.sample_loss_grads(loss_kind, out, nc, m, yc, width, g);
    for (int l = num_layers - 1; l >= 0; --l) {
      const DenseLayer& layer = layers[l];
      const double* W = theta + layer.w_offset;  // (n_l, n_{l-1})
      // delta_l = d loss / d Z_l = G_l * act'(Z_l), in place in g
      ops.mul_activation_grad(layer.act, layer.alpha, ops.Z(l), g, layer.out * nc);
      // dW_l (n_l, n_{l-1}) += delta_l A_{l-1}^T
      double* gW = grad + layer.w_offset;
      if (l == 0)
        ops.gemm(false, false, layer.out, layer.in, nc, g, nc, Xc, d, 1.0, gW, layer.in);
      else
        ops.gemm(false, true, layer.out, layer.in, nc, g, nc, ops.A(l - 1), nc, 1.0, gW, layer.in);
      if (layer.b_offset >= 0) ops.add_row_sums(g, layer.out, nc, grad + layer.b_offset);
      // G_{l-1} (n_{l-1}, Nc) = W_l^T delta_l
      if (l > 0) {
        ops.gemm(true, false, layer.in, nc, layer.out, W, layer.in, g, nc, 0.0, g_prev, nc);
        std::swap(g, g_prev);
      }
    }
  }
}

// Mean loss over the n samples at theta (P, host memory); grad (P, host, may be null) receives
// d loss / d theta and acc (may be null) the fraction classified correctly.
template <class Ops>
double mean_loss_and_grad(Ops& ops, const ModelSpec& spec, int64_t n, int d, int width,
                          int64_t chunk, int64_t num_params, const double* theta, double* grad,
                          double* acc) {
  ops.begin(theta, grad);
  backprop_pass(ops, spec, n, d, width, chunk, grad != nullptr);
  double loss_sum = 0.0;
  double num_correct = 0.0;
  ops.finish(grad, &loss_sum, &num_correct);
  const auto n_double = static_cast<double>(n);
  if (grad)
    for (int64_t i = 0; i < num_params; ++i) grad[i] /= n_double;
  if (acc) *acc = num_correct / n_double;
  return loss_sum / n_double;
}

// The LossGradient of one model and data set over an Ops type, constructed from
// (spec, num_params, data, targets, ops_args...); the caller checks the inputs first
// (check_backprop_inputs).
template <class Ops>
class PassLossGradient final : public LossGradient {
 public:
  template <class... OpsArgs>
  PassLossGradient(const ModelSpec& spec, int64_t num_params, const Dataset& data,
                   const Targets& targets, OpsArgs&&... ops_args)
      : spec_(spec),
        num_params_(num_params),
        n_(data.n),
        d_(data.d),
        width_(targets.width),
        ops_(spec, num_params, data, targets, std::forward<OpsArgs>(ops_args)...) {}

  double evaluate(const double* theta, double* grad, double* acc) override {
    return mean_loss_and_grad(ops_, spec_, n_, d_, width_, ops_.chunk(), num_params_, theta, grad,
                              acc);
  }
  std::string device() const override { return ops_.device(); }
  int64_t chunk() const override { return ops_.chunk(); }

 private:
  ModelSpec spec_;
  int64_t num_params_, n_;
  int d_, width_;
  Ops ops_;
};

}  // namespace lscan
