// Errors that reach the user. InputError is bad input or usage (exit code 2); anything else that
// escapes to main is an internal failure (exit code 1). Messages name the file, the field and what
// was expected: "weights.safetensors: tensor '0.weight': expected shape [128, 784], found [784,
// 128]".
#pragma once

#include <stdexcept>
#include <string>

namespace lscan {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A CUDA device (or the pinned host memory its copies go through) had no room for a buffer:
// neither bad input nor a bug. LSCAN_CUDA_CHECK throws it for cudaErrorMemoryAllocation and
// CUBLAS_STATUS_ALLOC_FAILED; the backends catch it where they can say what was needed, and the
// command line prints what is left as an error (exit code 1), not as an internal one.
class OutOfMemoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws InputError("<file>: <field>: <what>"); an empty file or field is left out.
[[noreturn]] void input_error(const std::string& file, const std::string& field,
                              const std::string& what);

}  // namespace lscan
