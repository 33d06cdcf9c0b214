// The standard pictures of a surface file:
//   2-D  <prefix>_<set>_loss.png        filled contour of the loss (log colours), minima, maxima,
//                                       saddles and boundary minima marked (when analysed)
//        <prefix>_<set>_lambda_min.png  the smallest projected-Hessian eigenvalue, points with
//                                       lambda_min < -tau outlined (when analysed)
//   1-D  <prefix>_<set>_loss.png        the loss along the line, with the chord between t = 0
//                                       and t = 1 (or the two ends) and the barrier marked
//   3-D  the same 2-D pictures for the slice through the middle of z
#pragma once

#include <string>
#include <vector>

#include "host/io/surface_file.h"

namespace lscan {

// Writes the pictures of every *_loss map in `file`; returns the paths written.
std::vector<std::string> plot_surface_file(const SurfaceFile& file, const std::string& prefix);

}  // namespace lscan
