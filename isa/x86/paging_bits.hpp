// Control-register, EFER, paging-entry and #PF error-code bits, named as
// the Intel SDM names them.
#pragma once
#include <cstdint>

namespace hvemu::x86::paging {

constexpr uint64_t kCr0Pe = 1u << 0, kCr0Mp = 1u << 1, kCr0Em = 1u << 2, kCr0Ts = 1u << 3, kCr0Et = 1u << 4;
constexpr uint64_t kCr0Ne = 1u << 5, kCr0Wp = 1u << 16, kCr0Am = 1u << 18, kCr0Nw = 1u << 29, kCr0Cd = 1u << 30;
constexpr uint64_t kCr0Pg = 1u << 31;
constexpr uint64_t kCr4Vme = 1u << 0, kCr4Pvi = 1u << 1, kCr4Tsd = 1u << 2, kCr4De = 1u << 3, kCr4Pse = 1u << 4;
constexpr uint64_t kCr4Pae = 1u << 5, kCr4Mce = 1u << 6, kCr4Pge = 1u << 7, kCr4Pce = 1u << 8;
constexpr uint64_t kCr4Osfxsr = 1u << 9, kCr4Osxmmexcpt = 1u << 10, kCr4Umip = 1u << 11, kCr4La57 = 1u << 12;
constexpr uint64_t kCr4Vmxe = 1u << 13, kCr4Smxe = 1u << 14, kCr4Fsgsbase = 1u << 16, kCr4Pcide = 1u << 17;
constexpr uint64_t kCr4Osxsave = 1u << 18, kCr4Smep = 1u << 20, kCr4Smap = 1u << 21, kCr4Pke = 1u << 22;
// CR4 bits this core implements (others are reserved: #GP).
constexpr uint64_t kCr4Valid = kCr4Vme | kCr4Pvi | kCr4Tsd | kCr4De | kCr4Pse | kCr4Pae | kCr4Mce | kCr4Pge |
                               kCr4Pce | kCr4Osfxsr | kCr4Osxmmexcpt | kCr4Umip | kCr4Vmxe |
                               kCr4Osxsave | kCr4Smep | kCr4Smap;

constexpr uint64_t kEferSce = 1u << 0, kEferLme = 1u << 8, kEferLma = 1u << 10, kEferNxe = 1u << 11;

constexpr uint64_t kPteP = 1u << 0, kPteRw = 1u << 1, kPteUs = 1u << 2, kPtePwt = 1u << 3, kPtePcd = 1u << 4;
constexpr uint64_t kPteA = 1u << 5, kPteD = 1u << 6, kPtePs = 1u << 7, kPteG = 1u << 8;
constexpr uint64_t kPteXd = uint64_t{1} << 63;
// PAE PDPTE reserved bits below MAXPHYADDR: 2:1, 8:5, and 63:52.
constexpr uint64_t kPdpteRsvd = 0x1e6ull | (0xfffull << 52);

// #PF error code
constexpr uint32_t kPfP = 1u << 0, kPfW = 1u << 1, kPfU = 1u << 2, kPfRsvd = 1u << 3, kPfI = 1u << 4;

} // namespace hvemu::x86::paging
