// Disassembly through Capstone: one handle per thread and mode, opened on
// first use.
#include "isa/x86/disasm.hpp"

#include <capstone/capstone.h>
#include <fmt/format.h>

namespace hvemu::x86 {

namespace {

class Handle {
public:
    explicit Handle(cs_mode mode) {
        if (cs_open(CS_ARCH_X86, mode, &h_) != CS_ERR_OK) h_ = 0;
    }
    ~Handle() {
        if (h_) cs_close(&h_);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    csh get() const { return h_; }

private:
    csh h_ = 0;
};

csh handle(unsigned bits) {
    thread_local Handle h16(CS_MODE_16), h32(CS_MODE_32), h64(CS_MODE_64);
    return bits == 16 ? h16.get() : bits == 32 ? h32.get() : h64.get();
}

// Runs f(insn) on the first instruction of the bytes, or returns false.
template <class F> bool with_insn(const uint8_t* bytes, size_t n, unsigned bits, uint64_t rip, F&& f) {
    const csh h = handle(bits);
    if (!h) return false;
    cs_insn* insn = nullptr;
    const size_t got = cs_disasm(h, bytes, n, rip, 1, &insn);
    if (got != 1) {
        if (insn) cs_free(insn, got);
        return false;
    }
    f(*insn);
    cs_free(insn, got);
    return true;
}

} // namespace

std::string disassemble(const uint8_t* bytes, size_t n, unsigned bits, uint64_t rip, unsigned* len) {
    std::string out;
    if (len) *len = 0;
    if (!with_insn(bytes, n, bits, rip, [&](const cs_insn& i) {
            out = i.mnemonic;
            if (i.op_str[0]) out += fmt::format(" {}", i.op_str);
            if (len) *len = i.size;
        }))
        return fmt::format("unknown 0x{:02x}", n ? bytes[0] : 0);
    return out;
}

unsigned disasm_length(const uint8_t* bytes, size_t n, unsigned bits) {
    unsigned len = 0;
    with_insn(bytes, n, bits, 0, [&](const cs_insn& i) { len = i.size; });
    return len;
}

} // namespace hvemu::x86
