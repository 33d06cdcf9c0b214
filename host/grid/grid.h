// The scan grid: one axis per direction, `min:max:num`, laid out like numpy.linspace (and so like
// loss-landscape's xcoordinates / ycoordinates). Points are numbered row-major with the last axis
// fastest: index = (ix * ny + iy) * nz + iz.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lscan {

struct GridAxis {
  double min = 0;
  double max = 0;
  int num = 1;

  // numpy.linspace(min, max, num)[i]
  double at(int i) const;
  std::vector<double> coordinates() const;
  std::string str() const;  // "min:max:num"
  // Parses "min:max:num" (num >= 1; num == 1 needs min == max or takes min). `flag` names the
  // option in errors. Throws InputError.
  static GridAxis parse(const std::string& text, const std::string& flag);
};

// The most points a grid may have, 2^31 - 1. A scan keeps a few fp64 maps of its grid (losses,
// accuracies, curvature), 16 GiB apiece at this size; the cap turns absurd grids (three axes of a
// million points) into an input error instead of a failed allocation.
constexpr int64_t kMaxGridPoints = 2147483647;

struct Grid {
  std::vector<GridAxis> axes;  // 1 to 3

  int dims() const { return static_cast<int>(axes.size()); }
  int64_t num_points() const;
  // Coefficients (k = dims()) of the point with row-major index `index`.
  void coefficients(int64_t index, double* c) const;
  // (num_points, k) row-major.
  std::vector<double> coefficient_matrix() const;
};

}  // namespace lscan
