// A surface's shape as the analysis reducers walk it: 1 to 3 axes padded to three, row-major with
// the last axis fastest (Grid's numbering), so that index = (i0 * n1 + i1) * n2 + i2 for every
// dimension (missing axes have n = 1 and are never stepped along).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/grid/grid.h"

namespace lscan {

struct GridView {
  int dims = 0;
  int64_t n[3] = {1, 1, 1};       // points per axis
  int64_t stride[3] = {1, 1, 1};  // index step per axis
  double step[3] = {0, 0, 0};     // coordinate spacing per axis, (max - min) / (num - 1)
  int64_t size = 0;

  // Checks 1 to 3 axes and values of the grid's size; `what` names the caller in the exception.
  GridView(const Grid& grid, size_t values, const char* what) {
    dims = grid.dims();
    if (dims < 1 || dims > 3) throw std::invalid_argument(std::string(what) + ": 1 to 3 axes");
    for (int a = 0; a < dims; ++a) {
      const GridAxis& ax = grid.axes[static_cast<size_t>(a)];
      n[a] = ax.num;
      step[a] = ax.num > 1 ? (ax.max - ax.min) / (ax.num - 1) : 0.0;
    }
    stride[2] = 1;
    stride[1] = n[2];
    stride[0] = n[1] * n[2];
    size = n[0] * n[1] * n[2];
    if (static_cast<int64_t>(values) != size)
      throw std::invalid_argument(std::string(what) + ": the values do not match the grid (" +
                                  std::to_string(values) + " values, " + std::to_string(size) +
                                  " points)");
  }

  void index_to_ijk(int64_t index, int64_t* ijk) const {
    ijk[2] = index % n[2];
    index /= n[2];
    ijk[1] = index % n[1];
    ijk[0] = index / n[1];
  }
  int64_t ijk_to_index(const int64_t* ijk) const {
    return ijk[0] * stride[0] + ijk[1] * stride[1] + ijk[2];
  }
  // Whether the point has both neighbours at distance s along every real axis.
  bool interior(const int64_t* ijk, int64_t s) const {
    for (int a = 0; a < dims; ++a)
      if (ijk[a] < s || ijk[a] + s >= n[a]) return false;
    return true;
  }
};

}  // namespace lscan
