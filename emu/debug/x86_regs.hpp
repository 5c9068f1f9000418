// What the x86 GDB targets share (the cores of the x86_64-pc machine, and
// the vCPUs of a hosted x86 VM): GDB's i386:x86-64 register layout and
// target description, register access by number, memory through the
// debugger's walker (x86_walk.hpp), the VMCS read without side effects,
// and the `monitor walk` / `monitor vmcs` commands. Each view says where
// a thread's state lives through the protected hooks.
//
// Target description: org.gnu.gdb.i386.core (rax..gs, st0-st7, the x87
// control registers), org.gnu.gdb.i386.sse (xmm0-15, mxcsr: the FXSAVE
// state), org.gnu.gdb.i386.segments (fs_base, gs_base), org.hvemu.x86.system
// (cr0, cr2, cr3, cr4, cr8, efer) and org.hvemu.x86.vmx: the current VMCS's
// exit information and guest control registers (read-only; unreadable
// outside VMX operation).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "emu/debug/gdb_target.hpp"
#include "emu/debug/x86_walk.hpp"
#include "isa/x86/core.hpp"

namespace hvemu::emu::debug {

// GDB's amd64 register numbers, then the features hvemu adds.
namespace x86reg {
constexpr unsigned kRsp = 7, kRip = 16, kEflags = 17, kCs = 18, kGs = 23, kSt0 = 24, kFctrl = 32, kFstat = 33;
constexpr unsigned kFtag = 34, kFiseg = 35, kFop = 39, kXmm0 = 40, kMxcsr = 56, kFsBase = 57, kGsBase = 58;
constexpr unsigned kCr0 = 59, kCr2 = 60, kCr3 = 61, kCr4 = 62, kCr8 = 63, kEfer = 64;
constexpr unsigned kVmx0 = 65;   // the first register of org.hvemu.x86.vmx
} // namespace x86reg

// org.hvemu.x86.vmx in order (kVmx0 + index): GDB name and VMCS field.
struct X86VmxRegInfo {
    const char* name;
    uint32_t field;
};
const std::array<X86VmxRegInfo, 14>& x86_vmx_registers();

std::string x86_target_xml();
unsigned x86_register_size(unsigned regno);

// GDB's order of the general registers (rax rbx rcx rdx rsi rdi rbp rsp
// r8..r15) as the core's encoding-order index.
constexpr unsigned kGdbGpr[16] = {0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15};

// The x87 tag word: the FXSAVE image keeps the abridged form (one bit per
// physical register: not empty); GDB shows the full form (two bits:
// valid, zero, special, empty), classified from the register contents.
uint16_t x87_full_tag(uint16_t abridged, uint16_t fsw, const uint8_t st[8][10]);
uint16_t x87_abridged_tag(uint16_t full);

// The current VMCS of `core` (none outside VMX operation or without
// one), read and written as stored, with no VMREAD/VMWRITE side effects
// (RFLAGS) and in any operating mode.
std::optional<uint64_t> x86_vmcs_peek(x86::Core& core, uint32_t field);
bool x86_vmcs_poke(x86::Core& core, uint32_t field, uint64_t value);
// The guest's translation state in the current VMCS (guest CR0/CR3/CR4,
// EFER, PDPTEs, and the EPT when the controls enable it).
std::optional<X86PagingState> x86_vmcs_guest_paging(x86::Core& core);

class X86GdbTargetBase : public GdbTarget {
public:
    std::string target_xml() const override { return x86_target_xml(); }
    unsigned num_g_registers() const override { return x86reg::kFsBase; }
    unsigned register_size(unsigned regno) const override { return x86_register_size(regno); }
    std::optional<uint64_t> read_register(unsigned thread, unsigned regno) override;
    bool write_register(unsigned thread, unsigned regno, uint64_t value) override;
    bool read_register_bytes(unsigned thread, unsigned regno, uint8_t* dst) override;
    bool write_register_bytes(unsigned thread, unsigned regno, const uint8_t* src) override;
    bool read_memory(unsigned thread, uint64_t addr, uint8_t* dst, size_t len, bool physical) override;
    bool write_memory(unsigned thread, uint64_t addr, const uint8_t* src, size_t len, bool physical) override;
    unsigned pc_regno() const override { return x86reg::kRip; }
    // The access of the instruction at the pc (x86_access.hpp); watchpoints
    // stop after it, as on hardware (watch_before_access() stays false).
    std::optional<MemAccess> next_access(unsigned thread) override;
    // walk [guest] <addr>, vmcs.
    std::optional<std::string> monitor(unsigned thread, const std::string& cmd) override;
    std::string monitor_help() const override;

protected:
    enum class Item : uint8_t { Rip, Rflags, Cr0, Cr2, Cr3, Cr4, Cr8, Efer };
    // Registers by the core's encoding-order index (4 = RSP).
    virtual std::optional<uint64_t> get_gpr(unsigned thread, unsigned idx) = 0;
    virtual bool set_gpr(unsigned thread, unsigned idx, uint64_t value) = 0;
    virtual std::optional<uint64_t> get_item(unsigned thread, Item item) = 0;
    virtual bool set_item(unsigned thread, Item item, uint64_t value) = 0;
    // Segment register s (x86::SegReg order): selector, base and the
    // access rights (attr: L and D/B give the code and stack sizes).
    virtual std::optional<x86::Segment> get_segment(unsigned thread, unsigned s) = 0;
    virtual bool set_segment_base(unsigned thread, unsigned s, uint64_t base) = 0;
    // The FXSAVE state (the core's fields, or a saved copy: read-only).
    struct Fpu {
        uint8_t (*xmm)[16] = nullptr;
        uint8_t (*st)[10] = nullptr;
        uint32_t* mxcsr = nullptr;
        uint16_t *fcw = nullptr, *fsw = nullptr, *ftw = nullptr;
        bool writable = false;
    };
    virtual std::optional<Fpu> fpu(unsigned thread) = 0;
    // The core whose current VMCS is the thread's (nullptr: none).
    virtual x86::Core* vmx_core(unsigned thread) = 0;
    // The translation of the thread's virtual addresses.
    virtual std::optional<X86PagingState> paging(unsigned thread) = 0;
    virtual isa::PhysMem& host_mem() = 0;
    // A "physical" address of the thread (host or guest physical) as host
    // physical, for `len` bytes within one page.
    virtual std::optional<uint64_t> phys_to_host(unsigned thread, uint64_t addr, size_t len) = 0;

private:
    bool access(unsigned thread, uint64_t addr, uint8_t* buf, size_t len, bool physical, bool write);
};

} // namespace hvemu::emu::debug
