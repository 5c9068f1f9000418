// What the VMM records about each exit: for `--trace exits` (one line per
// exit), for `--stats` (counts per reason), and for tests (a hook sees
// every record, so a test can assert a guest's exact exit sequence).
#pragma once
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "vcpu/exit_reason.hpp"

namespace hvemu::emu::vmm {

// The guest's instruction set: how a record's instruction is disassembled
// and what its cause value is (scause, or ESR_EL2).
enum class Isa : uint8_t { Riscv64, Arm64, X86_64 };

struct ExitRecord {
    Isa isa = Isa::Riscv64;
    unsigned vcpu = 0;
    unsigned pcpu = 0;
    uint64_t cycle = 0;                 // the physical CPU's cycle count after the exit
    std::optional<uint64_t> trap_pc;    // the guest pc of the trapping instruction
    uint64_t pc_after = 0;              // the guest pc run() left (after the vCPU's advance)
    std::optional<uint32_t> insn;       // the trapping instruction's bits, when it could be read
    uint64_t scause = 0;                // the trap's cause: scause (RISC-V) or ESR_EL2 (Arm); 0 without a trap
    vcpu::ExitReason exit;

    // pc_after - trap_pc: the advance the vCPU made (0 without a trap pc).
    uint64_t pc_advance() const { return trap_pc ? pc_after - *trap_pc : 0; }
};

using ExitHook = std::function<void(const ExitRecord&)>;

// The name of ExitReason alternative `index` ("MmioRead", ...).
const char* exit_kind_name(size_t index);

// An instruction as the traces show it ("lb a5, 7(a0)", "ldrb w0, [x1]").
std::string disassemble(Isa isa, uint32_t raw, uint64_t pc);
// The name of ExitRecord::scause for the ISA: "scause" or "esr_el2".
const char* cause_name(Isa isa);

// "vcpu 0 cycle 1234 pc 0x80200010 lb a5, 7(a0) -> MmioRead addr=..."
std::string format_trace_line(const ExitRecord& r);

// Exits by kind (the ExitReason alternative index) plus the run totals.
struct ExitStats {
    static constexpr size_t kKinds = std::variant_size_v<vcpu::ExitReason>;
    std::array<uint64_t, kKinds> by_kind{};
    // Model cycles per kind the hypervisor side of those exits cost: the
    // timing profile's VM exit + handler + VM entry (vmm_core.cpp).
    std::array<uint64_t, kKinds> cycles_by_kind{};
    uint64_t exits = 0;          // every record
    uint64_t slices = 0;         // run() calls that ended on the instruction budget (not exits)
    void count(const ExitRecord& r) {
        by_kind[r.exit.index()]++;
        exits++;
    }
};

} // namespace hvemu::emu::vmm
