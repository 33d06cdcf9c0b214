// Included before everything else (-include) by the code that must reach the emulated device
// instead of a real one: the benchmark programs built for it (bench_gpu_engine_emu,
// bench_train_emu, whose runs check that they run through and print what
// benchmarks/compare_targets.py reads; their times mean nothing), the sources compiled again into
// lscan_emu_routing, and emu_bench_support.cpp. The names of emu_names.h, and the device list and
// CUDA factories of lscan_core renamed to the emulated ones (emu_factories.h).
#pragma once

#include "emu_names.h"

#ifndef LSCAN_HAVE_CUDA
#define LSCAN_HAVE_CUDA 1
#endif
#define cuda_devices emu_cuda_devices
#define make_cuda_backend emu_make_cuda_backend
#define make_cuda_loss_gradient emu_make_cuda_loss_gradient
