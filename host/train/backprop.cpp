#include "host/train/backprop.h"

#include <cblas.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace lscan {

namespace {

// Element loops below this size run on one thread: a parallel region costs more than the work.
constexpr int64_t kParallelMin = 1 << 14;

void check_shapes(const Model& model, const Dataset& data, const Targets& targets) {
  const ModelSpec& spec = model.spec;
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
    if (layer.w_offset < 0 || std::max(w_end, b_end) > model.num_params())
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

}  // namespace

double loss_and_grad(const Model& model, const Dataset& data, const Targets& targets,
                     std::vector<double>* grad, double* acc) {
  check_shapes(model, data, targets);
  const std::vector<DenseLayer>& layers = model.spec.layers;
  const int num_layers = static_cast<int>(layers.size());
  const LossKind loss_kind = model.spec.loss;
  const int m = model.spec.output_dim();
  const int64_t n = data.n;
  const int d = data.d;
  const int width = targets.width;
  const int64_t chunk = std::min(n, kBackpropChunk);
  const double* theta = model.theta.data();

  int max_width = 0;
  std::vector<std::vector<double>> Z(num_layers), A(num_layers);
  for (int l = 0; l < num_layers; ++l) {
    Z[l].resize(static_cast<size_t>(layers[l].out * chunk));  // (n_l, Nc) pre-activations
    A[l].resize(static_cast<size_t>(layers[l].out * chunk));  // (n_l, Nc) activations
    max_width = std::max(max_width, layers[l].out);
  }
  std::vector<double> sample_losses(static_cast<size_t>(chunk));  // (Nc)
  std::vector<int> sample_correct(static_cast<size_t>(chunk));    // (Nc)
  std::vector<double> G, G_prev;  // (n_l, Nc): d loss / d A_l, then d loss / d Z_l in place
  if (grad) {
    grad->assign(model.theta.size(), 0.0);
    G.resize(static_cast<size_t>(max_width * chunk));
    G_prev.resize(static_cast<size_t>(max_width * chunk));
  }

  double loss_sum = 0.0;
  int64_t num_correct = 0;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t nc = std::min(chunk, n - start);
    const double* Xc = data.X.data() + start * d;         // (Nc, d)
    const double* yc = targets.y.data() + start * width;  // (Nc, width)
    const auto nc_int = static_cast<blasint>(nc);

    // Forward: Z_l = W_l A_{l-1} + b_l 1^T, A_l = act(Z_l), with A_{-1} = Xc^T.
    for (int l = 0; l < num_layers; ++l) {
      const DenseLayer& layer = layers[l];
      const double* W = theta + layer.w_offset;  // (n_l, n_{l-1})
      double* z = Z[l].data();                   // (n_l, Nc)
      double beta = 0.0;
      if (layer.b_offset >= 0) {
        const double* b = theta + layer.b_offset;  // (n_l)
        for (int i = 0; i < layer.out; ++i) std::fill(z + i * nc, z + (i + 1) * nc, b[i]);
        beta = 1.0;
      }
      if (l == 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, layer.out, nc_int, layer.in, 1.0, W,
                    layer.in, Xc, d, beta, z, nc_int);
      else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, layer.out, nc_int, layer.in, 1.0, W,
                    layer.in, A[l - 1].data(), nc_int, beta, z, nc_int);
      double* a = A[l].data();
      const int64_t size = layer.out * nc;
      const Activation act = layer.act;
      const double alpha = layer.alpha;
#pragma omp parallel for schedule(static) if (size >= kParallelMin)
      for (int64_t i = 0; i < size; ++i) a[i] = activate(act, z[i], alpha);
    }

    // Per-sample losses in parallel, summed in sample order so the total is thread-independent.
    const double* out = A[num_layers - 1].data();  // (m, Nc)
#pragma omp parallel for schedule(static) if (nc * m >= kParallelMin)
    for (int64_t j = 0; j < nc; ++j)
      sample_losses[j] = sample_loss(loss_kind, out + j, nc, m, yc + j * width, &sample_correct[j]);
    for (int64_t j = 0; j < nc; ++j) {
      loss_sum += sample_losses[j];
      num_correct += sample_correct[j];
    }
    if (!grad) continue;

    // Backward. G (m, Nc) = d sample_loss_j / d A_{L-1}; the mean's 1/N comes at the end.
    double* g_out = G.data();
#pragma omp parallel for schedule(static) if (nc * m >= kParallelMin)
    for (int64_t j = 0; j < nc; ++j)
      sample_loss_grad(loss_kind, out + j, nc, m, yc + j * width, g_out + j, nc);
    for (int l = num_layers - 1; l >= 0; --l) {
      const DenseLayer& layer = layers[l];
      const double* W = theta + layer.w_offset;  // (n_l, n_{l-1})
      const double* z = Z[l].data();             // (n_l, Nc)
      double* delta = G.data();                  // (n_l, Nc)
      const int64_t size = layer.out * nc;
      const Activation act = layer.act;
      const double alpha = layer.alpha;
      // delta_l = d loss / d Z_l = G_l * act'(Z_l), elementwise
#pragma omp parallel for schedule(static) if (size >= kParallelMin)
      for (int64_t i = 0; i < size; ++i) delta[i] *= activate_grad(act, z[i], alpha);

      // dW_l (n_l, n_{l-1}) += delta_l A_{l-1}^T
      double* gW = grad->data() + layer.w_offset;
      if (l == 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, layer.out, layer.in, nc_int, 1.0,
                    delta, nc_int, Xc, d, 1.0, gW, layer.in);
      else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, layer.out, layer.in, nc_int, 1.0,
                    delta, nc_int, A[l - 1].data(), nc_int, 1.0, gW, layer.in);
      // db_l (n_l) += delta_l 1, each row summed in sample order
      if (layer.b_offset >= 0) {
        double* gb = grad->data() + layer.b_offset;
#pragma omp parallel for schedule(static) if (size >= kParallelMin)
        for (int i = 0; i < layer.out; ++i) {
          double s = 0.0;
          for (int64_t j = 0; j < nc; ++j) s += delta[i * nc + j];
          gb[i] += s;
        }
      }
      // G_{l-1} (n_{l-1}, Nc) = W_l^T delta_l
      if (l > 0) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, layer.in, nc_int, layer.out, 1.0, W,
                    layer.in, delta, nc_int, 0.0, G_prev.data(), nc_int);
        std::swap(G, G_prev);
      }
    }
  }

  const auto n_double = static_cast<double>(n);
  if (grad)
    for (double& g : *grad) g /= n_double;
  if (acc) *acc = static_cast<double>(num_correct) / n_double;
  return loss_sum / n_double;
}

}  // namespace lscan
