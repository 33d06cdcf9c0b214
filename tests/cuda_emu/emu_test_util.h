// What the tests of the emulated CUDA backend share: the device configuration and the engine and
// training factories on the emulated device.
#pragma once

#include "emu_names.h"
// clang-format off
#include <memory>

#include "emu_device.h"
#include "host/engine/backend.h"
#include "host/engine/cuda/cuda_backend.h"
#include "host/train/cuda/cuda_loss_gradient.h"
// clang-format on

namespace lscan::testing {

// A device configuration with the given schedule and capacity. The Random schedule's seed derives
// from LSCAN_EMU_SEED (or a fresh seed, printed with a failure), the test and a count.
emu::Config emu_config(emu::Schedule schedule, size_t memory_bytes = size_t(1) << 30);

// The CUDA backend on the emulated device, after the checks make_cuda_backend makes.
std::unique_ptr<Backend> make_emu_backend(const EvalSetup& setup);
std::unique_ptr<LossGradient> make_emu_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                     const Dataset& data, const Targets& targets,
                                                     double max_memory);

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
