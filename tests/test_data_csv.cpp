// CSV files: header detection, separators, label column by name or index, exact values, and every
// malformed file rejected with a message naming the file and the line (and column).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "host/data/csv.h"
#include "tests/data_test_util.h"

namespace lscan {
namespace {

class CsvFiles : public test::ScratchDir {
 protected:
  Dataset load(const std::string& text, const std::string& label_column = "-1",
               bool allow_nonfinite = false) {
    const std::string p = path("data.csv");
    test::write_file(p, text);
    return read_csv_dataset(p, label_column, allow_nonfinite);
  }
};

TEST_F(CsvFiles, HeaderAndLabelByName) {
  const Dataset ds = load("x1,x2,label\n1,2,0\n3,4.5,1\n-0.25,1e3,1\n", "label");
  EXPECT_EQ(ds.n, 3);
  EXPECT_EQ(ds.d, 2);
  EXPECT_EQ(ds.X, (std::vector<double>{1, 2, 3, 4.5, -0.25, 1000}));
  EXPECT_EQ(ds.Y, (std::vector<double>{0, 1, 1}));
  EXPECT_TRUE(ds.classification);
  EXPECT_EQ(ds.num_classes, 2);
  EXPECT_NE(ds.description.find("data.csv"), std::string::npos);
  EXPECT_NE(ds.description.find("label"), std::string::npos);
}

TEST_F(CsvFiles, LabelByIndexFromEitherEnd) {
  const std::string text = "1,2,3\n4,5,6\n";
  Dataset ds = load(text);  // default -1: the last column
  EXPECT_EQ(ds.X, (std::vector<double>{1, 2, 4, 5}));
  EXPECT_EQ(ds.Y, (std::vector<double>{3, 6}));
  EXPECT_EQ(ds.num_classes, 7);
  ds = load(text, "0");
  EXPECT_EQ(ds.X, (std::vector<double>{2, 3, 5, 6}));
  EXPECT_EQ(ds.Y, (std::vector<double>{1, 4}));
  ds = load(text, "-2");
  EXPECT_EQ(ds.X, (std::vector<double>{1, 3, 4, 6}));
  EXPECT_EQ(ds.Y, (std::vector<double>{2, 5}));
  // A header name wins over reading the text as an index.
  ds = load("a,0,b\n1,2,3\n", "0");
  EXPECT_EQ(ds.Y, (std::vector<double>{2}));
}

TEST_F(CsvFiles, SeparatorsLineEndingsQuotesAndBlankLines) {
  const std::vector<double> x = {1.5, 2, 3, 4};
  const std::vector<double> y = {0, 1};
  for (const std::string text : {"a;b;y\n1.5;2;0\n3;4;1\n", "a\tb\ty\n1.5\t2\t0\n3\t4\t1\n",
                                 "\xEF\xBB\xBF\"a\",\"b\",\"y\"\r\n1.5, 2, 0\r\n\r\n3 ,4,1\r\n\r\n",
                                 "\n\n1.5,2,0\n   \n3,4,1"}) {
    SCOPED_TRACE(text);
    const Dataset ds = load(text);
    EXPECT_EQ(ds.X, x);
    EXPECT_EQ(ds.Y, y);
  }
}

TEST_F(CsvFiles, FractionalLabelsAreRegressionTargets) {
  const Dataset ds = load("x,y\n1,0.5\n2,-3\n");
  EXPECT_FALSE(ds.classification);
  EXPECT_EQ(ds.num_classes, 0);
  EXPECT_EQ(ds.Y, (std::vector<double>{0.5, -3}));
}

TEST_F(CsvFiles, RejectsEmptyFiles) {
  EXPECT_INPUT_ERROR(load(""), "data.csv", "empty");
  EXPECT_INPUT_ERROR(load("\n  \n\r\n"), "data.csv", "empty");
  EXPECT_INPUT_ERROR(load("a,b\n"), "data.csv", "no data rows");
  EXPECT_INPUT_ERROR(read_csv_dataset(path("missing.csv"), "-1", false), "missing.csv",
                     "cannot open");
}

TEST_F(CsvFiles, RejectsRaggedRows) {
  EXPECT_INPUT_ERROR(load("1,2,3\n4,5\n"), "data.csv", "line 2", "expected 3 columns", "found 2");
  // Line numbers count blank lines too.
  EXPECT_INPUT_ERROR(load("a,b\n\n1,2\n3,4,5\n"), "data.csv", "line 4", "expected 2 columns",
                     "found 3");
  EXPECT_INPUT_ERROR(load("1,2\n3,\n"), "data.csv", "line 2, column 2", "expected a number");
}

TEST_F(CsvFiles, RejectsNonNumericCells) {
  EXPECT_INPUT_ERROR(load("1,2\n3,abc\n"), "data.csv", "line 2, column 2", "'abc'");
  EXPECT_INPUT_ERROR(load("x,y\n1,2\n3x,4\n"), "data.csv", "line 3, column 1 ('x')", "'3x'");
  EXPECT_INPUT_ERROR(load("x;y\n1,5;2\n"), "data.csv", "line 2, column 1", "'1,5'");
}

TEST_F(CsvFiles, RejectsUnknownLabelColumns) {
  EXPECT_INPUT_ERROR(load("a,b,c\n1,2,3\n", "label"), "data.csv", "label column",
                     "no column named 'label'", "a, b, c");
  EXPECT_INPUT_ERROR(load("1,2,3\n", "label"), "data.csv", "label column", "no header row");
  EXPECT_INPUT_ERROR(load("1,2,3\n", "3"), "data.csv", "label column", "out of range", "3 columns");
  EXPECT_INPUT_ERROR(load("1,2,3\n", "-4"), "data.csv", "label column", "out of range");
  EXPECT_INPUT_ERROR(load("1\n2\n"), "data.csv", "line 1", "at least 2 columns");
}

TEST_F(CsvFiles, RejectsNonFiniteValuesUnlessAllowed) {
  EXPECT_INPUT_ERROR(load("x,y\n1,0\nnan,1\n"), "data.csv", "line 3, column 1 ('x')", "NaN",
                     "--allow-nonfinite");
  EXPECT_INPUT_ERROR(load("1,0\n2,inf\n"), "data.csv", "line 2, column 2", "Inf");
  const Dataset ds = load("x,y\n1,0\nnan,1\n-inf,1\n", "-1", true);
  EXPECT_TRUE(std::isnan(ds.X[1]));
  EXPECT_EQ(ds.X[2], -INFINITY);
  EXPECT_TRUE(ds.classification);
}

}  // namespace
}  // namespace lscan
