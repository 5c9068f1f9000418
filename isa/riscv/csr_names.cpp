// The CSR name table. Numbers come from encoding.hpp where it names them;
// the rest are the standard numbers of the unprivileged, privileged and
// debug specifications.
#include "isa/riscv/csr_names.hpp"

#include <array>
#include <string>
#include <vector>

#include "isa/riscv/encoding.hpp"

namespace hvemu::rv {

namespace {

struct Fixed {
    uint16_t number;
    const char* name;
};

// One line per CSR; numbered families (hpmcounterN, pmpaddrN...) are added
// by Table below.
constexpr Fixed kFixed[] = {
    // Unprivileged: floating point, vector, entropy source, counters.
    {csr::fflags, "fflags"}, {csr::frm, "frm"}, {csr::fcsr, "fcsr"},
    {0x008, "vstart"}, {0x009, "vxsat"}, {0x00A, "vxrm"}, {0x00F, "vcsr"},
    {0x015, "seed"}, {0x017, "jvt"},
    {0xC20, "vl"}, {0xC21, "vtype"}, {0xC22, "vlenb"},
    {csr::cycle, "cycle"}, {csr::time, "time"}, {csr::instret, "instret"},
    // User trap handling (the withdrawn N extension). llvm-objdump still
    // names these numbers, so the disassembler does too.
    {0x000, "ustatus"}, {0x004, "uie"}, {0x005, "utvec"}, {0x040, "uscratch"},
    {0x041, "uepc"}, {0x042, "ucause"}, {0x043, "utval"}, {0x044, "uip"},
    // Supervisor
    {csr::sstatus, "sstatus"}, {0x102, "sedeleg"}, {0x103, "sideleg"}, {csr::sie, "sie"},
    {csr::stvec, "stvec"}, {csr::scounteren, "scounteren"}, {csr::senvcfg, "senvcfg"},
    {0x10C, "sstateen0"}, {0x10D, "sstateen1"}, {0x10E, "sstateen2"}, {0x10F, "sstateen3"},
    {csr::sscratch, "sscratch"}, {csr::sepc, "sepc"}, {csr::scause, "scause"},
    {csr::stval, "stval"}, {csr::sip, "sip"}, {csr::stimecmp, "stimecmp"},
    {0x150, "siselect"}, {0x151, "sireg"}, {0x15C, "stopei"},
    {csr::satp, "satp"}, {0x5A8, "scontext"}, {0xDA0, "scountovf"}, {0xDB0, "stopi"},
    // Hypervisor
    {csr::hstatus, "hstatus"}, {csr::hedeleg, "hedeleg"}, {csr::hideleg, "hideleg"},
    {csr::hie, "hie"}, {csr::htimedelta, "htimedelta"}, {csr::hcounteren, "hcounteren"},
    {csr::hgeie, "hgeie"}, {0x608, "hvien"}, {0x609, "hvictl"}, {csr::henvcfg, "henvcfg"},
    {0x60C, "hstateen0"}, {0x60D, "hstateen1"}, {0x60E, "hstateen2"}, {0x60F, "hstateen3"},
    {csr::htval, "htval"}, {csr::hip, "hip"}, {csr::hvip, "hvip"},
    {0x646, "hviprio1"}, {0x647, "hviprio2"}, {csr::htinst, "htinst"},
    {csr::hgatp, "hgatp"}, {0x6A8, "hcontext"}, {csr::hgeip, "hgeip"},
    // Virtual supervisor
    {csr::vsstatus, "vsstatus"}, {csr::vsie, "vsie"}, {csr::vstvec, "vstvec"},
    {csr::vsscratch, "vsscratch"}, {csr::vsepc, "vsepc"}, {csr::vscause, "vscause"},
    {csr::vstval, "vstval"}, {csr::vsip, "vsip"}, {csr::vstimecmp, "vstimecmp"},
    {0x250, "vsiselect"}, {0x251, "vsireg"}, {0x25C, "vstopei"},
    {csr::vsatp, "vsatp"}, {0xEB0, "vstopi"},
    // Machine
    {csr::mvendorid, "mvendorid"}, {csr::marchid, "marchid"}, {csr::mimpid, "mimpid"},
    {csr::mhartid, "mhartid"}, {csr::mconfigptr, "mconfigptr"},
    {csr::mstatus, "mstatus"}, {csr::misa, "misa"}, {csr::medeleg, "medeleg"},
    {csr::mideleg, "mideleg"}, {csr::mie, "mie"}, {csr::mtvec, "mtvec"},
    {csr::mcounteren, "mcounteren"}, {0x308, "mvien"}, {0x309, "mvip"},
    {csr::menvcfg, "menvcfg"},
    {0x30C, "mstateen0"}, {0x30D, "mstateen1"}, {0x30E, "mstateen2"}, {0x30F, "mstateen3"},
    {csr::mcountinhibit, "mcountinhibit"}, {0x321, "mcyclecfg"}, {0x322, "minstretcfg"},
    {csr::mscratch, "mscratch"}, {csr::mepc, "mepc"}, {csr::mcause, "mcause"},
    {csr::mtval, "mtval"}, {csr::mip, "mip"}, {csr::mtinst, "mtinst"}, {csr::mtval2, "mtval2"},
    {0x350, "miselect"}, {0x351, "mireg"}, {0x35C, "mtopei"}, {0xFB0, "mtopi"},
    {0x740, "mnscratch"}, {0x741, "mnepc"}, {0x742, "mncause"}, {0x744, "mnstatus"},
    {0x747, "mseccfg"},
    {csr::mcycle, "mcycle"}, {csr::minstret, "minstret"},
    // Debug and trace
    {csr::tselect, "tselect"}, {0x7A1, "tdata1"}, {0x7A2, "tdata2"}, {0x7A3, "tdata3"},
    {0x7A4, "tinfo"}, {0x7A5, "tcontrol"}, {0x7A8, "mcontext"}, {0x7AA, "mscontext"},
    {0x7B0, "dcsr"}, {0x7B1, "dpc"}, {0x7B2, "dscratch0"}, {0x7B3, "dscratch1"},
};

// Older spellings accepted by csr_number() but never printed.
constexpr Fixed kAliases[] = {
    {0x043, "ubadaddr"}, {csr::stval, "sbadaddr"}, {csr::satp, "sptbr"},
    {csr::mtval, "mbadaddr"}, {csr::mcountinhibit, "mucounteren"}, {0x7B2, "dscratch"},
};

struct Table {
    std::array<std::string, 4096> by_number;
    std::vector<CsrName> sorted;

    void family(uint16_t first, unsigned from, unsigned to, const char* prefix) {
        for (unsigned n = from; n <= to; ++n) by_number[first + (n - from)] = prefix + std::to_string(n);
    }

    Table() {
        for (const Fixed& f : kFixed) by_number[f.number] = f.name;
        family(csr::hpmcounter3, 3, 31, "hpmcounter");
        family(csr::mhpmcounter3, 3, 31, "mhpmcounter");
        family(csr::mhpmevent3, 3, 31, "mhpmevent");
        family(csr::pmpaddr0, 0, 63, "pmpaddr");
        // RV64 has only the even pmpcfg registers.
        for (unsigned n = 0; n <= 14; n += 2) by_number[csr::pmpcfg0 + n] = "pmpcfg" + std::to_string(n);
        for (unsigned n = 0; n < by_number.size(); ++n)
            if (!by_number[n].empty()) sorted.push_back({static_cast<uint16_t>(n), by_number[n]});
    }
};

const Table& table() {
    static const Table t;
    return t;
}

} // namespace

const char* csr_name(uint16_t number) {
    if (number >= 4096) return nullptr;
    const std::string& s = table().by_number[number];
    return s.empty() ? nullptr : s.c_str();
}

std::optional<uint16_t> csr_number(std::string_view name) {
    for (const CsrName& c : table().sorted)
        if (c.name == name) return c.number;
    for (const Fixed& a : kAliases)
        if (name == a.name) return a.number;
    return std::nullopt;
}

std::span<const CsrName> csr_names() { return table().sorted; }

} // namespace hvemu::rv
