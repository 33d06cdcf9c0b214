#include "host/engine/device.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "host/core/error.h"

namespace lscan {

#ifndef LSCAN_HAVE_CUDA
std::vector<CudaDeviceInfo> cuda_devices() {
  return {};
}
bool cuda_compiled() {
  return false;
}
#else
bool cuda_compiled() {
  return true;
}
#endif

void require_cuda_device(int device_index) {
  if (!cuda_compiled())
    input_error("", "--device",
                "this build has no CUDA backend (nvcc was not found when it was built); use "
                "--device cpu");
  const auto devices = cuda_devices();
  if (devices.empty())
    input_error("", "--device",
                "no usable CUDA device was found (no device, no driver, or CUDA_VISIBLE_DEVICES "
                "hides them); use --device cpu");
  if (device_index < 0 || device_index >= static_cast<int>(devices.size()))
    input_error("", "--device",
                "cuda:" + std::to_string(device_index) + " asked for, but " +
                    std::to_string(devices.size()) + " CUDA device(s) are usable");
}

LocalRank local_rank() {
  // Open MPI, MPICH/Intel MPI, then Slurm's srun: each process of a job learns its rank on this
  // node from the launcher, so that processes sharing a node can take different GPUs.
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value < '0' || *value > '9') continue;  // unset, empty, signed, ..
    char* end = nullptr;
    errno = 0;
    const long rank = std::strtol(value, &end, 10);
    if (*end != '\0' || errno != 0 || rank > INT_MAX) continue;  // not a rank
    return {static_cast<int>(rank), name};
  }
  return {};
}

DeviceChoice choose_device(const std::string& flag) {
  DeviceChoice c;
  if (flag == "cpu") {
    c.notice = "device: cpu";
    return c;
  }
  const auto devices = cuda_devices();
  if (flag == "auto") {
    if (devices.empty()) {
      c.notice = cuda_compiled() ? "device: cpu (no usable CUDA device found)"
                                 : "device: cpu (this build has no CUDA backend)";
      return c;
    }
    c.cuda = true;
    const LocalRank rank = local_rank();
    const int count = static_cast<int>(devices.size());
    c.index = rank.rank % count;  // rank 0 outside a job
    c.notice = "device: cuda:" + std::to_string(c.index) + " (" + devices[c.index].name + ")";
    if (!rank.variable.empty() && count > 1)
      c.notice += ", chosen by local rank " + std::to_string(rank.rank) + " (" + rank.variable +
                  ") among " + std::to_string(count) + " devices";
    return c;
  }
  if (flag == "cuda" || flag.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (flag.size() > 5) {
      try {
        size_t used = 0;
        index = std::stoi(flag.substr(5), &used);
        if (used != flag.size() - 5 || index < 0) throw std::invalid_argument("index");
      } catch (const std::exception&) {
        input_error("", "--device", "expected auto, cpu, cuda or cuda:N, got '" + flag + "'");
      }
    }
    if (!cuda_compiled())
      input_error("", "--device",
                  "'" + flag + "' asked for, but this build has no CUDA backend " +
                      "(nvcc was not found when it was built)");
    if (index >= static_cast<int>(devices.size()))
      input_error("", "--device",
                  "'" + flag + "' asked for, but " + std::to_string(devices.size()) +
                      " CUDA device(s) are usable");
    c.cuda = true;
    c.index = index;
    c.notice = "device: cuda:" + std::to_string(index) + " (" + devices[index].name + ")";
    return c;
  }
  input_error("", "--device", "expected auto, cpu, cuda or cuda:N, got '" + flag + "'");
}

}  // namespace lscan
