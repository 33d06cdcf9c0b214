// The CUDA devices this process can use; compiled only when nvcc is found.
#include <cuda_runtime.h>

#include <string>

#include "host/engine/device.h"

namespace lscan {

std::vector<CudaDeviceInfo> cuda_devices() {
  std::vector<CudaDeviceInfo> out;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the sticky error, report none
    return out;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    out.push_back({i, prop.name, static_cast<double>(prop.totalGlobalMem)});
  }
  return out;
}

}  // namespace lscan
