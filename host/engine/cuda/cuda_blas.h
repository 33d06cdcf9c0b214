// Owners of CUDA streams, events and cuBLAS handles, and the row-major GEMM of the CUDA engine
// and the CUDA training pass. Usable from g++ and nvcc.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
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

// Entries per strided-batched cuBLAS call. cuBLAS has returned wrong values for the entries past
// 65535 of one call on some GPUs and versions (a grid-dimension limit; PyTorch issues 25241 and
// 45724), and a tile of a small model holds far more points than that. A multiple of 1024, so that
// every call's operands start as aligned as the first call's.
constexpr int64_t kMaxGemmBatch = 63 * 1024;

inline int64_t type_bytes(cudaDataType_t t) {
  switch (t) {
    case CUDA_R_64F:
      return 8;
    case CUDA_R_32F:
      return 4;
    case CUDA_R_16BF:
      return 2;
    default:
      throw std::invalid_argument("gemm: unexpected cudaDataType_t");
  }
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
  // Entry i0 of each call, in bytes from entry 0.
  const int64_t step_a = sA * type_bytes(at), step_b = sB * type_bytes(bt),
                step_c = sC * type_bytes(ct);
  for (int64_t i0 = 0; i0 < batch; i0 += kMaxGemmBatch) {
    const int64_t count = std::min(kMaxGemmBatch, batch - i0);
    LSCAN_CUDA_CHECK(cublasGemmStridedBatchedEx(
        h, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N, to_int(N, "N"),
        to_int(M, "M"), to_int(K, "K"), alpha, static_cast<const char*>(Bm) + i0 * step_b, bt,
        to_int(ldb, "ldb"), sB, static_cast<const char*>(A) + i0 * step_a, at, to_int(lda, "lda"),
        sA, beta, static_cast<char*>(C) + i0 * step_c, ct, to_int(ldc, "ldc"), sC,
        static_cast<int>(count), compute, CUBLAS_GEMM_DEFAULT));
  }
}

}  // namespace lscan::cuda_detail
