// VMX architectural constants (SDM Vol. 3C ch. 24-28, Appendix A and C):
// VM-execution/exit/entry control bits, exit reasons, VM-instruction error
// numbers, interruption types, capability MSR numbers, EPT entry bits.
#pragma once
#include <cstdint>

namespace hvemu::x86::vmx {

// 24.6.1 pin-based controls
namespace pin {
constexpr uint32_t ExtIntExiting = 1u << 0, NmiExiting = 1u << 3, VirtualNmis = 1u << 5;
constexpr uint32_t PreemptionTimer = 1u << 6, PostedInterrupts = 1u << 7;
} // namespace pin
// 24.6.2 primary processor-based controls
namespace proc {
constexpr uint32_t IntWindow = 1u << 2, TscOffset = 1u << 3, HltExiting = 1u << 7, InvlpgExiting = 1u << 9;
constexpr uint32_t MwaitExiting = 1u << 10, RdpmcExiting = 1u << 11, RdtscExiting = 1u << 12;
constexpr uint32_t Cr3LoadExiting = 1u << 15, Cr3StoreExiting = 1u << 16, Tertiary = 1u << 17;
constexpr uint32_t Cr8LoadExiting = 1u << 19, Cr8StoreExiting = 1u << 20, TprShadow = 1u << 21;
constexpr uint32_t NmiWindow = 1u << 22, MovDrExiting = 1u << 23, UncondIo = 1u << 24, IoBitmaps = 1u << 25;
constexpr uint32_t Mtf = 1u << 27, MsrBitmaps = 1u << 28, MonitorExiting = 1u << 29, PauseExiting = 1u << 30;
constexpr uint32_t Secondary = 1u << 31;
} // namespace proc
// 24.6.2 secondary processor-based controls
namespace proc2 {
constexpr uint32_t VirtApic = 1u << 0, Ept = 1u << 1, DescTableExiting = 1u << 2, Rdtscp = 1u << 3;
constexpr uint32_t VirtX2apic = 1u << 4, Vpid = 1u << 5, WbinvdExiting = 1u << 6, Unrestricted = 1u << 7;
constexpr uint32_t ApicRegVirt = 1u << 8, VirtIntDelivery = 1u << 9, PauseLoop = 1u << 10;
constexpr uint32_t RdrandExiting = 1u << 11, Invpcid = 1u << 12, Vmfunc = 1u << 13, VmcsShadowing = 1u << 14;
constexpr uint32_t Pml = 1u << 17, EptVe = 1u << 18, Xsaves = 1u << 20;
} // namespace proc2
// 24.7.1 VM-exit controls
namespace exitc {
constexpr uint32_t SaveDebug = 1u << 2, HostLong = 1u << 9, LoadPerfGlobal = 1u << 12, AckIntr = 1u << 15;
constexpr uint32_t SavePat = 1u << 18, LoadPat = 1u << 19, SaveEfer = 1u << 20, LoadEfer = 1u << 21;
constexpr uint32_t SavePreemption = 1u << 22;
} // namespace exitc
// 24.8.1 VM-entry controls
namespace entryc {
constexpr uint32_t LoadDebug = 1u << 2, Ia32e = 1u << 9, Smm = 1u << 10, DeactDual = 1u << 11;
constexpr uint32_t LoadPerfGlobal = 1u << 13, LoadPat = 1u << 14, LoadEfer = 1u << 15;
} // namespace entryc

// Appendix C basic exit reasons
enum ExitReason : uint32_t {
    ExceptionNmi = 0, ExternalInterrupt = 1, TripleFault = 2, Init = 3, Sipi = 4, IoSmi = 5, OtherSmi = 6,
    InterruptWindow = 7, NmiWindow = 8, TaskSwitch = 9, Cpuid = 10, Getsec = 11, Hlt = 12, Invd = 13,
    Invlpg = 14, Rdpmc = 15, Rdtsc = 16, Rsm = 17, Vmcall = 18, Vmclear = 19, Vmlaunch = 20, Vmptrld = 21,
    Vmptrst = 22, Vmread = 23, Vmresume = 24, Vmwrite = 25, Vmxoff = 26, Vmxon = 27, CrAccess = 28,
    DrAccess = 29, IoInstruction = 30, Rdmsr = 31, Wrmsr = 32, EntryFailGuest = 33, EntryFailMsr = 34,
    Mwait = 36, Mtf = 37, Monitor = 39, Pause = 40, EntryFailMce = 41, TprBelowThreshold = 43,
    ApicAccess = 44, VirtualizedEoi = 45, GdtrIdtr = 46, LdtrTr = 47, EptViolation = 48,
    EptMisconfig = 49, Invept = 50, Rdtscp = 51, PreemptionTimer = 52, Invvpid = 53, Wbinvd = 54,
    Xsetbv = 55, ApicWrite = 56, Rdrand = 57, Invpcid = 58, Vmfunc = 59,
};
constexpr uint32_t kEntryFailure = 1u << 31;   // exit reason bit 31

// 30.4 VM-instruction error numbers
enum InsnError : uint32_t {
    ErrVmcallInRoot = 1, ErrVmclearInvalidPa = 2, ErrVmclearVmxon = 3, ErrVmlaunchNotClear = 4,
    ErrVmresumeNotLaunched = 5, ErrVmresumeAfterVmxoff = 6, ErrEntryControls = 7, ErrEntryHostState = 8,
    ErrVmptrldInvalidPa = 9, ErrVmptrldVmxon = 10, ErrVmptrldRevision = 11, ErrUnsupportedField = 12,
    ErrReadOnlyField = 13, ErrVmxonInRoot = 15, ErrEntryBadExecVmcs = 16, ErrEntryNonLaunchedExec = 17,
    ErrEntryExecNotVmxon = 18, ErrVmcallNonClear = 19, ErrVmcallInvalidExitCtl = 20,
    ErrVmcallRevision = 22, ErrVmxoffDualMonitor = 23, ErrVmcallInvalidSmm = 24,
    ErrEntryInvalidExecCtl = 25, ErrEntryMovSs = 26, ErrInvalidInvOperand = 28,
};

// Interruption types (24.8.3 / 24.9.2)
enum IntrType : uint8_t {
    ExtInt = 0, Nmi = 2, HwException = 3, SoftInt = 4, PrivSoftException = 5, SoftException = 6, Other = 7,
};
constexpr uint32_t kIntrValid = 1u << 31, kIntrErrorValid = 1u << 11, kIntrNmiUnblock = 1u << 12;

// Interruptibility state (24.4.2)
namespace intr {
constexpr uint32_t BlockSti = 1u << 0, BlockMovSs = 1u << 1, BlockSmi = 1u << 2, BlockNmi = 1u << 3;
} // namespace intr
// Activity states (24.4.2)
enum Activity : uint32_t { Active = 0, HltState = 1, ShutdownState = 2, WaitSipi = 3 };

// Capability MSRs (Appendix A)
namespace msr {
constexpr uint32_t FeatureControl = 0x3a;
constexpr uint32_t Basic = 0x480, Pinbased = 0x481, Procbased = 0x482, Exit = 0x483, Entry = 0x484;
constexpr uint32_t Misc = 0x485, Cr0Fixed0 = 0x486, Cr0Fixed1 = 0x487, Cr4Fixed0 = 0x488, Cr4Fixed1 = 0x489;
constexpr uint32_t VmcsEnum = 0x48a, Procbased2 = 0x48b, EptVpidCap = 0x48c, TruePinbased = 0x48d;
constexpr uint32_t TrueProcbased = 0x48e, TrueExit = 0x48f, TrueEntry = 0x490, Vmfunc = 0x491;
} // namespace msr
namespace fc {   // IA32_FEATURE_CONTROL
constexpr uint64_t Lock = 1u << 0, VmxInSmx = 1u << 1, VmxOutsideSmx = 1u << 2;
} // namespace fc

// EPT (28.3.2): entry bits and EPTP
namespace ept {
constexpr uint64_t R = 1u << 0, W = 1u << 1, X = 1u << 2, MemType = 7u << 3, IgnorePat = 1u << 6;
constexpr uint64_t Large = 1u << 7, Accessed = 1u << 8, Dirty = 1u << 9, UserX = 1u << 10;
constexpr uint64_t EptpAd = 1u << 6;
} // namespace ept

// EPT-violation exit qualification (28.3.3.2, Table 28-7)
namespace eptq {
constexpr uint64_t Read = 1u << 0, Write = 1u << 1, Fetch = 1u << 2, Readable = 1u << 3;
constexpr uint64_t Writable = 1u << 4, Executable = 1u << 5, LinearValid = 1u << 7, Final = 1u << 8;
constexpr uint64_t NmiUnblock = 1u << 12;
} // namespace eptq

} // namespace hvemu::x86::vmx
