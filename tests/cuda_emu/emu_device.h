// The host emulation of a CUDA device, for tests of the CUDA backend's host code on machines
// without a GPU. The headers in include/ stand in for cuda_runtime.h, cublas_v2.h and
// cuda_bf16.h; emu_kernels.cpp launches the engine's kernels as loops over their per-element
// bodies (kernels/elementwise_math.cuh, activations.cuh, losses.cuh); emu_blas.cpp runs cuBLAS's
// GEMMs with their documented column-major semantics. What it checks beyond the values:
//   - memory: every pointer handed to a copy, a kernel or a GEMM must lie, with its whole extent,
//     inside one live allocation of the right side (device or host); and every device byte that
//     a copy, kernel or GEMM reads must have been written before, when the work runs (new
//     allocations are also filled with 0xff bytes, NaN in every float format)
//   - ordering: work on a stream runs when the schedule lets it, not when it is enqueued
//       Lazy    only when something waits for it (a synchronize, an event wait, a blocking copy)
//       Random  after each enqueue, some streams chosen at random run what they hold
//       Eager   at once (program order: hides every missing wait)
//     so a missing cudaStreamWaitEvent or synchronize shows as stale or NaN values
//   - devices: allocations, streams, events and cuBLAS handles belong to the device current when
//     they were made; kernels, GEMMs and memsets must run on the current device, on its streams
//     and handles, with operands on that device (no peer access)
//   - a violation (out of bounds, host/device mix-up, dead handle) is recorded and turns into a
//     sticky cudaErrorIllegalAddress, as a real fault would, with the reason in its error string.
// Kernels run as loops over their per-element bodies, or (Config::simt) as the kernels' own code,
// thread by thread with warps in lockstep at their collectives (emu_simt.h).
// Not emulated: cuBLAS's own summation order, the GPU's memory model between threads, timing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cuda_runtime.h"

namespace lscan::emu {

enum class Schedule { Eager, Lazy, Random };

inline constexpr int kMaxDevices = 8;

struct Config {
  size_t memory_bytes = size_t(1) << 30;  // each device's capacity
  int devices = 1;                        // 1 to kMaxDevices
  Schedule schedule = Schedule::Lazy;
  uint64_t seed = 1;  // of the Random schedule
  // Kernels: false runs each launch as a loop over the kernel's per-element body; true runs the
  // kernel's own code thread by thread, warps in lockstep (emu_simt.h), which also checks its
  // thread mapping and warp collectives (slower).
  bool simt = false;
};

// Sets the device up for the next test. Live allocations and streams stay (a test may hold a
// backend across calls); the violations and the sticky error are cleared. Throws when
// memory_bytes is below what is allocated now.
void configure(const Config& config);
const Config& config();

struct Counters {
  int64_t gemm_calls = 0;        // cuBLAS calls (a strided-batched GEMM counts once)
  int64_t gemm_batches = 0;      // GEMM products, batch entries counted one by one
  int64_t kernel_launches = 0;   // emulated kernel launches
  int64_t copies_to_device = 0;  // cudaMemcpyAsync host to device
  int64_t copies_to_host = 0;    // cudaMemcpyAsync device to host
  size_t peak_device_bytes = 0;
  int64_t allocations_on_device[kMaxDevices] = {};  // cudaMalloc calls, by current device
  int64_t work_on_device[kMaxDevices] =
      {};  // kernels, GEMMs and memsets, by the device they run on
};
Counters counters();
void reset_counters();

size_t live_device_bytes();
size_t live_device_allocations();
size_t live_host_allocations();
bool idle();  // no stream holds work that has not run
const std::vector<std::string>& violations();

// Records a violation: the device faults (sticky cudaErrorIllegalAddress) with this reason.
void violation(const std::string& what);

namespace detail {
struct Range {
  const void* p;
  size_t bytes;
  std::string what;
};
}  // namespace detail

// An emulated kernel launch on `stream`: declare what it reads and writes (checked against the
// live device allocations), then submit the work. A bad operand is a violation, the work is then
// dropped; submit() returns the launch's error, which cudaGetLastError() also reports.
class Launch {
 public:
  Launch(const char* kernel, cudaStream_t stream);
  template <class T>
  void reads(const T* p, long long n, const char* what) {
    operand(p, n, sizeof(T), what, true);
  }
  template <class T>
  void writes(T* p, long long n, const char* what) {
    operand(p, n, sizeof(T), what, false);
  }
  cudaError_t submit(std::function<void()> work);

 private:
  void operand(const void* p, long long n, size_t size, const char* what, bool read);
  std::string kernel_;
  cudaStream_t stream_;
  bool ok_ = true;
  std::vector<detail::Range> reads_, writes_;
};

namespace detail {
// When the work runs: false (and a violation) if [p, p + bytes) holds device bytes nothing wrote.
bool check_written(const Range& r, const std::string& who);
void mark_written(const void* p, size_t bytes);
// For emu_blas.cpp: the checks and the queue behind Launch.
bool is_device(const void* p, size_t bytes);  // [p, p + bytes) inside one device allocation
int current_device();
// Work on `stream` (null: the legacy default stream) must run on the current device, and every
// operand must live on that device; otherwise a violation, and false. Counts the work.
bool on_one_device(const std::string& who, cudaStream_t stream, const std::vector<Range>& operands);
const void* allocation_of(const void* p);  // its device allocation's base, or null
cudaError_t sticky();                      // the sticky error, cudaSuccess if none
bool stream_alive(cudaStream_t s);
void enqueue(cudaStream_t s, std::function<void()> work);
void count_gemm(int64_t batches);
}  // namespace detail

}  // namespace lscan::emu
