#include "upstream/host_identity.h"

#include <string>
#include <unordered_map>

#include "common/stable_hash.h"

namespace switchyard::upstream {

std::vector<uint64_t> hostIdentities(const HostSet& hosts) {
  std::vector<uint64_t> identities;
  identities.reserve(hosts.size());
  std::unordered_map<std::string, uint64_t> earlier_listings;  // address → listings seen so far
  for (size_t host = 0; host < hosts.size(); ++host) {
    const std::string& address = hosts.endpoint(host).text;
    identities.push_back(stableHash(address, earlier_listings[address]++));
  }
  return identities;
}

}  // namespace switchyard::upstream
