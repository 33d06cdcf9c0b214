// Helpers for tests that read and write files: a scratch directory removed afterwards, raw byte
// files, and the check that a call throws InputError with a message naming the file and field.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/core/error.h"

namespace lscan {
namespace testing_util {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "lscan_XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed in " + pattern);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Success when f() throws InputError whose message contains every one of `parts`.
template <class F>
::testing::AssertionResult throws_input_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    for (const std::string& part : parts)
      if (msg.find(part) == std::string::npos)
        return ::testing::AssertionFailure()
               << "the message \"" << msg << "\" does not contain \"" << part << "\"";
    return ::testing::AssertionSuccess() << msg;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

// Paths fixed when the tests were built, each overridable from the environment (a prebuilt test
// binary run on another machine, see scripts/device_bundle.sh): the lscan binary, the Python for
// fixtures and the tests folder.
inline std::string built_path(const char* env, const char* built) {
  const char* v = std::getenv(env);
  return v && *v ? v : built;
}
inline std::string lscan_binary() {
  return built_path("LSCAN_BINARY", LSCAN_BINARY);
}
inline std::string python_path() {
  return built_path("LSCAN_PYTHON", LSCAN_PYTHON);
}
inline std::string tests_dir() {
  return built_path("LSCAN_TEST_DIR", LSCAN_TEST_DIR);
}

// Sets (or, with nullptr, unsets) an environment variable for the scope's lifetime, for the
// code under test and the processes it starts; the old value comes back afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ScopedEnv(const char* name, const std::string& value) : ScopedEnv(name, value.c_str()) {}
  ~ScopedEnv() {
    if (had_)
      ::setenv(name_.c_str(), old_.c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_, old_;
  bool had_ = false;
};

struct CliRun {
  int code = -1;
  std::string out, err;
};

// Runs lscan with `args` (shell words) in `dir`, stdout and stderr captured to files, so stderr
// is not a terminal (progress must stay quiet).
inline CliRun run_lscan(const ScratchDir& dir, const std::string& args) {
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  const std::string cmd = "cd '" + dir.path() + "' && " + lscan_binary() + " " + args + " >'" +
                          out + "' 2>'" + err + "'";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_bytes(out);
  r.err = read_bytes(err);
  return r;
}

// Runs tests/fixtures/<script> with the Python that CMake found (LSCAN_PYTHON). Returns "" on
// success, otherwise what went wrong, for the caller to fail with: these tests never skip.
inline std::string run_python_fixture(const std::string& script, const std::string& args) {
  const std::string python = python_path();
  const std::string needs =
      "python3 with numpy and safetensors is needed (pip install numpy safetensors)";
  if (python.empty() || python.find("NOTFOUND") != std::string::npos)
    return needs + ", but CMake found no Python 3 interpreter";
  const std::string cmd =
      "\"" + python + "\" \"" + tests_dir() + "/fixtures/" + script + "\" " + args;
  const int status = std::system(cmd.c_str());
  if (status != 0)
    return "'" + cmd + "' failed with status " + std::to_string(status) + "; " + needs;
  return "";
}

}  // namespace testing_util
}  // namespace lscan
