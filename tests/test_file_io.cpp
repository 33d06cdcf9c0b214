// Path helpers of host/core/file_io.h.
#include <gtest/gtest.h>

#include <filesystem>

#include "host/core/file_io.h"
#include "tests/file_test_util.h"

namespace lscan {
namespace {

TEST(FileIo, StripExtensionKeepsFoldersWithDots) {
  EXPECT_EQ(strip_extension("surface.h5"), "surface");
  EXPECT_EQ(strip_extension("runs/a.b.h5"), "runs/a.b");
  EXPECT_EQ(strip_extension("runs.v2/surface"), "runs.v2/surface");
  EXPECT_EQ(strip_extension("surface"), "surface");
}

TEST(FileIo, CheckWritableNamesTheFlagAndTheReason) {
  using testing_util::throws_input_error;
  testing_util::ScratchDir dir;
  EXPECT_NO_THROW(check_writable(dir.file("new.h5"), "--out"));
  EXPECT_NO_THROW(check_writable("relative-name.json", "--summary"));  // the working folder
  EXPECT_TRUE(throws_input_error([&] { check_writable(dir.file("no/such/x.h5"), "--out"); },
                                 {"no/such/x.h5", "--out", "does not exist"}));
  EXPECT_TRUE(throws_input_error([&] { check_writable(dir.path(), "--summary"); },
                                 {"--summary", "is a folder"}));
  EXPECT_TRUE(throws_input_error([&] { check_writable("", "--out"); }, {"--out", "file name"}));
  // Nothing is created by the check.
  EXPECT_FALSE(std::filesystem::exists(dir.file("new.h5")));
}

}  // namespace
}  // namespace lscan
