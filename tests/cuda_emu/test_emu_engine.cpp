// The engine test suite (engine_suite.h) on the CUDA backend's host code over the emulated device
// (emu_device.h), in all four precision modes, under the Lazy schedule (work runs only when
// something waits for it) and the Random one (streams run in random interleavings).
#include <gtest/gtest.h>

#include "emu_test_util.h"
#include "engine_suite.h"

namespace lscan::testing {

using EmuLazyEngine = EmuEngine<emu::Schedule::Lazy>;
using EmuRandomEngine = EmuEngine<emu::Schedule::Random>;
INSTANTIATE_TYPED_TEST_SUITE_P(EmuLazy, Engine, ::testing::Types<EmuLazyEngine>);
INSTANTIATE_TYPED_TEST_SUITE_P(EmuRandom, Engine, ::testing::Types<EmuRandomEngine>);

}  // namespace lscan::testing
