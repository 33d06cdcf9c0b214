// Element-wise kernels of the CUDA engine: the inner-dimension-(k+1) combinations fused with bias
// and activation, bias + activation after a GEMM, and the fused per-sample loss + accuracy. Their
// per-element bodies are in elementwise_math.cuh; they call the shared math of activations.cuh and
// losses.cuh, the functions the CPU backend runs.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "kernels/activations.cuh"
#include "kernels/cuda_check.cuh"
#include "kernels/elementwise.h"
#include "kernels/elementwise_math.cuh"
#include "kernels/losses.cuh"

namespace lscan {
namespace {

constexpr int kThreads = 256;
constexpr int kWarp = 32;

// One block row per (b, r), i.e. blockIdx.x = b R + r; blockIdx.y and the threads stride over j.
// out (B, R, J) = act(sum_t c[b, t] stack[t, r, j] + bias[b, r]).
template <class In, class Out>
__global__ void combine_kernel(const compute_t<In>* c, int K1, const In* stack, long long R,
                               long long J, const compute_t<In>* bias, Activation act,
                               compute_t<In> alpha, Out* out, bool tf32) {
  using C = compute_t<In>;
  const long long row = blockIdx.x;
  const long long b = row / R;
  const long long r = row - b * R;
  const C* cb = c + b * K1;
  const In* p = stack + r * J;
  const long long plane = R * J;
  Out* o = out + row * J;
  const C bias_r = bias ? bias[row] : C(0);
  for (long long j = static_cast<long long>(blockIdx.y) * blockDim.x + threadIdx.x; j < J;
       j += static_cast<long long>(gridDim.y) * blockDim.x)
    combine_element(cb, K1, p, plane, j, bias_r, act, alpha, o, tf32);
}

// Z (rows, J) <- act(Z + bias[row]).
template <class T>
__global__ void bias_activation_kernel(T* Z, const compute_t<T>* bias, long long J, Activation act,
                                       compute_t<T> alpha, bool tf32) {
  using C = compute_t<T>;
  const long long row = blockIdx.x;
  T* z = Z + row * J;
  const C bias_r = bias ? bias[row] : C(0);
  for (long long j = static_cast<long long>(blockIdx.y) * blockDim.x + threadIdx.x; j < J;
       j += static_cast<long long>(gridDim.y) * blockDim.x)
    bias_activation_element(z, j, bias_r, act, alpha, tf32);
}

// One warp per point. Lane i computes the loss of sample j0 + i for j0 = 0, 32, 64, ..; reading
// Z (m, Nc) of the point at column j0 + i, coalesced across the warp. The 32 losses are then added
// to the running fp64 sum one after the other in sample order (broadcast by shuffles), so
//   sums[b] = ((sums[b] + l_0) + l_1) + ... + l_{Nc-1}
// exactly as the CPU backend adds them: the result depends on neither the tile nor the chunk size.
template <class T>
__global__ void loss_accuracy_kernel(const T* Z, const double* y, int width, long long B, int m,
                                     long long Nc, LossKind kind, double* sums, double* correct) {
  const long long b = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (b >= B) return;  // the whole warp leaves together
  const T* zb = Z + b * m * Nc;
  double sum = sums[b];
  long long ok_count = 0;
  for (long long j0 = 0; j0 < Nc; j0 += kWarp) {
    const long long j = j0 + lane;
    double l = 0.0;
    int ok = 0;
    if (j < Nc) l = static_cast<double>(sample_loss<T, T>(kind, zb + j, Nc, m, y + j * width, &ok));
    const int valid = static_cast<int>(Nc - j0 < kWarp ? Nc - j0 : kWarp);
    for (int i = 0; i < valid; ++i) sum += __shfl_sync(0xffffffffu, l, i);
    ok_count += __popc(__ballot_sync(0xffffffffu, ok));
  }
  if (lane == 0) {
    sums[b] = sum;
    correct[b] += static_cast<double>(ok_count);
  }
}

// blockIdx.x walks the rows, blockIdx.y splits a row so that a thread handles about 4 elements.
dim3 row_grid(long long rows, long long J) {
  if (rows > INT_MAX) throw std::length_error("CUDA engine: more than 2^31 rows in one launch");
  const long long split = (J + 4LL * kThreads - 1) / (4LL * kThreads);
  return dim3(static_cast<unsigned>(rows), static_cast<unsigned>(std::clamp(split, 1LL, 65535LL)));
}

}  // namespace

template <class In, class Out>
void launch_combine(const compute_t<In>* c, int K1, const In* stack, long long R, long long J,
                    const compute_t<In>* bias, Activation act, double alpha, long long B, Out* out,
                    bool tf32, cudaStream_t stream) {
  if (B <= 0 || R <= 0 || J <= 0) return;
  combine_kernel<In, Out><<<row_grid(B * R, J), kThreads, 0, stream>>>(
      c, K1, stack, R, J, bias, act, static_cast<compute_t<In>>(alpha), out, tf32);
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

template <class T>
void launch_bias_activation(T* Z, const compute_t<T>* bias, long long rows, long long J,
                            Activation act, double alpha, bool tf32, cudaStream_t stream) {
  if (rows <= 0 || J <= 0) return;
  bias_activation_kernel<T><<<row_grid(rows, J), kThreads, 0, stream>>>(
      Z, bias, J, act, static_cast<compute_t<T>>(alpha), tf32);
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

template <class T>
void launch_loss_accuracy(const T* Z, const double* y, int width, long long B, int m, long long Nc,
                          LossKind kind, double* sums, double* correct, cudaStream_t stream) {
  if (B <= 0 || Nc <= 0) return;
  constexpr int warps_per_block = 4;
  const long long blocks = (B + warps_per_block - 1) / warps_per_block;
  if (blocks > INT_MAX) throw std::length_error("CUDA engine: too many points in one launch");
  loss_accuracy_kernel<T><<<static_cast<unsigned>(blocks), warps_per_block * kWarp, 0, stream>>>(
      Z, y, width, B, m, Nc, kind, sums, correct);
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

LSCAN_ELEMENTWISE_INSTANCES()

}  // namespace lscan
