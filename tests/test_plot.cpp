// PNG pictures through PLplot: a valid PNG of the requested size that depends on the data, bad
// input refused before anything is written, failures that leave no file, and no console output.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "host/core/error.h"
#include "host/plot/plot.h"
#include "host/plot/plplot_png.h"
#include "host/plot/ticks.h"
#include "tests/file_test_util.h"

namespace lscan {
namespace {

namespace fs = std::filesystem;
using testing_util::read_bytes;
using testing_util::ScratchDir;
using testing_util::throws_input_error;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The IHDR chunk follows the 8-byte signature: length (4), "IHDR" (4), width (4), height (4),
// big-endian.
uint32_t be32(const std::string& b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
         (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

::testing::AssertionResult is_png(const std::string& path, uint32_t width, uint32_t height) {
  const std::string b = read_bytes(path);
  if (b.size() < 24)
    return ::testing::AssertionFailure() << path << " has " << b.size() << " bytes";
  if (b.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) != 0)
    return ::testing::AssertionFailure() << path << " lacks the PNG signature";
  if (b.compare(12, 4, "IHDR") != 0)
    return ::testing::AssertionFailure() << path << " lacks the IHDR chunk";
  if (be32(b, 16) != width || be32(b, 20) != height)
    return ::testing::AssertionFailure() << path << " is " << be32(b, 16) << " x " << be32(b, 20)
                                         << ", expected " << width << " x " << height;
  return ::testing::AssertionSuccess();
}

// Names of the entries of `dir`: what a failed write left behind.
std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

// z(x, y) = x^2 - y^2 / 2 on [-1, 1] x [-1, 0.5] (nx = 41, ny = 31): a saddle at the origin.
// The outline marks the disc of radius 0.5 around it.
ContourPlot saddle_plot() {
  ContourPlot p;
  p.title = "x^2 - y^2/2";
  p.xlabel = "alpha";
  p.ylabel = "beta";
  p.x = GridAxis{-1, 1, 41};
  p.y = GridAxis{-1, 0.5, 31};
  for (int ix = 0; ix < p.x.num; ++ix)
    for (int iy = 0; iy < p.y.num; ++iy) {
      const double x = p.x.at(ix), y = p.y.at(iy);
      p.z.push_back(x * x - 0.5 * y * y);
      p.outline.push_back(x * x + y * y < 0.25 ? 1 : 0);
    }
  p.marks = {{0, 0, 2}};
  p.outline_label = "|c| < 0.5";
  return p;
}

TEST(PlotContour, QuadraticSaddleWithOutlineIsAPngOfTheRequestedSize) {
  ScratchDir dir;
  const std::string path = dir.file("saddle.png");
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  plot_contour_png(path, saddle_plot(), 640, 480);
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "");
  EXPECT_EQ(err, "");
  EXPECT_TRUE(is_png(path, 640, 480));
  EXPECT_GT(fs::file_size(path), 5000u);  // colour bands, text and glyphs, not a blank page
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"saddle.png"});
}

TEST(PlotContour, DefaultSizeAndTheImageDependsOnTheData) {
  ScratchDir dir;
  const ContourPlot a = saddle_plot();
  ContourPlot b = a;
  // A double well, x^4/4 - x^2/2 + y^2: minima at x = +-1, the saddle between them.
  for (int ix = 0; ix < b.x.num; ++ix)
    for (int iy = 0; iy < b.y.num; ++iy) {
      const double x = b.x.at(ix), y = b.y.at(iy);
      b.z[static_cast<size_t>(ix * b.y.num + iy)] = std::pow(x, 4) / 4 - x * x / 2 + y * y;
    }
  plot_contour_png(dir.file("a.png"), a);
  plot_contour_png(dir.file("b.png"), b);
  plot_contour_png(dir.file("a2.png"), a);
  EXPECT_TRUE(is_png(dir.file("a.png"), 900, 800));
  EXPECT_TRUE(is_png(dir.file("b.png"), 900, 800));
  EXPECT_NE(read_bytes(dir.file("a.png")), read_bytes(dir.file("b.png")));
  // The same input draws the same picture.
  EXPECT_EQ(read_bytes(dir.file("a.png")), read_bytes(dir.file("a2.png")));
}

TEST(PlotContour, LogScaleMissingValuesAndEveryMarkKind) {
  ScratchDir dir;
  ContourPlot p;
  p.title = "log scale";
  p.x = GridAxis{0, 3, 31};
  p.y = GridAxis{-2, 2, 21};
  for (int ix = 0; ix < p.x.num; ++ix)
    for (int iy = 0; iy < p.y.num; ++iy) {
      const double x = p.x.at(ix), y = p.y.at(iy);
      // Spans about four decades, with a zero (drawn in the lowest colour) and a missing corner.
      double v = 1e-3 + std::pow(10.0, x) * (1 + y * y) - 1;
      if (ix == 0 && iy == 10) v = 0;
      if (ix > 25 && iy > 15) v = kNaN;
      p.z.push_back(v);
    }
  p.log_scale = true;
  p.marks = {{0, 0, 0}, {2.4, 1.6, 1}, {1.5, 0, 2}, {3, -2, 3}};
  const std::string path = dir.file("log.png");
  plot_contour_png(path, p, 800, 700);
  EXPECT_TRUE(is_png(path, 800, 700));
  EXPECT_GT(fs::file_size(path), 5000u);
}

TEST(PlotContour, BadInputIsRefusedAndWritesNothing) {
  ScratchDir dir;
  const std::string path = dir.file("bad.png");
  const auto refuses = [&](const ContourPlot& p, const std::vector<std::string>& parts) {
    return throws_input_error([&] { plot_contour_png(path, p); }, parts);
  };
  ContourPlot p = saddle_plot();
  p.z.pop_back();
  EXPECT_TRUE(refuses(p, {path, "z", "1271", "1270"}));

  p = saddle_plot();
  for (double& v : p.z) v = kNaN;
  EXPECT_TRUE(refuses(p, {path, "z", "finite"}));

  p = saddle_plot();
  p.x = GridAxis{0, 0, 1};
  p.z.assign(static_cast<size_t>(p.y.num), 1.0);
  p.outline.clear();
  EXPECT_TRUE(refuses(p, {path, "x", "at least 2"}));

  p = saddle_plot();
  p.outline.resize(3);
  EXPECT_TRUE(refuses(p, {path, "outline"}));

  p = saddle_plot();
  p.marks = {{0, 0, 7}};
  EXPECT_TRUE(refuses(p, {path, "marks[0]", "kind"}));

  p = saddle_plot();
  for (double& v : p.z) v = -1;
  p.log_scale = true;
  EXPECT_TRUE(refuses(p, {path, "z", "above 0"}));

  EXPECT_TRUE(
      throws_input_error([&] { plot_contour_png(path, saddle_plot(), 10, 800); }, {path, "width"}));
  EXPECT_TRUE(entries(dir.path()).empty());
}

TEST(PlotContour, MissingFolderFailsCleanly) {
  ScratchDir dir;
  const std::string path = dir.file("no/such/folder/plot.png");
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(
      throws_input_error([&] { plot_contour_png(path, saddle_plot()); }, {path, "cannot create"}));
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_TRUE(entries(dir.path()).empty());
  // PLplot is still usable afterwards.
  plot_contour_png(dir.file("after.png"), saddle_plot(), 300, 300);
  EXPECT_TRUE(is_png(dir.file("after.png"), 300, 300));
}

TEST(PlotContour, TargetThatIsAFolderFailsAndLeavesNoTemporaryFile) {
  ScratchDir dir;
  const std::string path = dir.file("taken.png");
  fs::create_directory(path);
  EXPECT_TRUE(throws_input_error([&] { plot_contour_png(path, saddle_plot()); }, {path}));
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"taken.png"});
  EXPECT_TRUE(fs::is_directory(path));
}

TEST(PlotContour, ThreadsTakeTurns) {
  ScratchDir dir;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      plot_contour_png(dir.file("t" + std::to_string(t) + ".png"), saddle_plot(), 400, 300 + t);
    });
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_TRUE(is_png(dir.file("t" + std::to_string(t) + ".png"), 400, 300 + t));
}

// f(t) along a path between two minima: 1 - t + 0.3 sin^2(pi t) with a barrier above the chord.
CurvePlot barrier_curve() {
  CurvePlot p;
  p.title = "interpolation path";
  for (int i = 0; i <= 50; ++i) {
    const double t = i / 50.0;
    p.x.push_back(t);
    p.y.push_back(1 - 0.5 * t + 0.3 * std::pow(std::sin(3.14159265358979 * t), 2));
  }
  p.chord = true;
  p.x0 = 0;
  p.y0 = p.y.front();
  p.x1 = 1;
  p.y1 = p.y.back();
  p.mark_x = {0.56};
  return p;
}

TEST(PlotCurve, CurveWithChordAndMarkerIsAPngOfTheRequestedSize) {
  ScratchDir dir;
  const std::string path = dir.file("curve.png");
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  plot_curve_png(path, barrier_curve());
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_TRUE(is_png(path, 900, 600));
  EXPECT_GT(fs::file_size(path), 5000u);

  // A missing value breaks the line; the picture changes and stays valid.
  CurvePlot gap = barrier_curve();
  gap.y[20] = kNaN;
  gap.y[22] = kNaN;
  plot_curve_png(dir.file("gap.png"), gap, 500, 400);
  EXPECT_TRUE(is_png(dir.file("gap.png"), 500, 400));
}

TEST(PlotCurve, BadInputIsRefusedAndWritesNothing) {
  ScratchDir dir;
  const std::string path = dir.file("bad.png");
  const auto refuses = [&](const CurvePlot& p, const std::vector<std::string>& parts) {
    return throws_input_error([&] { plot_curve_png(path, p); }, parts);
  };
  CurvePlot p = barrier_curve();
  p.y.pop_back();
  EXPECT_TRUE(refuses(p, {path, "y", "51", "50"}));

  p = barrier_curve();
  for (double& v : p.y) v = kNaN;
  EXPECT_TRUE(refuses(p, {path, "y", "finite"}));

  p = barrier_curve();
  p.x = {0.5};
  p.y = {1};
  p.chord = false;
  p.mark_x.clear();
  EXPECT_TRUE(refuses(p, {path, "x", "at least 2"}));

  p = barrier_curve();
  p.x[3] = kNaN;
  EXPECT_TRUE(refuses(p, {path, "x[3]"}));

  p = barrier_curve();
  p.y1 = kNaN;
  EXPECT_TRUE(refuses(p, {path, "chord"}));
  EXPECT_TRUE(entries(dir.path()).empty());
}

// Without the pngcairo driver (here: PLplot pointed at a folder with no drivers at all) the user
// is told what to install, and PLplot does not end the process. In a fresh process (threadsafe
// style): PLplot reads its driver folder once per process.
TEST(PlotDeathTest, MissingPngDriverIsAnInputError) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        ScratchDir dir;
        const std::string path = dir.file("curve.png");
        setenv("PLPLOT_DRV_DIR", dir.path().c_str(), 1);
        bool told = false;
        try {
          plot_curve_png(path, barrier_curve());
        } catch (const InputError& e) {
          told = std::string(e.what()).find("apt-get install plplot-driver-cairo") !=
                 std::string::npos;
        }
        const bool clean = entries(dir.path()).empty();
        fs::remove_all(dir.path());  // exit() skips ScratchDir's destructor
        std::exit(told && clean ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(PlotText, LabelsAreShownAsGiven) {
  // '#' starts PLplot's escapes ("#u" is a superscript): doubled, it is a '#'.
  EXPECT_EQ(plot_detail::plplot_text("run #1, x#u2"), "run ##1, x##u2");
  EXPECT_EQ(plot_detail::plplot_text("a < b & c"), "a < b & c");
}

TEST(PlotTicks, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  using plot_detail::nice_step;
  EXPECT_DOUBLE_EQ(nice_step(1.0, 5), 0.2);
  EXPECT_DOUBLE_EQ(nice_step(2.0, 8), 0.2);     // 0.25 rounds to 0.2
  EXPECT_DOUBLE_EQ(nice_step(3.2, 6), 0.5);     // 0.533
  EXPECT_DOUBLE_EQ(nice_step(0.02, 4), 0.005);  // 0.005
  EXPECT_DOUBLE_EQ(nice_step(20000, 4), 5000);
  EXPECT_DOUBLE_EQ(nice_step(9, 1), 10);
}

TEST(PlotTicks, LabelsCarryTheDigitsTheStepNeeds) {
  using plot_detail::format_tick;
  EXPECT_EQ(format_tick(0.4, 0.2), "0.4");
  EXPECT_EQ(format_tick(-1, 0.2), "-1.0");
  EXPECT_EQ(format_tick(-1e-17, 0.2), "0.0");  // a multiple of 0.2 off zero by rounding
  EXPECT_EQ(format_tick(0.0075, 0.0005), "0.0075");
  EXPECT_EQ(format_tick(10000, 2000), "10000");
  EXPECT_EQ(format_tick(1.5e-5, 5e-6), "1.5e-05");
  EXPECT_EQ(format_tick(3e6, 1e6), "3e+06");
}

TEST(PlotTicks, LinearTicksIncludeTheEnds) {
  const plot_detail::Ticks t = plot_detail::linear_ticks(-1, 0.5, 6);
  EXPECT_DOUBLE_EQ(t.step, 0.2);  // 0.25 rounds to 0.2
  ASSERT_EQ(t.labels, (std::vector<std::string>{"-1.0", "-0.8", "-0.6", "-0.4", "-0.2", "0.0",
                                                "0.2", "0.4"}));
  const plot_detail::Ticks u = plot_detail::linear_ticks(0, 1, 5);
  EXPECT_EQ(u.labels.front(), "0.0");
  EXPECT_EQ(u.labels.back(), "1.0");
}

TEST(PlotTicks, FittedTicksThinOutOnAShortAxis) {
  // 900 pixels hold 8 intervals of "-0.005"-wide labels; 150 pixels hold far fewer.
  const plot_detail::Ticks wide = plot_detail::fitted_ticks(-0.01, 0.01, 900, 15);
  const plot_detail::Ticks narrow = plot_detail::fitted_ticks(-0.01, 0.01, 150, 15);
  EXPECT_GE(wide.at.size(), 5u);
  EXPECT_LT(narrow.at.size(), wide.at.size());
  EXPECT_GE(narrow.at.size(), 2u);
}

TEST(PlotTicks, LogTicksFollowTheRange) {
  using plot_detail::log_ticks;
  // Six decades on a tall bar: every power of ten, written with PLplot's superscript markup.
  const plot_detail::Ticks decades = log_ticks(-3, 3, 600, 15);
  EXPECT_EQ(decades.labels.front(), "10#u-3#d");
  EXPECT_EQ(decades.labels.size(), 7u);
  EXPECT_DOUBLE_EQ(plot_detail::label_chars(decades.labels.front()), 4);
  // Two decades (0.01 to 1): 1, 2 and 5 times powers of ten.
  const plot_detail::Ticks one_two_five = log_ticks(-2, 0, 600, 15);
  EXPECT_EQ(one_two_five.labels,
            (std::vector<std::string>{"0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"}));
  EXPECT_NEAR(one_two_five.at[1], std::log10(0.02), 1e-12);
  // From 1 to 1.15: round values of z, at their logarithms.
  const plot_detail::Ticks round = log_ticks(0, std::log10(1.15), 600, 15);
  ASSERT_GE(round.at.size(), 3u);
  EXPECT_EQ(round.labels.front(), "1.00");
  EXPECT_EQ(round.labels[1], "1.02");
  EXPECT_NEAR(round.at[1], std::log10(1.02), 1e-12);
}

}  // namespace
}  // namespace lscan
