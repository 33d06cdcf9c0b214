// Drives a backend over any number of points, tile by tile.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "host/engine/backend.h"

namespace lscan {

struct PointValues {
  std::vector<double> loss;  // (npoints)
  std::vector<double> acc;   // (npoints)
  double seconds = 0;
};

// coeffs: (npoints, k) row-major. on_progress(done) is called after every tile.
PointValues evaluate_points(Backend& backend, const std::vector<double>& coeffs, int k,
                            const std::function<void(int64_t done)>& on_progress = {});

}  // namespace lscan
