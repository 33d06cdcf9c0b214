#include "host/data/idx.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/data/reader.h"

namespace lscan {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;

uint32_t read_be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

std::string hex32(uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// The file's bytes after its header, whose dimensions go to `dims`. `what` describes the
// expected contents for messages ("images: unsigned bytes, 3 dimensions").
std::vector<unsigned char> read_idx(const std::string& path, uint32_t magic, const char* what,
                                    std::vector<uint32_t>* dims) {
  std::ifstream f(path, std::ios::binary);
  if (!f) reject_file(path, "open");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)),
                                   std::istreambuf_iterator<char>());
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
    input_error(path, "", "the file is gzip-compressed: decompress it first (gunzip " + path + ")");
  if (bytes.size() < 4)
    input_error(path, "magic",
                "truncated: the file has " + std::to_string(bytes.size()) +
                    " bytes, fewer than the 4 of the magic number");
  const uint32_t found = read_be32(bytes.data());
  if (found != magic) {
    std::string hint;
    if (found == kImagesMagic) hint = " (an IDX image file: are images and labels swapped?)";
    if (found == kLabelsMagic) hint = " (an IDX label file: are images and labels swapped?)";
    input_error(path, "magic",
                "expected " + hex32(magic) + " (IDX " + what + "), found " + hex32(found) + hint);
  }
  const size_t ndim = magic & 0xff;
  const size_t header = 4 + 4 * ndim;
  if (bytes.size() < header)
    input_error(path, "header",
                "truncated: the file has " + std::to_string(bytes.size()) +
                    " bytes, fewer than the " + std::to_string(header) + " of the header");
  uint64_t expected = 1;
  std::string shape;
  for (size_t i = 0; i < ndim; ++i) {
    dims->push_back(read_be32(bytes.data() + 4 + 4 * i));
    expected *= dims->back();
    shape += (i > 0 ? " x " : "") + std::to_string(dims->back());
  }
  const uint64_t data = bytes.size() - header;
  if (data != expected)
    input_error(path, "data",
                "header says " + shape + " = " + std::to_string(expected) + " bytes, file has " +
                    std::to_string(data));
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  return bytes;
}

}  // namespace

Dataset read_idx_dataset(const std::string& images, const std::string& labels) {
  std::vector<uint32_t> idims, ldims;
  const std::vector<unsigned char> pixels =
      read_idx(images, kImagesMagic, "images: unsigned bytes, 3 dimensions", &idims);
  const std::vector<unsigned char> classes =
      read_idx(labels, kLabelsMagic, "labels: unsigned bytes, 1 dimension", &ldims);
  if (idims[0] != ldims[0])
    input_error(labels, "count",
                images + " has " + std::to_string(idims[0]) + " images but " + labels + " has " +
                    std::to_string(ldims[0]) + " labels");
  if (idims[0] == 0) input_error(images, "count", "the file holds no images");
  const uint64_t d = uint64_t{idims[1]} * idims[2];
  if (d == 0 || d > 1u << 30)
    input_error(images, "header",
                "expected images of 1 to 2^30 pixels, found " + std::to_string(idims[1]) + " x " +
                    std::to_string(idims[2]));

  Dataset ds;
  ds.n = idims[0];
  ds.d = static_cast<int>(d);
  ds.X.resize(pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) ds.X[i] = pixels[i] / 255.0;
  assign_targets(ds, std::vector<double>(classes.begin(), classes.end()), 1, true, labels);
  ds.description = images + " (labels " + labels + ")";
  return ds;
}

}  // namespace lscan
