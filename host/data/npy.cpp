#include "host/data/npy.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <utility>

#include "host/core/error.h"
#include "host/data/reader.h"

namespace lscan {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the .npy reader assumes a little-endian host");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr char kSupportedTypes[] =
    "<f4, <f8, <i1, <i2, <i4, <i8, |u1, <u2, <u4, <u8, |b1 (or '>' for big-endian)";

// A parsed descr: byte order ('<' or '>'), kind ('f', 'i', 'u', 'b') and item size in bytes.
struct Dtype {
  char order = '<';
  char kind = 'f';
  int size = 8;

  bool swap() const { return order == '>' && size > 1; }
  std::string descr() const {
    return std::string(1, size == 1 ? '|' : order) + kind + std::to_string(size);
  }
};

Dtype parse_dtype(const std::string& descr, const std::string& path, const std::string& field) {
  const auto fail = [&] {
    input_error(path, field,
                "unsupported type '" + descr + "': expected one of " + kSupportedTypes);
  };
  if (descr.size() < 3 || descr.size() > 4) fail();
  Dtype t;
  t.order = descr[0];
  t.kind = descr[1];
  const std::string digits = descr.substr(2);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    fail();
  t.size = std::stoi(digits);
  const bool sized = t.size == 1 || t.size == 2 || t.size == 4 || t.size == 8;
  const bool ok = (t.kind == 'f' && (t.size == 4 || t.size == 8)) ||
                  ((t.kind == 'i' || t.kind == 'u') && sized) || (t.kind == 'b' && t.size == 1);
  if (!ok || std::strchr("<>|=", t.order) == nullptr || (t.order == '|' && t.size != 1)) fail();
  if (t.order != '>') t.order = '<';  // '=' is native order, little-endian on every lscan host
  return t;
}

// Calls f(T{}) with T the C++ type that stores t; booleans are stored as one byte.
template <class F>
void with_type(const Dtype& t, F&& f) {
  if (t.kind == 'f') {
    if (t.size == 4)
      f(float{});
    else
      f(double{});
    return;
  }
  const bool is_signed = t.kind == 'i';
  switch (t.size) {
    case 1:
      return is_signed ? f(int8_t{}) : f(uint8_t{});
    case 2:
      return is_signed ? f(int16_t{}) : f(uint16_t{});
    case 4:
      return is_signed ? f(int32_t{}) : f(uint32_t{});
    default:
      return is_signed ? f(int64_t{}) : f(uint64_t{});
  }
}

// One element of type T at p, byte-swapped when the file is big-endian.
template <class T>
double load(const unsigned char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return static_cast<double>(v);
}

template <class T>
void store(T v, unsigned char* p, bool swap) {
  std::memcpy(p, &v, sizeof(T));
  if (swap) std::reverse(p, p + sizeof(T));
}

// Whether v is stored exactly by an integer type of `size` bytes.
bool fits_integer(double v, char kind, int size) {
  if (v != std::floor(v)) return false;
  const int bits = 8 * size;
  const double lo = kind == 'i' ? -std::ldexp(1.0, bits - 1) : 0.0;
  const double hi = kind == 'i' ? std::ldexp(1.0, bits - 1) : std::ldexp(1.0, bits);
  return v >= lo && v < hi;
}

struct HeaderDict {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// The header is a Python dict literal with string keys and string, bool or int-tuple values.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  HeaderDict parse() {
    HeaderDict h;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    for (;;) {
      if (peek() == '}') break;
      const std::string key = parse_string();
      expect(':');
      if (key == "descr") {
        if (peek() == '[') fail("descr is a list: structured arrays are not supported");
        h.descr = parse_string();
        have_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = parse_bool();
        have_order = true;
      } else if (key == "shape") {
        h.shape = parse_shape();
        have_shape = true;
      } else {
        fail("unexpected key '" + key + "'; expected descr, fortran_order and shape");
      }
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++i_;
    if (peek() != '\0') fail("unexpected text after the dict");
    if (!have_descr) fail("the key 'descr' is missing");
    if (!have_order) fail("the key 'fortran_order' is missing");
    if (!have_shape) fail("the key 'shape' is missing");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    std::string shown = s_;
    while (!shown.empty() && std::isspace(static_cast<unsigned char>(shown.back())))
      shown.pop_back();
    input_error(path_, "header",
                "cannot parse the header dict: " + what + " at character " + std::to_string(i_) +
                    " of " + shown);
  }

  // The next non-space character, '\0' at the end.
  char peek() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    return i_ < s_.size() ? s_[i_] : '\0';
  }

  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }

  std::string parse_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    const size_t end = s_.find(quote, i_ + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string out = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    return out;
  }

  bool parse_bool() {
    peek();
    for (const char* word : {"True", "False"}) {
      if (s_.compare(i_, std::strlen(word), word) == 0) {
        i_ += std::strlen(word);
        return word[0] == 'T';
      }
    }
    fail("expected True or False");
  }

  int64_t parse_int() {
    peek();
    const size_t start = i_;
    int64_t v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      const int digit = s_[i_] - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("dimension too large");
      v = 10 * v + digit;
      ++i_;
    }
    if (i_ == start) fail("expected a non-negative integer");
    if (i_ < s_.size() && s_[i_] == 'L') ++i_;  // Python 2 long literal
    return v;
  }

  // (), (n,), (n, d), ... with an optional trailing comma.
  std::vector<int64_t> parse_shape() {
    std::vector<int64_t> shape;
    expect('(');
    while (peek() != ')') {
      shape.push_back(parse_int());
      if (peek() == ',') {
        ++i_;
      } else if (peek() != ')') {
        fail("expected ',' or ')' in the shape");
      }
    }
    ++i_;
    return shape;
  }

  const std::string& s_;
  const std::string& path_;
  size_t i_ = 0;
};

uint32_t read_le(const unsigned char* p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// prod(shape), or -1 past INT64_MAX.
int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t s : shape) {
    if (s != 0 && n > std::numeric_limits<int64_t>::max() / s) return -1;
    n *= s;
  }
  return n;
}

void check_finite(const NpyArray& a, const std::string& path) {
  const int64_t cols = a.shape.size() >= 2 ? a.shape[1] : 1;
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (std::isfinite(a.values[i])) continue;
    const auto row = static_cast<int64_t>(i) / cols;
    std::string where = "element " + std::to_string(i) + " (row " + std::to_string(row);
    if (a.shape.size() >= 2)
      where += ", column " + std::to_string(static_cast<int64_t>(i) - row * cols);
    reject_nonfinite(path, where + ")", a.values[i]);
  }
}

}  // namespace

int64_t NpyArray::size() const {
  return element_count(shape);
}

bool NpyArray::is_integer() const {
  return dtype.size() >= 2 && dtype[1] != 'f';
}

std::string npy_shape_str(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

NpyArray read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) reject_file(path, "open");
  const auto file_size = static_cast<uint64_t>(f.tellg());
  f.seekg(0);

  // Preamble: magic (6), version major, minor, header length (2 bytes in 1.0, 4 in 2.0 and 3.0).
  unsigned char pre[12] = {};
  f.read(reinterpret_cast<char*>(pre),
         static_cast<std::streamsize>(std::min<uint64_t>(file_size, 12)));
  if (file_size < kMagicLen || std::memcmp(pre, kMagic, kMagicLen) != 0)
    input_error(path, "magic",
                "not a .npy file: expected the magic string \\x93NUMPY at the start");
  const auto truncated = [&](uint64_t need) {
    input_error(path, "header",
                "truncated: the file has " + std::to_string(file_size) + " bytes, fewer than the " +
                    std::to_string(need) + " of the preamble");
  };
  if (file_size < 10) truncated(10);
  const int major = pre[6], minor = pre[7];
  if (major < 1 || major > 3 || minor != 0)
    input_error(path, "version",
                "unsupported format version " + std::to_string(major) + "." +
                    std::to_string(minor) + ": expected 1.0, 2.0 or 3.0");
  const uint64_t pre_len = major == 1 ? 10 : 12;
  if (file_size < pre_len) truncated(pre_len);
  const uint64_t header_len = read_le(pre + 8, major == 1 ? 2 : 4);
  if (pre_len + header_len > file_size)
    input_error(path, "header",
                "truncated: the header length " + std::to_string(header_len) +
                    " runs past the end of the file (" + std::to_string(file_size) + " bytes)");

  std::string text(header_len, '\0');
  f.seekg(static_cast<std::streamoff>(pre_len));
  f.read(&text[0], static_cast<std::streamsize>(header_len));
  if (!f) input_error(path, "header", "cannot read the header");
  const HeaderDict h = HeaderParser(text, path).parse();
  const Dtype t = parse_dtype(h.descr, path, "descr");
  if (h.fortran_order && h.shape.size() >= 2)
    input_error(path, "fortran_order", "expected C order (fortran_order False)");

  NpyArray a;
  a.shape = h.shape;
  a.dtype = h.descr;
  const int64_t count = a.size();
  const uint64_t data_bytes = file_size - pre_len - header_len;
  if (count < 0 || static_cast<uint64_t>(count) > data_bytes / static_cast<uint64_t>(t.size) ||
      static_cast<uint64_t>(count) * static_cast<uint64_t>(t.size) != data_bytes) {
    const std::string expected =
        count < 0 ? "more than 2^63 elements"
                  : std::to_string(static_cast<uint64_t>(count) * static_cast<uint64_t>(t.size)) +
                        " bytes";
    input_error(path, "data",
                "header says shape " + npy_shape_str(a.shape) + " = " + expected + ", file has " +
                    std::to_string(data_bytes));
  }

  std::vector<unsigned char> raw(data_bytes);
  f.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(data_bytes));
  if (!f) input_error(path, "data", "cannot read " + std::to_string(data_bytes) + " bytes");
  const bool swap = t.swap();
  a.values.resize(static_cast<size_t>(count));
  with_type(t, [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < a.values.size(); ++i)
      a.values[i] = load<T>(raw.data() + i * sizeof(T), swap);
  });
  if (t.kind == 'b')  // any nonzero byte is True
    for (double& v : a.values) v = v != 0 ? 1.0 : 0.0;
  return a;
}

void write_npy(const std::string& path, const std::vector<int64_t>& shape,
               const std::vector<double>& values, const std::string& dtype) {
  const Dtype t = parse_dtype(dtype, path, "dtype");
  const int64_t count = element_count(shape);
  if (count < 0 || static_cast<uint64_t>(count) != values.size())
    input_error(path, "shape",
                "shape " + npy_shape_str(shape) + " does not hold the " +
                    std::to_string(values.size()) + " values given");
  std::vector<unsigned char> raw(values.size() * static_cast<size_t>(t.size));
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    const bool fits = t.kind == 'f'   ? true
                      : t.kind == 'b' ? (v == 0 || v == 1)
                                      : fits_integer(v, t.kind, t.size);
    if (!fits)
      input_error(path, "values[" + std::to_string(i) + "]",
                  "value " + std::to_string(v) + " does not fit the type " + t.descr());
  }
  with_type(t, [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < values.size(); ++i)
      store(static_cast<T>(values[i]), raw.data() + i * sizeof(T), t.swap());
  });

  // Version 1.0: the preamble (10 bytes) plus the header, padded with spaces and ended by '\n',
  // is a multiple of 64 bytes long.
  std::string header = "{'descr': '" + t.descr() +
                       "', 'fortran_order': False, 'shape': " + npy_shape_str(shape) + ", }";
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535)
    input_error(path, "shape", "the header is too long for format version 1.0");

  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) reject_file(path, "write");
  const unsigned char len[2] = {static_cast<unsigned char>(header.size() & 0xff),
                                static_cast<unsigned char>(header.size() >> 8)};
  f.write(kMagic, kMagicLen);
  f.put(1);
  f.put(0);
  f.write(reinterpret_cast<const char*>(len), 2);
  f << header;
  f.write(reinterpret_cast<const char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  f.close();
  if (!f) input_error(path, "", "writing the file failed");
}

Dataset read_npy_dataset(const std::string& x_path, const std::string& y_path,
                         bool allow_nonfinite) {
  NpyArray x = read_npy(x_path);
  const size_t xdim = x.shape.size();
  if (xdim < 1 || xdim > 2)
    input_error(x_path, "shape",
                "features must be 2-D (N, d) or 1-D (N,) meaning d = 1, found shape " +
                    npy_shape_str(x.shape));
  const int64_t n = x.shape[0];
  const int64_t d = xdim == 2 ? x.shape[1] : 1;
  if (n == 0 || d == 0)
    input_error(x_path, "shape", "the features are empty: shape " + npy_shape_str(x.shape));
  if (d > INT_MAX) input_error(x_path, "shape", "too many features per sample");
  if (!allow_nonfinite) check_finite(x, x_path);

  NpyArray y = read_npy(y_path);
  const size_t ydim = y.shape.size();
  if (ydim < 1 || ydim > 2)
    input_error(y_path, "shape",
                "labels must be 1-D (N,), (N, 1), or (N, m) float targets, found shape " +
                    npy_shape_str(y.shape));
  const int64_t ty = ydim == 2 ? y.shape[1] : 1;
  if (y.shape[0] != n)
    input_error(y_path, "shape",
                x_path + " has " + std::to_string(n) + " samples (shape " + npy_shape_str(x.shape) +
                    ") but " + y_path + " has " + std::to_string(y.shape[0]) + " (shape " +
                    npy_shape_str(y.shape) + ")");
  if (ty == 0 || ty > INT_MAX)
    input_error(y_path, "shape",
                "expected 1 to " + std::to_string(INT_MAX) + " targets per sample, found shape " +
                    npy_shape_str(y.shape));
  if (!allow_nonfinite) check_finite(y, y_path);

  Dataset ds;
  ds.n = n;
  ds.d = static_cast<int>(d);
  ds.X = std::move(x.values);
  assign_targets(ds, std::move(y.values), static_cast<int>(ty), y.is_integer(), y_path);
  ds.description = x_path + " (labels " + y_path + ")";
  return ds;
}

}  // namespace lscan
