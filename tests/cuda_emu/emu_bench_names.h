// Included before everything else (-include) by the benchmark programs built for the emulated
// device (bench_gpu_engine_emu, bench_train_emu): the names of emu_names.h, and the device list
// and the CUDA factories of lscan_core replaced by the emulated ones (emu_bench_support.cpp). A
// run of these checks that the benchmark programs run through and print what
// benchmarks/compare_targets.py reads; their times mean nothing.
#pragma once

#include "emu_names.h"

#ifndef LSCAN_HAVE_CUDA
#define LSCAN_HAVE_CUDA 1
#endif
#define cuda_devices emu_cuda_devices
#define make_cuda_backend emu_make_cuda_backend
#define make_cuda_loss_gradient emu_make_cuda_loss_gradient
