// The safetensors format (https://github.com/huggingface/safetensors), read and written:
//   [u64 little-endian N] [N bytes of JSON header] [byte buffer]
//   header = {"<name>": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]},
//             ..., "__metadata__": {"<key>": "<value>", ...}}
// Offsets are relative to the start of the buffer; elements are little-endian and row-major.
// The reader checks every field and rejects, naming the file, the tensor and the field: a header
// that does not fit the file, a span that is not product(shape) * sizeof(dtype), a span outside the
// buffer, overlapping spans, and (unless allowed) NaN or infinite values. Gaps between spans are
// accepted. Values are converted to fp64 exactly (I64 and U64 round beyond 2^53).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lscan {

struct StTensor {
  std::string dtype;           // as stored: "F32", "BF16", ...
  std::vector<int64_t> shape;  // [] is a scalar
  std::vector<double> values;  // (product(shape)), row-major
};

struct StFile {
  std::map<std::string, StTensor> tensors;
  std::map<std::string, std::string> metadata;  // "__metadata__"
};

// Reads F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16 and U8. Throws InputError.
StFile read_safetensors(const std::string& path, bool allow_nonfinite = false);
// The same on the file's bytes; `source` names the file in messages.
StFile parse_safetensors(const std::string& bytes, const std::string& source,
                         bool allow_nonfinite = false);

// Writes `tensors` in the given order as `dtype` ("F32" or "F64"; StTensor::dtype is ignored),
// with the header padded with spaces to a multiple of 8 bytes as the reference implementation
// does, atomically (see write_file_atomic). Throws InputError for another dtype, a finite value
// beyond F32's range when writing F32, or a failed write, and std::invalid_argument for a tensor
// whose values do not match its shape or a repeated name.
void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, StTensor>>& tensors,
                       const std::string& dtype,
                       const std::map<std::string, std::string>& metadata = {});

// "[4, 3]"
std::string format_shape(const std::vector<int64_t>& shape);

// IEEE binary16 and bfloat16 bit patterns to fp64, exact (subnormals, infinities, NaN included).
double f16_bits_to_double(uint16_t bits);
double bf16_bits_to_double(uint16_t bits);

}  // namespace lscan
