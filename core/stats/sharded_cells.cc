#include "stats/sharded_cells.h"

#include <array>
#include <mutex>
#include <vector>

#include "stats/chunked_array.h"

namespace switchyard::stats {

namespace {

std::atomic<uint64_t> next_serial{1};

}  // namespace

struct ShardedCells::Shard : ChunkedArray<std::atomic<int64_t>, kChunkCells, kMaxChunks> {};

struct ShardedCells::State {
  const uint64_t serial = next_serial.fetch_add(1);
  std::mutex mutex;
  size_t reserved = 0;                                   // guarded by mutex
  std::vector<Shard*> free_shards;                       // guarded by mutex
  std::array<std::atomic<Shard*>, kMaxShards> shards{};  // written under mutex
  std::atomic<size_t> shard_count{0};

  ~State() {
    for (auto& shard : shards) delete shard.load(std::memory_order_relaxed);
  }

  // *owned is false for the shared last shard, which is never given back.
  Shard* acquire(bool* owned) {
    std::lock_guard lock(mutex);
    *owned = true;
    if (!free_shards.empty()) {
      Shard* shard = free_shards.back();
      free_shards.pop_back();
      return shard;
    }
    size_t count = shard_count.load(std::memory_order_relaxed);
    if (count == kMaxShards) {
      *owned = false;
      return shards[kMaxShards - 1].load(std::memory_order_relaxed);
    }
    auto* shard = new Shard;
    shard->growTo(reserved);
    shards[count].store(shard, std::memory_order_release);
    shard_count.store(count + 1, std::memory_order_release);
    return shard;
  }

  void release(Shard* shard) {
    std::lock_guard lock(mutex);
    free_shards.push_back(shard);
  }
};

// The shard this thread records into, for the one ShardedCells it last
// recorded to (in a process there is one: the global registry's; tests that
// make their own simply switch the lease).
struct ShardedCells::ThreadLease {
  uint64_t serial = 0;
  std::shared_ptr<State> state;  // keeps the shard alive until the thread exits
  Shard* shard = nullptr;
  bool owned = false;

  ~ThreadLease() { drop(); }
  void drop() {
    if (state && owned) state->release(shard);
    state.reset();
    shard = nullptr;
    serial = 0;
  }
};

thread_local ShardedCells::ThreadLease ShardedCells::thread_lease_;
thread_local uint64_t ShardedCells::thread_serial_ = 0;
thread_local ShardedCells::Shard* ShardedCells::thread_shard_ = nullptr;

ShardedCells::ShardedCells() : state_(std::make_shared<State>()) {}

ShardedCells::~ShardedCells() = default;

bool ShardedCells::reserve(size_t count) {
  if (count > kCapacity) return false;
  std::lock_guard lock(state_->mutex);
  size_t shards = state_->shard_count.load(std::memory_order_relaxed);
  for (size_t i = 0; i < shards; ++i) state_->shards[i].load(std::memory_order_relaxed)->growTo(count);
  if (count > state_->reserved) state_->reserved = count;
  return true;
}

std::atomic<int64_t>& ShardedCells::local(size_t cell) {
  if (thread_serial_ != state_->serial) {
    // First record of this thread (or first to this instance): once per thread.
    ThreadLease& lease = thread_lease_;
    lease.drop();
    lease.shard = state_->acquire(&lease.owned);
    lease.state = state_;
    lease.serial = state_->serial;
    thread_serial_ = lease.serial;
    thread_shard_ = lease.shard;
  }
  return (*thread_shard_)[cell];
}

int64_t ShardedCells::sum(size_t cell) const {
  int64_t total = 0;
  size_t shards = state_->shard_count.load(std::memory_order_acquire);
  for (size_t i = 0; i < shards; ++i) {
    total += (*state_->shards[i].load(std::memory_order_acquire))[cell].load(std::memory_order_relaxed);
  }
  return total;
}

size_t ShardedCells::shardCount() const { return state_->shard_count.load(std::memory_order_acquire); }

}  // namespace switchyard::stats
