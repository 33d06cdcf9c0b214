#include "host/plot/ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>

namespace lscan {
namespace plot_detail {

double nice_step(double span, int target) {
  const double raw = span / target;
  const double e = std::pow(10.0, std::floor(std::log10(raw)));
  const double m = raw / e;  // in [1, 10)
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * e;
}

std::string format_tick(double v, double step) {
  if (std::fabs(v) < 1e-9 * step) v = 0;  // a multiple of step that rounding moved off zero
  char text[48];
  // Digits after the point (fixed) or after the first digit (exponent) that resolve `step`;
  // the 1e-9 keeps a step of exactly 10^k from asking for one digit more.
  const int step_exp = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  if (std::fabs(v) < 1e6 && step >= 1e-4) {
    std::snprintf(text, sizeof(text), "%.*f", std::max(0, -step_exp), v);
  } else if (v == 0) {
    return "0";
  } else {
    const int v_exp = static_cast<int>(std::floor(std::log10(std::fabs(v)) + 1e-9));
    std::snprintf(text, sizeof(text), "%.*e", std::max(0, v_exp - step_exp), v);
  }
  return text;
}

Ticks linear_ticks(double lo, double hi, int target) {
  Ticks t;
  t.step = nice_step(hi - lo, target);
  const double slack = 1e-9 * t.step;  // lo and hi themselves count despite rounding
  for (double k = std::ceil((lo - slack) / t.step); k * t.step <= hi + slack; k += 1) {
    t.at.push_back(k * t.step);
    t.labels.push_back(format_tick(k * t.step, t.step));
  }
  return t;
}

Ticks fitted_ticks(double lo, double hi, double length_px, double char_px, bool upright,
                   int max_ticks) {
  Ticks sparsest;  // with 2 ticks or more, when none fit
  for (int target = max_ticks; target >= 1; --target) {
    Ticks t = linear_ticks(lo, hi, target);
    // Room a label needs along the axis, with a gap of 1.5 characters (upright: 2 lines).
    const double need_px = upright ? 2 * char_px : (widest_label(t) + 1.5) * char_px;
    if (t.at.size() >= 2 && t.step / (hi - lo) * length_px >= need_px) return t;
    if (t.at.size() >= 2) sparsest = t;
  }
  return sparsest;
}

namespace {

// The smallest distance between neighbouring ticks, in pixels, on an axis of length_px for
// [lo, hi]; infinite for fewer than 2 ticks.
double min_gap_px(const Ticks& t, double lo, double hi, double length_px) {
  double gap = std::numeric_limits<double>::infinity();
  for (size_t i = 1; i < t.at.size(); ++i) gap = std::min(gap, t.at[i] - t.at[i - 1]);
  return gap / (hi - lo) * length_px;
}

// Ticks at m * 10^k for m in `mantissas` (each in [1, 10)), within [lo, hi] of log10 values.
Ticks mantissa_ticks(double lo, double hi, std::initializer_list<double> mantissas) {
  Ticks t;
  for (int k = static_cast<int>(std::floor(lo)); k <= static_cast<int>(std::ceil(hi)); ++k)
    for (double m : mantissas) {
      const double at = k + std::log10(m);
      if (at < lo - 1e-9 || at > hi + 1e-9) continue;
      t.at.push_back(at);
      char text[32];
      std::snprintf(text, sizeof(text), "%g", m * std::pow(10.0, k));
      t.labels.push_back(text);
    }
  return t;
}

}  // namespace

Ticks log_ticks(double lo, double hi, double length_px, double char_px) {
  const double need_px = 2 * char_px;  // upright labels: a line and a gap
  if (hi - lo >= 3) {
    // Every n-th power of ten, written 10^k.
    Ticks t;
    for (int every = 1;; ++every) {
      t = Ticks{};
      t.step = every;
      for (int k = static_cast<int>(std::ceil(lo - 1e-9)); k <= hi + 1e-9; ++k) {
        if (k % every != 0) continue;
        t.at.push_back(k);
        t.labels.push_back("10#u" + std::to_string(k) + "#d");
      }
      if (min_gap_px(t, lo, hi, length_px) >= need_px || t.at.size() <= 2) return t;
    }
  }
  for (const auto& mantissas : {std::initializer_list<double>{1, 2, 5}, {1, 3}, {1}}) {
    Ticks t = mantissa_ticks(lo, hi, mantissas);
    if (t.at.size() >= 3 && min_gap_px(t, lo, hi, length_px) >= need_px) return t;
  }
  // Less than about a decade: round values of z, placed at their logarithms.
  const double zlo = std::pow(10.0, lo), zhi = std::pow(10.0, hi);
  Ticks t;
  for (int target = 6; target >= 1; --target) {
    const Ticks z = linear_ticks(zlo, zhi, target);
    t = Ticks{};
    for (size_t i = 0; i < z.at.size(); ++i) {
      if (z.at[i] <= 0) continue;
      t.at.push_back(std::log10(z.at[i]));
      t.labels.push_back(z.labels[i]);
    }
    if (min_gap_px(t, lo, hi, length_px) >= need_px) return t;
  }
  return t;
}

double label_chars(const std::string& label) {
  double n = 0;
  for (size_t i = 0; i < label.size(); ++i) {
    if (label[i] == '#' && i + 1 < label.size() && (label[i + 1] == 'u' || label[i + 1] == 'd')) {
      ++i;
      continue;
    }
    n += 1;
  }
  return n;
}

double label_width(const std::string& label) {
  return 0.85 * label_chars(label);
}

double widest_label(const Ticks& t) {
  double w = 0;
  for (const std::string& label : t.labels) w = std::max(w, label_width(label));
  return w;
}

double ylabel_disp(const Ticks& t) {
  return 0.8 + widest_label(t) + 1.6;
}

}  // namespace plot_detail
}  // namespace lscan
