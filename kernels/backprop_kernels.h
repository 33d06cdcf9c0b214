// Launchers for kernels/backprop_kernels.cu, the element-wise steps of the fp64 training pass on
// CUDA (CUDA builds only). Matrices are row-major, feature-major per layer as in
// host/train/backprop_pass.h: Z, A and G are (rows, Nc). Every launcher returns at once when
// there is nothing to do, launches on `stream` and checks the launch. The arithmetic is the
// shared math of activations.cuh and losses.cuh, the functions the CPU pass calls.
#pragma once

#include <cuda_runtime.h>

#include "kernels/activations.cuh"
#include "kernels/losses.cuh"

namespace lscan {

// Z (rows, Nc) <- b[row] in every column.
void launch_fill_rows(double* Z, const double* b, long long rows, long long Nc,
                      cudaStream_t stream);

// A[i] = activate(act, Z[i], alpha), i < size.
void launch_activate(const double* Z, double* A, long long size, Activation act, double alpha,
                     cudaStream_t stream);

// G[i] *= activate_grad(act, Z[i], alpha), i < size: d loss / d A_l becomes d loss / d Z_l.
void launch_mul_activation_grad(const double* Z, double* G, long long size, Activation act,
                                double alpha, cudaStream_t stream);

// G (m, Nc): column j = d sample_loss(out[:, j], y_j) / d out[:, j]; out (m, Nc), y (Nc, width).
void launch_sample_loss_grads(const double* out, const double* y, int width, int m, long long Nc,
                              LossKind kind, double* G, cudaStream_t stream);

}  // namespace lscan
