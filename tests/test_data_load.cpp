// load_dataset: the format follows the source's name, npy and idx need a label file, csv and
// generators take none, and an unknown format is named with the ones that exist.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/data/load.h"
#include "host/data/npy.h"
#include "tests/data_test_util.h"

namespace lscan {
namespace {

class LoadDataset : public test::ScratchDir {};

TEST_F(LoadDataset, PicksTheReaderFromTheName) {
  DataSource src;
  src.path = "xor:n=50";
  EXPECT_EQ(load_dataset(src).description, "xor(n=50, noise=0.1, seed=0)");

  src = DataSource();
  src.path = path("x.npy");
  src.labels = path("y.npy");
  write_npy(src.path, {2, 2}, {1, 2, 3, 4});
  write_npy(src.labels, {2}, {1, 0}, "<i8");
  Dataset ds = load_dataset(src);
  EXPECT_EQ(ds.X, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(ds.Y, (std::vector<double>{1, 0}));

  src = DataSource();
  src.path = path("DATA.CSV");
  test::write_file(src.path, "y,a\n1,2\n0,3\n");
  src.label_column = "y";
  ds = load_dataset(src);
  EXPECT_EQ(ds.X, (std::vector<double>{2, 3}));
  EXPECT_EQ(ds.Y, (std::vector<double>{1, 0}));

  src = DataSource();
  src.path = path("t10k-images-idx3-ubyte");
  src.labels = path("t10k-labels-idx1-ubyte");
  test::write_file(src.path, std::string("\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x01"
                                         "\x00\x00\x00\x01\xff",
                                         17));
  test::write_file(src.labels, std::string("\x00\x00\x08\x01\x00\x00\x00\x01\x04", 9));
  ds = load_dataset(src);
  EXPECT_EQ(ds.X, std::vector<double>{1.0});
  EXPECT_EQ(ds.Y, std::vector<double>{4});
}

TEST_F(LoadDataset, ExplicitFormatAndNonFiniteFlag) {
  DataSource src;
  src.path = path("data.txt");
  test::write_file(src.path, "1,nan\n2,3\n");
  src.format = "csv";
  EXPECT_INPUT_ERROR(load_dataset(src), "data.txt", "line 1, column 2", "NaN");
  src.allow_nonfinite = true;
  EXPECT_EQ(load_dataset(src).n, 2);
}

TEST_F(LoadDataset, RejectsMissingOrSuperfluousLabelsAndUnknownFormats) {
  DataSource src;
  src.path = path("x.npy");
  EXPECT_INPUT_ERROR(load_dataset(src), "x.npy", "--labels", "y.npy");
  src.path = path("train-images-idx3-ubyte");
  EXPECT_INPUT_ERROR(load_dataset(src), "train-images-idx3-ubyte", "--labels");

  src.path = path("d.csv");
  src.labels = path("y.npy");
  EXPECT_INPUT_ERROR(load_dataset(src), "y.npy", "--labels", "--label-column");
  src.path = "blobs";
  EXPECT_INPUT_ERROR(load_dataset(src), "y.npy", "--labels", "generator");

  src = DataSource();
  src.path = path("data.parquet");
  EXPECT_INPUT_ERROR(load_dataset(src), "--data", "data.parquet", "cannot tell the format", "blobs",
                     ".npy", ".csv", "idx", "--data-format");
  src.format = "parquet";
  EXPECT_INPUT_ERROR(load_dataset(src), "--data-format", "'parquet'", "npy, csv or idx");
  src = DataSource();
  EXPECT_INPUT_ERROR(load_dataset(src), "--data", "no data");
}

}  // namespace
}  // namespace lscan
