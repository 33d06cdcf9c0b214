// The checks in front of the CUDA backend, compiled by g++ in every build: a build or a machine
// without CUDA gets an InputError that says so, never a crash.
#include "host/engine/cuda/cuda_backend.h"
#include "host/engine/device.h"

namespace lscan {

std::unique_ptr<Backend> make_cuda_backend(const EvalSetup& setup, int device_index) {
  require_cuda_device(device_index);
  check_eval_setup(setup);
#ifdef LSCAN_HAVE_CUDA
  return cuda_detail::create_cuda_backend(setup, device_index);
#else
  return nullptr;  // not reached: cuda_compiled() is false
#endif
}

}  // namespace lscan
