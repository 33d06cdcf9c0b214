// The factories of emu_factories.h: one emulated device, and the CUDA backend and training pass on
// it after the checks the real factories make.
#include "emu_bench_names.h"
// clang-format off
#include "emu_device.h"
#include "emu_factories.h"
#include "host/core/error.h"
#include "host/engine/backend.h"
#include "host/engine/cuda/cuda_backend.h"
#include "host/engine/device.h"
#include "host/train/cuda/cuda_loss_gradient.h"
// clang-format on

namespace lscan {

std::vector<CudaDeviceInfo> emu_cuda_devices() {
  return {{0, "lscan emulated device", static_cast<double>(emu::config().memory_bytes)}};
}

std::unique_ptr<Backend> emu_make_cuda_backend(const EvalSetup& setup, int device_index) {
  if (device_index != 0) throw InputError("--device: the emulated device is cuda:0");
  check_eval_setup(setup);
  return cuda_emu::create_cuda_backend(setup, 0);
}

std::unique_ptr<LossGradient> emu_make_cuda_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                          const Dataset& data,
                                                          const Targets& targets, int device_index,
                                                          double max_memory) {
  if (device_index != 0) throw InputError("--device: the emulated device is cuda:0");
  check_backprop_inputs(spec, num_params, data, targets);
  return cuda_emu::create_cuda_loss_gradient(spec, num_params, data, targets, 0, max_memory);
}

}  // namespace lscan
