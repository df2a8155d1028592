// HostSlots: which slot each discovered address holds as answers change —
// stable slots, draining on removal, re-adds back in their own slot, reuse
// only of slots drained earlier with nothing in flight, and overflow.
#include "upstream/host_slots.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace switchyard::upstream {
namespace {

config::EndpointConfig address(const std::string& text, uint32_t weight = 1) {
  config::EndpointConfig endpoint;
  endpoint.text = text;
  endpoint.weight = weight;
  return endpoint;
}

std::vector<config::EndpointConfig> addresses(std::initializer_list<const char*> texts) {
  std::vector<config::EndpointConfig> list;
  for (const char* text : texts) list.push_back(address(text));
  return list;
}

const auto kNothingInFlight = [](size_t) { return false; };

// "10.0.0.1" for an active slot, "~10.0.0.1" for a draining one, "" for empty.
std::vector<std::string> layout(const HostSlots& slots) {
  std::vector<std::string> cells;
  for (size_t slot = 0; slot < slots.size(); ++slot) {
    switch (slots.state(slot)) {
      case SlotState::kEmpty: cells.push_back(""); break;
      case SlotState::kActive: cells.push_back(slots.endpoint(slot).text); break;
      case SlotState::kDraining: cells.push_back("~" + slots.endpoint(slot).text); break;
    }
  }
  return cells;
}

using Layout = std::vector<std::string>;

TEST(HostSlots, NewAddressesTakeTheLowestEmptySlots) {
  HostSlots slots(4);
  HostSlots::Changes changes = slots.assign(addresses({"a", "b"}), kNothingInFlight);
  EXPECT_EQ(changes.added, 2u);
  EXPECT_EQ(layout(slots), (Layout{"a", "b", "", ""}));
  EXPECT_EQ(slots.activeCount(), 2u);
}

TEST(HostSlots, AnAddressThatStaysKeepsItsSlotWhateverTheOrder) {
  HostSlots slots(4);
  slots.assign(addresses({"a", "b", "c"}), kNothingInFlight);
  HostSlots::Changes changes = slots.assign(addresses({"c", "a", "b"}), kNothingInFlight);
  EXPECT_FALSE(changes.membersChanged());
  EXPECT_EQ(layout(slots), (Layout{"a", "b", "c", ""}));
}

TEST(HostSlots, ARemovedAddressDrainsInItsSlot) {
  HostSlots slots(3);
  slots.assign(addresses({"a", "b"}), kNothingInFlight);
  HostSlots::Changes changes = slots.assign(addresses({"b"}), kNothingInFlight);
  EXPECT_EQ(changes.removed, 1u);
  EXPECT_EQ(layout(slots), (Layout{"~a", "b", ""}));
}

TEST(HostSlots, AReAddedAddressGetsItsOwnDrainingSlotBack) {
  HostSlots slots(3);
  slots.assign(addresses({"a", "b"}), kNothingInFlight);
  slots.assign(addresses({"b"}), kNothingInFlight);
  // "c" is listed first but may not take a's slot from it.
  HostSlots::Changes changes = slots.assign(addresses({"c", "a", "b"}), kNothingInFlight);
  EXPECT_EQ(changes.added, 2u);
  EXPECT_EQ(layout(slots), (Layout{"a", "b", "c"}));
}

TEST(HostSlots, EmptySlotsAreUsedBeforeDrainingOnes) {
  HostSlots slots(3);
  slots.assign(addresses({"a", "b"}), kNothingInFlight);
  slots.assign(addresses({"b"}), kNothingInFlight);
  slots.assign(addresses({"b", "c"}), kNothingInFlight);
  EXPECT_EQ(layout(slots), (Layout{"~a", "b", "c"}));
}

TEST(HostSlots, ADrainingSlotIsReusedOnlyWhenNothingIsInFlightThere) {
  HostSlots slots(2);
  slots.assign(addresses({"a", "b"}), kNothingInFlight);
  slots.assign(addresses({"b"}), kNothingInFlight);
  bool busy = true;
  HostSlots::Changes changes = slots.assign(addresses({"b", "c"}), [&](size_t slot) { return slot == 0 && busy; });
  EXPECT_EQ(changes.overflow, 1u);
  EXPECT_EQ(layout(slots), (Layout{"~a", "b"}));
  busy = false;
  changes = slots.assign(addresses({"b", "c"}), [&](size_t slot) { return slot == 0 && busy; });
  EXPECT_EQ(changes.added, 1u);
  EXPECT_EQ(layout(slots), (Layout{"c", "b"}));
}

TEST(HostSlots, ASlotIsNeverReusedInTheRefreshThatDrainedIt) {
  HostSlots slots(1);
  slots.assign(addresses({"a"}), kNothingInFlight);
  HostSlots::Changes changes = slots.assign(addresses({"b"}), kNothingInFlight);
  EXPECT_EQ(changes.removed, 1u);
  EXPECT_EQ(changes.overflow, 1u);
  EXPECT_EQ(layout(slots), (Layout{"~a"}));
  changes = slots.assign(addresses({"b"}), kNothingInFlight);
  EXPECT_EQ(changes.added, 1u);
  EXPECT_EQ(layout(slots), (Layout{"b"}));
}

TEST(HostSlots, AddressesBeyondTheSlotsAreCountedAsOverflow) {
  HostSlots slots(2);
  HostSlots::Changes changes = slots.assign(addresses({"a", "b", "c", "d"}), kNothingInFlight);
  EXPECT_EQ(changes.added, 2u);
  EXPECT_EQ(changes.overflow, 2u);
  EXPECT_EQ(layout(slots), (Layout{"a", "b"}));
}

TEST(HostSlots, ARepeatedAddressCountsOnceWithItsFirstWeight) {
  HostSlots slots(3);
  std::vector<config::EndpointConfig> answer{address("a", 5), address("a", 2)};
  HostSlots::Changes changes = slots.assign(answer, kNothingInFlight);
  EXPECT_EQ(changes.added, 1u);
  EXPECT_EQ(layout(slots), (Layout{"a", "", ""}));
  EXPECT_EQ(slots.endpoint(0).weight, 5u);
}

TEST(HostSlots, AWeightChangeKeepsTheSlot) {
  HostSlots slots(2);
  slots.assign({address("a", 1)}, kNothingInFlight);
  HostSlots::Changes changes = slots.assign({address("a", 3)}, kNothingInFlight);
  EXPECT_EQ(changes.reweighted, 1u);
  EXPECT_EQ(changes.added + changes.removed, 0u);
  EXPECT_EQ(slots.endpoint(0).weight, 3u);
}

}  // namespace
}  // namespace switchyard::upstream
