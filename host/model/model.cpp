#include "host/model/model.h"

#include "host/core/error.h"

namespace lscan {

Model make_model(const ModelSpec& spec) {
  Model m;
  m.spec = spec;
  int64_t offset = 0;
  for (size_t l = 0; l < m.spec.layers.size(); ++l) {
    DenseLayer& layer = m.spec.layers[l];
    const std::string prefix = std::to_string(layer.module_index) + ".";
    TensorInfo w{prefix + "weight",
                 {layer.out, layer.in},
                 offset,
                 static_cast<int64_t>(layer.out) * layer.in,
                 false,
                 static_cast<int>(l)};
    layer.w_offset = offset;
    offset += w.size;
    m.tensors.push_back(w);
    if (layer.bias) {
      TensorInfo b{prefix + "bias", {layer.out}, offset, layer.out, true, static_cast<int>(l)};
      layer.b_offset = offset;
      offset += b.size;
      m.tensors.push_back(b);
    } else {
      layer.b_offset = -1;
    }
  }
  m.theta.assign(static_cast<size_t>(offset), 0.0);
  return m;
}

namespace {
struct ActName {
  Activation a;
  const char* name;
};
constexpr ActName kActivations[] = {
    {Activation::Identity, "identity"},    {Activation::Relu, "relu"},
    {Activation::LeakyRelu, "leaky_relu"}, {Activation::Tanh, "tanh"},
    {Activation::Sigmoid, "sigmoid"},      {Activation::Gelu, "gelu"},
    {Activation::Softplus, "softplus"}};
struct LossName {
  LossKind l;
  const char* name;
};
constexpr LossName kLosses[] = {{LossKind::CrossEntropy, "cross_entropy"},
                                {LossKind::Mse, "mse"},
                                {LossKind::Hinge, "hinge"},
                                {LossKind::Logistic, "logistic"},
                                {LossKind::SigmoidMse, "sigmoid_mse"}};
}  // namespace

const char* activation_name(Activation a) {
  for (const auto& e : kActivations)
    if (e.a == a) return e.name;
  return "?";
}

const char* loss_name(LossKind l) {
  for (const auto& e : kLosses)
    if (e.l == l) return e.name;
  return "?";
}

Activation parse_activation(const std::string& name, const std::string& file,
                            const std::string& field) {
  std::string all;
  for (const auto& e : kActivations) {
    if (name == e.name) return e.a;
    all += all.empty() ? e.name : std::string(", ") + e.name;
  }
  input_error(file, field, "unknown activation '" + name + "', expected one of " + all);
}

LossKind parse_loss(const std::string& name, const std::string& file, const std::string& field) {
  std::string all;
  for (const auto& e : kLosses) {
    if (name == e.name) return e.l;
    all += all.empty() ? e.name : std::string(", ") + e.name;
  }
  input_error(file, field, "unknown loss '" + name + "', expected one of " + all);
}

bool loss_uses_class_index(LossKind l) {
  return l == LossKind::CrossEntropy || l == LossKind::Hinge;
}

bool loss_is_binary(LossKind l) {
  return l == LossKind::Logistic || l == LossKind::SigmoidMse;
}

}  // namespace lscan
