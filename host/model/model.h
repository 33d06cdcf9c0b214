// The network: a PyTorch nn.Sequential of Linear layers, each followed by at most one activation,
// and a loss. Parameters live in one flat fp64 vector theta with a table of named tensors, in the
// order of the state_dict: "<i>.weight" ([out, in], row-major) then "<i>.bias" ([out]), where i is
// the Linear module's index in the Sequential (activations take indices too, as in PyTorch).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/activations.cuh"
#include "kernels/losses.cuh"

namespace lscan {

struct DenseLayer {
  int in = 0;
  int out = 0;
  bool bias = true;
  Activation act = Activation::Identity;  // applied to this layer's output
  double alpha = 0.01;                    // leaky_relu negative slope
  int module_index = 0;                   // index of the Linear in the nn.Sequential
  int64_t w_offset = 0;                   // offset of W ([out, in]) in theta
  int64_t b_offset = -1;                  // offset of b ([out]) in theta; -1 without bias
};

struct TensorInfo {
  std::string name;            // "0.weight"
  std::vector<int64_t> shape;  // [out, in] or [out]
  int64_t offset = 0;          // into theta
  int64_t size = 0;            // number of elements
  bool is_bias = false;
  int layer = 0;  // index into ModelSpec::layers
};

// The most parameters a model may have, 2^31 - 1: the GPU engine indexes a point's weights with
// 32-bit integers (cuBLAS dimensions, kernel indices), and a scan holds theta and each direction
// in fp64, 16 GiB apiece at this size.
constexpr int64_t kMaxParams = 2147483647;

struct ModelSpec {
  int input_dim = 0;
  std::vector<DenseLayer> layers;
  LossKind loss = LossKind::CrossEntropy;
  int output_dim() const { return layers.empty() ? 0 : layers.back().out; }
};

struct Model {
  ModelSpec spec;
  std::vector<TensorInfo> tensors;  // state_dict order
  std::vector<double> theta;        // (P)
  int64_t num_params() const { return static_cast<int64_t>(theta.size()); }
};

// Lays out the tensor table and offsets for a spec (theta zero-filled).
Model make_model(const ModelSpec& spec);

const char* activation_name(Activation a);
const char* loss_name(LossKind l);
// Throws InputError naming `file` and `field` on an unknown name.
Activation parse_activation(const std::string& name, const std::string& file,
                            const std::string& field);
LossKind parse_loss(const std::string& name, const std::string& file, const std::string& field);

// Whether a loss reads one class index per sample (cross_entropy, hinge), one binary target
// (logistic, sigmoid_mse) or m float targets (mse).
bool loss_uses_class_index(LossKind l);
bool loss_is_binary(LossKind l);

}  // namespace lscan
