// The training pass on the CPU: backprop_pass (backprop_pass.h) over OpenBLAS GEMMs and OpenMP
// loops that call the shared element math of kernels/activations.cuh and kernels/losses.cuh.
#include "host/train/backprop.h"

#include <cblas.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "host/engine/device.h"
#include "host/train/backprop_pass.h"
#include "host/train/cuda/cuda_loss_gradient.h"

namespace lscan {

namespace {

// Element loops below this size run on one thread: a parallel region costs more than the work.
constexpr int64_t kParallelMin = 1 << 14;

blasint to_blasint(int64_t v) {
  return static_cast<blasint>(v);
}

class CpuOps {
 public:
  CpuOps(const ModelSpec& spec, int64_t num_params, const Dataset& data, const Targets& targets)
      : num_params_(num_params),
        chunk_(std::min(data.n, kBackpropChunk)),
        data_(data),
        targets_(targets) {
    const int64_t chunk = chunk_;
    int max_width = 0;
    for (const DenseLayer& layer : spec.layers) {
      Z_.emplace_back(static_cast<size_t>(layer.out * chunk));
      A_.emplace_back(static_cast<size_t>(layer.out * chunk));
      max_width = std::max(max_width, layer.out);
    }
    for (auto& g : G_) g.resize(static_cast<size_t>(max_width * chunk));
    sample_losses_.resize(static_cast<size_t>(chunk));
    sample_correct_.resize(static_cast<size_t>(chunk));
  }

  void begin(const double* theta, double* grad) {
    theta_ = theta;
    grad_ = grad;
    if (grad) std::fill(grad, grad + num_params_, 0.0);
    loss_sum_ = 0.0;
    num_correct_ = 0;
  }
  void finish(double*, double* loss_sum, double* num_correct) const {
    *loss_sum = loss_sum_;
    *num_correct = static_cast<double>(num_correct_);
  }

  int64_t chunk() const { return chunk_; }
  std::string device() const { return "cpu"; }
  const double* theta() const { return theta_; }
  double* grad() const { return grad_; }
  const double* X(int64_t start) const { return data_.X.data() + start * data_.d; }
  const double* y(int64_t start) const { return targets_.y.data() + start * targets_.width; }
  double* Z(int l) { return Z_[l].data(); }
  double* A(int l) { return A_[l].data(); }
  double* G(int i) { return G_[i].data(); }

  void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
            const double* B, int64_t ldb, double beta, double* C, int64_t ldc) const {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                to_blasint(M), to_blasint(N), to_blasint(K), 1.0, A, to_blasint(lda), B,
                to_blasint(ldb), beta, C, to_blasint(ldc));
  }
  void fill_rows(double* z, const double* b, int64_t rows, int64_t nc) const {
    for (int64_t i = 0; i < rows; ++i) std::fill(z + i * nc, z + (i + 1) * nc, b[i]);
  }
  void activate(Activation act, double alpha, const double* z, double* a, int64_t size) const {
#pragma omp parallel for schedule(static) if (size >= kParallelMin)
    for (int64_t i = 0; i < size; ++i) a[i] = lscan::activate(act, z[i], alpha);
  }
  void mul_activation_grad(Activation act, double alpha, const double* z, double* g,
                           int64_t size) const {
#pragma omp parallel for schedule(static) if (size >= kParallelMin)
    for (int64_t i = 0; i < size; ++i) g[i] *= activate_grad(act, z[i], alpha);
  }
  // Per-sample losses in parallel, summed in sample order so the total is thread-independent.
  void add_losses(LossKind kind, const double* out, int64_t nc, int m, const double* y, int width) {
#pragma omp parallel for schedule(static) if (nc * m >= kParallelMin)
    for (int64_t j = 0; j < nc; ++j)
      sample_losses_[j] = sample_loss(kind, out + j, nc, m, y + j * width, &sample_correct_[j]);
    for (int64_t j = 0; j < nc; ++j) {
      loss_sum_ += sample_losses_[j];
      num_correct_ += sample_correct_[j];
    }
  }
  void sample_loss_grads(LossKind kind, const double* out, int64_t nc, int m, const double* y,
                         int width, double* g) const {
#pragma omp parallel for schedule(static) if (nc * m >= kParallelMin)
    for (int64_t j = 0; j < nc; ++j)
      sample_loss_grad(kind, out + j, nc, m, y + j * width, g + j, nc);
  }
  // gb[i] += sum_j delta[i, j], each row summed in sample order.
  void add_row_sums(const double* delta, int64_t rows, int64_t nc, double* gb) const {
#pragma omp parallel for schedule(static) if (rows * nc >= kParallelMin)
    for (int64_t i = 0; i < rows; ++i) {
      double s = 0.0;
      for (int64_t j = 0; j < nc; ++j) s += delta[i * nc + j];
      gb[i] += s;
    }
  }

 private:
  int64_t num_params_;
  int64_t chunk_;  // samples
  const Dataset& data_;
  const Targets& targets_;
  const double* theta_ = nullptr;
  double* grad_ = nullptr;
  std::vector<std::vector<double>> Z_, A_;  // (n_l, Nc) pre-activations and activations
  std::vector<double> G_[2];                // (max n_l, Nc) gradients of the backward pass
  std::vector<double> sample_losses_;       // (Nc)
  std::vector<int> sample_correct_;         // (Nc)
  double loss_sum_ = 0.0;
  int64_t num_correct_ = 0;
};

}  // namespace

void check_backprop_inputs(const ModelSpec& spec, int64_t num_params, const Dataset& data,
                           const Targets& targets) {
  const auto fail = [](const std::string& what) {
    throw std::invalid_argument("loss_and_grad: " + what);
  };
  if (spec.layers.empty()) fail("the model has no layers");
  int prev = spec.input_dim;
  for (size_t l = 0; l < spec.layers.size(); ++l) {
    const DenseLayer& layer = spec.layers[l];
    if (layer.in != prev || layer.out <= 0)
      fail("layer " + std::to_string(l) + " is [" + std::to_string(layer.out) + ", " +
           std::to_string(layer.in) + "] but its input has " + std::to_string(prev) + " features");
    const int64_t w_end = layer.w_offset + static_cast<int64_t>(layer.out) * layer.in;
    const int64_t b_end = layer.b_offset < 0 ? 0 : layer.b_offset + layer.out;
    if (layer.w_offset < 0 || std::max(w_end, b_end) > num_params)
      fail("layer " + std::to_string(l) + " lies outside theta");
    prev = layer.out;
  }
  if (data.n <= 0) fail("the data set is empty");
  if (data.d != spec.input_dim)
    fail("the model takes " + std::to_string(spec.input_dim) + " features, the data has " +
         std::to_string(data.d));
  if (static_cast<int64_t>(data.X.size()) != data.n * data.d) fail("X is not (n, d)");
  const int expected_width = spec.loss == LossKind::Mse ? spec.output_dim() : 1;
  if (targets.width != expected_width)
    fail("the loss reads " + std::to_string(expected_width) + " target values per sample, the " +
         "targets have " + std::to_string(targets.width));
  if (static_cast<int64_t>(targets.y.size()) != data.n * targets.width)
    fail("targets are not (n, width)");
}

std::unique_ptr<LossGradient> make_cpu_loss_gradient(const ModelSpec& spec, int64_t num_params,
                                                     const Dataset& data, const Targets& targets) {
  check_backprop_inputs(spec, num_params, data, targets);
  return std::make_unique<PassLossGradient<CpuOps>>(spec, num_params, data, targets);
}

std::unique_ptr<LossGradient> make_loss_gradient(const DeviceChoice& device, double max_memory,
                                                 const ModelSpec& spec, int64_t num_params,
                                                 const Dataset& data, const Targets& targets) {
  if (device.cuda)
    return make_cuda_loss_gradient(spec, num_params, data, targets, device.index, max_memory);
  return make_cpu_loss_gradient(spec, num_params, data, targets);
}

double loss_and_grad(const Model& model, const Dataset& data, const Targets& targets,
                     std::vector<double>* grad, double* acc) {
  const auto cpu = make_cpu_loss_gradient(model.spec, model.num_params(), data, targets);
  if (grad) grad->assign(model.theta.size(), 0.0);
  return cpu->evaluate(model.theta.data(), grad ? grad->data() : nullptr, acc);
}

}  // namespace lscan
