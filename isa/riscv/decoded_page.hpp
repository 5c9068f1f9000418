// A predecoded guest-physical code page: one slot per 16-bit parcel. Slots
// start as op_decode_slot and decode themselves on first execution (or
// when the block compiler reads ahead). One more slot, op_page_end, ends a
// chain that falls off the page.
#pragma once
#include "isa/riscv/hart.hpp"

namespace hvemu::rv {

struct DecodedPage {
    static constexpr unsigned kSlots = 2048;
    uint64_t ppage = 0;
    const uint8_t* host = nullptr;   // the RAM page (stable: RAM never moves)
    Insn slots[kSlots + 1];

    // The page a slot belongs to (slots are laid out in order).
    static DecodedPage& of(const Insn& slot, uint64_t pc) {
        const Insn* first = &slot - (pc & 0xfff) / 2;
        return *reinterpret_cast<DecodedPage*>(reinterpret_cast<uintptr_t>(first) - offsetof(DecodedPage, slots));
    }
};

// Decode slot `idx` in place, as its first execution does.
void decode_slot(const Hart& h, DecodedPage& page, unsigned idx);
// What a decoded slot runs in the interpreter (its table entry's threaded
// entry, untimed or charging), whatever it runs now.
ExecFn interp_entry(const Hart& h, const Insn& slot);
// A slot the block compiler wants to start a block at: compiles it on its
// next execution, then runs what it got (the block, or the interpreter).
uint64_t op_jit_head(Hart& h, const Insn& i, uint64_t pc, uint64_t left);

} // namespace hvemu::rv
