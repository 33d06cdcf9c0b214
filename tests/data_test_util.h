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

#include "host/core/error.h"

namespace lscan {
namespace test {

// A fixture with a scratch folder, "<tmp>/lscan_data_<pid>_<suite>_<test>", removed afterwards.
class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ =
        std::filesystem::temp_directory_path() / ("lscan_data_" + std::to_string(::getpid()) + "_" +
                                                  info->test_suite_name() + "_" + info->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
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
