// Path helpers of host/core/file_io.h.
#include <gtest/gtest.h>

#include "host/core/file_io.h"

namespace lscan {
namespace {

TEST(FileIo, StripExtensionKeepsFoldersWithDots) {
  EXPECT_EQ(strip_extension("surface.h5"), "surface");
  EXPECT_EQ(strip_extension("runs/a.b.h5"), "runs/a.b");
  EXPECT_EQ(strip_extension("runs.v2/surface"), "runs.v2/surface");
  EXPECT_EQ(strip_extension("surface"), "surface");
}

}  // namespace
}  // namespace lscan
