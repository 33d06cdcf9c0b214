// The CUDA kernels' own code on the host (tests/cuda_emu/): CMake rewrites kernels/*.cu into
// simt_*.cpp (kernel<<<grid, block, shmem, stream>>>(args) becomes
// ::lscan::emu::simt::launch(kernel, grid, block, shmem, stream)(args); __global__ and __device__
// go), and this header supplies what the kernels use: blockIdx, threadIdx, blockDim, gridDim and
// the warp collectives __shfl_sync, __ballot_sync, __popc. A launch runs every block, each warp's
// lanes as cooperative fibers that meet at every collective (lockstep where it matters); a lane
// that leaves while others wait at a full-mask collective is a violation, as on a GPU it is
// undefined. A launch runs at once, in the caller: emu_kernels.cpp orders it on its stream.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

extern dim3 blockIdx, threadIdx, blockDim, gridDim;

namespace lscan::emu::simt {

// Runs body() once per thread of the grid, with blockIdx and threadIdx set, warps in lockstep at
// collectives. A kernel (key) whose first launch met no collective runs its later launches thread
// after thread on the caller's stack, without fibers; a collective met there is a violation.
void run(dim3 grid, dim3 block, const std::function<void()>& body, const void* key);

// A lane's part in a collective: op 0 = shuffle (value, source lane), 1 = ballot (predicate).
// Returns the lane's result once every live lane of the warp has arrived.
uint64_t collective(int op, unsigned mask, uint64_t value, int src);

template <class... P>
struct Launcher {
  void (*kernel)(P...);
  dim3 grid, block;
  template <class... A>
  void operator()(A&&... args) const {
    const std::tuple<P...> params(static_cast<P>(args)...);
    auto k = kernel;
    run(
        grid, block, [&] { std::apply(k, params); }, reinterpret_cast<const void*>(k));
  }
};

template <class... P>
Launcher<P...> launch(void (*kernel)(P...), dim3 grid, dim3 block, size_t = 0,
                      cudaStream_t = nullptr) {
  return {kernel, grid, block};
}

}  // namespace lscan::emu::simt

template <class T>
T __shfl_sync(unsigned mask, T value, int src) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>);
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  bits = lscan::emu::simt::collective(0, mask, bits, src);
  T out;
  std::memcpy(&out, &bits, sizeof(T));
  return out;
}

inline unsigned __ballot_sync(unsigned mask, int predicate) {
  return static_cast<unsigned>(lscan::emu::simt::collective(1, mask, predicate != 0, 0));
}

inline int __popc(unsigned x) {
  return __builtin_popcount(x);
}
