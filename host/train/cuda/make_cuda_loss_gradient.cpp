// The checks in front of the CUDA training pass, compiled by g++ in every build: a build or a
// machine without CUDA gets an InputError that says so, never a crash.
#include "host/engine/device.h"
#include "host/train/cuda/cuda_loss_gradient.h"

namespace lscan {

std::unique_ptr<LossGradient> make_cuda_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                      const Dataset& data, const Targets& targets,
                                                      int device_index, double max_memory) {
  require_cuda_device(device_index);
  check_backprop_inputs(spec, num_params, data, targets);
#ifdef LSCAN_HAVE_CUDA
  return cuda_detail::create_cuda_loss_gradient(spec, num_params, data, targets, device_index,
                                                max_memory);
#else
  (void)max_memory;
  return nullptr;  // not reached: require_cuda_device throws in a build without CUDA
#endif
}

}  // namespace lscan
