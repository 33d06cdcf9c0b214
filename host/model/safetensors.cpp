#include "host/model/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "host/core/error.h"
#include "host/core/file_io.h"
#include "host/core/format.h"
#include "host/model/json_text.h"

namespace lscan {

namespace {

using nlohmann::json;

// The reference implementation's limit; a larger length means a corrupt or foreign file.
constexpr uint64_t kMaxHeaderBytes = 100000000;

enum class Kind { Float, Signed, Unsigned };

struct Dtype {
  const char* name;
  int size;  // bytes per element
  Kind kind;
};

constexpr Dtype kDtypes[] = {
    {"F64", 8, Kind::Float},    {"F32", 4, Kind::Float},    {"F16", 2, Kind::Float},
    {"BF16", 2, Kind::Float},   {"I64", 8, Kind::Signed},   {"I32", 4, Kind::Signed},
    {"I16", 2, Kind::Signed},   {"I8", 1, Kind::Signed},    {"U64", 8, Kind::Unsigned},
    {"U32", 4, Kind::Unsigned}, {"U16", 2, Kind::Unsigned}, {"U8", 1, Kind::Unsigned}};

const Dtype* find_dtype(const std::string& name) {
  for (const Dtype& d : kDtypes)
    if (name == d.name) return &d;
  return nullptr;
}

std::string dtype_list() {
  std::string all;
  for (const Dtype& d : kDtypes) all += all.empty() ? d.name : std::string(", ") + d.name;
  return all;
}

uint64_t load_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void store_le(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

double decode(const Dtype& d, const unsigned char* p) {
  const uint64_t bits = load_le(p, d.size);
  switch (d.kind) {
    case Kind::Unsigned:
      return static_cast<double>(bits);
    case Kind::Signed: {
      // Sign-extend the d.size-byte two's-complement value.
      const int shift = 64 - 8 * d.size;
      return static_cast<double>(static_cast<int64_t>(bits << shift) >> shift);
    }
    case Kind::Float:
      break;
  }
  switch (d.size) {
    case 8: {
      double v;
      std::memcpy(&v, &bits, sizeof(v));
      return v;
    }
    case 4: {
      const auto b32 = static_cast<uint32_t>(bits);
      float v;
      std::memcpy(&v, &b32, sizeof(v));
      return v;
    }
    default:
      return d.name[0] == 'B' ? bf16_bits_to_double(static_cast<uint16_t>(bits))
                              : f16_bits_to_double(static_cast<uint16_t>(bits));
  }
}

bool is_nonnegative_integer(const json& j) {
  return j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() >= 0);
}

// "[1, 2]" for flat index 5 of shape [2, 3].
std::string multi_index(int64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    idx[k] = flat % shape[k];
    flat /= shape[k];
  }
  return format_shape(idx);
}

struct Span {
  uint64_t begin;
  uint64_t end;
  std::string name;
};

}  // namespace

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

double f16_bits_to_double(uint16_t bits) {
  const bool negative = (bits & 0x8000) != 0;
  const int exponent = (bits >> 10) & 0x1F;
  const uint32_t mantissa = bits & 0x3FF;
  double v;
  if (exponent == 0) {
    v = mantissa * 0x1.0p-24;  // subnormal (or zero): m * 2^-24, exact
  } else if (exponent == 31) {
    v = mantissa == 0 ? std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::quiet_NaN();
  } else {
    // Normal: (1 + m / 2^10) * 2^(e - 15); rebias the exponent for binary64 (bias 1023) and
    // move the 10 mantissa bits to the top of the 52.
    const uint64_t b64 = (static_cast<uint64_t>(exponent - 15 + 1023) << 52) |
                         (static_cast<uint64_t>(mantissa) << 42);
    std::memcpy(&v, &b64, sizeof(v));
  }
  return negative ? -v : v;
}

double bf16_bits_to_double(uint16_t bits) {
  // bfloat16 is the top half of a binary32.
  const uint32_t b32 = static_cast<uint32_t>(bits) << 16;
  float v;
  std::memcpy(&v, &b32, sizeof(v));
  return v;
}

StFile parse_safetensors(const std::string& bytes, const std::string& source,
                         bool allow_nonfinite) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 8)
    input_error(source, "header length",
                "the file has " + std::to_string(bytes.size()) +
                    " bytes, fewer than the 8-byte length prefix of a safetensors file");
  const uint64_t header_len = load_le(data, 8);
  const uint64_t after_prefix = bytes.size() - 8;
  if (header_len > kMaxHeaderBytes)
    input_error(source, "header length",
                std::to_string(header_len) + " bytes is over the " +
                    std::to_string(kMaxHeaderBytes) +
                    "-byte limit: not a safetensors file, or a corrupt one");
  if (header_len > after_prefix)
    input_error(source, "header length",
                "the header claims " + std::to_string(header_len) + " bytes but only " +
                    std::to_string(after_prefix) +
                    " follow the 8-byte prefix (truncated file, or not a safetensors file)");

  const json header = parse_json_text(
      bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(header_len), source, "header");
  if (!header.is_object())
    input_error(source, "header", "expected a JSON object, found " + json_excerpt(header));

  const uint64_t buffer_size = after_prefix - header_len;
  const unsigned char* buffer = data + 8 + header_len;
  StFile file;
  std::vector<Span> spans;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (entry.is_null()) continue;
      if (!entry.is_object())
        input_error(source, "__metadata__",
                    "expected an object of string values, found " + json_excerpt(entry));
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string())
          input_error(source, "__metadata__." + key,
                      "expected a string, found " + json_excerpt(value));
        file.metadata[key] = value.get<std::string>();
      }
      continue;
    }

    const std::string field = "tensor '" + name + "'";
    if (!entry.is_object())
      input_error(
          source, field,
          "expected an object with dtype, shape and data_offsets, found " + json_excerpt(entry));
    for (const char* key : {"dtype", "shape", "data_offsets"})
      if (!entry.contains(key)) input_error(source, field + " " + key, "missing");

    const json& jdtype = entry["dtype"];
    if (!jdtype.is_string())
      input_error(source, field + " dtype",
                  "expected a string such as \"F32\", found " + json_excerpt(jdtype));
    const Dtype* dtype = find_dtype(jdtype.get<std::string>());
    if (!dtype)
      input_error(
          source, field + " dtype",
          "unsupported dtype '" + jdtype.get<std::string>() + "', expected one of " + dtype_list());

    const json& jshape = entry["shape"];
    const auto bad_shape = [&] {
      input_error(source, field + " shape",
                  "expected an array of non-negative integers, found " + json_excerpt(jshape));
    };
    if (!jshape.is_array()) bad_shape();
    StTensor t;
    t.dtype = dtype->name;
    uint64_t numel = 1;
    for (const json& dim : jshape) {
      if (!is_nonnegative_integer(dim)) bad_shape();
      const uint64_t d = dim.get<uint64_t>();
      if (d > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          (d != 0 && numel > std::numeric_limits<uint64_t>::max() / d / 8))
        input_error(source, field + " shape", "too large: " + json_excerpt(jshape));
      numel *= d;
      t.shape.push_back(static_cast<int64_t>(d));
    }

    const json& joff = entry["data_offsets"];
    if (!joff.is_array() || joff.size() != 2 || !is_nonnegative_integer(joff[0]) ||
        !is_nonnegative_integer(joff[1]))
      input_error(source, field + " data_offsets",
                  "expected [begin, end], two non-negative integers, found " + json_excerpt(joff));
    const uint64_t begin = joff[0].get<uint64_t>();
    const uint64_t end = joff[1].get<uint64_t>();
    if (begin > end)
      input_error(source, field + " data_offsets",
                  "begin " + std::to_string(begin) + " is after end " + std::to_string(end));
    if (end > buffer_size)
      input_error(source, field + " data_offsets",
                  "[" + std::to_string(begin) + ", " + std::to_string(end) +
                      ") runs past the end of the data buffer (" + std::to_string(buffer_size) +
                      " bytes; truncated file?)");
    const uint64_t expected = numel * static_cast<uint64_t>(dtype->size);
    if (end - begin != expected)
      input_error(source, field + " data_offsets",
                  "spans " + std::to_string(end - begin) + " bytes but shape " +
                      format_shape(t.shape) + " of " + dtype->name + " needs " +
                      std::to_string(expected));
    spans.push_back({begin, end, name});

    t.values.resize(numel);
    const unsigned char* p = buffer + begin;
    for (uint64_t i = 0; i < numel; ++i, p += dtype->size) t.values[i] = decode(*dtype, p);
    if (!allow_nonfinite) {
      for (uint64_t i = 0; i < numel; ++i) {
        const double v = t.values[i];
        if (!std::isfinite(v))
          input_error(source, field,
                      "value at flat index " + std::to_string(i) + " (element " +
                          multi_index(static_cast<int64_t>(i), t.shape) + ") is " +
                          (std::isnan(v) ? "NaN"
                           : v > 0       ? "+Inf"
                                         : "-Inf") +
                          "; non-finite weights are rejected unless explicitly allowed");
      }
    }
    file.tensors.emplace(name, std::move(t));
  }

  // Empty spans occupy no bytes and so overlap nothing.
  spans.erase(
      std::remove_if(spans.begin(), spans.end(), [](const Span& s) { return s.begin == s.end; }),
      spans.end());
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < spans.size(); ++i) {
    const Span& a = spans[i - 1];
    const Span& b = spans[i];
    if (b.begin < a.end)
      input_error(source, "tensor '" + b.name + "' data_offsets",
                  "bytes [" + std::to_string(b.begin) + ", " + std::to_string(b.end) +
                      ") overlap tensor '" + a.name + "' at [" + std::to_string(a.begin) + ", " +
                      std::to_string(a.end) + ")");
  }
  return file;
}

StFile read_safetensors(const std::string& path, bool allow_nonfinite) {
  return parse_safetensors(read_file(path), path, allow_nonfinite);
}

void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, StTensor>>& tensors,
                       const std::string& dtype,
                       const std::map<std::string, std::string>& metadata) {
  if (dtype != "F32" && dtype != "F64")
    input_error(path, "dtype", "cannot write dtype '" + dtype + "', expected F32 or F64");
  const int size = dtype == "F32" ? 4 : 8;

  // Key order as the reference writer: "__metadata__" first, then the tensors.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) {
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header["__metadata__"] = meta;
  }
  std::set<std::string> seen;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__" || !seen.insert(name).second)
      throw std::invalid_argument("write_safetensors: tensor name '" + name +
                                  "' is reserved or repeated");
    uint64_t numel = 1;
    for (int64_t d : t.shape) {
      if (d < 0)
        throw std::invalid_argument("write_safetensors: tensor '" + name +
                                    "' has a negative dimension");
      numel *= static_cast<uint64_t>(d);
    }
    if (numel != t.values.size())
      throw std::invalid_argument("write_safetensors: tensor '" + name + "' has shape " +
                                  format_shape(t.shape) + " but " +
                                  std::to_string(t.values.size()) + " values");
    const uint64_t end = offset + numel * size;
    header[name] = {{"dtype", dtype}, {"shape", t.shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }

  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::ordered_json::type_error& e) {
    throw std::invalid_argument(std::string("write_safetensors: ") + e.what());
  }
  // Pad so that the buffer starts 8-byte aligned.
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + text.size() + offset);
  store_le(out, text.size(), 8);
  out += text;
  for (const auto& [name, t] : tensors) {
    for (size_t i = 0; i < t.values.size(); ++i) {
      const double v = t.values[i];
      if (size == 4) {
        // A finite value beyond float's range would become an infinity (and the cast is undefined
        // behaviour): refuse rather than write a file that reads back as Inf.
        if (std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max())
          input_error(path, "tensor '" + name + "'",
                      "value " + format_number(v) + " at flat index " + std::to_string(i) +
                          " is beyond the range of F32; write F64 instead");
        const float f = static_cast<float>(v);
        uint32_t bits;
        std::memcpy(&bits, &f, sizeof(bits));
        store_le(out, bits, 4);
      } else {
        uint64_t bits;
        std::memcpy(&bits, &v, sizeof(bits));
        store_le(out, bits, 8);
      }
    }
  }
  write_file_atomic(path, out);
}

}  // namespace lscan
