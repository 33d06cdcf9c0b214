#include "host/engine/device.h"

#include "host/core/error.h"

namespace lscan {

#ifndef LSCAN_HAVE_CUDA
std::vector<CudaDeviceInfo> cuda_devices() {
  return {};
}
bool cuda_compiled() {
  return false;
}
#else
bool cuda_compiled() {
  return true;
}
#endif

void require_cuda_device(int device_index) {
  if (!cuda_compiled())
    input_error("", "--device",
                "this build has no CUDA backend (nvcc was not found when it was built); use "
                "--device cpu");
  const auto devices = cuda_devices();
  if (devices.empty())
    input_error("", "--device",
                "no usable CUDA device was found (no device, no driver, or CUDA_VISIBLE_DEVICES "
                "hides them); use --device cpu");
  if (device_index < 0 || device_index >= static_cast<int>(devices.size()))
    input_error("", "--device",
                "cuda:" + std::to_string(device_index) + " asked for, but " +
                    std::to_string(devices.size()) + " CUDA device(s) are usable");
}

DeviceChoice choose_device(const std::string& flag) {
  DeviceChoice c;
  if (flag == "cpu") {
    c.notice = "device: cpu";
    return c;
  }
  const auto devices = cuda_devices();
  if (flag == "auto") {
    if (devices.empty()) {
      c.notice = cuda_compiled() ? "device: cpu (no usable CUDA device found)"
                                 : "device: cpu (this build has no CUDA backend)";
      return c;
    }
    c.cuda = true;
    c.notice = "device: cuda:0 (" + devices[0].name + ")";
    return c;
  }
  if (flag == "cuda" || flag.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (flag.size() > 5) {
      try {
        size_t used = 0;
        index = std::stoi(flag.substr(5), &used);
        if (used != flag.size() - 5 || index < 0) throw std::invalid_argument("index");
      } catch (const std::exception&) {
        input_error("", "--device", "expected auto, cpu, cuda or cuda:N, got '" + flag + "'");
      }
    }
    if (!cuda_compiled())
      input_error("", "--device",
                  "'" + flag + "' asked for, but this build has no CUDA backend " +
                      "(nvcc was not found when it was built)");
    if (index >= static_cast<int>(devices.size()))
      input_error("", "--device",
                  "'" + flag + "' asked for, but " + std::to_string(devices.size()) +
                      " CUDA device(s) are usable");
    c.cuda = true;
    c.index = index;
    c.notice = "device: cuda:" + std::to_string(index) + " (" + devices[index].name + ")";
    return c;
  }
  input_error("", "--device", "expected auto, cpu, cuda or cuda:N, got '" + flag + "'");
}

}  // namespace lscan
