// Arbitrary safetensors bytes as the weights (load_model) and as the directions
// (read_directions_file, k = 2) of a fixed 3-4-2 MLP. Accepted files: theta and the directions
// have the model's P entries, finite for the weights.
#include <cmath>

#include "fuzz/fuzz_util.h"
#include "host/core/error.h"
#include "host/grid/direction_file.h"
#include "host/model/model_io.h"
#include "host/model/spec_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lscan;
  // Written once, removed at exit.
  static const fuzz::TempFile spec("spec", ".json",
                                   R"({"input_dim": 3, "layers": [{"type": "linear", "out": 4},
      {"type": "tanh"}, {"type": "linear", "out": 2}], "loss": "cross_entropy"})");
  const std::string& spec_path = spec.path();
  constexpr size_t P = 3 * 4 + 4 + 4 * 2 + 2;
  const fuzz::TempFile weights("weights", ".safetensors", fuzz::as_string(data, size));
  try {
    const Model m = load_model(spec_path, weights.path());
    fuzz::check(m.theta.size() == P, "theta has P entries");
    for (double v : m.theta) fuzz::check(std::isfinite(v), "weights are finite");
  } catch (const InputError&) {
  }
  try {
    const Model m = make_model(read_spec(spec_path));
    const std::vector<Direction> dirs = read_directions_file(weights.path(), m, 2);
    fuzz::check(dirs.size() == 2, "k directions");
    for (const Direction& d : dirs) fuzz::check(d.v.size() == P, "a direction has P entries");
  } catch (const InputError&) {
  }
  return 0;
}
