// PLplot behind a guard, for the plot writers in host/plot: one PNG per call, written atomically,
// with PLplot's global state, its console output and its fatal errors kept inside.
//
// PLplot is a C library with one global state, so every call into it goes through write_png(),
// which holds a process-wide lock. Its fatal errors (plexit) end the process once the exit
// handler returns, whatever the handler returns; write_png's handler therefore leaves PLplot by
// longjmp, ends the stream and throws std::runtime_error instead. The price is a rule for the
// drawing functions: while they call PLplot, no automatic object with a destructor (std::string,
// std::vector, ...) may be alive in them, since longjmp would skip its destructor. Everything they
// need is computed beforehand into a scene they only read; they use plain arrays and scalars.
#pragma once

#include <cmath>
#include <string>

namespace lscan {
namespace plot_detail {

// Colour map 0 as write_png sets it; index 0 is the page background.
enum Colour : int {
  kBackground = 0,  // white
  kInk,             // near-black: axes, text, glyph edges
  kGridLine,        // light grey
  kWhite,
  kRed,
  kMagenta,
  kBlue,    // curves
  kOrange,  // chords
  kGrey,    // vertical markers
  kNumColours
};

// Draws a whole page on the current PLplot stream, which is initialised and on its page (after
// plinit and pladv, before plend).
using DrawFn = void (*)(const void* scene);

// Renders draw(scene) into a `width` x `height` pixel PNG through PLplot's pngcairo device and
// writes it to `path` through AtomicOutput. Throws InputError naming `path` if pngcairo is not
// installed or the file cannot be created, and std::runtime_error if PLplot reports an error
// (fatal or not; a page drawn with a skipped operation is not written). Prints nothing.
void write_png(const std::string& path, int width, int height, DrawFn draw, const void* scene);

// Throws InputError naming `path` and the field unless width and height are 200 to 10000 pixels.
void check_page_size(const std::string& path, int width, int height);

// Filled glyphs for marks. Drawn as polygons (not PLplot's Hershey symbols) so that they are solid
// and the same size in pixels on either axis whatever the axis ranges.
enum class Glyph { kCircle, kTriangle, kDiamond, kSquare };

// Draws `glyph` centred on world point (wx, wy) of the current viewport, `radius_px` pixels from
// centre to corner, filled with colour `fill` and edged in colour `edge`. Clipped to the viewport.
void draw_glyph(Glyph glyph, double wx, double wy, double radius_px, int fill, int edge);

// Grows the current viewport by `pixels` on every side and its window with it, keeping the scale:
// what is drawn next may reach past the frame by that much (PLplot clips to the viewport).
// grow_viewport(-pixels) undoes it.
void grow_viewport(double pixels);

// World units per pixel along x and y in the current viewport and window.
void world_per_pixel(double* dx, double* dy);

// Sizes of text, glyphs and lines grow with the page: 1 for about 850 x 850 pixels, from 0.6 to
// 4 (a small page keeps readable text). The first form is for the current page.
double page_scale();
inline double page_scale(int width, int height) {
  const double s = std::sqrt(double(width) * height) / 850;
  return s < 0.6 ? 0.6 : s > 4 ? 4 : s;
}

// The text height in pixels on a width x height page: PLplot places text in multiples of it, and
// cairo's sans serif needs about 0.75 of it per letter, 0.85 per digit.
inline double text_height_px(int width, int height) {
  return 15 * page_scale(width, height);
}

// `text` as PLplot shows it literally: '#' starts PLplot's escape sequences ("#u" superscript),
// so it is doubled.
std::string plplot_text(const std::string& text);

// Sets the text height to factor * text_height_px(); write_png starts each page at 1.
void set_text_scale(double factor);

// Frames the current viewport: ticks every xstep and ystep (multiples of them, minor ticks
// between), labelled with format_tick (ticks.h) so that no separate "x10^k" factor appears (the
// y labels upright), and the axis labels: xlabel 3 text heights below (leave 4.5 for it),
// ylabel `ylabel_disp` left (see ylabel_disp()).
void draw_frame(double xstep, double ystep, const char* xlabel, const char* ylabel,
                double ylabel_disp);

}  // namespace plot_detail
}  // namespace lscan
