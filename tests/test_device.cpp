// The local rank behind --device auto in jobs with several processes per node
// (host/engine/device.cpp); the device it picks is tested on emulated devices (EmuCli).
#include <gtest/gtest.h>

#include "file_test_util.h"
#include "host/engine/device.h"

namespace lscan {
namespace {

using testing_util::ScopedEnv;

TEST(LocalRank, NoneOutsideAJob) {
  ScopedEnv ompi("OMPI_COMM_WORLD_LOCAL_RANK", nullptr);
  ScopedEnv mpich("MPI_LOCALRANKID", nullptr);
  ScopedEnv slurm("SLURM_LOCALID", nullptr);
  const LocalRank r = local_rank();
  EXPECT_EQ(r.variable, "");
  EXPECT_EQ(r.rank, 0);
}

TEST(LocalRank, OpenMpiThenMpichThenSlurm) {
  ScopedEnv ompi("OMPI_COMM_WORLD_LOCAL_RANK", nullptr);
  ScopedEnv mpich("MPI_LOCALRANKID", nullptr);
  ScopedEnv slurm("SLURM_LOCALID", "5");
  EXPECT_EQ(local_rank().variable, "SLURM_LOCALID");
  EXPECT_EQ(local_rank().rank, 5);
  {
    ScopedEnv m("MPI_LOCALRANKID", "3");
    EXPECT_EQ(local_rank().variable, "MPI_LOCALRANKID");
    EXPECT_EQ(local_rank().rank, 3);
    ScopedEnv o("OMPI_COMM_WORLD_LOCAL_RANK", "0");
    EXPECT_EQ(local_rank().variable, "OMPI_COMM_WORLD_LOCAL_RANK");
    EXPECT_EQ(local_rank().rank, 0);
  }
  EXPECT_EQ(local_rank().variable, "SLURM_LOCALID");
}

// A value that is not a non-negative int is not a rank: the next variable decides.
TEST(LocalRank, ValueThatIsNotARankIsPassedOver) {
  ScopedEnv mpich("MPI_LOCALRANKID", nullptr);
  ScopedEnv slurm("SLURM_LOCALID", "2");
  for (const char* bad : {"", "x", "1x", "-1", " 1", "4294967296", "99999999999999999999"}) {
    SCOPED_TRACE(std::string("'") + bad + "'");
    ScopedEnv ompi("OMPI_COMM_WORLD_LOCAL_RANK", bad);
    EXPECT_EQ(local_rank().variable, "SLURM_LOCALID");
    EXPECT_EQ(local_rank().rank, 2);
  }
}

}  // namespace
}  // namespace lscan
