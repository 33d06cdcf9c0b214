// Element-wise kernels of the CUDA engine: bias + activation over a tile of pre-activations, and
// the fused per-sample loss + accuracy. Both call the shared math of activations.cuh and
// losses.cuh, the same functions the CPU backend runs.
#include <cuda_runtime.h>

#include "kernels/activations.cuh"
#include "kernels/elementwise.h"
#include "kernels/losses.cuh"

namespace lscan {
namespace {

// Z: (B, n, Nc), bias: (B, n). Z[b, i, j] <- act(Z[b, i, j] + bias[b, i]).
template <class T>
__global__ void bias_activation_kernel(T* Z, const T* bias, long long B, int n, long long Nc,
                                       Activation act, T alpha) {
  const long long total = B * n * Nc;
  for (long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long row = idx / Nc;  // b * n + i
    const T x = Z[idx] + (bias ? bias[row] : T(0));
    Z[idx] = activate(act, x, alpha);
  }
}

// Z: (B, m, Nc), y: (Nc, width). loss[b] and correct[b] accumulate over samples in sample order.
// One thread per point keeps the fp64 sum in a fixed order, whatever the tile size.
template <class T>
__global__ void loss_accuracy_kernel(const T* Z, const double* y, int width, long long B, int m,
                                     long long Nc, LossKind kind, double* loss, double* correct) {
  const long long b = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (b >= B) return;
  const T* zb = Z + b * m * Nc;
  double s = 0.0, c = 0.0;
  for (long long j = 0; j < Nc; ++j) {
    int ok = 0;
    s += sample_loss(kind, zb + j, Nc, m, y + j * width, &ok);
    c += ok;
  }
  loss[b] += s;
  correct[b] += c;
}

int blocks_for(long long total, int threads) {
  const long long b = (total + threads - 1) / threads;
  return static_cast<int>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

}  // namespace

template <class T>
void launch_bias_activation(T* Z, const T* bias, long long B, int n, long long Nc, Activation act,
                            double alpha, cudaStream_t stream) {
  if (B * n * Nc == 0) return;
  constexpr int threads = 256;
  bias_activation_kernel<T><<<blocks_for(B * n * Nc, threads), threads, 0, stream>>>(
      Z, bias, B, n, Nc, act, static_cast<T>(alpha));
}

template <class T>
void launch_loss_accuracy(const T* Z, const double* y, int width, long long B, int m, long long Nc,
                          LossKind kind, double* loss, double* correct, cudaStream_t stream) {
  if (B == 0 || Nc == 0) return;
  constexpr int threads = 128;
  loss_accuracy_kernel<T>
      <<<blocks_for(B, threads), threads, 0, stream>>>(Z, y, width, B, m, Nc, kind, loss, correct);
}

template void launch_bias_activation<float>(float*, const float*, long long, int, long long,
                                            Activation, double, cudaStream_t);
template void launch_bias_activation<double>(double*, const double*, long long, int, long long,
                                             Activation, double, cudaStream_t);
template void launch_loss_accuracy<float>(const float*, const double*, int, long long, int,
                                          long long, LossKind, double*, double*, cudaStream_t);
template void launch_loss_accuracy<double>(const double*, const double*, int, long long, int,
                                           long long, LossKind, double*, double*, cudaStream_t);

}  // namespace lscan
