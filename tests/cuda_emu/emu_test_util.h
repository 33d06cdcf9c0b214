// What the tests of the emulated CUDA backend share: the device configuration and the engine and
// training factories on the emulated device.
#pragma once

#include "emu_names.h"
// clang-format off
#include <memory>

#include "emu_device.h"
#include "emu_factories.h"
#include "host/engine/backend.h"
#include "host/train/backprop.h"
// clang-format on

namespace lscan::testing {

// A device configuration with the given schedule and capacity. The Random schedule's seed derives
// from LSCAN_EMU_SEED (or a fresh seed, printed with a failure), the test and a count.
emu::Config emu_config(emu::Schedule schedule, size_t memory_bytes = size_t(1) << 30);

// The CUDA backend and training pass on the emulated device (emu_factories.h).
inline std::unique_ptr<Backend> make_emu_backend(const EvalSetup& setup) {
  return emu_make_cuda_backend(setup, 0);
}
inline std::unique_ptr<LossGradient> make_emu_loss_gradient(const ModelSpec& spec,
                                                            int64_t num_params, const Dataset& data,
                                                            const Targets& targets,
                                                            double max_memory) {
  return emu_make_cuda_loss_gradient(spec, num_params, data, targets, 0, max_memory);
}

// Simt: the kernels run as their own code, thread by thread (emu::Config::simt).
template <emu::Schedule S, bool Simt = false>
struct EmuEngine {
  static bool available() { return true; }
  static const char* unavailable_reason() { return ""; }
  static bool supports(Precision) { return true; }
  static std::unique_ptr<Backend> make(const EvalSetup& setup) {
    emu::Config c = emu_config(S);
    c.simt = Simt;
    emu::configure(c);
    return make_emu_backend(setup);
  }
};

}  // namespace lscan::testing
