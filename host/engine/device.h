// Which compute devices exist, and the choice behind --device auto|cpu|cuda|cuda:N.
#pragma once

#include <string>
#include <vector>

namespace lscan {

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  double total_memory = 0;  // bytes
};

// Empty in CPU-only builds, or where no driver or device is present.
std::vector<CudaDeviceInfo> cuda_devices();

bool cuda_compiled();

// Throws InputError naming --device when this build has no CUDA backend or no usable CUDA device
// has index device_index.
void require_cuda_device(int device_index);

struct DeviceChoice {
  bool cuda = false;
  int index = 0;
  std::string notice;  // one line for the user, e.g. "device: cpu (no CUDA device found)"
};

// Parses --device. "auto" picks CUDA device 0 when one is usable, else the CPU with a notice;
// an explicit cuda or cuda:N with no such device throws InputError (exit code 2).
DeviceChoice choose_device(const std::string& flag);

}  // namespace lscan
