#include "host/core/error.h"

namespace lscan {

void input_error(const std::string& file, const std::string& field, const std::string& what) {
  std::string msg;
  if (!file.empty()) msg += file + ": ";
  if (!field.empty()) msg += field + ": ";
  msg += what;
  throw InputError(msg);
}

}  // namespace lscan
