// benchmarks/compare_targets.py, which judges the GPU targets from the logs of bench_gpu_engine and
// peer_torch.py, on hand-made logs in their formats: 784-128-10 fp32 takes 0.080 s for 10201
// points (127512.5 points/s), 127.5x a loop of 1000 points/s but only 8.5x a vmap batch of 15000;
// the deep model is at 1/0.60 = 1.67x its floor in fp32 and 2.50x in bf16.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>

#include "tests/file_test_util.h"

namespace lscan {
namespace {

using testing_util::read_bytes;
using testing_util::ScratchDir;

struct ScriptRun {
  int code = -1;
  std::string out;
};

ScriptRun compare(const std::string& engine_log, const std::string& peer_log) {
  ScratchDir dir;
  const std::string out = dir.file("out.txt");
  const std::string cmd = "\"" + testing_util::python_path() + "\" \"" + testing_util::tests_dir() +
                          "/../benchmarks/compare_targets.py\" \"" + engine_log + "\" \"" +
                          peer_log + "\" >\"" + out + "\" 2>&1";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_bytes(out)};
}

TEST(CompareTargets, JudgesEveryTargetFromTheLogs) {
  const std::string logs = testing_util::tests_dir() + "/fixtures/bench_logs/";
  const ScriptRun r = compare(logs + "bench_gpu_engine.log", logs + "peer_torch.log");
  EXPECT_EQ(r.code, 1) << r.out;  // two targets are missed
  for (const char* line : {"met    784-128-10 fp32 in 0.080 s < 0.1 s",
                           "met    784-128-10 fp32 127.5x the PyTorch loop >= 100x",
                           "MISSED 784-128-10 fp32 8.5x the vmap batch >= 10x",
                           "met    784-512-512-512-10 fp32 at 1.67x its FLOP floor <= 2x",
                           "MISSED 784-512-512-512-10 bf16 at 2.50x its FLOP floor <= 2x"})
    EXPECT_NE(r.out.find(line), std::string::npos) << "missing '" << line << "' in\n" << r.out;
  // The side-by-side table: lscan, the loop and the ratio for the deep model in fp32.
  EXPECT_NE(r.out.find("3400.3        50.0     68.0"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("ran the target problem"), std::string::npos) << r.out;
}

TEST(CompareTargets, MissingRowsAndOtherProblemsAreMisses) {
  ScratchDir dir;
  const std::string engine = dir.file("engine.log"), peer = dir.file("peer.log");
  testing_util::write_bytes(engine,
                            "problem    : relu MLPs, cross_entropy, 500 samples, 5x5 grid\n");
  testing_util::write_bytes(peer, "");
  const ScriptRun r = compare(engine, peer);
  EXPECT_EQ(r.code, 1) << r.out;
  for (const char* line : {"MISSED bench_gpu_engine ran the target problem",
                           "MISSED peer_torch.py ran the target problem",
                           "MISSED bench_gpu_engine has a 784-128-10 fp32 row",
                           "MISSED bench_gpu_engine has 784-512-512-512-10 rows"})
    EXPECT_NE(r.out.find(line), std::string::npos) << "missing '" << line << "' in\n" << r.out;
}

}  // namespace
}  // namespace lscan
