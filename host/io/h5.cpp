#include "host/io/h5.h"

namespace lscan {

H5Id& H5Id::operator=(H5Id&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

herr_t H5Id::close() {
  if (id_ < 0) return 0;
  herr_t status = -1;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      status = H5Fclose(id_);
      break;
    case H5I_GROUP:
      status = H5Gclose(id_);
      break;
    case H5I_DATASET:
      status = H5Dclose(id_);
      break;
    case H5I_DATASPACE:
      status = H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      status = H5Tclose(id_);
      break;
    case H5I_ATTR:
      status = H5Aclose(id_);
      break;
    case H5I_GENPROP_LST:
      status = H5Pclose(id_);
      break;
    default:
      status = H5Idec_ref(id_) < 0 ? -1 : 0;
      break;
  }
  id_ = H5I_INVALID_HID;
  return status;
}

void h5_silence_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

}  // namespace lscan
