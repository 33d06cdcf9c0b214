// AtomicOutput: the target appears only on commit(), and an uncommitted temporary file is deleted.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "host/core/atomic_file.h"
#include "host/core/error.h"

namespace lscan {
namespace {

namespace fs = std::filesystem;

class AtomicOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "lscan_atomic_XXXXXX").string();
    ASSERT_NE(mkdtemp(&tmpl[0]), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST_F(AtomicOutputTest, CommitReplacesTheTarget) {
  std::ofstream(file("out.txt")) << "old";
  {
    AtomicOutput out(file("out.txt"));
    EXPECT_EQ(out.tmp_path(), file("out.txt") + ".tmp");
    std::ofstream(out.tmp_path()) << "new";
    EXPECT_EQ(slurp(file("out.txt")), "old");  // not before commit
    out.commit();
    EXPECT_TRUE(out.committed());
  }
  EXPECT_EQ(slurp(file("out.txt")), "new");
  EXPECT_FALSE(fs::exists(file("out.txt.tmp")));
}

TEST_F(AtomicOutputTest, AWriterThatThrowsLeavesTheTargetAndNoTemporaryFile) {
  std::ofstream(file("out.txt")) << "old";
  try {
    AtomicOutput out(file("out.txt"));
    std::ofstream(out.tmp_path()) << "half";
    throw std::runtime_error("disk full");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slurp(file("out.txt")), "old");
  EXPECT_FALSE(fs::exists(file("out.txt.tmp")));
}

TEST_F(AtomicOutputTest, CommitWithoutATemporaryFileFails) {
  AtomicOutput out(file("never.txt"));
  EXPECT_THROW(out.commit(), InputError);
  EXPECT_FALSE(fs::exists(file("never.txt")));
}

TEST_F(AtomicOutputTest, CommitOntoADirectoryFailsNamingIt) {
  fs::create_directory(file("taken"));
  AtomicOutput out(file("taken"));
  std::ofstream(out.tmp_path()) << "x";
  try {
    out.commit();
    ADD_FAILURE() << "no exception";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(file("taken")), std::string::npos) << e.what();
  }
  EXPECT_FALSE(out.committed());
}

}  // namespace
}  // namespace lscan
