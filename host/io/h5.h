// Small helpers over the HDF5 C API shared by lscan's file readers and writers: a move-only owner
// for hid_t identifiers, and silencing HDF5's own error printing.
#pragma once

#include <hdf5.h>

namespace lscan {

// Owns one HDF5 identifier (file, group, dataset, dataspace, datatype, attribute or property list)
// and closes it with the matching H5*close. Never wrap a predefined type such as
// H5T_NATIVE_DOUBLE: those are not to be closed.
class H5Id {
 public:
  H5Id() = default;
  explicit H5Id(hid_t id) : id_(id) {}
  ~H5Id() { reset(); }
  H5Id(H5Id&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  H5Id& operator=(H5Id&& other) noexcept;
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now and returns the close status: closing a file flushes it, and that can fail.
  herr_t close();
  void reset() { close(); }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Stops HDF5 from printing its error stack to stderr: lscan reports failures through exceptions
// built from return codes. HDF5 keeps this setting per thread in thread-safe builds, so every
// public read or write function calls this first. The previous setting is not restored: HDF5
// 1.10 leaves internal state behind after a checksum failure in a damaged file, and if printing
// is on when the program exits, it writes "HDF5: infinite loop closing library" to stderr.
void h5_silence_errors();

}  // namespace lscan
