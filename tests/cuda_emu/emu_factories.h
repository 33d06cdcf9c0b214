// The CUDA backend and training pass on the emulated device, and the emulated device list. The
// factories are the real ones (make_cuda_backend, make_cuda_loss_gradient: the same checks, then
// the backend) compiled again with the names of emu_bench_names.h into lscan_emu_routing; the
// device list is in emu_bench_support.cpp. The tests call them directly; lscan_emu and the
// benchmark programs built for the emulated device reach them through those names.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "host/engine/backend.h"
#include "host/engine/device.h"
#include "host/train/backprop.h"

namespace lscan {

std::vector<CudaDeviceInfo> emu_cuda_devices();  // emu::config().devices of them
// A device_index that is not on the list is an InputError naming --device.
std::unique_ptr<Backend> emu_make_cuda_backend(const EvalSetup& setup, int device_index);
std::unique_ptr<LossGradient> emu_make_cuda_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                          const Dataset& data,
                                                          const Targets& targets, int device_index,
                                                          double max_memory);

}  // namespace lscan
