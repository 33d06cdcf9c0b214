// The launchers of kernels/elementwise.h and kernels/backprop_kernels.h on the emulated device:
// each declares its operands (checked against the device allocations, emu_device.h) and runs, on
// its stream, either a loop over the elements that calls the kernel's own per-element body
// (kernels/elementwise_math.cuh) or the shared math (activations.cuh, losses.cuh), or with
// Config::simt the kernel's own launcher and code (emu_simt.h). The loss loop keeps the kernel's
// order: each point's fp64 sum adds the samples one after the other.
#include "emu_names.h"
// clang-format off
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "emu_device.h"
#include "kernels/backprop_kernels.h"
#include "kernels/cuda_check.cuh"
#include "kernels/elementwise.h"
#include "kernels/elementwise_math.cuh"
// clang-format on

namespace lscan {

// The kernels' own launchers, from the host copies of kernels/*.cu (emu_simt_prelude.h).
template <class In, class Out>
void simt_launch_combine(const compute_t<In>* c, int K1, const In* stack, long long R, long long J,
                         const compute_t<In>* bias, Activation act, double alpha, long long B,
                         Out* out, bool tf32, cudaStream_t stream);
template <class T>
void simt_launch_bias_activation(T* Z, const compute_t<T>* bias, long long rows, long long J,
                                 Activation act, double alpha, bool tf32, cudaStream_t stream);
template <class T>
void simt_launch_loss_accuracy(const T* Z, const double* y, int width, long long B, int m,
                               long long Nc, LossKind kind, double* sums, double* correct,
                               cudaStream_t stream);
void simt_launch_fill_rows(double* Z, const double* b, long long rows, long long Nc,
                           cudaStream_t stream);
void simt_launch_activate(const double* Z, double* A, long long size, Activation act, double alpha,
                          cudaStream_t stream);
void simt_launch_mul_activation_grad(const double* Z, double* G, long long size, Activation act,
                                     double alpha, cudaStream_t stream);
void simt_launch_sample_loss_grads(const double* out, const double* y, int width, int m,
                                   long long Nc, LossKind kind, double* G, cudaStream_t stream);

template <class In, class Out>
void launch_combine(const compute_t<In>* c, int K1, const In* stack, long long R, long long J,
                    const compute_t<In>* bias, Activation act, double alpha, long long B, Out* out,
                    bool tf32, cudaStream_t stream) {
  if (B <= 0 || R <= 0 || J <= 0) return;
  using C = compute_t<In>;
  emu::Launch k("combine_kernel", stream);
  k.reads(c, B * K1, "c");
  k.reads(stack, K1 * R * J, "stack");
  if (bias) k.reads(bias, B * R, "bias");
  k.writes(out, B * R * J, "out");
  const C a = static_cast<C>(alpha);
  const bool simt = emu::config().simt;
  k.submit([=] {
    if (simt)
      return simt_launch_combine<In, Out>(c, K1, stack, R, J, bias, act, alpha, B, out, tf32,
                                          stream);
    for (long long row = 0; row < B * R; ++row) {
      const long long b = row / R, r = row - b * R;
      const C bias_r = bias ? bias[row] : C(0);
      for (long long j = 0; j < J; ++j)
        combine_element(c + b * K1, K1, stack + r * J, R * J, j, bias_r, act, a, out + row * J,
                        tf32);
    }
  });
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

template <class T>
void launch_bias_activation(T* Z, const compute_t<T>* bias, long long rows, long long J,
                            Activation act, double alpha, bool tf32, cudaStream_t stream) {
  if (rows <= 0 || J <= 0) return;
  using C = compute_t<T>;
  emu::Launch k("bias_activation_kernel", stream);
  if (bias) k.reads(bias, rows, "bias");
  k.reads(Z, rows * J, "Z");
  k.writes(Z, rows * J, "Z");
  const C a = static_cast<C>(alpha);
  const bool simt = emu::config().simt;
  k.submit([=] {
    if (simt) return simt_launch_bias_activation<T>(Z, bias, rows, J, act, alpha, tf32, stream);
    for (long long row = 0; row < rows; ++row) {
      const C bias_r = bias ? bias[row] : C(0);
      for (long long j = 0; j < J; ++j)
        bias_activation_element(Z + row * J, j, bias_r, act, a, tf32);
    }
  });
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

template <class T>
void launch_loss_accuracy(const T* Z, const double* y, int width, long long B, int m, long long Nc,
                          LossKind kind, double* sums, double* correct, cudaStream_t stream) {
  if (B <= 0 || Nc <= 0) return;
  emu::Launch k("loss_accuracy_kernel", stream);
  k.reads(Z, B * m * Nc, "Z");
  k.reads(y, Nc * width, "y");
  k.reads(sums, B, "sums");
  k.reads(correct, B, "correct");
  k.writes(sums, B, "sums");
  k.writes(correct, B, "correct");
  const bool simt = emu::config().simt;
  k.submit([=] {
    if (simt)
      return simt_launch_loss_accuracy<T>(Z, y, width, B, m, Nc, kind, sums, correct, stream);
    for (long long b = 0; b < B; ++b) {
      double sum = sums[b];
      long long ok_count = 0;
      for (long long j = 0; j < Nc; ++j) {
        int ok = 0;
        sum += static_cast<double>(
            sample_loss<T, T>(kind, Z + b * m * Nc + j, Nc, m, y + j * width, &ok));
        ok_count += ok;
      }
      sums[b] = sum;
      correct[b] += static_cast<double>(ok_count);
    }
  });
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

void launch_fill_rows(double* Z, const double* b, long long rows, long long Nc,
                      cudaStream_t stream) {
  if (rows * Nc <= 0) return;
  emu::Launch k("fill_rows_kernel", stream);
  k.reads(b, rows, "b");
  k.writes(Z, rows * Nc, "Z");
  const bool simt = emu::config().simt;
  k.submit([=] {
    if (simt) return simt_launch_fill_rows(Z, b, rows, Nc, stream);
    for (long long i = 0; i < rows * Nc; ++i) Z[i] = b[i / Nc];
  });
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

void launch_activate(const double* Z, double* A, long long size, Activation act, double alpha,
                     cudaStream_t stream) {
  if (size <= 0) return;
  emu::Launch k("activate_kernel", stream);
  k.reads(Z, size, "Z");
  k.writes(A, size, "A");
  const bool simt = emu::config().simt;
  k.submit([=] {
    if (simt) return simt_launch_activate(Z, A, size, act, alpha, stream);
    for (long long i = 0; i < size; ++i) A[i] = activate(act, Z[i], alpha);
  });
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

void launch_mul_activation_grad(const double* Z, double* G, long long size, Activation act,
                                double alpha, cudaStream_t stream) {
  if (size <= 0) return;
  emu::Launch k("mul_activation_grad_kernel", stream);
  k.reads(Z, size, "Z");
  k.reads(G, size, "G");
  k.writes(G, size, "G");
  const bool simt = emu::config().simt;
  k.submit([=] {
    if (simt) return simt_launch_mul_activation_grad(Z, G, size, act, alpha, stream);
    for (long long i = 0; i < size; ++i) G[i] *= activate_grad(act, Z[i], alpha);
  });
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

void launch_sample_loss_grads(const double* out, const double* y, int width, int m, long long Nc,
                              LossKind kind, double* G, cudaStream_t stream) {
  if (Nc <= 0 || m <= 0) return;
  emu::Launch k("sample_loss_grads_kernel", stream);
  k.reads(out, m * Nc, "out");
  k.reads(y, Nc * width, "y");
  k.writes(G, m * Nc, "G");
  const bool simt = emu::config().simt;
  k.submit([=] {
    if (simt) return simt_launch_sample_loss_grads(out, y, width, m, Nc, kind, G, stream);
    for (long long j = 0; j < Nc; ++j)
      sample_loss_grad(kind, out + j, Nc, m, y + j * width, G + j, Nc);
  });
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

LSCAN_ELEMENTWISE_INSTANCES()

}  // namespace lscan
