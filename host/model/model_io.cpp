#include "host/model/model_io.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/core/rng.h"
#include "host/model/safetensors.h"
#include "host/model/spec_io.h"

namespace lscan {

namespace {

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

}  // namespace

Model load_model(const std::string& spec_path, const std::string& weights_path,
                 bool allow_nonfinite) {
  const ModelSpec spec = read_spec(spec_path);
  const StFile file = read_safetensors(weights_path, allow_nonfinite);
  Model m = make_model(spec);

  std::vector<std::string> missing;
  std::set<std::string> expected;
  for (const TensorInfo& t : m.tensors) {
    expected.insert(t.name);
    if (!file.tensors.count(t.name)) missing.push_back(t.name);
  }
  std::vector<std::string> extra;
  for (const auto& entry : file.tensors)
    if (!expected.count(entry.first)) extra.push_back(entry.first);
  if (!missing.empty() || !extra.empty()) {
    std::string what = "do not match the spec " + spec_path + ":";
    if (!missing.empty())
      what += " missing " + quoted_list(missing) + " (the spec has them, this file does not);";
    if (!extra.empty())
      what += " unexpected " + quoted_list(extra) + " (this file has them, the spec does not);";
    what +=
        " the Linear at layers[i] owns '<i>.weight' [out, in] and '<i>.bias' [out], as in "
        "nn.Sequential's state_dict";
    input_error(weights_path, "tensors", what);
  }

  std::string wrong;
  for (const TensorInfo& t : m.tensors) {
    const std::vector<int64_t>& found = file.tensors.at(t.name).shape;
    if (found == t.shape) continue;
    wrong += std::string(wrong.empty() ? "" : "; ") + "tensor '" + t.name + "': expected shape " +
             format_shape(t.shape) + ", found " + format_shape(found);
    if (found.size() == 2 && t.shape.size() == 2 && found[0] == t.shape[1] &&
        found[1] == t.shape[0])
      wrong += " (transposed? Linear weights are [out, in])";
  }
  if (!wrong.empty()) input_error(weights_path, "", wrong + " (shapes from " + spec_path + ")");

  for (const TensorInfo& t : m.tensors) {
    const std::vector<double>& v = file.tensors.at(t.name).values;
    std::copy(v.begin(), v.end(), m.theta.begin() + t.offset);
  }
  return m;
}

void save_model(const Model& m, const std::string& spec_path, const std::string& weights_path,
                const std::string& dtype) {
  std::vector<std::pair<std::string, StTensor>> tensors;
  for (const TensorInfo& t : m.tensors) {
    if (t.offset < 0 || t.offset + t.size > m.num_params())
      throw std::invalid_argument("save_model: tensor '" + t.name + "' lies outside theta");
    StTensor st;
    st.shape = t.shape;
    st.values.assign(m.theta.begin() + t.offset, m.theta.begin() + t.offset + t.size);
    tensors.emplace_back(t.name, std::move(st));
  }
  write_safetensors(weights_path, tensors, dtype, {{"format", "pt"}});
  write_spec(spec_path, m.spec);
}

Model init_model(const ModelSpec& spec, uint64_t seed) {
  Model m = make_model(spec);
  for (size_t l = 0; l < m.spec.layers.size(); ++l) {
    const DenseLayer& layer = m.spec.layers[l];
    Rng rng(seed, l);
    const double bound = 1.0 / std::sqrt(static_cast<double>(layer.in));
    const int64_t w_size = static_cast<int64_t>(layer.out) * layer.in;
    for (int64_t i = 0; i < w_size; ++i) m.theta[layer.w_offset + i] = rng.uniform(-bound, bound);
    if (layer.b_offset >= 0)
      for (int64_t i = 0; i < layer.out; ++i)
        m.theta[layer.b_offset + i] = rng.uniform(-bound, bound);
  }
  return m;
}

std::string model_hash(const Model& m) {
  uint64_t h = 0xcbf29ce484222325ull;
  const auto add = [&h](unsigned char byte) {
    h ^= byte;
    h *= 0x100000001b3ull;
  };
  for (char c : spec_to_json(m.spec).dump()) add(static_cast<unsigned char>(c));
  for (double v : m.theta) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    for (int i = 0; i < 8; ++i) add(static_cast<unsigned char>(bits >> (8 * i)));
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  return std::string("fnv1a64:") + hex;
}

}  // namespace lscan
