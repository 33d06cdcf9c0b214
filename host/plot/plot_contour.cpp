// plot_contour_png: validation, the scene (everything computed before PLplot runs), the page.
#include <plplot/plplot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/plot/plot.h"
#include "host/plot/plplot_png.h"
#include "host/plot/ticks.h"

namespace lscan {
namespace {

using plot_detail::Glyph;
namespace pd = plot_detail;

constexpr int kNumKinds = 4;
constexpr const char* kKindNames[kNumKinds] = {"minimum", "maximum", "saddle", "boundary minimum"};
constexpr Glyph kKindGlyphs[kNumKinds] = {Glyph::kCircle, Glyph::kTriangle, Glyph::kDiamond,
                                          Glyph::kSquare};
constexpr int kKindColours[kNumKinds] = {pd::kWhite, pd::kRed, pd::kMagenta, pd::kWhite};

constexpr double kGlyphRadius = 7;    // pixels at page_scale() 1
constexpr double kLegendRowCh = 1.6;  // legend row height, in text heights

// A legend entry, placed in pixels from the legend's top left.
struct LegendEntry {
  int item = 0;  // a mark kind, or kNumKinds for the outline
  double x = 0;  // left end of the glyph
  int row = 0;
};

// Everything the page needs, computed before PLplot runs (see plplot_png.h).
struct ContourScene {
  int width = 0, height = 0;  // pixels
  int nx = 0, ny = 0;
  double xmin = 0, xmax = 0, ymin = 0, ymax = 0;
  std::vector<double> shade;              // (nx, ny): z or log10(z); missing: below all levels
  std::vector<const double*> shade_rows;  // (nx): PLplot's f[ix][iy] is shade[ix * ny + iy]
  std::vector<double> levels;             // (bands + 1) band edges, increasing
  std::vector<double> mask;               // (nx, ny) 0 or 1, or empty
  std::vector<const double*> mask_rows;   // (nx)
  std::vector<Mark> marks;
  bool kind_present[kNumKinds] = {};
  std::string title, xlabel, ylabel, value_label, outline_label;

  // Layout. The map's viewport in normalised page coordinates; the colour bar beside it.
  double ch = 0;  // text height, pixels
  double vx0 = 0, vx1 = 0, vy0 = 0, vy1 = 0;
  double bar_gap = 0, bar_width = 0;  // in viewport widths
  double value_label_disp = 0;        // text heights right of the bar
  pd::Ticks xticks, yticks;
  pd::Ticks bar_ticks;  // on the colour values' scale (log10 z on a log scale)
  LegendEntry legend[kNumKinds + 1];
  int legend_count = 0, legend_rows = 0;
  double legend_ch = 0;  // height of the legend band, text heights
};

void validate_axis(const std::string& path, const std::string& field, const GridAxis& a) {
  if (a.num < 2)
    input_error(path, field, "expected at least 2 grid points, got " + std::to_string(a.num));
  if (!std::isfinite(a.min) || !std::isfinite(a.max) || !(a.min < a.max))
    input_error(path, field, "expected finite bounds with min < max, got " + a.str());
}

// Lays the legend out left to right: an entry per mark kind present, then the outline; an
// entry that does not fit in width_px starts a new row.
void layout_legend(ContourScene* s, double width_px) {
  const double r = kGlyphRadius * pd::page_scale(s->width, s->height), ch = s->ch;
  double x = 0;
  int row = 0;
  s->legend_count = 0;
  for (int item = 0; item <= kNumKinds; ++item) {
    if (item < kNumKinds ? !s->kind_present[item] : s->mask.empty()) continue;
    const char* label = item < kNumKinds ? kKindNames[item] : s->outline_label.c_str();
    // Glyph (or a line of 2.5 radii), a gap, the label (about 0.85 text heights a letter).
    const double w = (item < kNumKinds ? 2 : 2.5) * r + 0.5 * ch +
                     0.85 * ch * static_cast<double>(std::strlen(label));
    if (x > 0 && x + w > width_px) {
      x = 0;
      ++row;
    }
    s->legend[s->legend_count++] = LegendEntry{item, x, row};
    x += w + 1.5 * ch;
  }
  s->legend_rows = s->legend_count > 0 ? row + 1 : 0;
  s->legend_ch = s->legend_rows > 0 ? kLegendRowCh * s->legend_rows + 0.4 : 0;
}

// Margins in text heights: y tick labels and the axis label (left), x tick labels and the axis
// label (bottom 4.5), the colour bar with its labels and the value label (right), the title and
// the legend (top).
void layout_page(ContourScene* s, bool log_scale) {
  const double w = s->width, h = s->height, ch = s->ch;
  // The bar's ticks first, for a bar about as tall as the map will be; their labels set the
  // right margin: gap 1.2, bar 1.5, labels from 0.6 out, the value label 1.6 past them (its
  // text lies inward of the distance plmtex takes), 1 to the page's edge.
  const double lo = s->levels.front(), hi = s->levels.back();
  const double bar_px = h - 11 * ch;
  s->bar_ticks = log_scale ? pd::log_ticks(lo, hi, bar_px, ch)
                           : pd::fitted_ticks(lo, hi, bar_px, ch, /*upright=*/true);
  s->value_label_disp = 0.6 + pd::widest_label(s->bar_ticks) + 1.6;
  const double right_ch = 1.2 + 1.5 + s->value_label_disp + 1;
  // Then the y ticks, for a map about as tall, whose labels set the left margin.
  s->yticks = pd::fitted_ticks(s->ymin, s->ymax, bar_px, ch, /*upright=*/true);
  s->vx0 = (pd::ylabel_disp(s->yticks) + 1) * ch / w;
  s->vx1 = 1 - right_ch * ch / w;
  layout_legend(s, (s->vx1 - s->vx0) * w);
  const double top_ch = (s->title.empty() ? 1.5 : 3) + s->legend_ch;
  s->vy0 = 4.5 * ch / h;
  s->vy1 = 1 - top_ch * ch / h;
  const double vp_w = (s->vx1 - s->vx0) * w;
  s->bar_gap = 1.2 * ch / vp_w;
  s->bar_width = 1.5 * ch / vp_w;
  s->xticks = pd::fitted_ticks(s->xmin, s->xmax, vp_w, ch);
}

ContourScene make_scene(const std::string& path, const ContourPlot& p, int width, int height) {
  pd::check_page_size(path, width, height);
  validate_axis(path, "x", p.x);
  validate_axis(path, "y", p.y);
  const size_t nx = static_cast<size_t>(p.x.num), ny = static_cast<size_t>(p.y.num);
  const std::string shape = "(nx, ny) = (" + std::to_string(nx) + ", " + std::to_string(ny) + ")";
  if (p.z.size() != nx * ny)
    input_error(path, "z",
                "expected " + std::to_string(nx * ny) + " values for the grid " + shape + ", got " +
                    std::to_string(p.z.size()));
  if (!p.outline.empty() && p.outline.size() != nx * ny)
    input_error(path, "outline",
                "expected " + std::to_string(nx * ny) + " values for the grid " + shape +
                    " or none, got " + std::to_string(p.outline.size()));
  if (p.levels < 1 || p.levels > 1000)
    input_error(path, "levels", "expected 1 to 1000 colour bands, got " + std::to_string(p.levels));
  for (size_t i = 0; i < p.marks.size(); ++i) {
    const Mark& m = p.marks[i];
    const std::string field = "marks[" + std::to_string(i) + "]";
    if (m.kind < 0 || m.kind >= kNumKinds)
      input_error(path, field,
                  "expected kind 0 (minimum), 1 (maximum), 2 (saddle) or 3 (boundary minimum), "
                  "got " +
                      std::to_string(m.kind));
    if (!std::isfinite(m.x) || !std::isfinite(m.y))
      input_error(path, field, "expected finite coordinates");
  }

  ContourScene s;
  s.width = width;
  s.height = height;
  s.nx = p.x.num;
  s.ny = p.y.num;
  s.xmin = p.x.min;
  s.xmax = p.x.max;
  s.ymin = p.y.min;
  s.ymax = p.y.max;

  // Colour values: z, or log10(z) with z <= 0 raised to the smallest positive z.
  double floor_value = 0;
  if (p.log_scale) {
    floor_value = std::numeric_limits<double>::infinity();
    for (double v : p.z)
      if (std::isfinite(v) && v > 0) floor_value = std::min(floor_value, v);
    if (!std::isfinite(floor_value))
      input_error(path, "z", "a log scale needs at least one finite value above 0, found none");
  }
  s.shade.resize(p.z.size());
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t i = 0; i < p.z.size(); ++i) {
    double v = p.z[i];
    if (!std::isfinite(v)) {
      s.shade[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    if (p.log_scale) v = std::log10(std::max(v, floor_value));
    s.shade[i] = v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(lo <= hi)) input_error(path, "z", "expected at least one finite value, all are NaN or Inf");
  if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) {
    // A flat map: one band of width 1e-3 |z| (or 1e-3) around its value.
    const double half = 5e-4 * std::max(1.0, std::fabs(hi));
    lo -= half;
    hi += half;
  }
  s.levels.resize(static_cast<size_t>(p.levels) + 1);
  for (int i = 0; i <= p.levels; ++i)
    s.levels[static_cast<size_t>(i)] = lo + (hi - lo) * i / p.levels;
  s.levels.back() = hi;
  // plshades fills only between levels: a value far below the lowest one is left blank. Between
  // a present and a missing point, the blank then reaches to within 1e-9 cells of the present one.
  const double missing = lo - 1e9 * (hi - lo);
  for (double& v : s.shade)
    if (std::isnan(v)) v = missing;
  s.shade_rows.resize(nx);
  for (size_t ix = 0; ix < nx; ++ix) s.shade_rows[ix] = s.shade.data() + ix * ny;

  if (!p.outline.empty()) {
    s.mask.resize(p.outline.size());
    for (size_t i = 0; i < p.outline.size(); ++i) s.mask[i] = p.outline[i] > 0.5 ? 1.0 : 0.0;
    s.mask_rows.resize(nx);
    for (size_t ix = 0; ix < nx; ++ix) s.mask_rows[ix] = s.mask.data() + ix * ny;
  }
  s.marks = p.marks;
  for (const Mark& m : p.marks) s.kind_present[m.kind] = true;
  s.title = pd::plplot_text(p.title);
  s.xlabel = pd::plplot_text(p.xlabel);
  s.ylabel = pd::plplot_text(p.ylabel);
  s.value_label = pd::plplot_text(p.value_label);
  s.outline_label = pd::plplot_text(p.outline_label);
  s.ch = pd::text_height_px(width, height);
  layout_page(&s, p.log_scale);
  return s;
}

// PLplot transform for plcont: grid indices (ix, iy) to axis coordinates.
extern "C" void grid_to_world(PLFLT ix, PLFLT iy, PLFLT* wx, PLFLT* wy, PLPointer data) {
  const ContourScene* s = static_cast<const ContourScene*>(data);
  *wx = s->xmin + ix * (s->xmax - s->xmin) / (s->nx - 1);
  *wy = s->ymin + iy * (s->ymax - s->ymin) / (s->ny - 1);
}

// Viridis (matplotlib), 11 samples at 0, 0.1, ..., 1: perceptually uniform, readable in grey.
void set_viridis() {
  static const PLFLT r[11] = {68, 72, 65, 53, 42, 33, 34, 68, 122, 189, 253};
  static const PLFLT g[11] = {1, 36, 68, 95, 120, 145, 168, 191, 209, 223, 231};
  static const PLFLT b[11] = {84, 117, 135, 141, 142, 140, 132, 112, 81, 38, 37};
  PLFLT pos[11], rr[11], gg[11], bb[11];
  for (int i = 0; i < 11; ++i) {
    pos[i] = i / 10.0;
    rr[i] = r[i] / 255;
    gg[i] = g[i] / 255;
    bb[i] = b[i] / 255;
  }
  plscmap1n(256);
  plscmap1l(1, 11, pos, rr, gg, bb, nullptr);
}

// The region's outline: a thick dark line with a white core, visible on every colour.
void set_outline_style(bool core) {
  plcol0(core ? pd::kWhite : pd::kInk);
  plwidth((core ? 1.5 : 4.5) * pd::page_scale());
}

// The legend in the band (vx0, vx1, vy0, vy1), rows of kLegendRowCh from the top.
void draw_legend(const ContourScene& s, double vx0, double vx1, double vy0, double vy1) {
  plvpor(vx0, vx1, vy0, vy1);
  plwind(0, 1, 0, 1);
  double px, py;  // world units per pixel
  pd::world_per_pixel(&px, &py);
  const double r = kGlyphRadius * pd::page_scale();
  for (int i = 0; i < s.legend_count; ++i) {
    const LegendEntry& e = s.legend[i];
    const double y = 1 - (e.row + 0.5) * kLegendRowCh * s.ch * py;
    if (e.item < kNumKinds) {
      pd::draw_glyph(kKindGlyphs[e.item], (e.x + r) * px, y, r, kKindColours[e.item], pd::kInk);
    } else {
      const PLFLT lx[2] = {e.x * px, (e.x + 2.5 * r) * px}, ly[2] = {y, y};
      for (int core = 0; core < 2; ++core) {
        set_outline_style(core == 1);
        plline(2, lx, ly);
      }
    }
    const double text_x = e.x + (e.item < kNumKinds ? 2 : 2.5) * r + 0.5 * s.ch;
    plcol0(pd::kInk);
    plptex(text_x * px, y, 1, 0, 0,
           e.item < kNumKinds ? kKindNames[e.item] : s.outline_label.c_str());
  }
}

// The colour bar right of the map, as tall as it. PLplot draws its colours and edges; its ticks
// and labels are drawn here, at bar_ticks, with the value label past the longest.
void draw_colour_bar(const ContourScene& s) {
  PLFLT bar_w, bar_h;
  const char* axis_opts[1] = {"bc"};
  const PLFLT ticks[1] = {0};
  const PLINT sub_ticks[1] = {0};
  const PLINT n_values[1] = {static_cast<PLINT>(s.levels.size())};
  const PLFLT* values[1] = {s.levels.data()};
  plcolorbar(&bar_w, &bar_h, PL_COLORBAR_SHADE,
             PL_POSITION_RIGHT | PL_POSITION_VIEWPORT | PL_POSITION_OUTSIDE, s.bar_gap, 0,
             s.bar_width, 1, pd::kBackground, pd::kInk, 1, 0, 0, 0, 0, 0, nullptr, nullptr, 1,
             axis_opts, ticks, sub_ticks, n_values, values);
  const double bx0 = s.vx1 + s.bar_gap * (s.vx1 - s.vx0);
  plvpor(bx0, bx0 + s.bar_width * (s.vx1 - s.vx0), s.vy0, s.vy1);
  plwind(0, 1, s.levels.front(), s.levels.back());
  plcol0(pd::kInk);
  plwidth(pd::page_scale());
  for (size_t i = 0; i < s.bar_ticks.at.size(); ++i) {
    const double t = s.bar_ticks.at[i];
    const PLFLT tx[2] = {0.65, 1}, ty[2] = {t, t};
    plline(2, tx, ty);
    const double at = (t - s.levels.front()) / (s.levels.back() - s.levels.front());
    plmtex("rv", 0.6, at, 0, s.bar_ticks.labels[i].c_str());
  }
  plmtex("r", s.value_label_disp, 0.5, 0.5, s.value_label.c_str());
}

void draw_contour_page(const void* scene) {
  const ContourScene& s = *static_cast<const ContourScene*>(scene);
  set_viridis();
  plvpor(s.vx0, s.vx1, s.vy0, s.vy1);
  plwind(s.xmin, s.xmax, s.ymin, s.ymax);

  plshades(s.shade_rows.data(), s.nx, s.ny, nullptr, s.xmin, s.xmax, s.ymin, s.ymax,
           s.levels.data(), static_cast<PLINT>(s.levels.size()), 1, 0, 0, plfill, 1, nullptr,
           nullptr);
  if (!s.mask.empty()) {
    const PLFLT half = 0.5;
    for (int core = 0; core < 2; ++core) {
      set_outline_style(core == 1);
      plcont(s.mask_rows.data(), s.nx, s.ny, 1, s.nx, 1, s.ny, &half, 1, grid_to_world,
             const_cast<ContourScene*>(&s));
    }
  }
  pd::draw_frame(s.xticks.step, s.yticks.step, s.xlabel.c_str(), s.ylabel.c_str(),
                 pd::ylabel_disp(s.yticks));

  // Marks go over the frame, and whole: a boundary minimum sits on it.
  const double r = kGlyphRadius * pd::page_scale();
  pd::grow_viewport(1.6 * r);
  for (const Mark& m : s.marks) {
    const bool inside = m.x >= s.xmin && m.x <= s.xmax && m.y >= s.ymin && m.y <= s.ymax;
    if (inside) pd::draw_glyph(kKindGlyphs[m.kind], m.x, m.y, r, kKindColours[m.kind], pd::kInk);
  }
  pd::grow_viewport(-1.6 * r);

  draw_colour_bar(s);
  if (s.legend_count > 0)
    draw_legend(s, s.vx0, s.vx1, s.vy1 + 0.4 * s.ch / s.height,
                s.vy1 + s.legend_ch * s.ch / s.height);
  if (!s.title.empty()) {
    plvpor(s.vx0, s.vx1, s.vy0, s.vy1);
    plcol0(pd::kInk);
    pd::set_text_scale(1.2);
    // In the larger text: 0.9 above the legend, or above the frame.
    plmtex("t", s.legend_ch / 1.2 + 0.9, 0.5, 0.5, s.title.c_str());
  }
}

}  // namespace

void plot_contour_png(const std::string& path, const ContourPlot& p, int width, int height) {
  const ContourScene scene = make_scene(path, p, width, height);
  pd::write_png(path, width, height, draw_contour_page, &scene);
}

}  // namespace lscan
