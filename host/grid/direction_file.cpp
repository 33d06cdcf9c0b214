#include "host/grid/direction_file.h"

#include "host/core/error.h"
#include "host/io/surface_file.h"
#include "host/model/safetensors.h"

namespace lscan {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* kAxisNames[] = {"x", "y", "z"};

}  // namespace

std::vector<Direction> read_directions_file(const std::string& path, const Model& model, int k) {
  const size_t P = model.theta.size();
  std::vector<Direction> out;
  if (ends_with(path, ".safetensors")) {
    const StFile f = read_safetensors(path);
    std::string missing;
    for (int i = 0; i < k; ++i) {
      Direction d;
      d.v.assign(P, 0.0);
      d.kind = std::string("file(") + path + ", " + kAxisNames[i] + ")";
      for (const TensorInfo& t : model.tensors) {
        const std::string name = std::string(kAxisNames[i]) + "." + t.name;
        const auto it = f.tensors.find(name);
        if (it == f.tensors.end()) {
          missing += (missing.empty() ? "'" : ", '") + name + "'";
          continue;
        }
        if (it->second.shape != t.shape)
          input_error(path, "tensor '" + name + "'",
                      "expected shape " + format_shape(t.shape) + ", found " +
                          format_shape(it->second.shape));
        std::copy(it->second.values.begin(), it->second.values.end(), d.v.begin() + t.offset);
      }
      out.push_back(std::move(d));
    }
    if (!missing.empty()) input_error(path, "tensors", "missing direction tensors " + missing);
    return out;
  }
  if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) {
    const SurfaceFile f = read_surface(path);
    if (static_cast<int>(f.directions.size()) < k)
      input_error(path, "directions",
                  "the scan has " + std::to_string(k) + " axes but the file holds " +
                      std::to_string(f.directions.size()) + " directions");
    for (int i = 0; i < k; ++i) {
      if (f.directions[static_cast<size_t>(i)].size() != P)
        input_error(path, std::string(kAxisNames[i]) + "direction",
                    "expected " + std::to_string(P) + " values (the model's parameters), found " +
                        std::to_string(f.directions[static_cast<size_t>(i)].size()));
      out.push_back({f.directions[static_cast<size_t>(i)],
                     std::string("file(") + path + ", " + kAxisNames[i] + ")"});
    }
    return out;
  }
  input_error(path, "--directions", "expected a .h5 surface/direction file or a .safetensors file");
}

}  // namespace lscan
