// Launchers for kernels/elementwise.cu (CUDA builds only).
#pragma once

#include <cuda_runtime.h>

#include "kernels/activations.cuh"
#include "kernels/losses.cuh"

namespace lscan {

// Z: (B, n, Nc) in place, bias: (B, n) or null.
template <class T>
void launch_bias_activation(T* Z, const T* bias, long long B, int n, long long Nc, Activation act,
                            double alpha, cudaStream_t stream);

// Z: (B, m, Nc), y: (Nc, width); adds each point's loss sum and correct count to loss[b],
// correct[b].
template <class T>
void launch_loss_accuracy(const T* Z, const double* y, int width, long long B, int m, long long Nc,
                          LossKind kind, double* loss, double* correct, cudaStream_t stream);

}  // namespace lscan
