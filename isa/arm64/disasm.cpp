// Disassembly through Capstone: one handle per thread, opened on first use.
#include "isa/arm64/disasm.hpp"

#include <capstone/capstone.h>
#include <fmt/format.h>

namespace hvemu::arm {

namespace {

class Handle {
public:
    Handle() {
        if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h_) != CS_ERR_OK) h_ = 0;
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

// Runs f(insn) on the decoded instruction, or returns false.
template <class F> bool with_insn(uint32_t raw, uint64_t pc, F&& f) {
    thread_local Handle handle;
    if (!handle.get()) return false;
    uint8_t bytes[4] = {static_cast<uint8_t>(raw), static_cast<uint8_t>(raw >> 8), static_cast<uint8_t>(raw >> 16),
                        static_cast<uint8_t>(raw >> 24)};
    cs_insn* insn = nullptr;
    const size_t n = cs_disasm(handle.get(), bytes, 4, pc, 1, &insn);
    if (n != 1) {
        if (insn) cs_free(insn, n);
        return false;
    }
    f(*insn);
    cs_free(insn, n);
    return true;
}

} // namespace

std::string disassemble(uint32_t raw, uint64_t pc) {
    std::string out;
    if (!with_insn(raw, pc, [&](const cs_insn& i) {
            out = i.mnemonic;
            if (i.op_str[0]) out += fmt::format(" {}", i.op_str);
        }))
        return fmt::format("unknown 0x{:08x}", raw);
    return out;
}

std::string disassemble_mnemonic(uint32_t raw) {
    std::string out;
    with_insn(raw, 0, [&](const cs_insn& i) { out = i.mnemonic; });
    return out;
}

} // namespace hvemu::arm
