// The cuBLAS calls of include/cublas_v2.h on the emulated device. Semantics from the cuBLAS
// documentation (column-major; op(A) is m x k, stored lda x k for CUBLAS_OP_N and lda x m for
// CUBLAS_OP_T; C is ldc x n; alpha and beta are host scalars of the scale type, double for
// CUBLAS_COMPUTE_64F and float otherwise; beta = 0 leaves C unread). Each product is a plain
// sum over p in order, accumulated in the compute type; CUBLAS_COMPUTE_32F_FAST_TF32 reads fp32
// operands as TF32, the top 10 mantissa bits, as tensor cores do.
#include <cuda_bf16.h>

#include <cstring>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "cublas_v2.h"
#include "emu_device.h"

struct lscan_emu_blas {
  cudaStream_t stream = nullptr;
  int device = 0;  // current at cublasCreate: a handle serves that device only
};

namespace lscan::emu {
namespace {

float truncate_to_tf32(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  if ((b & 0x7f800000u) != 0x7f800000u) b &= 0xffffe000u;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

template <class T>
T from_bits(const void* p, long long i) {
  T v;
  std::memcpy(&v, static_cast<const unsigned char*>(p) + i * sizeof(T), sizeof(T));
  return v;
}

template <class T, class Acc>
Acc load(const void* p, long long i, bool tf32) {
  const T v = from_bits<T>(p, i);
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    return static_cast<Acc>(__bfloat162float(v));
  } else if constexpr (std::is_same_v<T, float>) {
    return static_cast<Acc>(tf32 ? truncate_to_tf32(v) : v);
  } else {
    return static_cast<Acc>(v);
  }
}

template <class T, class Acc>
void store_value(void* p, long long i, Acc v) {
  T out;
  if constexpr (std::is_same_v<T, __nv_bfloat16>) {
    out = __float2bfloat16(static_cast<float>(v));
  } else {
    out = static_cast<T>(v);
  }
  std::memcpy(static_cast<unsigned char*>(p) + i * sizeof(T), &out, sizeof(T));
}

size_t type_size(cudaDataType_t t) {
  switch (t) {
    case CUDA_R_64F:
      return 8;
    case CUDA_R_32F:
      return 4;
    case CUDA_R_16F:
    case CUDA_R_16BF:
      return 2;
  }
  return 0;
}

struct GemmArgs {
  bool ta, tb;
  int m, n, k;
  const void* A;
  int lda;
  long long sA;
  const void* B;
  int ldb;
  long long sB;
  void* C;
  int ldc;
  long long sC;
  int batch;
  bool tf32;
};

template <class TA, class TB, class TC, class Acc>
void run_gemm(const GemmArgs& g, Acc alpha, Acc beta) {
  const long long columns = static_cast<long long>(g.batch) * g.n;
  // Threads only for large products: a parallel region costs more than a small GEMM, and far more
  // when the cores are shared with other tests.
  const bool large = static_cast<double>(columns) * g.m * g.k > 4e6;
#pragma omp parallel for schedule(static) if (large)
  for (long long col = 0; col < columns; ++col) {
    const long long b = col / g.n, j = col % g.n;
    const auto* A = static_cast<const unsigned char*>(g.A) + b * g.sA * sizeof(TA);
    const auto* B = static_cast<const unsigned char*>(g.B) + b * g.sB * sizeof(TB);
    auto* C = static_cast<unsigned char*>(g.C) + b * g.sC * sizeof(TC);
    for (int i = 0; i < g.m; ++i) {
      Acc sum = 0;
      for (int p = 0; p < g.k; ++p) {
        const long long ai =
            g.ta ? p + static_cast<long long>(i) * g.lda : i + static_cast<long long>(p) * g.lda;
        const long long bi =
            g.tb ? j + static_cast<long long>(p) * g.ldb : p + static_cast<long long>(j) * g.ldb;
        sum += load<TA, Acc>(A, ai, g.tf32) * load<TB, Acc>(B, bi, g.tf32);
      }
      const long long ci = i + j * g.ldc;
      Acc v = alpha * sum;
      if (beta != Acc(0)) v += beta * load<TC, Acc>(C, ci, false);
      store_value<TC, Acc>(C, ci, v);
    }
  }
}

// [first, last) byte ranges of a strided-batched operand: entry 0 and entry batch - 1 must both
// lie in the same device allocation.
struct Extent {
  uintptr_t lo = 0, hi = 0;
};

bool operand_extent(const char* name, const void* p, long long stride, int batch, long long elems,
                    size_t size, Extent* out) {
  const auto base = reinterpret_cast<uintptr_t>(p);
  const long long last = static_cast<long long>(batch - 1) * stride;
  const uintptr_t lo = base + static_cast<uintptr_t>(std::min(0LL, last)) * size;
  const uintptr_t hi = base + static_cast<uintptr_t>(std::max(0LL, last) + elems) * size;
  const void* first = reinterpret_cast<const void*>(lo);
  if (!detail::is_device(first, hi - lo)) {
    violation(std::string("cublasGemmStridedBatchedEx: operand ") + name + " (" +
              std::to_string(elems) + " elements per entry, stride " + std::to_string(stride) +
              ", " + std::to_string(batch) + " entries) is not inside one device allocation");
    return false;
  }
  *out = {lo, hi};
  return true;
}

bool overlap(const Extent& a, const Extent& b) {
  return a.lo < b.hi && b.lo < a.hi;
}

// The byte ranges that entries 0..batch-1 of a column-major operand (rows x cols, leading dimension
// ld) occupy: one per entry when the columns are contiguous, else one per column.
void add_ranges(std::vector<detail::Range>* out, const void* p, long long stride, int batch,
                long long rows, long long cols, long long ld, size_t size, const char* what) {
  const auto* base = static_cast<const unsigned char*>(p);
  for (int b = 0; b < batch; ++b) {
    const unsigned char* e = base + b * stride * static_cast<long long>(size);
    if (ld == rows) {
      out->push_back({e, static_cast<size_t>(rows * cols) * size, what});
    } else {
      for (long long c = 0; c < cols; ++c)
        out->push_back(
            {e + c * ld * static_cast<long long>(size), static_cast<size_t>(rows) * size, what});
    }
  }
}

// Runs `work` on the handle's stream once what it reads has been written, then marks its output.
// False (and a violation) when the handle, its stream or an operand is not of the current device.
bool submit(cublasHandle_t h, std::vector<detail::Range> reads, std::vector<detail::Range> writes,
            std::function<void()> work, const char* who) {
  if (h->device != detail::current_device()) {
    violation(std::string(who) + ": a cuBLAS handle of device " + std::to_string(h->device) +
              " used while device " + std::to_string(detail::current_device()) + " is current");
    return false;
  }
  std::vector<detail::Range> operands = reads;
  operands.insert(operands.end(), writes.begin(), writes.end());
  if (!detail::on_one_device(who, h->stream, operands)) return false;
  detail::enqueue(h->stream, [reads = std::move(reads), writes = std::move(writes),
                              work = std::move(work), who] {
    for (const detail::Range& r : reads)
      if (!detail::check_written(r, who)) return;
    work();
    for (const detail::Range& r : writes) detail::mark_written(r.p, r.bytes);
  });
  return true;
}

lscan_emu_blas_status execution_failed() {
  return CUBLAS_STATUS_EXECUTION_FAILED;
}

}  // namespace

namespace api {

cublasStatus_t blas_create(cublasHandle_t* h) {
  if (detail::sticky() != cudaSuccess) return CUBLAS_STATUS_NOT_INITIALIZED;
  *h = new lscan_emu_blas;
  (*h)->device = detail::current_device();
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t blas_destroy(cublasHandle_t h) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  delete h;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t blas_set_stream(cublasHandle_t h, cudaStream_t s) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!detail::stream_alive(s)) {
    violation("cublasSetStream with a destroyed or unknown stream");
    return execution_failed();
  }
  h->stream = s;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t blas_set_workspace(cublasHandle_t h, void* workspace, size_t bytes) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (bytes > 0 && !detail::is_device(workspace, bytes)) {
    violation("cublasSetWorkspace: " + std::to_string(bytes) +
              " bytes that are not inside one device allocation");
    return execution_failed();
  }
  if (reinterpret_cast<uintptr_t>(workspace) % 256 != 0) return CUBLAS_STATUS_INVALID_VALUE;
  return CUBLAS_STATUS_SUCCESS;
}

// The most entries of one strided-batched call that cuBLAS is known to get right on every GPU
// (host/engine/cuda/cuda_blas.h, kMaxGemmBatch): more is a violation, although a real device may
// accept them, so that a call that relies on more fails here.
constexpr int kMaxTrustedBatch = 65535;

cublasStatus_t gemm_strided_batched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb,
                                    int m, int n, int k, const void* alpha, const void* A,
                                    cudaDataType_t at, int lda, long long sA, const void* B,
                                    cudaDataType_t bt, int ldb, long long sB, const void* beta,
                                    void* C, cudaDataType_t ct, int ldc, long long sC, int batch,
                                    cublasComputeType_t compute, cublasGemmAlgo_t) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (detail::sticky() != cudaSuccess) return execution_failed();
  if (ta == CUBLAS_OP_C || tb == CUBLAS_OP_C) return CUBLAS_STATUS_NOT_SUPPORTED;
  const bool tA = ta == CUBLAS_OP_T, tB = tb == CUBLAS_OP_T;
  if (m < 0 || n < 0 || k < 0 || batch < 0) return CUBLAS_STATUS_INVALID_VALUE;
  if (lda < std::max(1, tA ? k : m) || ldb < std::max(1, tB ? n : k) || ldc < std::max(1, m))
    return CUBLAS_STATUS_INVALID_VALUE;
  // The type combinations of cublasGemmEx's table that the CUDA backend may ask for.
  const bool f64 =
      compute == CUBLAS_COMPUTE_64F && at == CUDA_R_64F && bt == CUDA_R_64F && ct == CUDA_R_64F;
  const bool f32 = (compute == CUBLAS_COMPUTE_32F || compute == CUBLAS_COMPUTE_32F_FAST_TF32) &&
                   at == CUDA_R_32F && bt == CUDA_R_32F && ct == CUDA_R_32F;
  const bool bf16 = compute == CUBLAS_COMPUTE_32F && at == CUDA_R_16BF && bt == CUDA_R_16BF &&
                    (ct == CUDA_R_16BF || ct == CUDA_R_32F);
  if (!f64 && !f32 && !bf16) return CUBLAS_STATUS_NOT_SUPPORTED;
  if (m == 0 || n == 0 || batch == 0) return CUBLAS_STATUS_SUCCESS;
  if (batch > kMaxTrustedBatch) {
    violation("cublasGemmStridedBatchedEx: " + std::to_string(batch) + " entries in one call (" +
              "cuBLAS has returned wrong values past entry " + std::to_string(kMaxTrustedBatch) +
              " on some GPUs)");
    return execution_failed();
  }
  if (!alpha || !beta || detail::allocation_of(alpha) || detail::allocation_of(beta)) {
    violation("cublasGemmStridedBatchedEx: alpha and beta must be host pointers");
    return execution_failed();
  }
  if (!detail::stream_alive(h->stream)) {
    violation("cublasGemmStridedBatchedEx on a destroyed stream");
    return execution_failed();
  }
  Extent ea, eb, ec;
  const long long a_elems =
      k == 0 ? 0 : static_cast<long long>(tA ? m - 1 : k - 1) * lda + (tA ? k : m);
  const long long b_elems =
      k == 0 ? 0 : static_cast<long long>(tB ? k - 1 : n - 1) * ldb + (tB ? n : k);
  const long long c_elems = static_cast<long long>(n - 1) * ldc + m;
  if (k > 0 && (!operand_extent("A", A, sA, batch, a_elems, type_size(at), &ea) ||
                !operand_extent("B", B, sB, batch, b_elems, type_size(bt), &eb)))
    return execution_failed();
  if (!operand_extent("C", C, sC, batch, c_elems, type_size(ct), &ec)) return execution_failed();
  if (batch > 1 && (sC < 0 ? -sC : sC) < c_elems) {
    violation("cublasGemmStridedBatchedEx: the " + std::to_string(batch) +
              " outputs overlap (strideC " + std::to_string(sC) + " < " + std::to_string(c_elems) +
              " elements per entry)");
    return execution_failed();
  }
  if (k > 0 && (overlap(ec, ea) || overlap(ec, eb))) {
    violation("cublasGemmStridedBatchedEx: the output C overlaps an input");
    return execution_failed();
  }
  const GemmArgs g{tA, tB,  m,  n, k,   A,  lda,   sA,
                   B,  ldb, sB, C, ldc, sC, batch, compute == CUBLAS_COMPUTE_32F_FAST_TF32};
  detail::count_gemm(batch);
  std::function<void()> work;
  bool beta_zero = false;
  if (f64) {
    const double al = *static_cast<const double*>(alpha), be = *static_cast<const double*>(beta);
    beta_zero = be == 0.0;
    work = [g, al, be] { run_gemm<double, double, double, double>(g, al, be); };
  } else {
    const float al = *static_cast<const float*>(alpha), be = *static_cast<const float*>(beta);
    beta_zero = be == 0.0f;
    if (f32) {
      work = [g, al, be] { run_gemm<float, float, float, float>(g, al, be); };
    } else if (ct == CUDA_R_16BF) {
      work = [g, al, be] {
        run_gemm<__nv_bfloat16, __nv_bfloat16, __nv_bfloat16, float>(g, al, be);
      };
    } else {
      work = [g, al, be] { run_gemm<__nv_bfloat16, __nv_bfloat16, float, float>(g, al, be); };
    }
  }
  std::vector<detail::Range> reads, writes;
  if (k > 0) {
    add_ranges(&reads, A, sA, batch, tA ? k : m, tA ? m : k, lda, type_size(at), "operand A");
    add_ranges(&reads, B, sB, batch, tB ? n : k, tB ? k : n, ldb, type_size(bt), "operand B");
  }
  if (!beta_zero) add_ranges(&reads, C, sC, batch, m, n, ldc, type_size(ct), "operand C");
  add_ranges(&writes, C, sC, batch, m, n, ldc, type_size(ct), "operand C");
  if (!submit(h, std::move(reads), std::move(writes), std::move(work),
              "cublasGemmStridedBatchedEx"))
    return execution_failed();
  return detail::sticky() != cudaSuccess ? execution_failed() : CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t dgemv(cublasHandle_t h, cublasOperation_t trans, int m, int n, const double* alpha,
                     const double* A, int lda, const double* x, int incx, const double* beta,
                     double* y, int incy) {
  if (!h) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (detail::sticky() != cudaSuccess) return execution_failed();
  if (m < 0 || n < 0 || lda < std::max(1, m) || incx == 0 || incy == 0)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
  if (incx < 0 || incy < 0) return CUBLAS_STATUS_NOT_SUPPORTED;  // not used by the backend
  if (detail::allocation_of(alpha) || detail::allocation_of(beta)) {
    violation("cublasDgemv: alpha and beta must be host pointers");
    return execution_failed();
  }
  const bool t = trans != CUBLAS_OP_N;
  const int xlen = t ? m : n, ylen = t ? n : m;
  const size_t a_bytes = (static_cast<size_t>(n - 1) * lda + m) * sizeof(double);
  if (!detail::is_device(A, a_bytes) ||
      !detail::is_device(x, (static_cast<size_t>(xlen - 1) * incx + 1) * sizeof(double)) ||
      !detail::is_device(y, (static_cast<size_t>(ylen - 1) * incy + 1) * sizeof(double))) {
    violation("cublasDgemv: an operand is not inside one device allocation");
    return execution_failed();
  }
  const double al = *alpha, be = *beta;
  detail::count_gemm(1);
  std::vector<detail::Range> reads, writes;
  add_ranges(&reads, A, 0, 1, m, n, lda, sizeof(double), "operand A");
  add_ranges(&reads, x, 0, 1, 1, xlen, incx, sizeof(double), "operand x");
  if (be != 0.0) add_ranges(&reads, y, 0, 1, 1, ylen, incy, sizeof(double), "operand y");
  add_ranges(&writes, y, 0, 1, 1, ylen, incy, sizeof(double), "operand y");
  const bool ok = submit(
      h, std::move(reads), std::move(writes),
      [=] {
        for (int r = 0; r < ylen; ++r) {
          double sum = 0;
          for (int c = 0; c < xlen; ++c) {
            const double a =
                t ? A[c + static_cast<long long>(r) * lda] : A[r + static_cast<long long>(c) * lda];
            sum += a * x[static_cast<long long>(c) * incx];
          }
          double v = al * sum;
          if (be != 0.0) v += be * y[static_cast<long long>(r) * incy];
          y[static_cast<long long>(r) * incy] = v;
        }
      },
      "cublasDgemv");
  if (!ok) return execution_failed();
  return CUBLAS_STATUS_SUCCESS;
}

const char* blas_status_string(cublasStatus_t s) {
  switch (s) {
    case CUBLAS_STATUS_SUCCESS:
      return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED:
      return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED:
      return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE:
      return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_EXECUTION_FAILED:
      return violations().empty() ? "CUBLAS_STATUS_EXECUTION_FAILED"
                                  : cudaGetErrorString(cudaErrorIllegalAddress);
    case CUBLAS_STATUS_NOT_SUPPORTED:
      return "CUBLAS_STATUS_NOT_SUPPORTED";
  }
  return "unknown cuBLAS status";
}

}  // namespace api
}  // namespace lscan::emu
