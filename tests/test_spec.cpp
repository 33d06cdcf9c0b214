// The JSON model spec and model files: parsing into the nn.Sequential layout, round trips, files
// in PyTorch's state_dict convention, initialisation, the model hash and every kind of bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/model/model_io.h"
#include "host/model/safetensors.h"
#include "host/model/spec_io.h"
#include "tests/file_test_util.h"

namespace lscan {
namespace {

using nlohmann::json;
using testing_util::run_python_fixture;
using testing_util::ScratchDir;
using testing_util::throws_input_error;
using testing_util::write_bytes;

json mnist_spec() {
  return json::parse(R"({"input_dim": 784,
    "layers": [{"type": "linear", "out": 128}, {"type": "relu"},
               {"type": "linear", "out": 10, "bias": true}],
    "loss": "cross_entropy"})");
}

// 5 -> leaky_relu(0.2) -> 3 (no bias) -> identity -> 1, binary loss; modules 0..4.
json mixed_spec() {
  return json::parse(R"({"input_dim": 5,
    "layers": [{"type": "linear", "out": 4}, {"type": "leaky_relu", "negative_slope": 0.2},
               {"type": "linear", "out": 3, "bias": false}, {"type": "identity"},
               {"type": "linear", "out": 1}],
    "loss": "logistic"})");
}

void expect_same_spec(const ModelSpec& a, const ModelSpec& b) {
  EXPECT_EQ(a.input_dim, b.input_dim);
  EXPECT_EQ(a.loss, b.loss);
  ASSERT_EQ(a.layers.size(), b.layers.size());
  for (size_t l = 0; l < a.layers.size(); ++l) {
    EXPECT_EQ(a.layers[l].in, b.layers[l].in) << l;
    EXPECT_EQ(a.layers[l].out, b.layers[l].out) << l;
    EXPECT_EQ(a.layers[l].bias, b.layers[l].bias) << l;
    EXPECT_EQ(a.layers[l].act, b.layers[l].act) << l;
    EXPECT_EQ(a.layers[l].module_index, b.layers[l].module_index) << l;
    if (a.layers[l].act == Activation::LeakyRelu) {
      EXPECT_EQ(a.layers[l].alpha, b.layers[l].alpha);
    }
  }
}

TEST(SpecIo, ParsesSequential) {
  const ModelSpec s = parse_spec(mnist_spec(), "spec.json");
  EXPECT_EQ(s.input_dim, 784);
  EXPECT_EQ(s.loss, LossKind::CrossEntropy);
  ASSERT_EQ(s.layers.size(), 2u);
  EXPECT_EQ(s.layers[0].in, 784);
  EXPECT_EQ(s.layers[0].out, 128);
  EXPECT_TRUE(s.layers[0].bias);
  EXPECT_EQ(s.layers[0].act, Activation::Relu);
  EXPECT_EQ(s.layers[0].module_index, 0);
  EXPECT_EQ(s.layers[1].in, 128);
  EXPECT_EQ(s.layers[1].out, 10);
  EXPECT_EQ(s.layers[1].act, Activation::Identity);
  EXPECT_EQ(s.layers[1].module_index, 2);
  EXPECT_EQ(s.output_dim(), 10);
}

TEST(SpecIo, ModuleIndicesNameTheTensors) {
  const ModelSpec s = parse_spec(mixed_spec(), "spec.json");
  ASSERT_EQ(s.layers.size(), 3u);
  EXPECT_EQ(s.layers[0].act, Activation::LeakyRelu);
  EXPECT_EQ(s.layers[0].alpha, 0.2);
  EXPECT_FALSE(s.layers[1].bias);
  EXPECT_EQ(s.layers[1].act, Activation::Identity);
  EXPECT_EQ(s.layers[1].module_index, 2);
  EXPECT_EQ(s.layers[2].module_index, 4);
  const Model m = make_model(s);
  std::vector<std::string> names;
  for (const TensorInfo& t : m.tensors) names.push_back(t.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "4.weight", "4.bias"}));
  EXPECT_EQ(m.num_params(), 5 * 4 + 4 + 4 * 3 + 3 * 1 + 1);
}

TEST(SpecIo, DefaultsAndEveryActivationAndLoss) {
  const ModelSpec s =
      parse_spec(json::parse(R"({"input_dim": 2, "layers": [{"type": "linear", "out": 3},
                     {"type": "leaky_relu"}], "loss": "mse"})"),
                 "spec.json");
  EXPECT_EQ(s.layers[0].alpha, 0.01);
  for (const char* act :
       {"identity", "relu", "leaky_relu", "tanh", "sigmoid", "gelu", "softplus"}) {
    json j = mnist_spec();
    j["layers"][1]["type"] = act;
    EXPECT_EQ(activation_name(parse_spec(j, "spec.json").layers[0].act), std::string(act));
  }
  for (const char* loss : {"cross_entropy", "mse", "hinge", "logistic", "sigmoid_mse"}) {
    json j = mnist_spec();
    j["layers"][2]["out"] = 1;
    j["loss"] = loss;
    EXPECT_EQ(loss_name(parse_spec(j, "spec.json").loss), std::string(loss));
  }
}

TEST(SpecIo, RoundTripsThroughJsonAndFile) {
  ScratchDir dir;
  for (const json& j : {mnist_spec(), mixed_spec()}) {
    const ModelSpec s = parse_spec(j, "spec.json");
    const json canonical = spec_to_json(s);
    expect_same_spec(parse_spec(canonical, "canonical"), s);
    EXPECT_EQ(spec_to_json(parse_spec(canonical, "canonical")), canonical);
    const std::string path = dir.file("spec.json");
    write_spec(path, s);
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    expect_same_spec(read_spec(path), s);
    const std::string text = testing_util::read_bytes(path);
    EXPECT_LT(text.find("\"type\": \"linear\""), text.find("\"out\"")) << text;
  }
}

TEST(SpecIo, SpecToJsonRejectsIndicesNoSequentialHas) {
  ModelSpec s = parse_spec(mnist_spec(), "spec.json");
  s.layers[1].module_index = 1;  // layer 0 has a relu module at index 1
  EXPECT_THROW(spec_to_json(s), std::invalid_argument);
}

// --- Bad specs -------------------------------------------------------------------------------

::testing::AssertionResult spec_rejected(const json& j, std::vector<std::string> parts) {
  parts.insert(parts.begin(), "my_spec.json");
  return throws_input_error([&] { parse_spec(j, "my_spec.json"); }, parts);
}

json with(json j, const json::json_pointer& at, const json& value) {
  j[at] = value;
  return j;
}

json without(json j, const std::string& key) {
  j.erase(key);
  return j;
}

TEST(SpecBadInput, NotAnObject) {
  EXPECT_TRUE(spec_rejected(json::array({1, 2}), {"expected a JSON object"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), json::json_pointer("/layers/1"), "relu"),
                            {"layers[1]", "expected an object"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), json::json_pointer("/layers"), json::object()),
                            {"layers", "non-empty array"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), json::json_pointer("/layers"), json::array()),
                            {"layers", "non-empty array"}));
}

TEST(SpecBadInput, MissingFields) {
  EXPECT_TRUE(spec_rejected(without(mnist_spec(), "input_dim"), {"input_dim", "missing"}));
  EXPECT_TRUE(spec_rejected(without(mnist_spec(), "layers"), {"layers", "missing"}));
  EXPECT_TRUE(spec_rejected(without(mnist_spec(), "loss"), {"loss", "missing"}));
  json j = mnist_spec();
  j["layers"][0].erase("out");
  EXPECT_TRUE(spec_rejected(j, {"layers[0].out", "missing"}));
  j = mnist_spec();
  j["layers"][1].erase("type");
  EXPECT_TRUE(spec_rejected(j, {"layers[1].type", "missing"}));
}

TEST(SpecBadInput, WrongValues) {
  const auto at = [](const char* p) { return json::json_pointer(p); };
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/input_dim"), 0), {"input_dim", ">= 1"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/input_dim"), "784"), {"input_dim", "\"784\""}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/0/out"), -3), {"layers[0].out", "-3"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/0/out"), 0), {"layers[0].out", ">= 1"}));
  EXPECT_TRUE(
      spec_rejected(with(mnist_spec(), at("/layers/0/out"), 2.5), {"layers[0].out", "2.5"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/2/out"), "10"), {"layers[2].out"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/0/out"), 1e12), {"layers[0].out"}));
  EXPECT_TRUE(
      spec_rejected(with(mnist_spec(), at("/layers/0/out"), 3000000000u), {"layers[0].out"}));
  // Too many parameters: 2 * 2e9 for the first layer alone, and a sum of layers just over
  // 2^31 - 1 (785 * 2735000 = 2,146,975,000 in layer 0, then + 2735000 * 1 + 1).
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/0/out"), 2000000000),
                            {"layers[0].out", "2147483647", "parameters"}));
  json wide = mnist_spec();
  wide["layers"][0]["out"] = 2735000;
  wide["layers"][2]["out"] = 1;
  EXPECT_TRUE(spec_rejected(wide, {"layers[2].out", "2149710001 parameters"}));
  wide["layers"][0]["out"] = 2700000;  // 2,122,200,001: within the limit
  EXPECT_NO_THROW(parse_spec(wide, "spec.json"));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/2/bias"), "yes"),
                            {"layers[2].bias", "true or false"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/1/type"), 3), {"layers[1].type"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/loss"), 1), {"loss", "expected a string"}));
  EXPECT_TRUE(spec_rejected(with(mixed_spec(), at("/layers/1/negative_slope"), "0.2"),
                            {"layers[1].negative_slope", "a number"}));
}

TEST(SpecBadInput, UnknownNames) {
  const auto at = [](const char* p) { return json::json_pointer(p); };
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/1/type"), "conv2d"),
                            {"layers[1].type", "unknown layer type 'conv2d'", "linear", "relu"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/0/type"), "Linear"),
                            {"layers[0].type", "'Linear'"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/loss"), "l1"),
                            {"loss", "unknown loss 'l1'", "cross_entropy"}));
  EXPECT_TRUE(
      spec_rejected(with(mnist_spec(), at("/lyers"), json::array()), {"lyers", "unknown key"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/0/outs"), 3),
                            {"layers[0].outs", "unknown key", "out"}));
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), at("/layers/1/negative_slope"), 0.1),
                            {"layers[1].negative_slope", "unknown key"}));
}

TEST(SpecBadInput, ActivationPlacement) {
  json first = mnist_spec();
  first["layers"] = json::parse(R"([{"type": "tanh"}, {"type": "linear", "out": 3}])");
  EXPECT_TRUE(spec_rejected(first, {"layers[0]", "before any linear layer"}));
  json twice = mnist_spec();
  twice["layers"] =
      json::parse(R"([{"type": "linear", "out": 3}, {"type": "relu"}, {"type": "identity"}])");
  EXPECT_TRUE(spec_rejected(twice, {"layers[2]", "follows another activation"}));
}

TEST(SpecBadInput, BinaryLossNeedsOneOutput) {
  EXPECT_TRUE(spec_rejected(with(mnist_spec(), json::json_pointer("/loss"), "sigmoid_mse"),
                            {"loss", "sigmoid_mse", "one output", "out = 10"}));
}

TEST(SpecBadInput, Files) {
  ScratchDir dir;
  const std::string path = dir.file("broken.json");
  write_bytes(path, "{\"input_dim\": 3,\n \"layers\": [}");
  EXPECT_TRUE(throws_input_error([&] { read_spec(path); }, {path, "not valid JSON", "line 2"}));
  write_bytes(path, "{\"input_dim\": 1e999, \"layers\": [], \"loss\": \"mse\"}");
  EXPECT_TRUE(
      throws_input_error([&] { read_spec(path); }, {path, "not valid JSON", "number overflow"}));
  const std::string absent = dir.file("absent.json");
  EXPECT_TRUE(throws_input_error([&] { read_spec(absent); }, {absent, "cannot open"}));
  write_bytes(path, "{\"input_dim\": 3, \"layers\": [{\"type\": \"relu\"}], \"loss\": \"mse\"}");
  EXPECT_TRUE(throws_input_error([&] { read_spec(path); }, {path, "layers[0]"}));
}

// --- Model files ----------------------------------------------------------------------------

TEST(ModelIo, LoadsTorchStyleFiles) {
  ScratchDir dir;
  const std::string err = run_python_fixture("write_torch_style.py", dir.path());
  ASSERT_TRUE(err.empty()) << err;
  for (const char* name : {"model_f32", "model_f16", "model_bf16"}) {
    SCOPED_TRACE(name);
    const Model m = load_model(dir.file("spec.json"), dir.file(std::string(name) + ".safetensors"));
    ASSERT_EQ(m.num_params(), 26);
    ASSERT_EQ(m.tensors.size(), 4u);
    const std::vector<std::pair<std::string, int64_t>> layout = {
        {"0.weight", 0}, {"0.bias", 12}, {"2.weight", 16}, {"2.bias", 24}};
    for (size_t i = 0; i < layout.size(); ++i) {
      EXPECT_EQ(m.tensors[i].name, layout[i].first);
      EXPECT_EQ(m.tensors[i].offset, layout[i].second);
    }
    // The values the fixture wrote, row-major [out, in].
    for (int k = 0; k < 12; ++k) EXPECT_EQ(m.theta[k], (k - 5) / 8.0) << k;
    for (int k = 0; k < 4; ++k) EXPECT_EQ(m.theta[12 + k], (k - 2) / 4.0) << k;
    for (int k = 0; k < 8; ++k) EXPECT_EQ(m.theta[16 + k], (3 * k - 7) / 16.0) << k;
    const double b0 = std::string(name) == "model_f32" ? static_cast<double>(0.1f) : 0.75;
    EXPECT_EQ(m.theta[24], b0);
    EXPECT_EQ(m.theta[25], -1.5);
    EXPECT_EQ(m.theta[m.spec.layers[1].w_offset + 1 * 4 + 3], (3 * 7 - 7) / 16.0);  // W2[1][3]
  }
}

TEST(ModelIo, SaveLoadRoundTrip) {
  ScratchDir dir;
  const Model m = init_model(parse_spec(mixed_spec(), "spec.json"), 7);
  save_model(m, dir.file("s.json"), dir.file("w64.safetensors"), "F64");
  const Model r = load_model(dir.file("s.json"), dir.file("w64.safetensors"));
  expect_same_spec(r.spec, m.spec);
  EXPECT_EQ(r.theta, m.theta);
  EXPECT_EQ(model_hash(r), model_hash(m));
  EXPECT_EQ(read_safetensors(dir.file("w64.safetensors")).metadata.at("format"), "pt");

  save_model(m, dir.file("s.json"), dir.file("w32.safetensors"));
  const Model r32 = load_model(dir.file("s.json"), dir.file("w32.safetensors"));
  ASSERT_EQ(r32.theta.size(), m.theta.size());
  for (size_t i = 0; i < m.theta.size(); ++i)
    EXPECT_EQ(r32.theta[i], static_cast<double>(static_cast<float>(m.theta[i])));
}

TEST(ModelIo, SaveRejectsUnknownDtypeAndWritesNothing) {
  ScratchDir dir;
  const Model m = init_model(parse_spec(mnist_spec(), "spec.json"), 1);
  EXPECT_TRUE(throws_input_error(
      [&] { save_model(m, dir.file("s.json"), dir.file("w.safetensors"), "BF16"); },
      {"w.safetensors", "dtype", "BF16"}));
  EXPECT_FALSE(std::filesystem::exists(dir.file("s.json")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.safetensors")));
}

TEST(ModelIo, InitModelFollowsPyTorchBounds) {
  const ModelSpec s = parse_spec(mnist_spec(), "spec.json");
  const Model a = init_model(s, 42);
  EXPECT_EQ(a.theta, init_model(s, 42).theta);
  EXPECT_NE(a.theta, init_model(s, 43).theta);
  for (const TensorInfo& t : a.tensors) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(s.layers[t.layer].in));
    double max_abs = 0, sum = 0;
    for (int64_t i = 0; i < t.size; ++i) {
      max_abs = std::max(max_abs, std::fabs(a.theta[t.offset + i]));
      sum += a.theta[t.offset + i];
    }
    EXPECT_LE(max_abs, bound) << t.name;
    EXPECT_GT(max_abs, 0.9 * bound) << t.name;                  // the whole interval is used
    EXPECT_LT(std::fabs(sum / t.size), 0.2 * bound) << t.name;  // and centred
  }
  // Each layer draws from its own stream: reshaping layer 1 leaves layer 0's weights alone.
  json j = mnist_spec();
  j["layers"][2]["out"] = 7;
  const Model b = init_model(parse_spec(j, "spec.json"), 42);
  EXPECT_TRUE(std::equal(a.theta.begin(), a.theta.begin() + 784 * 128 + 128, b.theta.begin()));
}

TEST(ModelIo, ModelHash) {
  const ModelSpec s =
      parse_spec(json::parse(R"({"input_dim": 2, "layers": [{"type": "linear", "out": 1}],
                                 "loss": "logistic"})"),
                 "spec.json");
  // The canonical spec text the hash covers.
  EXPECT_EQ(
      spec_to_json(s).dump(),
      R"({"input_dim":2,"layers":[{"bias":true,"out":1,"type":"linear"}],"loss":"logistic"})");
  Model m = make_model(s);
  m.theta = {1.0, -2.0, 0.5};
  const std::string h = model_hash(m);
  EXPECT_EQ(h.rfind("fnv1a64:", 0), 0u);
  ASSERT_EQ(h.size(), 8u + 16u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef", 8), std::string::npos);
  EXPECT_EQ(h, model_hash(m));
  // FNV-1a 64 of the canonical text and the three doubles, computed by hand.
  uint64_t want = 0xcbf29ce484222325ull;
  std::string bytes = spec_to_json(s).dump();
  for (double v : m.theta) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(bits >> (8 * i)));
  }
  for (unsigned char c : bytes) want = (want ^ c) * 0x100000001b3ull;
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(want));
  EXPECT_EQ(h, std::string("fnv1a64:") + hex);

  Model changed = m;
  changed.theta[2] = std::nextafter(0.5, 1.0);
  EXPECT_NE(model_hash(changed), h);
  changed = m;
  changed.spec.loss = LossKind::SigmoidMse;
  EXPECT_NE(model_hash(changed), h);
}

// --- Spec and weights that disagree ---------------------------------------------------------

class ModelIoBadInput : public ::testing::Test {
 protected:
  void SetUp() override { write_bytes(spec_, mnist_like_.dump()); }
  // 3 -> 4 -> relu -> 2: "0.weight" [4, 3], "0.bias" [4], "2.weight" [2, 4], "2.bias" [2].
  json mnist_like_ = json::parse(R"({"input_dim": 3, "layers": [{"type": "linear", "out": 4},
      {"type": "relu"}, {"type": "linear", "out": 2}], "loss": "cross_entropy"})");
  ScratchDir dir_;
  std::string spec_ = dir_.file("spec.json");
  std::string weights_ = dir_.file("weights.safetensors");
};

StTensor zeros(std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return {"", shape, std::vector<double>(static_cast<size_t>(n), 0.0)};
}

TEST_F(ModelIoBadInput, NamesEveryMissingAndExtraTensor) {
  write_safetensors(weights_,
                    {{"0.weight", zeros({4, 3})},
                     {"1.weight", zeros({2, 4})},
                     {"2.bias", zeros({2})},
                     {"fc.bias", zeros({1})}},
                    "F32");
  EXPECT_TRUE(throws_input_error([&] { load_model(spec_, weights_); },
                                 {weights_, "tensors", spec_, "missing '0.bias', '2.weight'",
                                  "unexpected '1.weight', 'fc.bias'"}));
}

TEST_F(ModelIoBadInput, NamesEveryWrongShape) {
  write_safetensors(weights_,
                    {{"0.weight", zeros({3, 4})},
                     {"0.bias", zeros({4})},
                     {"2.weight", zeros({8})},
                     {"2.bias", zeros({2})}},
                    "F32");
  EXPECT_TRUE(throws_input_error(
      [&] { load_model(spec_, weights_); },
      {weights_, "tensor '0.weight': expected shape [4, 3], found [3, 4]", "transposed",
       "tensor '2.weight': expected shape [2, 4], found [8]", spec_}));
}

TEST_F(ModelIoBadInput, NonFiniteWeightsRejectedUnlessAllowed) {
  StTensor b = zeros({2});
  b.values[1] = std::numeric_limits<double>::infinity();
  write_safetensors(weights_,
                    {{"0.weight", zeros({4, 3})},
                     {"0.bias", zeros({4})},
                     {"2.weight", zeros({2, 4})},
                     {"2.bias", b}},
                    "F32");
  EXPECT_TRUE(throws_input_error([&] { load_model(spec_, weights_); },
                                 {weights_, "tensor '2.bias'", "flat index 1", "Inf"}));
  const Model m = load_model(spec_, weights_, true);
  EXPECT_EQ(m.theta[25], std::numeric_limits<double>::infinity());
}

TEST_F(ModelIoBadInput, BadSpecIsNamed) {
  write_bytes(spec_, with(mnist_like_, json::json_pointer("/loss"), "nll").dump());
  write_safetensors(weights_, {{"0.weight", zeros({4, 3})}}, "F32");
  EXPECT_TRUE(throws_input_error([&] { load_model(spec_, weights_); }, {spec_, "loss", "'nll'"}));
}

}  // namespace
}  // namespace lscan
