// Helpers for the data-set tests: a scratch folder per test (fixture ScratchDir), raw file writing,
// and a check that a call throws InputError with a message naming what went wrong.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>
#include <system_error>

#include "file_test_util.h"
#include "host/core/error.h"

namespace lscan {
namespace test {

// A fixture with a scratch folder per test, removed afterwards.
class ScratchDir : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_.file(name); }

 private:
  testing_util::ScratchDir dir_;
};

inline void write_file(const std::string& path, const std::string& bytes) {
  testing_util::write_bytes(path, bytes);
}

inline std::string read_file(const std::string& path) {
  return testing_util::read_bytes(path);
}

// Runs f, expecting InputError whose message contains every one of `parts`.
inline void check_input_error(const std::function<void()>& f,
                              std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "expected lscan::InputError, nothing was thrown";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    for (const std::string& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "message lacks '" << p << "': " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected lscan::InputError, got another exception: " << e.what();
  }
}

}  // namespace test
}  // namespace lscan

// EXPECT_INPUT_ERROR(statement, "part", "part", ...): the failure names the statement's line.
#define EXPECT_INPUT_ERROR(statement, ...)                                       \
  do {                                                                           \
    SCOPED_TRACE(#statement);                                                    \
    ::lscan::test::check_input_error([&] { (void)(statement); }, {__VA_ARGS__}); \
  } while (0)
