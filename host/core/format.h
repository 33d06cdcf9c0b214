// Numbers for people: sizes in bytes, MiB or GiB; other numbers as printf's %g would show them.
#pragma once

#include <sstream>
#include <string>

namespace lscan {

inline std::string format_bytes(double b) {
  std::ostringstream os;
  os.precision(3);
  if (b < 1024 * 1024) {
    os << static_cast<long long>(b) << " bytes";
  } else if (b < 1024.0 * 1024 * 1024) {
    os << b / (1024 * 1024) << " MiB";
  } else {
    os << b / (1024.0 * 1024 * 1024) << " GiB";
  }
  return os.str();
}

// 0.2 -> "0.2", -1 -> "-1", 1e-300 -> "1e-300", NaN -> "nan": `digits` significant digits.
inline std::string format_number(double v, int digits = 6) {
  std::ostringstream os;
  os.precision(digits);
  os << v;
  return os.str();
}

}  // namespace lscan
