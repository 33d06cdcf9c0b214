// Included first by the host copies of kernels/*.cu (simt_*.cpp, written by CMake from the .cu
// files): the emulated runtime's names, the kernels' launchers renamed simt_launch_* (the names
// emu_kernels.cpp calls when the device runs the kernels' own code), and the SIMT emulation.
#pragma once

#include "emu_names.h"

#undef launch_combine
#undef launch_bias_activation
#undef launch_loss_accuracy
#undef launch_fill_rows
#undef launch_activate
#undef launch_mul_activation_grad
#undef launch_sample_loss_grads
#define launch_combine simt_launch_combine
#define launch_bias_activation simt_launch_bias_activation
#define launch_loss_accuracy simt_launch_loss_accuracy
#define launch_fill_rows simt_launch_fill_rows
#define launch_activate simt_launch_activate
#define launch_mul_activation_grad simt_launch_mul_activation_grad
#define launch_sample_loss_grads simt_launch_sample_loss_grads

#include "emu_simt.h"
