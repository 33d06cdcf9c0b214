// Move-only owners of CUDA memory: DeviceBuffer<T> (cudaMalloc) and PinnedBuffer<T>
// (cudaMallocHost, the host side of asynchronous copies). Sizes and offsets count elements of T.
// Usable from g++ and nvcc.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels/cuda_check.cuh"

namespace lscan {

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t n) { allocate(n); }
  ~DeviceBuffer() { release(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ptr_ = std::exchange(o.ptr_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }

  // Replaces the contents by n uninitialised elements. Returns cudaErrorMemoryAllocation (with
  // the error cleared) when the device is full, so that the caller can ask for less; throws on
  // any other error.
  cudaError_t try_allocate(size_t n) {
    release();
    if (n == 0) return cudaSuccess;
    void* p = nullptr;
    const cudaError_t e = cudaMalloc(&p, n * sizeof(T));
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // not sticky: clear it so that later checks do not see it
      return e;
    }
    LSCAN_CUDA_CHECK(e);
    ptr_ = static_cast<T*>(p);
    size_ = n;
    return cudaSuccess;
  }
  void allocate(size_t n) { LSCAN_CUDA_CHECK(try_allocate(n)); }
  void release() noexcept {
    if (ptr_) LSCAN_CUDA_CHECK_NOTHROW(cudaFree(ptr_));
    ptr_ = nullptr;
    size_ = 0;
  }

  T* data() { return ptr_; }
  const T* data() const { return ptr_; }
  size_t size() const { return size_; }
  size_t bytes() const { return size_ * sizeof(T); }

  // this[offset, offset + n) <- host[0, n). Returns once the copy has landed on the device (a
  // plain cudaMemcpy from pageable memory may return before it has).
  void upload(const T* host, size_t n, size_t offset = 0) {
    check_range(n, offset);
    if (n == 0) return;
    LSCAN_CUDA_CHECK(
        cudaMemcpyAsync(ptr_ + offset, host, n * sizeof(T), cudaMemcpyHostToDevice, nullptr));
    LSCAN_CUDA_CHECK(cudaStreamSynchronize(nullptr));
  }
  // The same, ordered on `stream`; host must be pinned for the copy to overlap other work, and
  // must stay unchanged until the stream passes the copy.
  void upload_async(const T* host, size_t n, cudaStream_t stream, size_t offset = 0) {
    check_range(n, offset);
    if (n)
      LSCAN_CUDA_CHECK(
          cudaMemcpyAsync(ptr_ + offset, host, n * sizeof(T), cudaMemcpyHostToDevice, stream));
  }
  // host[0, n) <- this[offset, offset + n), after the work on the default stream. Blocking.
  void download(T* host, size_t n, size_t offset = 0) const {
    check_range(n, offset);
    if (n == 0) return;
    LSCAN_CUDA_CHECK(
        cudaMemcpyAsync(host, ptr_ + offset, n * sizeof(T), cudaMemcpyDeviceToHost, nullptr));
    LSCAN_CUDA_CHECK(cudaStreamSynchronize(nullptr));
  }
  void download_async(T* host, size_t n, cudaStream_t stream, size_t offset = 0) const {
    check_range(n, offset);
    if (n)
      LSCAN_CUDA_CHECK(
          cudaMemcpyAsync(host, ptr_ + offset, n * sizeof(T), cudaMemcpyDeviceToHost, stream));
  }
  // this[offset, offset + n) <- all-zero bytes.
  void zero_async(size_t n, cudaStream_t stream, size_t offset = 0) {
    check_range(n, offset);
    if (n) LSCAN_CUDA_CHECK(cudaMemsetAsync(ptr_ + offset, 0, n * sizeof(T), stream));
  }

 private:
  void check_range(size_t n, size_t offset) const {
    if (offset > size_ || n > size_ - offset)
      throw std::out_of_range("DeviceBuffer: copy of " + std::to_string(n) + " elements at " +
                              std::to_string(offset) + " past the end (" + std::to_string(size_) +
                              ")");
  }

  T* ptr_ = nullptr;
  size_t size_ = 0;
};

template <class T>
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  explicit PinnedBuffer(size_t n) { allocate(n); }
  ~PinnedBuffer() { release(); }
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  PinnedBuffer(PinnedBuffer&& o) noexcept
      : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  PinnedBuffer& operator=(PinnedBuffer&& o) noexcept {
    if (this != &o) {
      release();
      ptr_ = std::exchange(o.ptr_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }

  // Replaces the contents by n uninitialised elements.
  void allocate(size_t n) {
    release();
    if (n == 0) return;
    void* p = nullptr;
    LSCAN_CUDA_CHECK(cudaMallocHost(&p, n * sizeof(T)));
    ptr_ = static_cast<T*>(p);
    size_ = n;
  }
  void release() noexcept {
    if (ptr_) LSCAN_CUDA_CHECK_NOTHROW(cudaFreeHost(ptr_));
    ptr_ = nullptr;
    size_ = 0;
  }

  T* data() { return ptr_; }
  const T* data() const { return ptr_; }
  size_t size() const { return size_; }
  T& operator[](size_t i) { return ptr_[i]; }
  const T& operator[](size_t i) const { return ptr_[i]; }

 private:
  T* ptr_ = nullptr;
  size_t size_ = 0;
};

}  // namespace lscan
