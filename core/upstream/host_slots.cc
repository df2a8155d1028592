#include "upstream/host_slots.h"

#include <unordered_set>

namespace switchyard::upstream {

HostSlots::HostSlots(size_t slot_count) : slots_(slot_count) {}

size_t HostSlots::firstSlot(const std::function<bool(size_t)>& matches) const {
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    if (matches(slot)) return slot;
  }
  return slots_.size();
}

size_t HostSlots::find(const std::string& text, SlotState state) const {
  return firstSlot([&](size_t slot) { return slots_[slot].state == state && slots_[slot].endpoint.text == text; });
}

size_t HostSlots::activeCount() const {
  size_t active = 0;
  for (const Slot& slot : slots_) active += slot.state == SlotState::kActive ? 1 : 0;
  return active;
}

HostSlots::Changes HostSlots::assign(const std::vector<config::EndpointConfig>& addresses,
                                     const std::function<bool(size_t)>& busy) {
  Changes changes;
  // Decided before this refresh drains anything (see the header).
  std::vector<bool> reclaimable(slots_.size(), false);
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    reclaimable[slot] = slots_[slot].state == SlotState::kDraining && !busy(slot);
  }

  std::vector<const config::EndpointConfig*> wanted;
  std::unordered_set<std::string> seen;
  for (const auto& address : addresses) {
    if (seen.insert(address.text).second) wanted.push_back(&address);
  }

  std::vector<const config::EndpointConfig*> unplaced;
  for (const config::EndpointConfig* address : wanted) {
    size_t slot = find(address->text, SlotState::kActive);
    if (slot == slots_.size()) {
      unplaced.push_back(address);
    } else if (slots_[slot].endpoint.weight != address->weight) {
      slots_[slot].endpoint.weight = address->weight;
      ++changes.reweighted;
    }
  }
  for (Slot& slot : slots_) {
    if (slot.state == SlotState::kActive && !seen.contains(slot.endpoint.text)) {
      slot.state = SlotState::kDraining;
      ++changes.removed;
    }
  }

  // First every address back in its own draining slot, so that another new
  // address cannot take that slot from it.
  std::vector<const config::EndpointConfig*> homeless;
  for (const config::EndpointConfig* address : unplaced) {
    size_t slot = find(address->text, SlotState::kDraining);
    if (slot == slots_.size()) {
      homeless.push_back(address);
      continue;
    }
    slots_[slot] = Slot{SlotState::kActive, *address};
    ++changes.added;
  }
  for (const config::EndpointConfig* address : homeless) {
    size_t slot = firstSlot([&](size_t candidate) { return slots_[candidate].state == SlotState::kEmpty; });
    if (slot == slots_.size()) {
      slot = firstSlot([&](size_t candidate) {
        return reclaimable[candidate] && slots_[candidate].state == SlotState::kDraining;
      });
    }
    if (slot == slots_.size()) {
      ++changes.overflow;
      continue;
    }
    slots_[slot] = Slot{SlotState::kActive, *address};
    ++changes.added;
  }
  return changes;
}

}  // namespace switchyard::upstream
