// Message delivery to local APICs: shorthands, destinations and
// lowest-priority arbitration.
#include "devices/apic_bus.hpp"

#include "devices/lapic.hpp"

namespace hvemu::dev {

std::vector<unsigned> ApicBus::targets(const ApicMessage& m) const {
    std::vector<unsigned> out;
    for (unsigned i = 0; i < size(); i++) {
        Lapic* l = lapics_[i];
        bool hit = false;
        switch (m.shorthand) {
        case apic::Shorthand::None: hit = l->addressed_by(m); break;
        case apic::Shorthand::Self: hit = l == m.source; break;
        case apic::Shorthand::AllIncludingSelf: hit = true; break;
        case apic::Shorthand::AllExcludingSelf: hit = l != m.source; break;
        }
        if (hit) out.push_back(i);
    }
    return out;
}

unsigned ApicBus::deliver(const ApicMessage& m) {
    std::vector<unsigned> t = targets(m);
    if (m.mode == apic::Delivery::LowestPriority && t.size() > 1) {
        unsigned best = t[0];
        for (unsigned i : t)
            if (lapics_[i]->arbitration_priority() < lapics_[best]->arbitration_priority()) best = i;
        t.assign(1, best);
    }
    unsigned accepted = 0;
    for (unsigned i : t) accepted += lapics_[i]->accept(m) ? 1 : 0;
    return accepted;
}

} // namespace hvemu::dev
