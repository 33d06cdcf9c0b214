#include "host/data/reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <sstream>
#include <utility>

#include "host/core/error.h"

namespace lscan {

namespace {

bool is_class_label(double v) {
  return v >= 0 && v <= kMaxClassLabel && v == std::floor(v);
}

std::string integer_str(double v) {
  std::ostringstream os;
  os.precision(20);
  os << v;
  return os.str();
}

}  // namespace

void assign_targets(Dataset& d, std::vector<double> y, int ty, bool integer_storage,
                    const std::string& file) {
  bool classes = ty == 1;
  if (classes && integer_storage) {
    for (size_t i = 0; i < y.size(); ++i) {
      if (is_class_label(y[i])) continue;
      input_error(
          file, "label " + std::to_string(i),
          "class label " + integer_str(y[i]) +
              (y[i] < 0 ? " is negative: integer labels are class indices 0, 1, 2, ..."
                        : " is too large: class indices go up to " + integer_str(kMaxClassLabel)) +
              " (store float targets for regression)");
    }
  } else if (classes) {
    classes = std::all_of(y.begin(), y.end(), is_class_label);
  }
  d.ty = ty;
  d.classification = classes;
  d.num_classes = 0;
  if (classes && !y.empty())
    d.num_classes = 1 + static_cast<int>(*std::max_element(y.begin(), y.end()));
  d.Y = std::move(y);
}

void reject_nonfinite(const std::string& file, const std::string& field, double v) {
  const char* what = std::isnan(v) ? "NaN" : (v > 0 ? "Inf" : "-Inf");
  input_error(file, field,
              std::string(what) +
                  " is not allowed: non-finite values are rejected unless --allow-nonfinite is "
                  "given");
}

void reject_file(const std::string& path, const std::string& action) {
  input_error(path, "", "cannot " + action + " the file: " + std::strerror(errno));
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace lscan
