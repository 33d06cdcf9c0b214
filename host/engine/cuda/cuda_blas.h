// Owners of CUDA streams, events and cuBLAS handles, and the row-major GEMM of the CUDA engine
// and the CUDA training pass. Usable from g++ and nvcc.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/cuda_check.cuh"

namespace lscan::cuda_detail {

// Owner of one CUDA or cuBLAS handle H (not copyable): create() makes it with Traits::create,
// the destructor frees it with Traits::destroy, and it converts to H for the API calls.
template <class H, class Traits>
class Owned {
 public:
  Owned() = default;
  ~Owned() {
    if (h_) LSCAN_CUDA_CHECK_NOTHROW(Traits::destroy(h_));
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  void create() { LSCAN_CUDA_CHECK(Traits::create(&h_)); }
  operator H() const { return h_; }

 private:
  H h_ = nullptr;
};

struct StreamTraits {  // non-blocking: no implicit ordering with the legacy default stream
  static cudaError_t create(cudaStream_t* s) {
    return cudaStreamCreateWithFlags(s, cudaStreamNonBlocking);
  }
  static cudaError_t destroy(cudaStream_t s) { return cudaStreamDestroy(s); }
};
struct EventTraits {  // for ordering only: no timing
  static cudaError_t create(cudaEvent_t* e) {
    return cudaEventCreateWithFlags(e, cudaEventDisableTiming);
  }
  static cudaError_t destroy(cudaEvent_t e) { return cudaEventDestroy(e); }
};
struct BlasTraits {
  static cublasStatus_t create(cublasHandle_t* h) { return cublasCreate(h); }
  static cublasStatus_t destroy(cublasHandle_t h) { return cublasDestroy(h); }
};

using Event = Owned<cudaEvent_t, EventTraits>;
using BlasHandle = Owned<cublasHandle_t, BlasTraits>;

class Stream : public Owned<cudaStream_t, StreamTraits> {
 public:
  // Waits for the stream's work; for destructors, so it reports errors instead of throwing.
  void synchronize() noexcept {
    const cudaStream_t s = *this;
    if (s) LSCAN_CUDA_CHECK_NOTHROW(cudaStreamSynchronize(s));
  }
};

inline int to_int(int64_t v, const char* what) {
  if (v < 0 || v > INT_MAX)
    throw std::length_error(std::string("CUDA engine: ") + what + " of " + std::to_string(v) +
                            " does not fit cuBLAS's int arguments");
  return static_cast<int>(v);
}

// Row-major and batched over i < batch: C_i (M, N) = op(A_i) op(B_i) + beta C_i, A_i = A + i sA
// (elements), likewise B_i and C_i. op(A) = A (M, K), or A^T for A (K, M) when ta; op(B) = B (K,
// N), or B^T for B (N, K) when tb. cuBLAS is column-major, where a row-major (M, N) matrix reads as
// its transpose (N, M); so it is asked for C^T (N, M) = op(B)^T op(A)^T, the operands swapped.
inline void gemm(cublasHandle_t h, cublasComputeType_t compute, bool ta, bool tb, int64_t M,
                 int64_t N, int64_t K, const void* A, cudaDataType_t at, int64_t lda, int64_t sA,
                 const void* Bm, cudaDataType_t bt, int64_t ldb, int64_t sB, void* C,
                 cudaDataType_t ct, int64_t ldc, int64_t sC, int64_t batch,
                 double beta_value = 0.0) {
  if (M == 0 || N == 0 || batch == 0) return;
  const double one64 = 1.0, beta64 = beta_value;
  const float one32 = 1.0f, beta32 = static_cast<float>(beta_value);
  const bool f64 = compute == CUBLAS_COMPUTE_64F;
  const void* alpha = f64 ? static_cast<const void*>(&one64) : static_cast<const void*>(&one32);
  const void* beta = f64 ? static_cast<const void*>(&beta64) : static_cast<const void*>(&beta32);
  LSCAN_CUDA_CHECK(cublasGemmStridedBatchedEx(
      h, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, to_int(N, "N"),
      to_int(M, "M"), to_int(K, "K"), alpha, Bm, bt, to_int(ldb, "ldb"), sB, A, at,
      to_int(lda, "lda"), sA, beta, C, ct, to_int(ldc, "ldc"), sC, to_int(batch, "batch"), compute,
      CUBLAS_GEMM_DEFAULT));
}

}  // namespace lscan::cuda_detail
