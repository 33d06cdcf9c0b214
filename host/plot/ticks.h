// Axis and colour bar ticks for the plots: where they go and how they read. Pure functions, no
// PLplot: the labels use PLplot's text markup only for powers of ten ("10#u-3#d" is 10^-3).
#pragma once

#include <string>
#include <vector>

namespace lscan {
namespace plot_detail {

struct Ticks {
  std::vector<double> at;           // increasing positions, on the axis's own scale
  std::vector<std::string> labels;  // one per position
  double step = 0;                  // the interval between positions (0 where irregular)
};

// 1, 2 or 5 times a power of ten, near span / target. span > 0, target >= 1.
double nice_step(double span, int target);

// The label of tick value v on an axis with ticks every `step` (v within 1e-9 step of zero is
// zero): fixed point with the decimals `step` needs for |v| < 1e6 and step >= 1e-4 ("0.25",
// "-1.5", "0.0", "2000"); otherwise exponent notation with the digits `step` needs ("1.5e-05",
// "0").
std::string format_tick(double v, double step);

// Ticks at the multiples of nice_step(hi - lo, target) in [lo, hi]. lo < hi.
Ticks linear_ticks(double lo, double hi, int target);

// Linear ticks for an axis `length_px` long whose labels run along it (or, with `upright`, stand
// across it): the most, up to `max_ticks` intervals, whose labels do not crowd each other with
// text `char_px` high (see label_width); if none fit, the fewest that are 2 or more.
Ticks fitted_ticks(double lo, double hi, double length_px, double char_px, bool upright = false,
                   int max_ticks = 8);

// Ticks for an upright-labelled log10 axis `length_px` long over [lo, hi] (values of log10 z),
// labelled with z, at least 2 text lines (char_px each) apart: for 3 decades or more, every n-th
// power of ten ("10#u-3#d"); else at 1, 2 and 5 (or 1 and 3, or 1) times powers of ten if that
// gives 3 ticks or more; else at round values of z.
Ticks log_ticks(double lo, double hi, double length_px, double char_px);

// Characters that a label occupies: PLplot's super/subscript markup "#u", "#d" takes no room.
double label_chars(const std::string& label);

// Width of a tick label in text heights: numbers need about 0.85 each character.
double label_width(const std::string& label);

// The widest of `t`'s labels, in text heights.
double widest_label(const Ticks& t);

// How far left of the frame, in text heights, a y axis label goes past upright tick labels `t`
// (PLplot's plmtex "l" distance; the label's text lies on the frame's side of it).
double ylabel_disp(const Ticks& t);

}  // namespace plot_detail
}  // namespace lscan
