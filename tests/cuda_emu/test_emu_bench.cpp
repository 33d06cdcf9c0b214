// The GPU benchmark programs, built for the emulated device (bench_gpu_engine_emu,
// bench_train_emu), run on small problems: they run through every model and precision, their
// check columns (the CUDA result against the CPU's) are within the engine's bounds, and
// benchmarks/compare_targets.py reads bench_gpu_engine's table. Their times mean nothing.
#ifdef LSCAN_BENCH_GPU_ENGINE_EMU

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "engine_suite.h"
#include "file_test_util.h"

namespace lscan::testing {
namespace {

using testing_util::read_bytes;
using testing_util::ScratchDir;

struct ProgramRun {
  int code = -1;
  std::string out;
};

ProgramRun run_program(const std::string& cmd, const ScratchDir& dir) {
  const std::string out = dir.file("out.txt");
  const int status = std::system((cmd + " >\"" + out + "\" 2>&1").c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_bytes(out)};
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(EmuBench, GpuEngineRunsEveryModelAndPrecision) {
  ScratchDir dir;
  const ProgramRun r =
      run_program(std::string("\"") + LSCAN_BENCH_GPU_ENGINE_EMU +
                      "\" --samples 64 --grid 3 --runs 1 --models 784-128-10,20-16-16-16-4",
                  dir);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("device     : cuda:0 lscan emulated device"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("64 samples, 3x3 grid (9 points)"), std::string::npos) << r.out;
  // model prec tile chunk seconds points/s eff eng gemm floor_s floor/t naive/t vs_cpu
  const std::regex row(R"(^(\S+)\s+(fp32|tf32|bf16|fp64)((?:\s+\S+){11})\s*$)");
  std::map<std::string, int> seen;
  for (const std::string& line : lines(r.out)) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    std::istringstream values(m[3].str());
    std::vector<double> v(11);
    for (double& x : v) values >> x;
    ++seen[m[1].str()];
    const Precision p = parse_precision(m[2].str());
    EXPECT_GE(v[0], 9) << line;                     // tile: the whole grid fits
    EXPECT_EQ(v[1], 64) << line;                    // one chunk
    EXPECT_GT(v[3], 0) << line;                     // points/s
    EXPECT_LT(v[10], engine_tolerance(p)) << line;  // vs cpu
  }
  EXPECT_EQ(seen["784-128-10"], 4) << r.out;
  EXPECT_EQ(seen["20-16-16-16-4"], 4) << r.out;

  // compare_targets.py reads the table; this is not the target problem, so it says so.
  const std::string log = dir.file("engine.log");
  testing_util::write_bytes(log, r.out);
  const ProgramRun c =
      run_program("\"" + testing_util::python_path() + "\" \"" + testing_util::tests_dir() +
                      "/../benchmarks/compare_targets.py\" \"" + log + "\" \"" +
                      testing_util::tests_dir() + "/fixtures/bench_logs/peer_torch.log\"",
                  dir);
  EXPECT_EQ(c.code, 1) << c.out;
  EXPECT_NE(c.out.find("MISSED bench_gpu_engine ran the target problem"), std::string::npos)
      << c.out;
  EXPECT_NE(c.out.find("784-128-10             fp32"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("expected"), std::string::npos) << c.out;  // every row parsed
}

TEST(EmuBench, TrainRunsOnTheDeviceAndMatchesTheCpu) {
  ScratchDir dir;
  const ProgramRun r = run_program(std::string("\"") + LSCAN_BENCH_TRAIN_EMU +
                                       "\" --samples 200 --runs 1 --models 20-16-8-4,784-32-10",
                                   dir);
  ASSERT_EQ(r.code, 0) << r.out;
  const std::regex row(R"(^(\S+)\s+cuda:0\s+\S+\s+\S+\s+\S+\s+(\S+)\s*$)");
  int rows = 0;
  for (const std::string& line : lines(r.out)) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    ++rows;
    EXPECT_LT(std::stod(m[2].str()), 1e-10) << line;  // |g_cuda - g_cpu|_inf / |g_cpu|_inf
  }
  EXPECT_EQ(rows, 2) << r.out;
  EXPECT_NE(r.out.find("speed-up over the CPU"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace lscan::testing

#endif  // LSCAN_BENCH_GPU_ENGINE_EMU
