// The CUDA backend and training pass on the emulated device, behind the checks the real
// factories (make_cuda_backend, make_cuda_loss_gradient) make, and the emulated device list. The
// tests call them directly; the benchmark programs built for the emulated device reach them
// through the names of emu_bench_names.h. Defined in emu_bench_support.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "host/engine/backend.h"
#include "host/engine/device.h"
#include "host/train/backprop.h"

namespace lscan {

std::vector<CudaDeviceInfo> emu_cuda_devices();  // one device, cuda:0
// device_index must be 0: anything else is an InputError naming --device.
std::unique_ptr<Backend> emu_make_cuda_backend(const EvalSetup& setup, int device_index);
std::unique_ptr<LossGradient> emu_make_cuda_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                          const Dataset& data,
                                                          const Targets& targets, int device_index,
                                                          double max_memory);

}  // namespace lscan
