// The CUDA training pass's host code (host/train/cuda/cuda_loss_gradient.cu), compiled for the
// emulated device.
#include "emu_names.h"
// clang-format off
#include "host/train/cuda/cuda_loss_gradient.cu"
// clang-format on
