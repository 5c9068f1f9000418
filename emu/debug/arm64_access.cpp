// The data access of an A64 load/store, decoded from the encoding classes
// of the Arm ARM's "Loads and Stores" group (C4.1.4).
#include "emu/debug/arm64_access.hpp"

namespace hvemu::emu::debug {

namespace {

constexpr uint32_t bits(uint32_t raw, unsigned hi, unsigned lo) { return (raw >> lo) & ((1u << (hi - lo + 1)) - 1); }

int64_t sext(uint64_t v, unsigned width) {
    const uint64_t m = uint64_t{1} << (width - 1);
    return static_cast<int64_t>((v ^ m) - m);
}

unsigned log2_of(unsigned len) {
    unsigned s = 0;
    while ((1u << s) < len) s++;
    return s;
}

// One register of a single-register load/store: size, V and opc give the
// width and the direction; 0 for a prefetch or an unallocated combination.
unsigned single_len(uint32_t raw, bool& load) {
    const unsigned size = bits(raw, 31, 30), opc = bits(raw, 23, 22);
    if (bits(raw, 26, 26)) {   // FP/SIMD: opc<1> selects the Q form (size 00 only)
        load = opc & 1;
        if (opc & 2) return size == 0 ? 16 : 0;
        return 1u << size;
    }
    load = opc != 0;
    if (opc == 2 && size == 3) return 0;        // PRFM / PRFUM
    if (opc == 3 && size >= 2) return 0;        // unallocated
    return 1u << size;
}

std::optional<A64DataAccess> make(uint64_t addr, unsigned len, bool read, bool write) {
    if (!len) return std::nullopt;
    return A64DataAccess{addr, len, read, write};
}

} // namespace

std::optional<A64DataAccess> a64_data_access(uint32_t raw, uint64_t pc,
                                             const std::function<uint64_t(unsigned)>& xreg) {
    const unsigned rn = bits(raw, 9, 5);
    const bool simd = bits(raw, 26, 26);

    // Load/store exclusive, ordered, compare-and-swap (pairs included).
    if ((raw & 0x3F000000) == 0x08000000) {
        const unsigned size = bits(raw, 31, 30);
        const bool o2 = bits(raw, 23, 23), load = bits(raw, 22, 22), o1 = bits(raw, 21, 21);
        const uint64_t base = xreg(rn);
        if (o2 && o1) return make(base, 1u << size, true, true);                 // CAS
        if (!o2 && o1 && size < 2) return make(base, 2 * (4u << size), true, true);   // CASP
        const unsigned len = o1 ? 2 * (1u << size) : 1u << size;               // LDXP/STXP or single
        return make(base, len, load, !load);
    }
    // Load register (literal).
    if ((raw & 0x3B000000) == 0x18000000) {
        const unsigned opc = bits(raw, 31, 30);
        const unsigned len = simd ? (opc == 3 ? 0 : 4u << opc) : (opc == 3 ? 0 : opc == 1 ? 8 : 4);
        return make(pc + static_cast<uint64_t>(sext(bits(raw, 23, 5), 19) * 4), len, true, false);
    }
    // Load/store pair (no-allocate, post-index, offset, pre-index).
    if ((raw & 0x3A000000) == 0x28000000) {
        const unsigned opc = bits(raw, 31, 30), type = bits(raw, 24, 23);
        const bool load = bits(raw, 22, 22);
        unsigned each = 0;
        if (simd) each = opc == 3 ? 0 : 4u << opc;
        else if (opc == 0) each = 4;
        else if (opc == 1) each = load ? 4 : 0;   // LDPSW (STGP is a tag store)
        else if (opc == 2) each = 8;
        const int64_t off = sext(bits(raw, 21, 15), 7) * static_cast<int64_t>(each);
        const uint64_t base = xreg(rn);
        return make(type == 1 ? base : base + static_cast<uint64_t>(off), 2 * each, load, !load);
    }
    if ((raw & 0x38000000) != 0x38000000 || bits(raw, 25, 25)) return std::nullopt;
    bool load = false;
    // Load/store register (unsigned immediate).
    if (bits(raw, 24, 24)) {
        const unsigned len = single_len(raw, load);
        const uint64_t off = uint64_t{bits(raw, 21, 10)} << log2_of(len);
        return make(xreg(rn) + off, len, load, !load);
    }
    if (!bits(raw, 21, 21)) {   // unscaled, post-index, unprivileged, pre-index
        const unsigned len = single_len(raw, load);
        const uint64_t base = xreg(rn);
        const bool post = bits(raw, 11, 10) == 1;
        return make(post ? base : base + static_cast<uint64_t>(sext(bits(raw, 20, 12), 9)), len, load, !load);
    }
    switch (bits(raw, 11, 10)) {
    case 2: {   // register offset
        const unsigned len = single_len(raw, load);
        const unsigned option = bits(raw, 15, 13), rm = bits(raw, 20, 16);
        if (!(option & 2)) return std::nullopt;
        const uint64_t m = rm == 31 ? 0 : xreg(rm);   // Rm 31 is XZR here
        uint64_t idx = m;
        if (option == 2) idx = static_cast<uint32_t>(m);
        else if (option == 6) idx = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(m)));
        const unsigned shift = bits(raw, 12, 12) ? log2_of(len) : 0;
        return make(xreg(rn) + (idx << shift), len, load, !load);
    }
    case 0: {   // LSE atomic memory operations; LDAPR only reads
        if (simd) return std::nullopt;
        const bool ldapr = bits(raw, 15, 15) && bits(raw, 14, 12) == 4;
        return make(xreg(rn), 1u << bits(raw, 31, 30), true, !ldapr);
    }
    default: return std::nullopt;   // pointer-authenticated loads (not implemented)
    }
}

} // namespace hvemu::emu::debug
