// The CUDA backend's host code (host/engine/cuda/cuda_backend.cu), compiled for the emulated
// device.
#include "emu_names.h"
// clang-format off
#include "host/engine/cuda/cuda_backend.cu"
// clang-format on
