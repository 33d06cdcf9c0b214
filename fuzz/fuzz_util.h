// Shared by the fuzz targets (fuzz/fuzz_*.cpp). Each target feeds one input to one of lscan's
// readers and checks the contract of host/core/error.h: the input is either accepted, with the
// result's invariants holding, or rejected with an InputError. Any other exception escapes to
// the fuzzer (an uncaught exception would reach the user as an "internal error", exit 1), and a
// broken invariant aborts.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace lscan::fuzz {

// Aborts, naming the broken invariant, so that the fuzzer keeps the input that broke it.
inline void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// A file of this process in the temporary folder ($TMPDIR or /tmp), for readers that take a
// path; it ends in `suffix` because the readers choose their format by name.
inline std::string temp_path(const std::string& name, const std::string& suffix) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir && *dir ? dir : "/tmp") + "/lscan-fuzz-" + std::to_string(getpid()) + "-" +
         name + suffix;
}

// A temporary file (temp_path), removed when it goes out of scope whatever the reader did; with
// `bytes` it is written first.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& suffix) : path_(temp_path(name, suffix)) {}
  TempFile(const std::string& name, const std::string& suffix, const std::string& bytes)
      : TempFile(name, suffix) {
    FILE* f = std::fopen(path_.c_str(), "wb");
    check(f != nullptr, "the temporary file can be written");
    check(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(),
          "the whole input is written");
    std::fclose(f);
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Bitwise equality of two value arrays (NaN payloads and -0.0 included).
inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

inline int64_t product(const std::vector<int64_t>& shape) {
  int64_t p = 1;
  for (int64_t s : shape) p *= s;
  return p;
}

}  // namespace lscan::fuzz
