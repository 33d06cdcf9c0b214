// PNG pictures of scan results, drawn with PLplot (pngcairo device, package plplot-driver-cairo).
//
// A contour plot shows a 2-D map (loss, accuracy, curvature) as filled colour bands with a colour
// bar, the grid's critical points as glyphs and, optionally, a region outlined by a thick line
// (for instance where the projected Hessian has a negative eigenvalue). A curve plot shows a 1-D
// scan or an interpolation path with its chord and vertical markers (a barrier's location).
//
// Every writer checks its input first (InputError naming `path` and the field; nothing is
// written), then writes the PNG through AtomicOutput: `path` appears only complete. The writers
// print nothing, and are safe to call from several threads (they take turns: PLplot has one
// global state). Titles and labels are shown as given (no PLplot text escapes).
#pragma once

#include <string>
#include <vector>

#include "host/grid/grid.h"

namespace lscan {

// A point to mark on a contour plot, in the axes' coordinates. Drawn as a filled glyph with a
// dark edge, so that it shows on every colour of the map:
//   0 minimum            circle, white
//   1 maximum            triangle, red
//   2 saddle             diamond, magenta
//   3 boundary minimum   square, white (a minimum on the edge of the grid: the true minimum may
//                        lie outside it)
// A legend above the plot names the kinds that occur. Glyphs on the frame are drawn whole; marks
// outside the axes' range are not drawn.
struct Mark {
  double x = 0, y = 0;
  int kind = 0;
};

struct ContourPlot {
  std::string title, xlabel = "x", ylabel = "y", value_label = "loss";
  GridAxis x, y;  // at least 2 points each, min < max
  // (nx, ny) row-major, [ix, iy], as the surface file stores maps. NaN or infinite values are
  // missing data, drawn blank; at least one value must be finite.
  std::vector<double> z;
  // Colour by log10(z), for loss surfaces spanning decades; the colour bar is still labelled in
  // values of z. Values <= 0 take the colour of the smallest positive value (at least one value
  // must be positive).
  bool log_scale = false;
  std::vector<Mark> marks;
  // Empty, or an (nx, ny) mask like z: 1 inside a region to outline, 0 outside (NaN counts as
  // 0). Drawn as the contour at 0.5, a thick dark line with a white core.
  std::vector<double> outline;
  std::string outline_label = "outlined region";  // its legend entry
  int levels = 30;                                // colour bands, 1 to 1000
};

// Writes `p` as a `width` x `height` pixel PNG (each 200 to 10000). Throws InputError naming
// `path` on bad input, a file that cannot be created or a missing pngcairo device;
// std::runtime_error if PLplot fails.
void plot_contour_png(const std::string& path, const ContourPlot& p, int width = 900,
                      int height = 800);

struct CurvePlot {
  std::string title, xlabel = "t", ylabel = "loss";
  // The curve (blue), x[i] against y[i]: at least 2 points, x finite, at least one y finite. A
  // NaN or infinite y breaks the line there.
  std::vector<double> x, y;
  // An orange line of short dashes from (x0, y0) to (x1, y1), with a dot at each end: for a path
  // from a to b, the chord (1 - t) f(a) + t f(b) that a convex function stays below.
  bool chord = false;
  double x0 = 0, y0 = 0, x1 = 1, y1 = 1;
  std::vector<double> mark_x;  // vertical grey lines of long dashes (e.g. where a barrier peaks)
};

// Writes `p` as a `width` x `height` pixel PNG (each 200 to 10000); errors as plot_contour_png.
// The axes cover the curve, the chord and the markers.
void plot_curve_png(const std::string& path, const CurvePlot& p, int width = 900, int height = 600);

}  // namespace lscan
