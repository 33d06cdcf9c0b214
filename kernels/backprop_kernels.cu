// Element-wise kernels of the fp64 training pass on CUDA (host/train/cuda/cuda_loss_gradient.cu):
// one thread per element or per sample, calling the shared math of activations.cuh and
// losses.cuh.
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "kernels/activations.cuh"
#include "kernels/backprop_kernels.h"
#include "kernels/cuda_check.cuh"
#include "kernels/losses.cuh"

namespace lscan {
namespace {

constexpr int kThreads = 256;

// Enough blocks for about 4 elements per thread; the kernels stride over the rest.
unsigned blocks_for(long long size) {
  const long long blocks = (size + 4LL * kThreads - 1) / (4LL * kThreads);
  return static_cast<unsigned>(std::clamp(blocks, 1LL, static_cast<long long>(INT_MAX)));
}

__device__ __forceinline__ long long first_index() {
  return static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ long long grid_stride() {
  return static_cast<long long>(gridDim.x) * blockDim.x;
}

__global__ void fill_rows_kernel(double* Z, const double* b, long long Nc, long long size) {
  for (long long i = first_index(); i < size; i += grid_stride()) Z[i] = b[i / Nc];
}

__global__ void activate_kernel(const double* Z, double* A, long long size, Activation act,
                                double alpha) {
  for (long long i = first_index(); i < size; i += grid_stride()) A[i] = activate(act, Z[i], alpha);
}

__global__ void mul_activation_grad_kernel(const double* Z, double* G, long long size,
                                           Activation act, double alpha) {
  for (long long i = first_index(); i < size; i += grid_stride())
    G[i] *= activate_grad(act, Z[i], alpha);
}

// Thread j handles sample j: out and G are read and written at column j with stride Nc, so
// consecutive threads touch consecutive addresses of every row.
__global__ void sample_loss_grads_kernel(const double* out, const double* y, int width, int m,
                                         long long Nc, LossKind kind, double* G) {
  for (long long j = first_index(); j < Nc; j += grid_stride())
    sample_loss_grad(kind, out + j, Nc, m, y + j * width, G + j, Nc);
}

}  // namespace

void launch_fill_rows(double* Z, const double* b, long long rows, long long Nc,
                      cudaStream_t stream) {
  const long long size = rows * Nc;
  if (size <= 0) return;
  fill_rows_kernel<<<blocks_for(size), kThreads, 0, stream>>>(Z, b, Nc, size);
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

void launch_activate(const double* Z, double* A, long long size, Activation act, double alpha,
                     cudaStream_t stream) {
  if (size <= 0) return;
  activate_kernel<<<blocks_for(size), kThreads, 0, stream>>>(Z, A, size, act, alpha);
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

void launch_mul_activation_grad(const double* Z, double* G, long long size, Activation act,
                                double alpha, cudaStream_t stream) {
  if (size <= 0) return;
  mul_activation_grad_kernel<<<blocks_for(size), kThreads, 0, stream>>>(Z, G, size, act, alpha);
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

void launch_sample_loss_grads(const double* out, const double* y, int width, int m, long long Nc,
                              LossKind kind, double* G, cudaStream_t stream) {
  if (Nc <= 0 || m <= 0) return;
  sample_loss_grads_kernel<<<blocks_for(Nc), kThreads, 0, stream>>>(out, y, width, m, Nc, kind, G);
  LSCAN_CUDA_CHECK(cudaGetLastError());
}

}  // namespace lscan
