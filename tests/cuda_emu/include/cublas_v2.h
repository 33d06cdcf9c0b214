// The host emulation of cublas_v2.h (tests/cuda_emu/): the cuBLAS calls of the CUDA backend with
// cuBLAS's documented column-major semantics, run on the handle's stream of the emulated device.
// Arguments that cuBLAS rejects are rejected with its status; operands that reach outside a live
// device allocation, and outputs that overlap inputs or each other, are reported as violations
// (emu_device.h). Internal linkage and type names of their own, as in cuda_runtime.h.
#pragma once

#include <cstdint>

#include "cuda_runtime.h"

struct lscan_emu_blas;
typedef lscan_emu_blas* cublasHandle_t;

enum lscan_emu_blas_status {
  CUBLAS_STATUS_SUCCESS = 0,
  CUBLAS_STATUS_NOT_INITIALIZED = 1,
  CUBLAS_STATUS_ALLOC_FAILED = 3,
  CUBLAS_STATUS_INVALID_VALUE = 7,
  CUBLAS_STATUS_EXECUTION_FAILED = 13,
  CUBLAS_STATUS_NOT_SUPPORTED = 15,
};
typedef lscan_emu_blas_status cublasStatus_t;

enum lscan_emu_blas_op { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2 };
typedef lscan_emu_blas_op cublasOperation_t;

enum lscan_emu_data_type { CUDA_R_32F = 0, CUDA_R_64F = 1, CUDA_R_16F = 2, CUDA_R_16BF = 14 };
typedef lscan_emu_data_type cudaDataType_t;

enum lscan_emu_compute_type {
  CUBLAS_COMPUTE_16F = 64,
  CUBLAS_COMPUTE_32F = 68,
  CUBLAS_COMPUTE_32F_FAST_16F = 74,
  CUBLAS_COMPUTE_32F_FAST_16BF = 75,
  CUBLAS_COMPUTE_32F_FAST_TF32 = 77,
  CUBLAS_COMPUTE_64F = 70,
};
typedef lscan_emu_compute_type cublasComputeType_t;

enum lscan_emu_gemm_algo { CUBLAS_GEMM_DEFAULT = -1 };
typedef lscan_emu_gemm_algo cublasGemmAlgo_t;

namespace lscan::emu::api {
cublasStatus_t blas_create(cublasHandle_t* h);
cublasStatus_t blas_destroy(cublasHandle_t h);
cublasStatus_t blas_set_stream(cublasHandle_t h, cudaStream_t s);
cublasStatus_t blas_set_workspace(cublasHandle_t h, void* workspace, size_t bytes);
cublasStatus_t gemm_strided_batched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb,
                                    int m, int n, int k, const void* alpha, const void* A,
                                    cudaDataType_t at, int lda, long long sA, const void* B,
                                    cudaDataType_t bt, int ldb, long long sB, const void* beta,
                                    void* C, cudaDataType_t ct, int ldc, long long sC, int batch,
                                    cublasComputeType_t compute, cublasGemmAlgo_t algo);
cublasStatus_t dgemv(cublasHandle_t h, cublasOperation_t trans, int m, int n, const double* alpha,
                     const double* A, int lda, const double* x, int incx, const double* beta,
                     double* y, int incy);
const char* blas_status_string(cublasStatus_t s);
}  // namespace lscan::emu::api

static inline cublasStatus_t cublasCreate(cublasHandle_t* h) {
  return lscan::emu::api::blas_create(h);
}
static inline cublasStatus_t cublasDestroy(cublasHandle_t h) {
  return lscan::emu::api::blas_destroy(h);
}
static inline cublasStatus_t cublasSetStream(cublasHandle_t h, cudaStream_t s) {
  return lscan::emu::api::blas_set_stream(h, s);
}
static inline cublasStatus_t cublasSetWorkspace(cublasHandle_t h, void* workspace, size_t bytes) {
  return lscan::emu::api::blas_set_workspace(h, workspace, bytes);
}
static inline cublasStatus_t cublasGemmStridedBatchedEx(
    cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
    const void* alpha, const void* A, cudaDataType_t at, int lda, long long sA, const void* B,
    cudaDataType_t bt, int ldb, long long sB, const void* beta, void* C, cudaDataType_t ct, int ldc,
    long long sC, int batch, cublasComputeType_t compute, cublasGemmAlgo_t algo) {
  return lscan::emu::api::gemm_strided_batched(h, ta, tb, m, n, k, alpha, A, at, lda, sA, B, bt,
                                               ldb, sB, beta, C, ct, ldc, sC, batch, compute, algo);
}
static inline cublasStatus_t cublasDgemv(cublasHandle_t h, cublasOperation_t trans, int m, int n,
                                         const double* alpha, const double* A, int lda,
                                         const double* x, int incx, const double* beta, double* y,
                                         int incy) {
  return lscan::emu::api::dgemv(h, trans, m, n, alpha, A, lda, x, incx, beta, y, incy);
}
static inline const char* cublasGetStatusString(cublasStatus_t s) {
  return lscan::emu::api::blas_status_string(s);
}
