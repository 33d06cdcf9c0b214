// The lscan binary end to end: exit codes, output files, the numbers in them, and bad input
// (exit code 2, a message naming the file and field, no output file).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "file_test_util.h"
#include "host/data/generators.h"
#include "host/engine/reference.h"
#include "host/grid/direction.h"
#include "host/grid/grid.h"
#include "host/io/surface_file.h"
#include "host/model/model_io.h"
#include "host/model/targets.h"

namespace lscan {
namespace {

using testing_util::CliRun;
using testing_util::run_lscan;
using testing_util::ScratchDir;

bool exists(const std::string& p) {
  return std::filesystem::exists(p);
}

const char* kSpec = R"({"input_dim": 2, "layers": [{"type": "linear", "out": 8}, {"type": "tanh"},
  {"type": "linear", "out": 3}], "loss": "cross_entropy"})";
const char* kData = "blobs:n=300,dim=2,classes=3,seed=5";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    testing_util::write_bytes(dir.file("m.json"), kSpec);
    const CliRun r = run_lscan(dir, std::string("train --model m.json --data ") + kData +
                                        " --epochs 50 --weights-dtype f64 --seed 3 --out m");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  ScratchDir dir;
};

TEST_F(Cli, HelpAndUsage) {
  CliRun r = run_lscan(dir, "--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("scan"), std::string::npos);
  r = run_lscan(dir, "scan --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Examples"), std::string::npos);
  EXPECT_NE(r.out.find("--max-memory"), std::string::npos);
  EXPECT_EQ(run_lscan(dir, "").code, 2);
  EXPECT_EQ(run_lscan(dir, "frobnicate").code, 2);
  EXPECT_EQ(run_lscan(dir, "scan --model m.json").code, 2);  // missing required options
  r = run_lscan(dir, "--version");
  EXPECT_EQ(r.code, 0);
  for (const char* part : {"lscan 0.1.0", "CUDA backend: ", "CPU backend: OpenBLAS", "HDF5 1."})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << " in\n" << r.out;
#ifdef LSCAN_HAVE_CUDA
  EXPECT_NE(r.out.find("for sm_"), std::string::npos) << r.out;
#else
  EXPECT_NE(r.out.find("not built"), std::string::npos) << r.out;
#endif
}

TEST_F(Cli, TrainWritesSpecAndWeightsThatLoad) {
  const Model m = load_model(dir.file("m.json"), dir.file("m.safetensors"));
  EXPECT_EQ(m.num_params(), 2 * 8 + 8 + 8 * 3 + 3);
}

// The surface in the file equals the fp64 reference at every grid point.
TEST_F(Cli, ScanWritesTheReferenceSurface) {
  const CliRun r =
      run_lscan(dir, std::string("scan --model m.json --weights m.safetensors --data ") + kData +
                         " --x -1:1:5 --y 0:0.5:3 --precision fp64 --seed 11 "
                         "--norm layer --out s.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "progress printed to a non-terminal";
  const SurfaceFile f = read_surface(dir.file("s.h5"));
  ASSERT_EQ(f.axes.size(), 2u);
  EXPECT_EQ(f.text_attrs.at("precision"), "fp64");
  const Model model = load_model(dir.file("m.json"), dir.file("m.safetensors"));
  const Dataset data = generate_dataset(kData);
  const Targets targets = make_targets(model.spec, data, kData);
  std::vector<Direction> dirs = {random_direction(model, 11, 0, DirNorm::Layer, BiasMode::Ignore),
                                 random_direction(model, 11, 1, DirNorm::Layer, BiasMode::Ignore)};
  ASSERT_EQ(f.directions.size(), 2u);
  EXPECT_EQ(f.directions[0], dirs[0].v);
  EXPECT_EQ(f.directions[1], dirs[1].v);
  const Grid grid{f.axes};
  const auto& loss = f.maps.at("train_loss");
  const auto& acc = f.maps.at("train_acc");
  ASSERT_EQ(static_cast<int64_t>(loss.size()), grid.num_points());
  for (int64_t p = 0; p < grid.num_points(); ++p) {
    double c[2], ref = 0, ref_acc = 0;
    grid.coefficients(p, c);
    reference_evaluate(model, dirs, data, targets, c, &ref, &ref_acc);
    EXPECT_NEAR(loss[p], ref, 1e-12 * std::fabs(ref)) << "point " << p;
    EXPECT_NEAR(acc[p], 100 * ref_acc, 1e-9) << "point " << p;
  }
  std::ifstream js(dir.file("s.json"));
  const nlohmann::json j = nlohmann::json::parse(js);
  EXPECT_EQ(j["precision"], "fp64");
  EXPECT_EQ(j["grid"]["points"], 15);
  EXPECT_DOUBLE_EQ(j["train"]["loss_min"].get<double>(),
                   *std::min_element(loss.begin(), loss.end()));
  EXPECT_GT(j["timing"]["points_per_second"].get<double>(), 0);
  // The origin (the model itself) is on this grid: x = 0 at index 2, y = 0 at index 0.
  EXPECT_DOUBLE_EQ(j["train"]["loss_at_origin"].get<double>(), loss[2 * 3 + 0]);
}

TEST_F(Cli, ModelDifferenceDirectionAndQuietRun) {
  ASSERT_EQ(run_lscan(dir, std::string("train --model m.json --data ") + kData +
                               " --epochs 5 --seed 4 --out b --quiet")
                .code,
            0);
  const CliRun r = run_lscan(dir, std::string("scan --model m.json --weights m.safetensors "
                                              "--model-b b.safetensors --data ") +
                                      kData + " --x 0:1:3 --quiet --out path.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
  const SurfaceFile f = read_surface(dir.file("path.h5"));
  const Model a = load_model(dir.file("m.json"), dir.file("m.safetensors"));
  const Model b = load_model(dir.file("m.json"), dir.file("b.safetensors"));
  ASSERT_EQ(f.directions.size(), 1u);
  for (size_t p = 0; p < a.theta.size(); ++p)
    EXPECT_EQ(f.directions[0][p], b.theta[p] - a.theta[p]);
}

TEST_F(Cli, DirectionsReadBackFromAnEarlierScan) {
  ASSERT_EQ(run_lscan(dir, std::string("scan --model m.json --weights m.safetensors --data ") +
                               kData + " --x -1:1:3 --y -1:1:3 --seed 9 -q --out a.h5")
                .code,
            0);
  ASSERT_EQ(run_lscan(dir, std::string("scan --model m.json --weights m.safetensors --data ") +
                               kData + " --x -1:1:3 --y -1:1:3 --directions a.h5 -q --out b.h5")
                .code,
            0);
  const SurfaceFile a = read_surface(dir.file("a.h5")), b = read_surface(dir.file("b.h5"));
  EXPECT_EQ(a.directions, b.directions);
  EXPECT_EQ(a.maps.at("train_loss"), b.maps.at("train_loss"));
}

struct BadCase {
  std::string args;
  std::vector<std::string> message_parts;
};

TEST_F(Cli, BadInputExitsTwoNamesTheProblemAndWritesNothing) {
  testing_util::write_bytes(dir.file("trunc.safetensors"),
                            testing_util::read_bytes(dir.file("m.safetensors")).substr(0, 100));
  testing_util::write_bytes(dir.file("x.npy"), "not an npy file");
  testing_util::write_bytes(dir.file("small.json"),
                            R"({"input_dim": 2, "layers": [{"type": "linear", "out": 3}],
                                "loss": "cross_entropy"})");
  testing_util::write_bytes(dir.file("huge.json"),
                            R"({"input_dim": 2, "layers": [{"type": "linear", "out": 2000000000}],
                                "loss": "cross_entropy"})");
  const std::string base = "scan --model m.json --weights m.safetensors ";
  const std::vector<BadCase> cases = {
      {base + "--data " + kData + " --x 0:1 --out o.h5", {"--x"}},
      {base + "--data " + kData + " --x 0:1:3 --precision fp16 --out o.h5", {"--precision"}},
      {base + "--data " + kData + " --x 0:1:3 --norm rows --out o.h5", {"--norm"}},
      {base + "--data " + kData + " --x 0:1:3 --z 0:1:3 --out o.h5", {"--z"}},
      {base + "--data " + kData + " --x 0:1:3 --max-memory 12Q --out o.h5", {"--max-memory"}},
      {base + "--data " + kData + " --x 0:1:3 --max-memory 64 --out o.h5", {"--max-memory"}},
      {base + "--data blobs:n=300,classes=5 --x 0:1:3 --out o.h5", {"labels", "out of range"}},
      {base + "--data blobs:n=300,dim=4 --x 0:1:3 --out o.h5", {"features"}},
      {base + "--data nosuch.npy --labels y.npy --x 0:1:3 --out o.h5", {"nosuch.npy"}},
      {base + "--data x.npy --labels x.npy --x 0:1:3 --out o.h5", {"x.npy"}},
      {"scan --model m.json --weights trunc.safetensors --data " + std::string(kData) +
           " --x 0:1:3 --out o.h5",
       {"trunc.safetensors"}},
      {"scan --model small.json --weights m.safetensors --data " + std::string(kData) +
           " --x 0:1:3 --out o.h5",
       {"m.safetensors", "2.weight"}},
      {base + "--data " + kData + " --x 0:1:3 --model-b nosuch.safetensors --out o.h5",
       {"nosuch.safetensors"}},
      {base + "--data " + kData + " --x 0:1:3 --directions m.json --out o.h5", {"--directions"}},
      {base + "--data " + kData + " --x 0:1:3 --device cuda:7 --out o.h5", {"--device"}},
      {"train --model m.json --data " + std::string(kData) + " --lr -1 --out t", {"--lr"}},
      {"train --model m.json --data " + std::string(kData) + " --optimizer sgd --out t",
       {"--optimizer"}},
      {"train --model m.json --data " + std::string(kData) + " --device cuda:7 --out t",
       {"--device", "cuda:7"}},
      {base + "--data " + kData + " --x 0:1:1000000 --y 0:1:1000000 --z 0:1:1000000 --out o.h5",
       {"--z", "1000000 x 1000000 x 1000000", "at most 2147483647"}},
      // Numbers out of range, NaN and infinity: each an error before anything is computed.
      {base + "--data " + kData + " --x 0:1:3 --tile -5 --out o.h5", {"--tile", "-5"}},
      {base + "--data " + kData + " --x 0:1:3 --curvature-dirs 1000000000 --out o.h5",
       {"--curvature-dirs", "0 to 10000"}},
      {base + "--data " + kData + " --x 0:1:3 --curvature-step nan --out o.h5",
       {"--curvature-step", "nan"}},
      {base + "--data " + kData + " --x 0:1:3 --curvature-step inf --out o.h5",
       {"--curvature-step", "inf"}},
      {base + "--data " + kData + " --x 0:1:3 --y 0:1:3 --jensen-pairs -1 --out o.h5",
       {"--jensen-pairs", "-1"}},
      {base + "--data " + kData + " --x 0:1:3 --tau-factor nan --out o.h5",
       {"--tau-factor", "nan"}},
      {base + "--data " + kData + " --x 0:1:3 --tau-factor -1 --out o.h5", {"--tau-factor", "-1"}},
      {base + "--data " + kData + " --x 0:1:3 --test-fraction nan --out o.h5",
       {"--test-fraction", "nan"}},
      {base + "--data " + kData + " --x 0:1:3 --test-fraction -0.2 --out o.h5",
       {"--test-fraction", "-0.2"}},
      {base + "--data " + kData + " --x 0:1:3 --max-memory 1e300 --out o.h5",
       {"--max-memory", "1024T"}},
      {"train --model m.json --data " + std::string(kData) + " --test-fraction nan --out t",
       {"--test-fraction", "nan"}},
      // Weights of order 1e300 after a step with learning rate 1e300 do not fit the F32 file.
      {"train --model m.json --data " + std::string(kData) +
           " --optimizer gd --lr 1e300 --epochs 20 --out t",
       {"t.safetensors", "beyond the range of F32", "--weights-dtype f64"}},
      // Outputs that cannot be written fail before the scan, and leave no surface behind.
      {base + "--data " + kData + " --x 0:1:3 --out nodir/o.h5", {"nodir/o.h5", "does not exist"}},
      {base + "--data " + kData + " --x 0:1:3 --out o.h5 --summary nodir/s.json",
       {"--summary", "does not exist"}},
      {"train --model m.json --data " + std::string(kData) + " --out nodir/t",
       {"nodir/t.json", "--out"}},
      // Errors in the test set name the test options.
      {base + "--data " + kData + " --x 0:1:3 --test-data blobs:n=0 --out o.h5",
       {"--test-data", "'blobs:n=0'", "n:"}},
      {base + "--data " + kData + " --x 0:1:3 --test-data x.npy --out o.h5",
       {"x.npy", "--test-labels"}},
      {"train --model huge.json --data " + std::string(kData) + " --out t",
       {"huge.json", "layers[0].out", "at most 2147483647"}},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.args);
    const CliRun r = run_lscan(dir, c.args);
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_NE(r.err.find("lscan: error: "), std::string::npos) << r.err;
    for (const std::string& part : c.message_parts)
      EXPECT_NE(r.err.find(part), std::string::npos) << "message lacks '" << part << "': " << r.err;
    EXPECT_FALSE(exists(dir.file("o.h5")));
    EXPECT_FALSE(exists(dir.file("o.h5.tmp")));
    EXPECT_FALSE(exists(dir.file("o.json")));
    EXPECT_FALSE(exists(dir.file("t.safetensors")));
  }
}

// A model that does not fit the memory (400M parameters, 3.2 GB of fp64 weights, under a 2 GB
// address-space limit) is reported as such, exit code 1, not as an internal error.
TEST_F(Cli, OutOfHostMemoryIsReportedAsSuch) {
  testing_util::write_bytes(dir.file("big.json"),
                            R"({"input_dim": 20000, "layers": [{"type": "linear", "out": 20000}],
                                "loss": "mse"})");
  const std::string cmd = "cd '" + dir.path() + "' && ulimit -v 2000000 && " +
                          testing_util::lscan_binary() +
                          " train --model big.json --data blobs:n=10,dim=20000 --epochs 1 -q"
                          " --out t 2>err.txt";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string err = testing_util::read_bytes(dir.file("err.txt"));
  EXPECT_NE(err.find("lscan: error: out of host memory"), std::string::npos) << err;
  EXPECT_EQ(err.find("internal error"), std::string::npos) << err;
  EXPECT_FALSE(exists(dir.file("t.safetensors")));
}

// A permuted copy has the same loss; the straight path between the two climbs above both.
TEST_F(Cli, PermutedCopyHasTheSameLossAndABarrierBetween) {
  ASSERT_EQ(
      run_lscan(dir, "permute --model m.json --weights m.safetensors --seed 2 -q --out p").code, 0);
  const CliRun r = run_lscan(dir, std::string("scan --model m.json --weights m.safetensors "
                                              "--model-b p.safetensors --data ") +
                                      kData + " --x 0:1:11 --precision fp64 -q --out path.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  const SurfaceFile f = read_surface(dir.file("path.h5"));
  const auto& loss = f.maps.at("train_loss");
  EXPECT_NEAR(loss.back(), loss.front(), 1e-12 * loss.front());
  EXPECT_GT(*std::max_element(loss.begin(), loss.end()), loss.front() * (1 + 1e-6));
}

// A surface written the way loss-landscape writes one (coordinates and train_loss only):
// lscan analyze draws the verdict, lscan plot draws it.
TEST_F(Cli, AnalyzeAndPlotAForeignSurface) {
  for (const bool concave : {false, true}) {
    SurfaceFile f;
    f.axes = {GridAxis{-1, 1, 21}, GridAxis{-1, 1, 21}};
    std::vector<double> loss;
    for (double x : f.axes[0].coordinates())
      for (double y : f.axes[1].coordinates())
        loss.push_back(concave ? 5 - x * x - 0.5 * y * y : 1 + x * x + 0.5 * y * y + 0.2 * x * y);
    f.maps["train_loss"] = loss;
    write_surface(dir.file("ll.h5"), f);
    const CliRun r = run_lscan(dir, "analyze ll.h5 --out analyzed.h5");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("assuming fp32 rounding"), std::string::npos) << r.err;
    std::ifstream js(dir.file("ll_analysis.json"));
    const nlohmann::json j = nlohmann::json::parse(js);
    EXPECT_EQ(j["analysis"]["train"]["convex_within_noise"].get<bool>(), !concave);
    EXPECT_EQ(j["analysis"]["train"]["critical_points"]["minima"].get<int>(), concave ? 0 : 1);
    const SurfaceFile analyzed = read_surface(dir.file("analyzed.h5"));
    EXPECT_EQ(analyzed.maps.count("train_lambda_min"), 1u);
    ASSERT_EQ(run_lscan(dir, "plot analyzed.h5 -q").code, 0);
    EXPECT_TRUE(exists(dir.file("analyzed_train_loss.png")));
    EXPECT_TRUE(exists(dir.file("analyzed_train_lambda_min.png")));
  }
  EXPECT_EQ(run_lscan(dir, "analyze nosuch.h5").code, 2);
  for (const char* bad :
       {"--noise-relative nan", "--noise-absolute inf", "--tau-factor -2", "--jensen-pairs -3"}) {
    const CliRun r = run_lscan(dir, std::string("analyze ll.h5 -q --summary bad.json ") + bad);
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find(std::string(bad).substr(0, std::string(bad).find(' '))), std::string::npos)
        << r.err;
    EXPECT_FALSE(exists(dir.file("bad.json"))) << bad;
  }
  EXPECT_EQ(run_lscan(dir, "plot m.json").code, 2);
}

// The scan's analysis: in the JSON summary and as maps in the surface file.
TEST_F(Cli, ScanAnalysisGoesIntoSummaryAndFile) {
  const CliRun r =
      run_lscan(dir, std::string("scan --model m.json --weights m.safetensors --data ") + kData +
                         " --x -1:1:9 --y -1:1:9 --curvature-dirs 3 "
                         "--curvature-every 4 --out a.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("verdict (train loss)"), std::string::npos) << r.out;
  std::ifstream js(dir.file("a.json"));
  const nlohmann::json j = nlohmann::json::parse(js);
  const auto& a = j["analysis"]["train"];
  for (const char* key : {"verdict", "convex_within_noise", "reasons", "points", "nonfinite_points",
                          "noise", "curvature", "jensen", "critical_points", "beyond_plane"})
    EXPECT_TRUE(a.contains(key)) << key;
  EXPECT_EQ(a["beyond_plane"]["directions"].get<int>(), 3);
  EXPECT_EQ(a["beyond_plane"]["points"].get<int>(), 9);  // every 4th of 9 along each axis: 3 x 3
  EXPECT_GT(a["noise"]["measured_fp64"]["points"].get<int>(), 0);
  const SurfaceFile f = read_surface(dir.file("a.h5"));
  for (const char* map :
       {"train_lambda_min", "train_critical_kind", "train_basin", "train_probe_trace"})
    EXPECT_EQ(f.maps.count(map), 1u) << map;
  EXPECT_EQ(f.text_attrs.count("train_verdict"), 1u);
}

TEST_F(Cli, DemoRunsWithoutInput) {
  const CliRun r = run_lscan(dir, "demo --out-dir demo --grid 9");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("logistic regression"), std::string::npos);
  EXPECT_NE(r.out.find("MLP"), std::string::npos);
  for (const char* f : {"demo/logreg.h5", "demo/mlp.h5", "demo/logreg_summary.json",
                        "demo/mlp.safetensors", "demo/mlp.json"})
    EXPECT_TRUE(exists(dir.file(f))) << f;
  const SurfaceFile s = read_surface(dir.file("demo/mlp.h5"));
  EXPECT_EQ(s.maps.at("train_loss").size(), 81u);
}

}  // namespace
}  // namespace lscan
