// NumPy .npy files (format versions 1.0, 2.0 and 3.0): one array, a header dict
//   {'descr': '<f4', 'fortran_order': False, 'shape': (N, d), }
// then the values in C order. Readable types: floats <f4 <f8; integers <i1 <i2 <i4 <i8, |u1 <u2
// <u4 <u8; booleans |b1; big-endian ('>') variants are byte-swapped on reading.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/data/dataset.h"

namespace lscan {

struct NpyArray {
  std::vector<int64_t> shape;  // () for a scalar
  std::string dtype;           // the header's descr, e.g. "<f4"
  std::vector<double> values;  // (prod(shape)), C order

  int64_t size() const;
  // Integer or boolean storage: the values are exact integers.
  bool is_integer() const;
};

// "(1000, 2)", "(5,)", "()", as Python prints a shape.
std::string npy_shape_str(const std::vector<int64_t>& shape);

// Throws InputError naming `path` on a malformed header, an unsupported type, fortran_order True
// for an array of two or more dimensions, or a data size that differs from the shape's.
NpyArray read_npy(const std::string& path);

// Writes a version 1.0 file. `dtype` is any type read_npy reads, written little-endian; values
// must fit the type exactly (whole numbers in range for integers, 0 or 1 for |b1). Throws
// InputError on a bad dtype, a value that does not fit, a shape that does not match
// values.size(), or a file that cannot be written.
void write_npy(const std::string& path, const std::vector<int64_t>& shape,
               const std::vector<double>& values, const std::string& dtype = "<f8");

// Features from x_path, (N, d) or (N,) meaning d = 1; labels from y_path, (N,) or (N, 1) (class
// labels or one float target, see host/data/labels.h) or (N, m) float targets. NaN and Inf are
// rejected unless allow_nonfinite. Throws InputError naming the file at fault.
Dataset read_npy_dataset(const std::string& x_path, const std::string& y_path,
                         bool allow_nonfinite);

}  // namespace lscan
