// All-or-nothing output files. Every writer in lscan writes to `<path>.tmp` and renames it onto
// `path` only once the whole file has been written and closed, so that a reader (or a resumed scan)
// never sees a half-written file, and a failed or interrupted write leaves the previous file, if
// any, untouched. rename(2) replaces the target atomically on POSIX file systems.
//
//   AtomicOutput out(path);
//   write_everything(out.tmp_path());  // may throw: the destructor deletes the temporary file
//   out.commit();
#pragma once

#include <string>

namespace lscan {

class AtomicOutput {
 public:
  explicit AtomicOutput(std::string path);
  // Deletes the temporary file unless commit() succeeded.
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::string& path() const { return path_; }
  const std::string& tmp_path() const { return tmp_path_; }
  bool committed() const { return committed_; }

  // Flushes the temporary file to disk and renames it onto path(). The temporary file must be
  // closed by then. Throws InputError naming path() if it cannot be renamed (for instance, path()
  // is a directory).
  void commit();

 private:
  std::string path_;
  std::string tmp_path_;
  bool committed_ = false;
};

}  // namespace lscan
