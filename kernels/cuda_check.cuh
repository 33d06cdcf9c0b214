// One check for every CUDA runtime call and cuBLAS status:
//   LSCAN_CUDA_CHECK(cudaMalloc(&p, n));           throws std::runtime_error with file and line
//                                                  (OutOfMemoryError when the device is full)
//   LSCAN_CUDA_CHECK(cublasSgemm(...));            the same macro; the status type picks the text
//   LSCAN_CUDA_CHECK_NOTHROW(cudaFree(p));         for destructors: prints to stderr, never throws
// Usable from g++ (host code) and nvcc alike.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "host/core/error.h"

namespace lscan::cuda_detail {

inline bool failed(cudaError_t e) {
  return e != cudaSuccess;
}
inline bool failed(cublasStatus_t s) {
  return s != CUBLAS_STATUS_SUCCESS;
}
inline const char* status_text(cudaError_t e) {
  return cudaGetErrorString(e);
}
inline const char* status_text(cublasStatus_t s) {
  return cublasGetStatusString(s);
}

template <class Status>
std::string failure_message(Status s, const char* call, const char* file, int line) {
  return std::string(file) + ":" + std::to_string(line) + ": " + call +
         " failed: " + status_text(s);
}

inline bool out_of_memory(cudaError_t e) {
  return e == cudaErrorMemoryAllocation;
}
inline bool out_of_memory(cublasStatus_t s) {
  return s == CUBLAS_STATUS_ALLOC_FAILED;
}

template <class Status>
[[noreturn]] void throw_failure(Status s, const char* call, const char* file, int line) {
  if (out_of_memory(s)) throw OutOfMemoryError(failure_message(s, call, file, line));
  throw std::runtime_error(failure_message(s, call, file, line));
}

template <class Status>
void report_failure(Status s, const char* call, const char* file, int line) noexcept {
  std::fprintf(stderr, "lscan: %s:%d: %s failed: %s\n", file, line, call, status_text(s));
}

}  // namespace lscan::cuda_detail

#define LSCAN_CUDA_CHECK(call)                                                       \
  do {                                                                               \
    const auto lscan_status_ = (call);                                               \
    if (::lscan::cuda_detail::failed(lscan_status_))                                 \
      ::lscan::cuda_detail::throw_failure(lscan_status_, #call, __FILE__, __LINE__); \
  } while (0)

#define LSCAN_CUDA_CHECK_NOTHROW(call)                                                \
  do {                                                                                \
    const auto lscan_status_ = (call);                                                \
    if (::lscan::cuda_detail::failed(lscan_status_))                                  \
      ::lscan::cuda_detail::report_failure(lscan_status_, #call, __FILE__, __LINE__); \
  } while (0)
