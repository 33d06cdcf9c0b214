// What the tests of the emulated CUDA backend share: the engine and training factories on the
// emulated device, and its schedule seed (LSCAN_EMU_SEED=<seed> replays a failure; the seed is
// printed with every failure).
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

// A fresh device configuration with the given schedule; Random gets a fresh seed (or
// LSCAN_EMU_SEED), remembered for the failure report.
emu::Config emu_config(emu::Schedule schedule, size_t memory_bytes = size_t(1) << 30);
uint64_t last_emu_seed();

// The CUDA backend on the emulated device, after the checks make_cuda_backend makes.
std::unique_ptr<Backend> make_emu_backend(const EvalSetup& setup);
std::unique_ptr<LossGradient> make_emu_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                     const Dataset& data, const Targets& targets,
                                                     double max_memory);

template <emu::Schedule S>
struct EmuEngine {
  static bool available() { return true; }
  static const char* unavailable_reason() { return ""; }
  static bool supports(Precision) { return true; }
  static std::unique_ptr<Backend> make(const EvalSetup& setup) {
    emu::configure(emu_config(S));
    return make_emu_backend(setup);
  }
};

}  // namespace lscan::testing
