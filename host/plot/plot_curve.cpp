// plot_curve_png: validation, the scene (everything computed before PLplot runs), the page.
#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/plot/plot.h"
#include "host/plot/plplot_png.h"
#include "host/plot/ticks.h"

namespace lscan {
namespace {

namespace pd = plot_detail;

// Everything the page needs, computed before PLplot runs (see plplot_png.h).
struct CurveScene {
  int width = 0, height = 0;  // pixels
  double xmin = 0, xmax = 0, ymin = 0, ymax = 0;
  std::vector<double> x, y;     // the curve
  std::vector<int> run_starts;  // runs of finite y: [run_starts[r], run_starts[r] + run_sizes[r])
  std::vector<int> run_sizes;
  bool chord = false;
  PLFLT chord_x[2] = {}, chord_y[2] = {};
  std::vector<double> mark_x;
  std::string title, xlabel, ylabel;
  // Layout: the plot's viewport in normalised page coordinates, and the axes' ticks.
  double vx0 = 0, vx1 = 0, vy0 = 0, vy1 = 0;
  pd::Ticks xticks, yticks;
};

void expand(double v, double* lo, double* hi) {
  *lo = std::min(*lo, v);
  *hi = std::max(*hi, v);
}

// [lo, hi] grown by 4% on each side, or to a width of 2e-3 |v| (or 2e-3) if it is a point.
void pad(double* lo, double* hi) {
  double margin = 0.04 * (*hi - *lo);
  if (margin <= 1e-12 * std::max(1.0, std::fabs(*hi)))
    margin = 1e-3 * std::max(1.0, std::fabs(*hi));
  *lo -= margin;
  *hi += margin;
}

CurveScene make_scene(const std::string& path, const CurvePlot& p, int width, int height) {
  pd::check_page_size(path, width, height);
  if (p.x.size() != p.y.size())
    input_error(path, "y",
                "expected as many values as x (" + std::to_string(p.x.size()) + "), got " +
                    std::to_string(p.y.size()));
  if (p.x.size() < 2)
    input_error(path, "x", "expected at least 2 points, got " + std::to_string(p.x.size()));
  if (p.x.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    input_error(path, "x", "too many points for PLplot");

  CurveScene s;
  s.width = width;
  s.height = height;
  const double inf = std::numeric_limits<double>::infinity();
  double xlo = inf, xhi = -inf, ylo = inf, yhi = -inf;
  for (size_t i = 0; i < p.x.size(); ++i) {
    if (!std::isfinite(p.x[i]))
      input_error(path, "x", "expected finite values, x[" + std::to_string(i) + "] is not");
    expand(p.x[i], &xlo, &xhi);
    if (std::isfinite(p.y[i])) expand(p.y[i], &ylo, &yhi);
  }
  if (!(ylo <= yhi))
    input_error(path, "y", "expected at least one finite value, all are NaN or Inf");
  if (p.chord) {
    if (!std::isfinite(p.x0) || !std::isfinite(p.y0) || !std::isfinite(p.x1) ||
        !std::isfinite(p.y1))
      input_error(path, "chord", "expected finite end points");
    expand(p.x0, &xlo, &xhi);
    expand(p.x1, &xlo, &xhi);
    expand(p.y0, &ylo, &yhi);
    expand(p.y1, &ylo, &yhi);
    s.chord = true;
    s.chord_x[0] = p.x0;
    s.chord_x[1] = p.x1;
    s.chord_y[0] = p.y0;
    s.chord_y[1] = p.y1;
  }
  for (size_t i = 0; i < p.mark_x.size(); ++i) {
    if (!std::isfinite(p.mark_x[i]))
      input_error(path, "mark_x",
                  "expected finite values, mark_x[" + std::to_string(i) + "] is not");
    expand(p.mark_x[i], &xlo, &xhi);
  }
  if (!(xlo < xhi)) input_error(path, "x", "expected at least two different values");
  // The x axis spans the data exactly (a path from t = 0 to 1 reads best that way); y is padded
  // so that the curve does not run along the frame.
  pad(&ylo, &yhi);
  s.xmin = xlo;
  s.xmax = xhi;
  s.ymin = ylo;
  s.ymax = yhi;

  s.x = p.x;
  s.y = p.y;
  const int n = static_cast<int>(p.x.size());
  for (int i = 0; i < n;) {
    if (!std::isfinite(p.y[static_cast<size_t>(i)])) {
      ++i;
      continue;
    }
    int j = i;
    while (j < n && std::isfinite(p.y[static_cast<size_t>(j)])) ++j;
    s.run_starts.push_back(i);
    s.run_sizes.push_back(j - i);
    i = j;
  }
  s.mark_x = p.mark_x;
  s.title = pd::plplot_text(p.title);
  s.xlabel = pd::plplot_text(p.xlabel);
  s.ylabel = pd::plplot_text(p.ylabel);
  // Margins in text heights: y tick labels and the axis label (left), x tick labels and the axis
  // label (bottom 4.5), the title (top).
  const double ch = pd::text_height_px(width, height);
  s.vy0 = 4.5 * ch / height;
  s.vy1 = 1 - (s.title.empty() ? 1.5 : 3) * ch / height;
  s.yticks = pd::fitted_ticks(s.ymin, s.ymax, (s.vy1 - s.vy0) * height, ch, /*upright=*/true);
  s.vx0 = (pd::ylabel_disp(s.yticks) + 1) * ch / width;
  s.vx1 = 1 - 2 * ch / width;
  s.xticks = pd::fitted_ticks(s.xmin, s.xmax, (s.vx1 - s.vx0) * width, ch);
  return s;
}

void draw_curve_page(const void* scene) {
  const CurveScene& s = *static_cast<const CurveScene*>(scene);
  const double scale = pd::page_scale();
  plvpor(s.vx0, s.vx1, s.vy0, s.vy1);
  plwind(s.xmin, s.xmax, s.ymin, s.ymax);

  plcol0(pd::kGridLine);
  plwidth(scale);
  plbox("g", s.xticks.step, 0, "g", s.yticks.step, 0);

  for (double mx : s.mark_x) {
    const PLFLT lx[2] = {mx, mx}, ly[2] = {s.ymin, s.ymax};
    plcol0(pd::kGrey);
    plwidth(1.5 * scale);
    pllsty(3);  // long dashes
    plline(2, lx, ly);
  }
  if (s.chord) {
    plcol0(pd::kOrange);
    plwidth(2 * scale);
    pllsty(2);  // short dashes
    plline(2, s.chord_x, s.chord_y);
  }
  pllsty(1);
  plcol0(pd::kBlue);
  plwidth(2.5 * scale);
  for (size_t r = 0; r < s.run_starts.size(); ++r)
    if (s.run_sizes[r] >= 2) {
      const size_t at = static_cast<size_t>(s.run_starts[r]);
      plline(s.run_sizes[r], s.x.data() + at, s.y.data() + at);
    }
  // Dots, whole even on the frame: values between missing ones, the chord's ends.
  pd::grow_viewport(8 * scale);
  for (size_t r = 0; r < s.run_starts.size(); ++r)
    if (s.run_sizes[r] == 1) {
      const size_t at = static_cast<size_t>(s.run_starts[r]);
      pd::draw_glyph(pd::Glyph::kCircle, s.x[at], s.y[at], 3 * scale, pd::kBlue, pd::kBlue);
    }
  if (s.chord)
    for (int e = 0; e < 2; ++e)
      pd::draw_glyph(pd::Glyph::kCircle, s.chord_x[e], s.chord_y[e], 4.5 * scale, pd::kOrange,
                     pd::kInk);
  pd::grow_viewport(-8 * scale);

  pd::draw_frame(s.xticks.step, s.yticks.step, s.xlabel.c_str(), s.ylabel.c_str(),
                 pd::ylabel_disp(s.yticks));
  if (!s.title.empty()) {
    pd::set_text_scale(1.2);
    plmtex("t", 0.9, 0.5, 0.5, s.title.c_str());
  }
}

}  // namespace

void plot_curve_png(const std::string& path, const CurvePlot& p, int width, int height) {
  const CurveScene scene = make_scene(path, p, width, height);
  pd::write_png(path, width, height, draw_curve_page, &scene);
}

}  // namespace lscan
