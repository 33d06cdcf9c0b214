// Which compute devices exist, and the choice behind --device auto|cpu|cuda|cuda:N.
#pragma once

#include <string>
#include <vector>

namespace lscan {

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  double total_memory = 0;  // bytes
};

// Empty in CPU-only builds, or where no driver or device is present.
std::vector<CudaDeviceInfo> cuda_devices();

bool cuda_compiled();

// Throws InputError naming --device when this build has no CUDA backend or no usable CUDA device
// has index device_index.
void require_cuda_device(int device_index);

struct DeviceChoice {
  bool cuda = false;
  int index = 0;
  std::string notice;  // one line for the user, e.g. "device: cpu (no CUDA device found)"
};

// This process's rank among the processes of its job on this node, from the launcher's
// environment (OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID, SLURM_LOCALID; the first set to a
// non-negative integer); outside such a job, rank 0 and an empty variable.
struct LocalRank {
  int rank = 0;
  std::string variable;
};
LocalRank local_rank();

// Parses --device. "auto" picks a usable CUDA device, else the CPU with a notice: device 0, or in
// a job with several processes per node device (local rank mod device count), so that they spread
// over the node's GPUs. An explicit cuda or cuda:N with no such device throws InputError (exit
// code 2); cuda means cuda:0.
DeviceChoice choose_device(const std::string& flag);

}  // namespace lscan
