// Included first by every translation unit of the emulated CUDA backend (tests/cuda_emu/). The
// backend's sources are compiled a second time here, by the host compiler against the emulated
// runtime; these names keep that copy's symbols apart from the real CUDA backend's, which the
// same test binary may link.
#pragma once

#define cuda_detail cuda_emu
#define DeviceBuffer EmuDeviceBuffer
#define PinnedBuffer EmuPinnedBuffer
#define launch_combine emu_launch_combine
#define launch_bias_activation emu_launch_bias_activation
#define launch_loss_accuracy emu_launch_loss_accuracy
#define launch_fill_rows emu_launch_fill_rows
#define launch_activate emu_launch_activate
#define launch_mul_activation_grad emu_launch_mul_activation_grad
#define launch_sample_loss_grads emu_launch_sample_loss_grads
