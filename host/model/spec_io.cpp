#include "host/model/spec_io.h"

#include <climits>
#include <initializer_list>
#include <stdexcept>

#include "host/core/error.h"
#include "host/core/file_io.h"
#include "host/model/json_text.h"

namespace lscan {

namespace {

using nlohmann::json;

std::string join(std::initializer_list<const char*> names) {
  std::string all;
  for (const char* n : names) all += all.empty() ? n : std::string(", ") + n;
  return all;
}

// Typo protection: every key of `obj` must be one of `allowed`.
void check_keys(const json& obj, std::initializer_list<const char*> allowed,
                const std::string& source, const std::string& prefix) {
  for (const auto& item : obj.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || item.key() == a;
    if (!known)
      input_error(source, prefix + item.key(), "unknown key, expected one of " + join(allowed));
  }
}

const json& require(const json& obj, const char* key, const std::string& source,
                    const std::string& prefix) {
  if (!obj.contains(key)) input_error(source, prefix + key, "missing");
  return obj[key];
}

int positive_int(const json& j, const std::string& source, const std::string& field) {
  // Parsed non-negative integers are unsigned, ones built in code are signed.
  const bool ok = j.is_number_unsigned() ? j.get<uint64_t>() >= 1 && j.get<uint64_t>() <= INT_MAX
                                         : j.is_number_integer() && j.get<int64_t>() >= 1 &&
                                               j.get<int64_t>() <= INT_MAX;
  if (!ok) input_error(source, field, "expected an integer >= 1, found " + json_excerpt(j));
  return j.get<int>();
}

std::string activation_names() {
  std::string all;
  for (int a = 0; a <= static_cast<int>(Activation::Softplus); ++a)
    all += std::string(", ") + activation_name(static_cast<Activation>(a));
  return all;
}

bool is_activation(const std::string& type) {
  for (int a = 0; a <= static_cast<int>(Activation::Softplus); ++a)
    if (type == activation_name(static_cast<Activation>(a))) return true;
  return false;
}

}  // namespace

ModelSpec parse_spec(const json& j, const std::string& source) {
  if (!j.is_object())
    input_error(source, "",
                "expected a JSON object with input_dim, layers and loss, found " + json_excerpt(j));
  check_keys(j, {"input_dim", "layers", "loss"}, source, "");

  ModelSpec spec;
  spec.input_dim = positive_int(require(j, "input_dim", source, ""), source, "input_dim");

  const json& layers = require(j, "layers", source, "");
  if (!layers.is_array() || layers.empty())
    input_error(source, "layers",
                "expected a non-empty array of layers such as {\"type\": \"linear\", \"out\": 10}, "
                "found " +
                    json_excerpt(layers));
  bool after_activation = false;
  int64_t params = 0;  // so far; each layer adds at most INT_MAX^2 + INT_MAX, no overflow
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string field = "layers[" + std::to_string(i) + "]";
    const json& entry = layers[i];
    if (!entry.is_object())
      input_error(source, field,
                  "expected an object with a \"type\", found " + json_excerpt(entry));
    const json& jtype = require(entry, "type", source, field + ".");
    if (!jtype.is_string())
      input_error(source, field + ".type", "expected a string, found " + json_excerpt(jtype));
    const std::string type = jtype.get<std::string>();

    if (type == "linear") {
      check_keys(entry, {"type", "out", "bias"}, source, field + ".");
      DenseLayer layer;
      layer.in = spec.layers.empty() ? spec.input_dim : spec.layers.back().out;
      layer.out = positive_int(require(entry, "out", source, field + "."), source, field + ".out");
      if (entry.contains("bias")) {
        if (!entry["bias"].is_boolean())
          input_error(source, field + ".bias",
                      "expected true or false, found " + json_excerpt(entry["bias"]));
        layer.bias = entry["bias"].get<bool>();
      }
      layer.module_index = static_cast<int>(i);
      params += static_cast<int64_t>(layer.out) * layer.in + (layer.bias ? layer.out : 0);
      if (params > kMaxParams)
        input_error(source, field + ".out",
                    "out = " + std::to_string(layer.out) + " takes the model to " +
                        std::to_string(params) + " parameters; lscan handles at most " +
                        std::to_string(kMaxParams) + " (2^31 - 1)");
      spec.layers.push_back(layer);
      after_activation = false;
      continue;
    }

    if (!is_activation(type))
      input_error(source, field + ".type",
                  "unknown layer type '" + type + "', expected one of linear" + activation_names());
    if (spec.layers.empty())
      input_error(source, field,
                  "the activation '" + type + "' comes before any linear layer; an activation " +
                      "must follow a linear layer");
    if (after_activation)
      input_error(source, field,
                  "the activation '" + type + "' follows another activation; each linear layer " +
                      "takes at most one activation");
    DenseLayer& prev = spec.layers.back();
    prev.act = parse_activation(type, source, field + ".type");
    if (prev.act == Activation::LeakyRelu) {
      check_keys(entry, {"type", "negative_slope"}, source, field + ".");
      if (entry.contains("negative_slope")) {
        const json& slope = entry["negative_slope"];
        if (!slope.is_number())
          input_error(source, field + ".negative_slope",
                      "expected a number, found " + json_excerpt(slope));
        prev.alpha = slope.get<double>();
      }
    } else {
      check_keys(entry, {"type"}, source, field + ".");
    }
    after_activation = true;
  }

  const json& jloss = require(j, "loss", source, "");
  if (!jloss.is_string())
    input_error(source, "loss",
                "expected a string such as \"cross_entropy\", found " + json_excerpt(jloss));
  spec.loss = parse_loss(jloss.get<std::string>(), source, "loss");
  if (loss_is_binary(spec.loss) && spec.output_dim() != 1)
    input_error(source, "loss",
                std::string(loss_name(spec.loss)) +
                    " needs one output (a logit), but the last linear layer has out = " +
                    std::to_string(spec.output_dim()));
  return spec;
}

ModelSpec read_spec(const std::string& path) {
  const std::string text = read_file(path);
  return parse_spec(parse_json_text(text.begin(), text.end(), path, ""), path);
}

json spec_to_json(const ModelSpec& spec) {
  json layers = json::array();
  int next_index = 0;
  for (size_t l = 0; l < spec.layers.size(); ++l) {
    const DenseLayer& layer = spec.layers[l];
    if (layer.module_index != next_index)
      throw std::invalid_argument("spec_to_json: layer " + std::to_string(l) +
                                  " has module index " + std::to_string(layer.module_index) +
                                  ", expected " + std::to_string(next_index) +
                                  " in an nn.Sequential");
    layers.push_back(json{{"type", "linear"}, {"out", layer.out}, {"bias", layer.bias}});
    ++next_index;
    const bool last = l + 1 == spec.layers.size();
    // An identity activation is a module of its own only where the next index shows one.
    const bool has_module = layer.act != Activation::Identity ||
                            (!last && spec.layers[l + 1].module_index == next_index + 1);
    if (has_module) {
      json act = json::object();
      act["type"] = activation_name(layer.act);
      if (layer.act == Activation::LeakyRelu) act["negative_slope"] = layer.alpha;
      layers.push_back(act);
      ++next_index;
    }
  }
  return json{{"input_dim", spec.input_dim}, {"layers", layers}, {"loss", loss_name(spec.loss)}};
}

void write_spec(const std::string& path, const ModelSpec& spec) {
  // The canonical JSON sorts keys; for people, each layer's "type" comes first.
  const json j = spec_to_json(spec);
  nlohmann::ordered_json out;
  out["input_dim"] = j["input_dim"];
  out["layers"] = nlohmann::ordered_json::array();
  for (const json& layer : j["layers"]) {
    nlohmann::ordered_json o;
    o["type"] = layer["type"];
    for (const auto& [key, value] : layer.items())
      if (key != "type") o[key] = value;
    out["layers"].push_back(o);
  }
  out["loss"] = j["loss"];
  write_file_atomic(path, out.dump(2) + "\n");
}

}  // namespace lscan
