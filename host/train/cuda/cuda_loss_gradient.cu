// The training pass on a CUDA device: backprop_pass (host/train/backprop_pass.h) over cuBLAS
// fp64 GEMMs and the kernels of kernels/backprop_kernels.cu, the algorithm the CPU runs
// (host/train/backprop.cpp) step for step.
//
// Where it differs from the CPU, and why:
//   - The per-sample losses are added on the device by the engine's loss kernel with one point
//     (kernels/elementwise.cu): the same fp64 running sum in sample order as the CPU's loop, so
//     that only the GEMMs' summation order separates the two devices.
//   - The bias gradient sum_j delta[i, j] is a cuBLAS GEMV with a vector of ones instead of a loop
//     in sample order.
//   - Everything runs in order on the default stream: each step needs the one before, and theta
//     and the gradient (P values each) are the only copies per evaluation.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/core/format.h"
#include "host/engine/cuda/cuda_blas.h"
#include "host/engine/cuda/device_buffer.h"
#include "host/train/backprop_pass.h"
#include "host/train/cuda/cuda_loss_gradient.h"
#include "kernels/backprop_kernels.h"
#include "kernels/cuda_check.cuh"
#include "kernels/elementwise.h"

namespace lscan {
namespace {

using cuda_detail::BlasHandle;
using cuda_detail::to_int;

constexpr double kFreeMemoryFraction = 0.7;   // of cudaMemGetInfo's free bytes, by default
constexpr int64_t kMaxChunk = 1 << 16;        // samples: past this the GEMMs gain nothing
constexpr size_t kBlasWorkspace = 32u << 20;  // bytes; cuBLAS's recommendation for Hopper
constexpr cudaStream_t kStream = nullptr;     // the default stream, for every step

class CudaOps {
 public:
  CudaOps(const ModelSpec& spec, int64_t num_params, const Dataset& data, const Targets& targets,
          int device, double max_memory)
      : device_(device) {
    LSCAN_CUDA_CHECK(cudaSetDevice(device_));
    size_t free_bytes = 0, total_bytes = 0;
    LSCAN_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    try {
      blas_.create();
      blas_workspace_.allocate(kBlasWorkspace);
    } catch (const OutOfMemoryError&) {
      input_error("", "--device",
                  "cuda:" + std::to_string(device_) + " is out of memory: cuBLAS's handle and " +
                      "workspace need more than " + format_bytes(kBlasWorkspace) + ", and " +
                      format_bytes(static_cast<double>(free_bytes)) + " of " +
                      format_bytes(static_cast<double>(total_bytes)) +
                      " were free; free the device, or train with --device cpu");
    }
    LSCAN_CUDA_CHECK(cublasSetWorkspace(blas_, blas_workspace_.data(), kBlasWorkspace));
    LSCAN_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));

    int64_t width_sum = 0, max_width = 0;
    for (const DenseLayer& layer : spec.layers) {
      width_sum += layer.out;
      max_width = std::max<int64_t>(max_width, layer.out);
    }
    const double per_sample = sizeof(double) * static_cast<double>(2 * width_sum + 2 * max_width +
                                                                   1);  // Z, A, G[2], ones
    const double fixed = sizeof(double) * (static_cast<double>(data.n) * (data.d + targets.width) +
                                           2.0 * static_cast<double>(num_params) + 2.0);
    const bool from_flag = max_memory > 0;
    const double budget = from_flag ? max_memory : kFreeMemoryFraction * free_bytes;
    int64_t chunk = std::min<int64_t>(data.n, kMaxChunk);
    if (fixed + per_sample > budget) {
      std::ostringstream os;
      os << "training on cuda:" << device_ << " needs at least " << format_bytes(fixed + per_sample)
         << " (the data and targets "
         << format_bytes(sizeof(double) * static_cast<double>(data.n) * (data.d + targets.width))
         << ", theta and its gradient "
         << format_bytes(2.0 * sizeof(double) * static_cast<double>(num_params))
         << ", one sample's buffers " << format_bytes(per_sample) << ") but "
         << (from_flag ? "the memory budget is " + format_bytes(budget)
                       : "70% of its free memory is " + format_bytes(budget) + " (of " +
                             format_bytes(static_cast<double>(total_bytes)) + ")")
         << "; train with --device cpu";
      input_error("", from_flag ? "--max-memory" : "--device", os.str());
    }
    chunk = std::min<int64_t>(chunk, static_cast<int64_t>((budget - fixed) / per_sample));

    const auto need = [&](DeviceBuffer<double>& buffer, size_t n) {
      if (buffer.try_allocate(n) != cudaSuccess)
        input_error("", from_flag ? "--max-memory" : "--device",
                    "cuda:" + std::to_string(device_) + " ran out of memory for the " +
                        format_bytes(fixed) + " of the data, theta and its gradient; train " +
                        "with --device cpu");
    };
    need(X_, static_cast<size_t>(data.n * data.d));
    X_.upload(data.X.data(), X_.size());
    need(y_, targets.y.size());
    y_.upload(targets.y.data(), y_.size());
    need(theta_, static_cast<size_t>(num_params));
    need(grad_, static_cast<size_t>(num_params));
    need(sums_, 2);
    // The chunk's buffers; when the device has less than cudaMemGetInfo promised, halve the chunk.
    while (!allocate_chunk(spec, chunk, max_width)) {
      if (chunk == 1)
        input_error("", "--device",
                    "cuda:" + std::to_string(device_) +
                        " ran out of memory for the buffers of a single sample; train with " +
                        "--device cpu");
      chunk = (chunk + 1) / 2;
    }
    chunk_ = chunk;
    d_ = data.d;
    width_ = targets.width;
  }

  int64_t chunk() const { return chunk_; }
  std::string device() const { return "cuda:" + std::to_string(device_); }

  void begin(const double* theta, double* grad) {
    LSCAN_CUDA_CHECK(cudaSetDevice(device_));
    theta_.upload(theta, theta_.size());
    if (grad) grad_.zero_async(grad_.size(), kStream);
    sums_.zero_async(2, kStream);
  }
  void finish(double* grad, double* loss_sum, double* num_correct) const {
    if (grad) grad_.download(grad, grad_.size());
    double sums[2] = {0.0, 0.0};
    sums_.download(sums, 2);
    *loss_sum = sums[0];
    *num_correct = sums[1];
  }

  const double* theta() const { return theta_.data(); }
  double* grad() { return grad_.data(); }
  const double* X(int64_t start) const { return X_.data() + start * d_; }
  const double* y(int64_t start) const { return y_.data() + start * width_; }
  double* Z(int l) { return Z_[l].data(); }
  double* A(int l) { return A_[l].data(); }
  double* G(int i) { return G_[i].data(); }

  void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
            const double* B, int64_t ldb, double beta, double* C, int64_t ldc) const {
    cuda_detail::gemm(blas_, CUBLAS_COMPUTE_64F, ta, tb, M, N, K, A, CUDA_R_64F, lda, 0, B,
                      CUDA_R_64F, ldb, 0, C, CUDA_R_64F, ldc, 0, 1, beta);
  }
  void fill_rows(double* z, const double* b, int64_t rows, int64_t nc) const {
    launch_fill_rows(z, b, rows, nc, kStream);
  }
  void activate(Activation act, double alpha, const double* z, double* a, int64_t size) const {
    launch_activate(z, a, size, act, alpha, kStream);
  }
  void mul_activation_grad(Activation act, double alpha, const double* z, double* g,
                           int64_t size) const {
    launch_mul_activation_grad(z, g, size, act, alpha, kStream);
  }
  // One point (B = 1) of the engine's loss kernel: sums_[0] += the losses in sample order,
  // sums_[1] += the number correct.
  void add_losses(LossKind kind, const double* out, int64_t nc, int m, const double* y, int width) {
    launch_loss_accuracy<double>(out, y, width, 1, m, nc, kind, sums_.data(), sums_.data() + 1,
                                 kStream);
  }
  void sample_loss_grads(LossKind kind, const double* out, int64_t nc, int m, const double* y,
                         int width, double* g) const {
    launch_sample_loss_grads(out, y, width, m, nc, kind, g, kStream);
  }
  // gb (rows) += delta (rows, Nc) * ones (Nc): delta read column-major is (Nc, rows), so its
  // transpose times ones.
  void add_row_sums(const double* delta, int64_t rows, int64_t nc, double* gb) const {
    const double one = 1.0;
    LSCAN_CUDA_CHECK(cublasDgemv(blas_, CUBLAS_OP_T, to_int(nc, "Nc"), to_int(rows, "rows"), &one,
                                 delta, to_int(nc, "Nc"), ones_.data(), 1, &one, gb, 1));
  }

 private:
  // False when the device ran out of memory (the chunk's buffers are then released).
  bool allocate_chunk(const ModelSpec& spec, int64_t chunk, int64_t max_width) {
    Z_.clear();
    A_.clear();
    bool ok = true;
    for (const DenseLayer& layer : spec.layers) {
      const auto size = static_cast<size_t>(layer.out * chunk);
      Z_.emplace_back();
      A_.emplace_back();
      ok = ok && Z_.back().try_allocate(size) == cudaSuccess &&
           A_.back().try_allocate(size) == cudaSuccess;
    }
    for (auto& g : G_)
      ok = ok && g.try_allocate(static_cast<size_t>(max_width * chunk)) == cudaSuccess;
    ok = ok && ones_.try_allocate(static_cast<size_t>(chunk)) == cudaSuccess;
    if (!ok) {
      Z_.clear();
      A_.clear();
      for (auto& g : G_) g.release();
      ones_.release();
      return false;
    }
    const std::vector<double> ones(static_cast<size_t>(chunk), 1.0);
    ones_.upload(ones.data(), ones.size());
    return true;
  }

  int device_;
  int64_t chunk_ = 0;
  int d_ = 0, width_ = 0;
  DeviceBuffer<unsigned char> blas_workspace_;  // (kBlasWorkspace) bytes, outlives blas_
  BlasHandle blas_;
  DeviceBuffer<double> X_;                   // (n, d)
  DeviceBuffer<double> y_;                   // (n, width)
  DeviceBuffer<double> theta_;               // (P)
  DeviceBuffer<double> grad_;                // (P)
  DeviceBuffer<double> sums_;                // (2): loss sum, number correct
  std::vector<DeviceBuffer<double>> Z_, A_;  // (n_l, Nc)
  DeviceBuffer<double> G_[2];                // (max n_l, Nc)
  DeviceBuffer<double> ones_;                // (Nc)
};

}  // namespace

namespace cuda_detail {

std::unique_ptr<LossGradient> create_cuda_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                        const Dataset& data, const Targets& targets,
                                                        int device_index, double max_memory) {
  return std::make_unique<PassLossGradient<CudaOps>>(spec, num_params, data, targets, device_index,
                                                     max_memory);
}

}  // namespace cuda_detail
}  // namespace lscan
