// The CUDA backend (cuBLAS + the kernels of kernels/elementwise.cu). This header has no CUDA types:
// g++ code includes it in every build.
#pragma once

#include <memory>

#include "host/engine/backend.h"

namespace lscan {

// Checks the setup like every backend, then the device. Throws InputError when this build has no
// CUDA backend, when no usable CUDA device has index device_index, or when the memory budget holds
// no tile. The budget (EvalSetup::max_memory, else 70% of the device's free memory) covers every
// device buffer of the backend: the stacked weights, the data (kept on the device when it takes at
// most half of what the weights leave, else streamed by chunk) and the tile's buffers; cuBLAS's
// workspace (32 MiB, allocated first) comes on top.
std::unique_ptr<Backend> make_cuda_backend(const EvalSetup& setup, int device_index = 0);

namespace cuda_detail {
// Defined in cuda_backend.cu (CUDA builds only); make_cuda_backend checks its arguments first.
std::unique_ptr<Backend> create_cuda_backend(const EvalSetup& setup, int device_index);
}  // namespace cuda_detail

}  // namespace lscan
