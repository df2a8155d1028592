// ShardedCells: the int64 cells behind every metric series, one copy (shard)
// per recording thread, summed when read.
//
// Why: one shared atomic per metric makes every worker's increment bounce
// the same cache line between cores. Here a thread adds to its own shard
// (an uncontended relaxed add, no lock, no allocation); a reader sums the
// shards. A thread takes a shard the first time it records and gives it
// back when it exits; the values stay in the shard and the next thread that
// takes it adds to them, so sums never go back. Past kMaxShards live
// threads, the rest share the last shard (still correct: every cell is an
// atomic).
//
// Cells are reserved on the control side (config load) for every shard at
// once, so the request path never grows anything.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace switchyard::stats {

class ShardedCells {
 public:
  static constexpr size_t kChunkCells = 4096;
  static constexpr size_t kMaxChunks = 1024;
  static constexpr size_t kCapacity = kChunkCells * kMaxChunks;
  static constexpr size_t kMaxShards = 64;

  ShardedCells();
  ~ShardedCells();
  ShardedCells(const ShardedCells&) = delete;
  ShardedCells& operator=(const ShardedCells&) = delete;

  // Makes cells [0, count) exist in every shard, present and future; false
  // past kCapacity. Callers serialise reserve().
  bool reserve(size_t count);
  // The calling thread's copy of a reserved cell.
  std::atomic<int64_t>& local(size_t cell);
  // A reserved cell summed over every shard.
  int64_t sum(size_t cell) const;
  // Shards taken so far (by live or exited threads).
  size_t shardCount() const;

 private:
  struct State;
  struct Shard;
  struct ThreadLease;
  // The lease gives the shard back when its thread exits; the two plain
  // copies beside it are what record() reads, since a thread_local with a
  // destructor costs an initialisation check on every access.
  static thread_local ThreadLease thread_lease_;
  static thread_local uint64_t thread_serial_;
  static thread_local Shard* thread_shard_;
  std::shared_ptr<State> state_;
};

}  // namespace switchyard::stats
