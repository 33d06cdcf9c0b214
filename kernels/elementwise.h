// Launchers for kernels/elementwise.cu, the element-wise kernels of the CUDA engine (CUDA builds
// only). Every launcher returns at once when there is nothing to do, launches on `stream` and
// checks the launch. Storage types are double, float and __nv_bfloat16; the arithmetic runs in
// compute_t<T> (float for bf16) and calls the shared math of activations.cuh and losses.cuh.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "kernels/activations.cuh"
#include "kernels/losses.cuh"

namespace lscan {

template <class T>
struct ComputeType {
  using type = T;
};
template <>
struct ComputeType<__nv_bfloat16> {
  using type = float;
};
template <class T>
using compute_t = typename ComputeType<T>::type;

// A linear combination with inner dimension k + 1, fused with bias and activation:
//   out[b, r, j] = act(sum_{t < K1} c[b, t] stack[t, r, j] + bias[b, r])
// c (B, K1), stack (K1, R, J), bias (B, R) or null, out (B, R, J). The K1 terms are added in the
// order t = 0, 1, .. for every element, so out[b] does not depend on B. tf32: fp32 outputs are
// rounded to TF32 (they feed a TF32 GEMM). Instantiated for (In, Out) = (double, double),
// (float, float), (bf16, bf16), (bf16, float).
template <class In, class Out>
void launch_combine(const compute_t<In>* c, int K1, const In* stack, long long R, long long J,
                    const compute_t<In>* bias, Activation act, double alpha, long long B, Out* out,
                    bool tf32, cudaStream_t stream);

// Z (rows, J) <- act(Z + bias[row]), bias (rows) or null. For a tile, rows = B n and
// bias = Bp (B, n). tf32 as for launch_combine. Instantiated for double, float and bf16.
template <class T>
void launch_bias_activation(T* Z, const compute_t<T>* bias, long long rows, long long J,
                            Activation act, double alpha, bool tf32, cudaStream_t stream);

// Z (B, m, Nc) network outputs, y (Nc, width) targets. For each point b,
//   sums[b]    += sample_loss(sample 0) + sample_loss(sample 1) + ... (fp64, in sample order)
//   correct[b] += number of samples classified correctly.
// Instantiated for double and float.
template <class T>
void launch_loss_accuracy(const T* Z, const double* y, int width, long long B, int m, long long Nc,
                          LossKind kind, double* sums, double* correct, cudaStream_t stream);

}  // namespace lscan

// The explicit instantiations of the launchers above, for the file that defines them
// (elementwise.cu, and the emulated device of tests/cuda_emu/, whose launchers carry other names):
// one list, so that every definition provides the same set.
#define LSCAN_ELEMENTWISE_INSTANCES()                                                              \
  template void launch_combine<double, double>(const double*, int, const double*, long long,       \
                                               long long, const double*, Activation, double,       \
                                               long long, double*, bool, cudaStream_t);            \
  template void launch_combine<float, float>(const float*, int, const float*, long long,           \
                                             long long, const float*, Activation, double,          \
                                             long long, float*, bool, cudaStream_t);               \
  template void launch_combine<__nv_bfloat16, __nv_bfloat16>(                                      \
      const float*, int, const __nv_bfloat16*, long long, long long, const float*, Activation,     \
      double, long long, __nv_bfloat16*, bool, cudaStream_t);                                      \
  template void launch_combine<__nv_bfloat16, float>(                                              \
      const float*, int, const __nv_bfloat16*, long long, long long, const float*, Activation,     \
      double, long long, float*, bool, cudaStream_t);                                              \
  template void launch_bias_activation<double>(double*, const double*, long long, long long,       \
                                               Activation, double, bool, cudaStream_t);            \
  template void launch_bias_activation<float>(float*, const float*, long long, long long,          \
                                              Activation, double, bool, cudaStream_t);             \
  template void launch_bias_activation<__nv_bfloat16>(                                             \
      __nv_bfloat16*, const float*, long long, long long, Activation, double, bool, cudaStream_t); \
  template void launch_loss_accuracy<double>(const double*, const double*, int, long long, int,    \
                                             long long, LossKind, double*, double*, cudaStream_t); \
  template void launch_loss_accuracy<float>(const float*, const double*, int, long long, int,      \
                                            long long, LossKind, double*, double*, cudaStream_t);
