// MNIST IDX files: exact pixel scaling and labels, and every malformed pair rejected with a message
// naming the file and the field.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "host/data/idx.h"
#include "tests/data_test_util.h"

namespace lscan {
namespace {

class IdxFiles : public test::ScratchDir {
 protected:
  void SetUp() override {
    test::ScratchDir::SetUp();
    images_ = path("train-images-idx3-ubyte");
    labels_ = path("train-labels-idx1-ubyte");
  }
  std::string images_, labels_;
};

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// Three 2 x 2 images.
const std::string kPixels = std::string("\x00\xff\x33\x80", 4) +
                            std::string("\x01\x02\x03\x04", 4) + std::string("\xfe\x00\x00\x10", 4);
const std::string kImages = be32(0x803) + be32(3) + be32(2) + be32(2) + kPixels;
const std::string kLabels = be32(0x801) + be32(3) + std::string("\x03\x00\x09", 3);

TEST_F(IdxFiles, ReadsScaledPixelsAndLabels) {
  test::write_file(images_, kImages);
  test::write_file(labels_, kLabels);
  const Dataset ds = read_idx_dataset(images_, labels_);
  EXPECT_EQ(ds.n, 3);
  EXPECT_EQ(ds.d, 4);
  ASSERT_EQ(ds.X.size(), 12u);
  EXPECT_EQ(ds.X[0], 0.0);
  EXPECT_EQ(ds.X[1], 1.0);
  EXPECT_EQ(ds.X[2], 51 / 255.0);
  EXPECT_EQ(ds.X[3], 128 / 255.0);
  EXPECT_EQ(ds.X[8], 254 / 255.0);
  EXPECT_EQ(ds.X[11], 16 / 255.0);
  EXPECT_EQ(ds.Y, (std::vector<double>{3, 0, 9}));
  EXPECT_TRUE(ds.classification);
  EXPECT_EQ(ds.num_classes, 10);
  EXPECT_NE(ds.description.find("train-images-idx3-ubyte"), std::string::npos);
}

TEST_F(IdxFiles, RejectsGzipFiles) {
  test::write_file(images_, std::string("\x1f\x8b\x08\x00", 4) + "compressed");
  test::write_file(labels_, kLabels);
  EXPECT_INPUT_ERROR(read_idx_dataset(images_, labels_), "train-images-idx3-ubyte",
                     "gzip-compressed", "gunzip");
}

TEST_F(IdxFiles, RejectsWrongMagic) {
  test::write_file(images_, kImages);
  test::write_file(labels_, kLabels);
  EXPECT_INPUT_ERROR(read_idx_dataset(labels_, images_), "train-labels-idx1-ubyte", "magic",
                     "expected 0x00000803", "found 0x00000801", "swapped");
  test::write_file(labels_, be32(0x0c01) + be32(3) + std::string(12, '\0'));
  EXPECT_INPUT_ERROR(read_idx_dataset(images_, labels_), "train-labels-idx1-ubyte", "magic",
                     "expected 0x00000801", "found 0x00000C01");
}

TEST_F(IdxFiles, RejectsTruncatedFiles) {
  test::write_file(labels_, kLabels);
  test::write_file(images_, std::string("\x00\x00", 2));
  EXPECT_INPUT_ERROR(read_idx_dataset(images_, labels_), "train-images-idx3-ubyte", "magic",
                     "truncated");
  test::write_file(images_, kImages.substr(0, 10));
  EXPECT_INPUT_ERROR(read_idx_dataset(images_, labels_), "train-images-idx3-ubyte", "header",
                     "truncated", "16");
  test::write_file(images_, kImages.substr(0, kImages.size() - 1));
  EXPECT_INPUT_ERROR(read_idx_dataset(images_, labels_), "train-images-idx3-ubyte", "data",
                     "header says 3 x 2 x 2 = 12 bytes, file has 11");
  test::write_file(images_, kImages + "x");
  EXPECT_INPUT_ERROR(read_idx_dataset(images_, labels_), "train-images-idx3-ubyte", "data",
                     "file has 13");
  test::write_file(images_, kImages);
  test::write_file(labels_, kLabels.substr(0, 9));
  EXPECT_INPUT_ERROR(read_idx_dataset(images_, labels_), "train-labels-idx1-ubyte", "data",
                     "header says 3 = 3 bytes, file has 1");
  EXPECT_INPUT_ERROR(read_idx_dataset(path("missing-idx3"), labels_), "missing-idx3",
                     "cannot open");
}

TEST_F(IdxFiles, RejectsCountMismatch) {
  test::write_file(images_, kImages);
  test::write_file(labels_, be32(0x801) + be32(2) + std::string("\x01\x02", 2));
  EXPECT_INPUT_ERROR(read_idx_dataset(images_, labels_), "train-images-idx3-ubyte",
                     "train-labels-idx1-ubyte", "count", "3 images", "2 labels");
}

}  // namespace
}  // namespace lscan
