// PLIC semantics. Registers are 32 bits and accept only aligned 4-byte
// accesses (anything else is a bus error, as on QEMU). A claim returns the
// enabled pending source of highest priority above the context's threshold
// (ties: the lowest ID) and clears its pending bit; the source stays in
// flight until its completion. Like QEMU, a source whose line drops before
// it is claimed stops pending.
#include "devices/plic.hpp"

namespace hvemu::dev {

Plic::Plic(unsigned num_harts) : ctx_(2 * num_harts) {}

void Plic::reset() {
    for (unsigned s = 0; s < kNumSources; s++) {
        priority_[s] = 0;
        pending_[s] = false;
        in_flight_[s] = false;
    }
    for (auto& c : ctx_) {
        c.enable.assign(kNumSources, false);
        c.threshold = 0;
    }
    for (unsigned s = 1; s < kNumSources; s++) gateway(s);
    update();
}

void Plic::gateway(unsigned src) {
    if (level_[src] && !in_flight_[src]) pending_[src] = true;
}

void Plic::set_source_level(unsigned src, bool level) {
    if (src == 0 || src >= kNumSources) return;
    level_[src] = level;
    if (!level && !in_flight_[src]) pending_[src] = false;
    gateway(src);
    update();
}

uint32_t Plic::best_source(unsigned ctx) const {
    const Context& c = ctx_[ctx];
    uint32_t best = 0, best_prio = c.threshold;
    for (unsigned s = 1; s < kNumSources; s++) {
        if (pending_[s] && c.enable[s] && priority_[s] > best_prio) {
            best = s;
            best_prio = priority_[s];
        }
    }
    return best;
}

void Plic::update() {
    for (unsigned c = 0; c < num_contexts(); c++) ctx_[c].out.set(best_source(c) != 0);
}

uint32_t Plic::claim(unsigned ctx) {
    const uint32_t s = best_source(ctx);
    if (s != 0) {
        pending_[s] = false;
        in_flight_[s] = true;
        update();
    }
    return s;
}

void Plic::complete(unsigned ctx, uint32_t src) {
    // The spec ignores completions for sources not enabled for the context.
    if (src == 0 || src >= kNumSources || !ctx_[ctx].enable[src] || !in_flight_[src]) return;
    in_flight_[src] = false;
    gateway(src);
    update();
}

bool Plic::mmio_read(uint64_t offset, unsigned width, uint64_t& value) {
    if (width != 4 || (offset & 3)) return false;
    value = 0;
    if (offset < kPendingBase) {
        const uint64_t s = offset / 4;
        if (s < kNumSources) value = priority_[s];
    } else if (offset < kEnableBase) {
        const uint64_t first = (offset - kPendingBase) * 8;
        for (unsigned b = 0; b < 32 && first + b < kNumSources; b++)
            if (pending_[first + b]) value |= 1ull << b;
    } else if (offset < kContextBase) {
        const uint64_t ctx = (offset - kEnableBase) / kEnableStride;
        const uint64_t first = ((offset - kEnableBase) % kEnableStride) * 8;
        if (ctx < num_contexts())
            for (unsigned b = 0; b < 32 && first + b < kNumSources; b++)
                if (ctx_[ctx].enable[first + b]) value |= 1ull << b;
    } else {
        const uint64_t ctx = (offset - kContextBase) / kContextStride;
        const uint64_t reg = (offset - kContextBase) % kContextStride;
        if (ctx < num_contexts()) {
            if (reg == 0) value = ctx_[ctx].threshold;
            else if (reg == 4) value = claim(static_cast<unsigned>(ctx));
        }
    }
    return true;
}

bool Plic::mmio_write(uint64_t offset, unsigned width, uint64_t value) {
    if (width != 4 || (offset & 3)) return false;
    const uint32_t v = static_cast<uint32_t>(value);
    if (offset < kPendingBase) {
        const uint64_t s = offset / 4;
        if (s >= 1 && s < kNumSources) {
            priority_[s] = v & kPriorityMask;   // WARL
            update();
        }
    } else if (offset < kEnableBase) {
        // pending bits are read-only
    } else if (offset < kContextBase) {
        const uint64_t ctx = (offset - kEnableBase) / kEnableStride;
        const uint64_t first = ((offset - kEnableBase) % kEnableStride) * 8;
        if (ctx < num_contexts()) {
            for (unsigned b = 0; b < 32 && first + b < kNumSources; b++)
                ctx_[ctx].enable[first + b] = first + b != 0 && ((v >> b) & 1);
            update();
        }
    } else {
        const uint64_t ctx = (offset - kContextBase) / kContextStride;
        const uint64_t reg = (offset - kContextBase) % kContextStride;
        if (ctx < num_contexts()) {
            if (reg == 0) {
                if (v <= kPriorityMask) ctx_[ctx].threshold = v;   // QEMU ignores larger values
                update();
            } else if (reg == 4) {
                complete(static_cast<unsigned>(ctx), v);
            }
        }
    }
    return true;
}

} // namespace hvemu::dev
