#include "host/core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "host/core/error.h"

namespace lscan {

AtomicOutput::AtomicOutput(std::string path) : path_(std::move(path)), tmp_path_(path_ + ".tmp") {}

AtomicOutput::~AtomicOutput() {
  // unlink, not remove: if something other than our file sits at the temporary path (a
  // directory), it is left alone.
  if (!committed_) ::unlink(tmp_path_.c_str());
}

void AtomicOutput::commit() {
  if (committed_) return;
  const int fd = ::open(tmp_path_.c_str(), O_RDONLY);
  if (fd < 0) {
    input_error(path_, "",
                "cannot commit: temporary file '" + tmp_path_ +
                    "' cannot be opened: " + std::strerror(errno));
  }
  // Without the fsync, a crash soon after the rename can leave an empty file at path_ on some
  // file systems, which is worse than the old file.
  const int sync_rc = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (sync_rc != 0 && sync_errno != EINVAL && sync_errno != EROFS) {
    input_error(path_, "", std::string("cannot write to disk: ") + std::strerror(sync_errno));
  }
  if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    input_error(path_, "", std::string("cannot replace file: ") + std::strerror(errno));
  }
  committed_ = true;
}

}  // namespace lscan
