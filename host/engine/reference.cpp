#include "host/engine/reference.h"

#include <algorithm>

#include "kernels/activations.cuh"
#include "kernels/losses.cuh"

namespace lscan {

void reference_evaluate(const Model& model, const std::vector<Direction>& directions,
                        const Dataset& data, const Targets& targets, const double* c, double* loss,
                        double* acc) {
  std::vector<double> theta = model.theta;  // (P)
  for (size_t i = 0; i < directions.size(); ++i)
    for (size_t p = 0; p < theta.size(); ++p) theta[p] += c[i] * directions[i].v[p];

  int width = data.d;
  for (const auto& l : model.spec.layers) width = std::max(width, l.out);
  std::vector<double> a(static_cast<size_t>(width)), z(static_cast<size_t>(width));
  double sum = 0.0, correct = 0.0;
  for (int64_t s = 0; s < data.n; ++s) {
    std::copy_n(data.X.begin() + s * data.d, data.d, a.begin());
    int n_in = data.d;
    for (const DenseLayer& layer : model.spec.layers) {
      const double* W = theta.data() + layer.w_offset;  // (out, in)
      for (int i = 0; i < layer.out; ++i) {
        double acc_i = layer.b_offset >= 0 ? theta[static_cast<size_t>(layer.b_offset + i)] : 0.0;
        for (int j = 0; j < n_in; ++j) acc_i += W[static_cast<int64_t>(i) * n_in + j] * a[j];
        z[i] = activate(layer.act, acc_i, layer.alpha);
      }
      std::copy_n(z.begin(), layer.out, a.begin());
      n_in = layer.out;
    }
    int ok = 0;
    sum +=
        sample_loss(model.spec.loss, a.data(), 1, n_in, targets.y.data() + s * targets.width, &ok);
    correct += ok;
  }
  *loss = sum / static_cast<double>(data.n);
  *acc = data.classification ? correct / static_cast<double>(data.n) : 0.0;
}

}  // namespace lscan
