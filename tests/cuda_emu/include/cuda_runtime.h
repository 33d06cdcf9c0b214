// The host emulation of the CUDA runtime (tests/cuda_emu/): the subset of cuda_runtime.h that the
// CUDA backend's host code calls, with the runtime's documented semantics, on ordinary host
// memory. Every function forwards to lscan::emu (emu_device.h), which checks what the real
// runtime leaves undefined: pointers outside live allocations, host and device pointers swapped,
// work read before its stream has run it. The types have names of their own, and the functions
// internal linkage, so that a test binary linking the real runtime sees no clash.
#pragma once

#include <cstddef>

struct lscan_emu_stream;
struct lscan_emu_event;
typedef lscan_emu_stream* cudaStream_t;
typedef lscan_emu_event* cudaEvent_t;

enum lscan_emu_error {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorIllegalAddress = 700,
};
typedef lscan_emu_error cudaError_t;

enum lscan_emu_memcpy_kind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};
typedef lscan_emu_memcpy_kind cudaMemcpyKind;

constexpr unsigned cudaStreamNonBlocking = 0x01;
constexpr unsigned cudaEventDisableTiming = 0x02;

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
};

struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
};

namespace lscan::emu::api {
cudaError_t malloc_device(void** p, size_t bytes);
cudaError_t free_device(void* p);
cudaError_t malloc_host(void** p, size_t bytes);
cudaError_t free_host(void* p);
cudaError_t memcpy_async(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                         cudaStream_t stream);
cudaError_t memset_async(void* p, int value, size_t bytes, cudaStream_t stream);
cudaError_t mem_get_info(size_t* free_bytes, size_t* total_bytes);
cudaError_t stream_create(cudaStream_t* s, unsigned flags);
cudaError_t stream_destroy(cudaStream_t s);
cudaError_t stream_synchronize(cudaStream_t s);
cudaError_t stream_wait_event(cudaStream_t s, cudaEvent_t e, unsigned flags);
cudaError_t event_create(cudaEvent_t* e, unsigned flags);
cudaError_t event_destroy(cudaEvent_t e);
cudaError_t event_record(cudaEvent_t e, cudaStream_t s);
cudaError_t device_synchronize();
cudaError_t get_device_count(int* count);
cudaError_t get_device_properties(cudaDeviceProp* prop, int device);
cudaError_t set_device(int device);
cudaError_t get_last_error();
cudaError_t peek_at_last_error();
const char* error_string(cudaError_t e);
}  // namespace lscan::emu::api

static inline cudaError_t cudaMalloc(void** p, size_t bytes) {
  return lscan::emu::api::malloc_device(p, bytes);
}
static inline cudaError_t cudaFree(void* p) {
  return lscan::emu::api::free_device(p);
}
static inline cudaError_t cudaMallocHost(void** p, size_t bytes) {
  return lscan::emu::api::malloc_host(p, bytes);
}
static inline cudaError_t cudaFreeHost(void* p) {
  return lscan::emu::api::free_host(p);
}
static inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes,
                                          cudaMemcpyKind kind, cudaStream_t stream = nullptr) {
  return lscan::emu::api::memcpy_async(dst, src, bytes, kind, stream);
}
static inline cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes,
                                     cudaMemcpyKind kind) {
  const cudaError_t e = lscan::emu::api::memcpy_async(dst, src, bytes, kind, nullptr);
  return e != cudaSuccess ? e : lscan::emu::api::stream_synchronize(nullptr);
}
static inline cudaError_t cudaMemsetAsync(void* p, int value, size_t bytes,
                                          cudaStream_t stream = nullptr) {
  return lscan::emu::api::memset_async(p, value, bytes, stream);
}
static inline cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total_bytes) {
  return lscan::emu::api::mem_get_info(free_bytes, total_bytes);
}
static inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned flags) {
  return lscan::emu::api::stream_create(s, flags);
}
static inline cudaError_t cudaStreamCreate(cudaStream_t* s) {
  return lscan::emu::api::stream_create(s, 0);
}
static inline cudaError_t cudaStreamDestroy(cudaStream_t s) {
  return lscan::emu::api::stream_destroy(s);
}
static inline cudaError_t cudaStreamSynchronize(cudaStream_t s) {
  return lscan::emu::api::stream_synchronize(s);
}
static inline cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t e, unsigned flags = 0) {
  return lscan::emu::api::stream_wait_event(s, e, flags);
}
static inline cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned flags) {
  return lscan::emu::api::event_create(e, flags);
}
static inline cudaError_t cudaEventCreate(cudaEvent_t* e) {
  return lscan::emu::api::event_create(e, 0);
}
static inline cudaError_t cudaEventDestroy(cudaEvent_t e) {
  return lscan::emu::api::event_destroy(e);
}
static inline cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = nullptr) {
  return lscan::emu::api::event_record(e, s);
}
static inline cudaError_t cudaDeviceSynchronize() {
  return lscan::emu::api::device_synchronize();
}
static inline cudaError_t cudaGetDeviceCount(int* count) {
  return lscan::emu::api::get_device_count(count);
}
static inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
  return lscan::emu::api::get_device_properties(prop, device);
}
static inline cudaError_t cudaSetDevice(int device) {
  return lscan::emu::api::set_device(device);
}
// The versions of an emulated device: 0 for both, which no real driver or runtime reports.
static inline cudaError_t cudaDriverGetVersion(int* version) {
  *version = 0;
  return cudaSuccess;
}
static inline cudaError_t cudaRuntimeGetVersion(int* version) {
  *version = 0;
  return cudaSuccess;
}
static inline cudaError_t cudaGetLastError() {
  return lscan::emu::api::get_last_error();
}
static inline cudaError_t cudaPeekAtLastError() {
  return lscan::emu::api::peek_at_last_error();
}
static inline const char* cudaGetErrorString(cudaError_t e) {
  return lscan::emu::api::error_string(e);
}
