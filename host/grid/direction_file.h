// Directions supplied by the user (--directions FILE):
//   .h5            an lscan surface file (its `directions` dataset) or a loss-landscape direction
//                  or surface file (its xdirection / ydirection / zdirection groups)
//   .safetensors   one tensor per model tensor and axis, named "x.<tensor>", "y.<tensor>",
//                  "z.<tensor>" (for PyTorch: {f"x.{n}": t for n, t in d.items()})
#pragma once

#include <string>
#include <vector>

#include "host/grid/direction.h"
#include "host/model/model.h"

namespace lscan {

// The first k directions of the file, checked against the model's tensors.
std::vector<Direction> read_directions_file(const std::string& path, const Model& model, int k);

}  // namespace lscan
