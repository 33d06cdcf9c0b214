// The checks in front of the CUDA backend, compiled by g++ in every build: a build or a machine
// without CUDA gets an InputError that says so, never a crash.
#include <string>

#include "host/core/error.h"
#include "host/engine/cuda/cuda_backend.h"
#include "host/engine/device.h"

namespace lscan {

std::unique_ptr<Backend> make_cuda_backend(const EvalSetup& setup, int device_index) {
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
  check_eval_setup(setup);
#ifdef LSCAN_HAVE_CUDA
  return cuda_detail::create_cuda_backend(setup, device_index);
#else
  return nullptr;  // not reached: cuda_compiled() is false
#endif
}

}  // namespace lscan
