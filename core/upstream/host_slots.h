// HostSlots: which address holds which host slot of a discovered cluster,
// decided on the control loop at each refresh. A cluster has a fixed number
// of slots (max_hosts), and a host keeps its slot for as long as it stays,
// so every per-host index (each worker's HostSet and pools, shared health
// state) keeps meaning the same host.
//
// The rules of assign():
//  - an address still present keeps its slot (its weight may change);
//  - an address that left makes its slot draining: no new requests, those
//    in flight finish;
//  - an address that (re)appears takes, in this order: its own draining
//    slot (its pools are still warm), an empty slot, or a slot that was
//    already draining before this refresh and has no request in flight on
//    any worker (`busy` says), the lowest index first; with none left it is
//    ignored and counted as overflow.
// A slot is never reused in the refresh that drained it: a worker that had
// not yet seen the removal may still be starting a request there, and one
// refresh interval is far longer than that takes.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "config/proxy_config.h"

namespace switchyard::upstream {

enum class SlotState { kEmpty, kActive, kDraining };

class HostSlots {
 public:
  struct Changes {
    size_t added = 0;     // addresses that took a slot (re-added ones too)
    size_t removed = 0;   // addresses whose slot began draining
    size_t overflow = 0;  // addresses ignored: every slot taken
    size_t reweighted = 0;  // addresses that stayed with another weight

    bool membersChanged() const { return added + removed + reweighted > 0; }
  };

  explicit HostSlots(size_t slot_count);

  // `addresses` is the cluster's whole answer; a repeated address (same
  // text) counts once, with its first weight. `busy(slot)`: whether a
  // request is still in flight on a draining slot.
  Changes assign(const std::vector<config::EndpointConfig>& addresses, const std::function<bool(size_t)>& busy);

  size_t size() const { return slots_.size(); }
  SlotState state(size_t slot) const { return slots_[slot].state; }
  // The slot's address: the member's, or for a draining slot the one that left.
  const config::EndpointConfig& endpoint(size_t slot) const { return slots_[slot].endpoint; }
  size_t activeCount() const;

 private:
  struct Slot {
    SlotState state = SlotState::kEmpty;
    config::EndpointConfig endpoint;
  };

  // The lowest slot that `matches`, or size() when none does.
  size_t firstSlot(const std::function<bool(size_t)>& matches) const;
  // The slot whose address is `text` in `state`, or size() when none is.
  size_t find(const std::string& text, SlotState state) const;

  std::vector<Slot> slots_;
};

}  // namespace switchyard::upstream
