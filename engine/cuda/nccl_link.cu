#include "engine/cuda/nccl_link.hpp"
#include "spec/error.hpp"

#include <cstring>
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <nccl.h>

namespace myelin::cuda {
namespace {

// The entry points used, looked up once in the loaded library.
struct nccl_api {
  ncclResult_t (*get_unique_id)(ncclUniqueId*) = nullptr;
  ncclResult_t (*comm_init_rank)(ncclComm_t*, int, ncclUniqueId, int) = nullptr;
  ncclResult_t (*comm_destroy)(ncclComm_t) = nullptr;
  ncclResult_t (*group_start)() = nullptr;
  ncclResult_t (*group_end)() = nullptr;
  ncclResult_t (*send)(const void*, std::size_t, ncclDataType_t, int, ncclComm_t, cudaStream_t) = nullptr;
  ncclResult_t (*recv)(void*, std::size_t, ncclDataType_t, int, ncclComm_t, cudaStream_t) = nullptr;
  const char* (*error_string)(ncclResult_t) = nullptr;
  std::string failure; // why loading failed, "" when it worked
};

template <class F>
void find(void* library, const char* name, F& entry, std::string& failure) {
  entry = reinterpret_cast<F>(dlsym(library, name));
  if (!entry && failure.empty())
    failure = std::string("libnccl.so.2 has no ") + name;
}

const nccl_api& api() {
  static const nccl_api loaded = [] {
    nccl_api a;
    void* library = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
#ifdef MYELIN_NCCL_LIBRARY_DIR
    if (!library)
      library = dlopen(MYELIN_NCCL_LIBRARY_DIR "/libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
#endif
    if (!library) {
      const char* why = dlerror();
      a.failure = std::string("cannot load libnccl.so.2: ") + (why ? why : "not found");
      return a;
    }
    find(library, "ncclGetUniqueId", a.get_unique_id, a.failure);
    find(library, "ncclCommInitRank", a.comm_init_rank, a.failure);
    find(library, "ncclCommDestroy", a.comm_destroy, a.failure);
    find(library, "ncclGroupStart", a.group_start, a.failure);
    find(library, "ncclGroupEnd", a.group_end, a.failure);
    find(library, "ncclSend", a.send, a.failure);
    find(library, "ncclRecv", a.recv, a.failure);
    find(library, "ncclGetErrorString", a.error_string, a.failure);
    return a;
  }();
  return loaded;
}

std::string describe(ncclResult_t rc) {
  return api().error_string ? api().error_string(rc) : "NCCL error " + std::to_string(static_cast<int>(rc));
}

void check(ncclResult_t rc, const char* call) {
  if (rc != ncclSuccess)
    throw error(std::string(call) + " failed: " + describe(rc));
}

} // namespace

bool nccl_link::loadable(std::string& why_not) {
  why_not = api().failure;
  return why_not.empty();
}

std::unique_ptr<nccl_link> nccl_link::open(int rank, int size,
                                           const std::function<void(std::vector<std::byte>&)>& share,
                                           std::string& why_not) {
  const nccl_api& a = api();
  ncclUniqueId id{};
  std::vector<std::byte> bytes(sizeof id);
  if (rank == 0) {
    if (!a.failure.empty()) {
      why_not = a.failure;
      bytes.clear(); // tells every rank
    } else if (const ncclResult_t rc = a.get_unique_id(&id); rc != ncclSuccess) {
      why_not = "ncclGetUniqueId failed: " + describe(rc);
      bytes.clear(); // tells every rank
    } else {
      std::memcpy(bytes.data(), &id, sizeof id);
    }
  }
  share(bytes);
  if (bytes.size() != sizeof id) {
    if (why_not.empty())
      why_not = "rank 0 could not make an NCCL id";
    return nullptr;
  }
  if (!a.failure.empty()) { // the callers agreed on loadable() first: never here
    why_not = a.failure;
    return nullptr;
  }
  std::memcpy(&id, bytes.data(), sizeof id);
  ncclComm_t comm = nullptr;
  if (const ncclResult_t rc = a.comm_init_rank(&comm, size, id, rank); rc != ncclSuccess) {
    why_not = "ncclCommInitRank failed: " + describe(rc);
    return nullptr;
  }
  std::unique_ptr<nccl_link> link(new nccl_link());
  link->comm_ = comm;
  return link;
}

nccl_link::~nccl_link() {
  if (comm_)
    api().comm_destroy(static_cast<ncclComm_t>(comm_));
}

void nccl_link::exchange(const std::uint64_t* send, const std::vector<int>& send_counts, std::uint64_t* recv,
                         const std::vector<int>& recv_counts, void* stream) {
  const nccl_api& a = api();
  const auto comm = static_cast<ncclComm_t>(comm_);
  const auto s = static_cast<cudaStream_t>(stream);
  check(a.group_start(), "ncclGroupStart");
  std::size_t sent = 0, received = 0;
  for (std::size_t r = 0; r < send_counts.size(); ++r) {
    const auto out = static_cast<std::size_t>(send_counts[r]), in = static_cast<std::size_t>(recv_counts[r]);
    if (out > 0)
      check(a.send(send + sent, out, ncclUint64, static_cast<int>(r), comm, s), "ncclSend");
    if (in > 0)
      check(a.recv(recv + received, in, ncclUint64, static_cast<int>(r), comm, s), "ncclRecv");
    sent += out;
    received += in;
  }
  check(a.group_end(), "ncclGroupEnd");
  if (const cudaError_t rc = cudaStreamSynchronize(s); rc != cudaSuccess)
    throw error(std::string("cudaStreamSynchronize after the NCCL exchange failed: ") +
                cudaGetErrorString(rc));
}

} // namespace myelin::cuda
