// The training pass (host/train/backprop_pass.h) on a CUDA device, in fp64: cuBLAS GEMMs and the
// kernels of kernels/backprop_kernels.cu. This header has no CUDA types: g++ code includes it in
// every build.
#pragma once

#include <cstdint>
#include <memory>

#include "host/train/backprop.h"

namespace lscan {

// The data, theta, the gradient and the pass's buffers live on the device; theta goes up and the
// gradient comes down once per evaluate(). Memory budget: max_memory bytes, else 70% of the
// device's free memory. It holds 8 bytes for each of n (d + width) data and target values, 2 P
// parameter and gradient values and 2 sums, and for each sample of a chunk
// 2 sum_l n_l + 2 max_l n_l + 1 values (Z_l, A_l, two gradient buffers, a vector of ones), plus a
// cuBLAS workspace of 32 MiB allocated beforehand. The data must fit whole; the sample chunk is the
// largest (at most 65536) whose buffers fit beside it. Throws InputError naming --device when this
// build has no CUDA backend or no usable device has index device_index, and --max-memory (or
// --device with no budget given) when the data and one chunk do not fit, saying how much they need.
std::unique_ptr<LossGradient> make_cuda_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                      const Dataset& data, const Targets& targets,
                                                      int device_index, double max_memory);

namespace cuda_detail {
// Defined in cuda_loss_gradient.cu (CUDA builds only); make_cuda_loss_gradient checks first.
std::unique_ptr<LossGradient> create_cuda_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                        const Dataset& data, const Targets& targets,
                                                        int device_index, double max_memory);
}  // namespace cuda_detail

}  // namespace lscan
