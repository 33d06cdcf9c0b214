// What the readers share: the label rule and the checks every reader applies, so that a value
// means the same whatever file it came from, and small file and text helpers.
//
// Labels become targets by one rule:
//   ty > 1                                      -> regression, ty float targets per sample
//   ty == 1, integer or boolean storage         -> class labels; each must be >= 0
//   ty == 1, float storage, all whole and >= 0  -> class labels
//   ty == 1, anything else                      -> regression, one float target per sample
// num_classes = 1 + max label. Whole-number floats above kMaxClassLabel are taken as regression
// targets (counts, prices); integer labels above it are rejected.
#pragma once

#include <string>
#include <vector>

#include "host/data/dataset.h"

namespace lscan {

constexpr double kMaxClassLabel = 1000000;

// Sets d.Y, d.ty, d.classification and d.num_classes from y (d.n, ty). `file` names the labels in
// errors. Throws InputError on a negative or too large integer label.
void assign_targets(Dataset& d, std::vector<double> y, int ty, bool integer_storage,
                    const std::string& file);

// Throws InputError("<file>: <field>: NaN is not allowed ...") for a NaN or an infinity that a
// reader found where allow_nonfinite is off.
[[noreturn]] void reject_nonfinite(const std::string& file, const std::string& field, double v);

// Throws InputError("<path>: cannot <action> the file: <strerror(errno)>") after a failed open.
[[noreturn]] void reject_file(const std::string& path, const std::string& action);

// s without leading and trailing white space.
std::string trim(const std::string& s);

}  // namespace lscan
