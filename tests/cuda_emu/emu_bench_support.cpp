// The emulated device list of emu_factories.h. The factories themselves are the real ones
// (host/engine/cuda/make_cuda_backend.cpp, host/train/cuda/make_cuda_loss_gradient.cpp), compiled
// again with the names of emu_bench_names.h into lscan_emu_routing.
#include "emu_bench_names.h"
// clang-format off
#include "emu_device.h"
#include "emu_factories.h"
#include "host/engine/device.h"
// clang-format on

namespace lscan {

std::vector<CudaDeviceInfo> emu_cuda_devices() {
  std::vector<CudaDeviceInfo> devices;
  for (int i = 0; i < emu::config().devices; ++i)
    devices.push_back(
        {i, "lscan emulated device", static_cast<double>(emu::config().memory_bytes)});
  return devices;
}

}  // namespace lscan
