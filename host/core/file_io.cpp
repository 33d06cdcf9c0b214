#include "host/core/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "host/core/atomic_file.h"
#include "host/core/error.h"

namespace lscan {

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) input_error(path, "", std::string("cannot open for reading: ") + std::strerror(errno));
  std::string bytes;
  char chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0) bytes.append(chunk, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) input_error(path, "", std::string("read error: ") + std::strerror(err));
  return bytes;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  AtomicOutput out(path);
  std::FILE* f = std::fopen(out.tmp_path().c_str(), "wb");
  if (!f) input_error(path, "", std::string("cannot open for writing: ") + std::strerror(errno));
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  int err = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) input_error(path, "", std::string("write failed: ") + std::strerror(err));
  out.commit();
}

void check_writable(const std::string& path, const std::string& flag) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const fs::path folder = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (path.empty() || !p.has_filename()) input_error(path, flag, "expected a file name");
  if (!fs::is_directory(folder, ec))
    input_error(path, flag, "the folder '" + folder.string() + "' does not exist");
  if (::access(folder.c_str(), W_OK) != 0)
    input_error(path, flag,
                "the folder '" + folder.string() + "' is not writable: " + std::strerror(errno));
  if (fs::is_directory(p, ec)) input_error(path, flag, "is a folder, expected a file name");
}

std::string strip_extension(const std::string& path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return path;
  return path.substr(0, dot);
}

}  // namespace lscan
