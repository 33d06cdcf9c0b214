// The engine test suite (engine_suite.h) on the CPU backend, which evaluates fp64 and fp32 and
// refuses the tensor-core modes with an InputError.
#include <gtest/gtest.h>

#include "engine_suite.h"
#include "host/engine/backend.h"

namespace lscan::testing {

struct CpuEngine {
  static bool available() { return true; }
  static const char* unavailable_reason() { return ""; }
  static bool supports(Precision p) { return p == Precision::FP64 || p == Precision::FP32; }
  static std::unique_ptr<Backend> make(const EvalSetup& setup) { return make_cpu_backend(setup); }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Cpu, Engine, ::testing::Types<CpuEngine>);

}  // namespace lscan::testing
