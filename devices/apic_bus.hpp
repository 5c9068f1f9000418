// Interrupt messages between x86 interrupt controllers: what an IOAPIC
// redirection entry or a local APIC's ICR sends, and the bus that hands a
// message to the local APICs it addresses (physical or logical destination,
// the ICR shorthands, lowest-priority arbitration). A full-system machine
// owns one bus; a VMM may route messages itself instead.
#pragma once
#include <cstdint>
#include <vector>

namespace hvemu::dev {

class Lapic;

namespace apic {
// ICR / redirection-entry delivery modes (bits 10:8).
enum class Delivery : uint8_t { Fixed = 0, LowestPriority = 1, Smi = 2, Nmi = 4, Init = 5, StartUp = 6, ExtInt = 7 };
// ICR destination shorthand (bits 19:18).
enum class Shorthand : uint8_t { None = 0, Self = 1, AllIncludingSelf = 2, AllExcludingSelf = 3 };
constexpr uint32_t kXapicBroadcast = 0xFF;
constexpr uint32_t kX2apicBroadcast = 0xFFFFFFFF;
} // namespace apic

struct ApicMessage {
    uint8_t vector = 0;
    apic::Delivery mode = apic::Delivery::Fixed;
    bool logical = false;          // destination mode
    bool level = false;            // trigger mode: level (else edge)
    bool assert = true;            // ICR level bit; INIT with level trigger and !assert is "INIT level de-assert"
    apic::Shorthand shorthand = apic::Shorthand::None;
    uint32_t dest = 0;             // 8 bits (xAPIC, IOAPIC) or 32 bits (x2APIC)
    bool x2apic = false;           // dest is an x2APIC destination (broadcast is 0xFFFFFFFF)
    const Lapic* source = nullptr; // the sending local APIC (for the shorthands); null: an IOAPIC
};

class ApicBus {
public:
    // Local APICs in bus order (lowest-priority ties go to the lowest index).
    void attach(Lapic* lapic) { lapics_.push_back(lapic); }
    unsigned size() const { return static_cast<unsigned>(lapics_.size()); }
    Lapic& at(unsigned i) const { return *lapics_.at(i); }

    // Deliver to every addressed local APIC (lowest priority: to the one
    // with the lowest arbitration priority, the lowest index on a tie).
    // Returns how many accepted it.
    unsigned deliver(const ApicMessage& m);
    // Who `m` addresses (before lowest-priority arbitration).
    std::vector<unsigned> targets(const ApicMessage& m) const;

private:
    std::vector<Lapic*> lapics_;
};

} // namespace hvemu::dev
