// stableHash: a 64-bit hash of bytes that every build, platform and run
// computes the same way, for what must agree between workers, processes and
// releases — the hash keys of requests and the places of hosts in the
// hash-based load balancers. std::hash promises none of that.
//
// FNV-1a over the bytes, then a final avalanche (the finalizer of
// splitmix64): FNV-1a alone leaves short keys that differ in one byte close
// together in the high bits, which a ring lookup or a modulus would expose.
#pragma once

#include <cstdint>
#include <string_view>

namespace switchyard {

// Spreads every input bit over all 64 output bits; a bijection, so distinct
// inputs stay distinct.
constexpr uint64_t mixBits(uint64_t value) {
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
  return value ^ (value >> 31);
}

// `seed` gives independent hashes of the same bytes (Maglev needs two).
constexpr uint64_t stableHash(std::string_view bytes, uint64_t seed = 0) {
  uint64_t hash = 0xcbf29ce484222325ull ^ mixBits(seed);  // FNV-1a offset basis, seeded
  for (char c : bytes) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 0x100000001b3ull;  // FNV-1a 64-bit prime
  }
  return mixBits(hash);
}

}  // namespace switchyard
