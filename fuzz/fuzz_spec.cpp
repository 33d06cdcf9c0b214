// parse_spec on arbitrary JSON. Accepted specs: widths >= 1, each layer's input the previous
// layer's output, at most kMaxParams parameters, and spec_to_json reads back as the same spec.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_util.h"
#include "host/core/error.h"
#include "host/model/spec_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lscan;
  const nlohmann::json j = nlohmann::json::parse(fuzz::as_string(data, size), nullptr, false);
  if (j.is_discarded()) return 0;  // not JSON: read_spec's own message, not parse_spec's
  ModelSpec spec;
  try {
    spec = parse_spec(j, "fuzz.json");
  } catch (const InputError&) {
    return 0;
  }
  fuzz::check(spec.input_dim >= 1 && !spec.layers.empty(), "a spec has inputs and a layer");
  int64_t in = spec.input_dim, params = 0;
  for (const DenseLayer& layer : spec.layers) {
    fuzz::check(layer.in == in && layer.out >= 1, "the layers chain");
    in = layer.out;
    params += static_cast<int64_t>(layer.out) * layer.in + (layer.bias ? layer.out : 0);
  }
  fuzz::check(params <= kMaxParams, "at most kMaxParams parameters");
  const nlohmann::json again = spec_to_json(spec);
  fuzz::check(spec_to_json(parse_spec(again, "again.json")) == again,
              "spec_to_json reads back as the same spec");
  return 0;
}
