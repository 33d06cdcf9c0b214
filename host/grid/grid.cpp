#include "host/grid/grid.h"

#include <cmath>
#include <sstream>

#include "host/core/error.h"

namespace lscan {

double GridAxis::at(int i) const {
  if (num <= 1) return min;
  if (i == num - 1) return max;
  const double step = (max - min) / (num - 1);
  return min + i * step;
}

std::vector<double> GridAxis::coordinates() const {
  std::vector<double> c(static_cast<size_t>(num));
  for (int i = 0; i < num; ++i) c[static_cast<size_t>(i)] = at(i);
  return c;
}

std::string GridAxis::str() const {
  std::ostringstream os;
  os << min << ":" << max << ":" << num;
  return os.str();
}

GridAxis GridAxis::parse(const std::string& text, const std::string& flag) {
  const auto fail = [&](const std::string& why) {
    input_error("", flag, "expected min:max:num (e.g. -1:1:51), got '" + text + "': " + why);
  };
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : text) {
    if (ch == ':') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  parts.push_back(cur);
  if (parts.size() != 3) fail("three fields separated by ':' are needed");
  GridAxis a;
  try {
    size_t used = 0;
    a.min = std::stod(parts[0], &used);
    if (used != parts[0].size()) fail("min is not a number");
    a.max = std::stod(parts[1], &used);
    if (used != parts[1].size()) fail("max is not a number");
    const long long n = std::stoll(parts[2], &used);
    if (used != parts[2].size()) fail("num is not an integer");
    if (n < 1 || n > 1000000) fail("num must be between 1 and 1000000");
    a.num = static_cast<int>(n);
  } catch (const std::logic_error&) {
    fail("not a number");
  }
  if (!std::isfinite(a.min) || !std::isfinite(a.max)) fail("bounds must be finite");
  if (a.max < a.min) fail("max is below min");
  if (a.num > 1 && a.max == a.min) fail("min equals max but num > 1");
  return a;
}

int64_t Grid::num_points() const {
  int64_t n = 1;
  for (const auto& a : axes) n *= a.num;
  return n;
}

void Grid::coefficients(int64_t index, double* c) const {
  for (int i = dims() - 1; i >= 0; --i) {
    const int n = axes[static_cast<size_t>(i)].num;
    c[i] = axes[static_cast<size_t>(i)].at(static_cast<int>(index % n));
    index /= n;
  }
}

std::vector<double> Grid::coefficient_matrix() const {
  const int64_t n = num_points();
  const int k = dims();
  std::vector<double> C(static_cast<size_t>(n * k));
  for (int64_t p = 0; p < n; ++p) coefficients(p, C.data() + p * k);
  return C;
}

}  // namespace lscan
