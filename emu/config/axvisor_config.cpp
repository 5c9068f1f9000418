// Each table is read through a Reader that remembers which keys it used;
// whatever is left at the end is reported as unknown. Values are checked
// for type and range where they are read.
#include "emu/config/axvisor_config.hpp"

#include <algorithm>
#include <bit>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "emu/loader/elf.hpp"
#include "emu/machine/riscv64_virt.hpp"
#include "emu/vmm/arm_vm.hpp"

namespace hvemu::emu::config {

namespace {

using vmm::MapType;
using vmm::MemoryRegionConfig;
using vmm::GuestArch;
using vmm::VmConfig;

constexpr uint64_t kEmuInterruptController = 0x1, kEmuConsole = 0x2, kEmuVplic = 0x30;
constexpr uint64_t kEmuGpptGicr = 0x20, kEmuGpptGicd = 0x21;
constexpr uint64_t kMpidrAffinity = 0xff'00ff'ffffull;   // Aff3 (39:32), Aff2-Aff0 (23:0)

const char* emu_type_name(uint64_t t) {
    switch (t) {
    case 0x0: return "dummy";
    case 0x1: return "interrupt controller";
    case 0x2: return "console";
    case 0xA: return "IVC channel";
    case 0x20: return "GIC partial-passthrough redistributor";
    case 0x21: return "GIC partial-passthrough distributor";
    case 0x22: return "GIC partial-passthrough ITS";
    case 0x30: return "vPLIC";
    case 0xE1: return "virtio block";
    case 0xE2: return "virtio net";
    case 0xE3: return "virtio console";
    default: return "unknown type";
    }
}

class Doc {
public:
    Doc(std::string name, std::vector<std::string>& warnings) : name_(std::move(name)), warnings_(warnings) {}

    std::string where(const toml::node* n) const {
        if (n && n->source().begin.line) return fmt::format("{}:{}", name_, n->source().begin.line);
        return name_;
    }
    [[noreturn]] void fail(const toml::node* n, const std::string& msg) const {
        throw ConfigError(fmt::format("{}: {}", where(n), msg));
    }
    void warn(const toml::node* n, const std::string& msg) {
        const uint32_t line = n ? n->source().begin.line : 0;
        pending_.emplace_back(line, fmt::format("{}: {}", where(n), msg));
    }
    // The warnings in the order of the file.
    void flush() {
        std::stable_sort(pending_.begin(), pending_.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [line, text] : pending_) warnings_.push_back(std::move(text));
        pending_.clear();
    }

    uint64_t uint(const toml::node& n, const std::string& what, uint64_t max = UINT64_MAX) const {
        const auto* i = n.as_integer();
        if (!i) fail(&n, fmt::format("{}: expected an integer, found {}", what, type_name(n)));
        const int64_t v = i->get();
        if (v < 0) fail(&n, fmt::format("{}: {} is negative", what, v));
        if (static_cast<uint64_t>(v) > max) fail(&n, fmt::format("{}: {:#x} is too large (at most {:#x})", what, v, max));
        return static_cast<uint64_t>(v);
    }
    std::string str(const toml::node& n, const std::string& what) const {
        const auto* s = n.as_string();
        if (!s) fail(&n, fmt::format("{}: expected a string, found {}", what, type_name(n)));
        return s->get();
    }
    const toml::array& array(const toml::node& n, const std::string& what) const {
        const auto* a = n.as_array();
        if (!a) fail(&n, fmt::format("{}: expected an array, found {}", what, type_name(n)));
        return *a;
    }
    static const char* type_name(const toml::node& n) {
        switch (n.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "a boolean";
        default: return "a date or time";
        }
    }

private:
    std::string name_;
    std::vector<std::string>& warnings_;
    std::vector<std::pair<uint32_t, std::string>> pending_;
};

// A table whose keys are consumed one by one; the rest are reported.
class Reader {
public:
    Reader(Doc& doc, const toml::table& t, std::string name) : doc_(doc), t_(t), name_(std::move(name)) {}
    ~Reader() = default;

    const toml::node* get(const char* key) {
        used_.insert(key);
        return t_.get(key);
    }
    const toml::node& need(const char* key) {
        const toml::node* n = get(key);
        if (!n) doc_.fail(&t_, fmt::format("[{}] {} is missing", name_, key));
        return *n;
    }
    std::string key(const char* k) const { return fmt::format("[{}] {}", name_, k); }
    // Keys nobody asked for.
    void report_unknown() {
        for (const auto& [k, v] : t_)
            if (!used_.count(std::string(k.str())))
                doc_.warn(&v, fmt::format("[{}] {}: unknown key (ignored)", name_, k.str()));
    }
    // Keys that exist in Axvisor's schema but mean nothing to hvemu.
    void unsupported(const char* k, const char* why) {
        if (const toml::node* n = get(k)) doc_.warn(n, fmt::format("[{}] {}: not supported ({})", name_, k, why));
    }

private:
    Doc& doc_;
    const toml::table& t_;
    std::string name_;
    std::set<std::string> used_;
};

// A row written as an array (axvmconfig's tuple form) or an inline table
// (its field names): field i / name.
struct Row {
    Doc& doc;
    const toml::node& node;
    std::string what;
    const toml::node* field(size_t i, const char* name) const {
        if (const auto* a = node.as_array()) return i < a->size() ? a->get(i) : nullptr;
        if (const auto* t = node.as_table()) return t->get(name);
        doc.fail(&node, fmt::format("{}: expected an array or a table, found {}", what, Doc::type_name(node)));
    }
    const toml::node& need(size_t i, const char* name) const {
        const toml::node* n = field(i, name);
        if (!n) doc.fail(&node, fmt::format("{}: field {} ({}) is missing", what, i, name));
        return *n;
    }
};

std::string resolve(const std::string& base_dir, const std::string& p) {
    namespace fs = std::filesystem;
    if (p.empty() || fs::path(p).is_absolute() || base_dir.empty()) return p;
    return (fs::path(base_dir) / p).lexically_normal().string();
}

void read_base(Doc& doc, const toml::table& t, VmConfig& vm) {
    Reader r(doc, t, "base");
    (void)r.get("arch");   // read before the rest (architecture_of)
    if (const auto* n = r.get("id")) vm.id = doc.uint(*n, r.key("id"), 0x3FFF);
    if (const auto* n = r.get("name")) vm.name = doc.str(*n, r.key("name"));
    if (const auto* n = r.get("vm_type")) {
        const uint64_t type = doc.uint(*n, r.key("vm_type"));
        if (type == 0) doc.warn(n, "[base] vm_type 0 (host VM, boot from Linux): not supported; run as a guest VM");
        else if (type > 2) doc.warn(n, fmt::format("[base] vm_type {}: unknown (ignored)", type));
    }
    vm.cpu_num = static_cast<unsigned>(doc.uint(r.need("cpu_num"), r.key("cpu_num"), VmConfig::kMaxVCpus));
    if (vm.cpu_num == 0) doc.fail(t.get("cpu_num"), "[base] cpu_num: a VM needs at least one vCPU");
    const toml::node* ids = r.get("phys_cpu_ids");
    const toml::node* sets = r.get("phys_cpu_sets");
    if (ids && sets) doc.fail(sets, "[base] phys_cpu_ids and phys_cpu_sets: give one of them");
    if (ids) {
        const auto& a = doc.array(*ids, r.key("phys_cpu_ids"));
        if (a.size() != vm.cpu_num)
            doc.fail(ids, fmt::format("[base] phys_cpu_ids has {} entries for {} vCPUs", a.size(), vm.cpu_num));
        std::set<uint64_t> distinct;
        bool identity = true;
        const bool arm = vm.arch == GuestArch::Aarch64;
        for (size_t i = 0; i < a.size(); i++) {
            const uint64_t id = doc.uint(*a.get(i), r.key("phys_cpu_ids"), arm ? kMpidrAffinity : 4095);
            // Arm: the ids are the physical CPUs' MPIDRs, and a vCPU shows
            // its CPU's MPIDR to the guest (as Axvisor's vCPUs do).
            if (arm && (id & ~kMpidrAffinity))
                doc.fail(a.get(i), fmt::format("[base] phys_cpu_ids: {:#x} is not an MPIDR affinity (Aff3 in bits "
                                               "39:32, Aff2-Aff0 in 23:0)", id));
            if (arm && distinct.count(id))
                doc.fail(a.get(i), fmt::format("[base] phys_cpu_ids: MPIDR {:#x} is given twice; every vCPU of an "
                                               "Arm VM needs its own", id));
            if (arm) vm.mpidrs.push_back(id);
            identity &= id == i;
            distinct.insert(id);
        }
        vm.phys_cpus = static_cast<unsigned>(distinct.size());
        if (!identity && !arm)
            doc.warn(ids, fmt::format("[base] phys_cpu_ids: the VM gets {} physical CPU(s); vCPUs are placed "
                                      "by hvemu's scheduler, not on the CPUs named",
                                      vm.phys_cpus));
    }
    if (sets) {
        const auto& a = doc.array(*sets, r.key("phys_cpu_sets"));
        if (a.size() != vm.cpu_num)
            doc.fail(sets, fmt::format("[base] phys_cpu_sets has {} masks for {} vCPUs", a.size(), vm.cpu_num));
        uint64_t all = 0;
        for (size_t i = 0; i < a.size(); i++) {
            const uint64_t m = doc.uint(*a.get(i), r.key("phys_cpu_sets"));
            if (m == 0) doc.fail(a.get(i), fmt::format("[base] phys_cpu_sets: vCPU {} may run nowhere (mask 0)", i));
            all |= m;
        }
        vm.phys_cpus = std::min<unsigned>(static_cast<unsigned>(std::popcount(all)), vm.cpu_num);
        doc.warn(sets, fmt::format("[base] phys_cpu_sets: the VM gets {} physical CPU(s); per-vCPU affinity is not "
                                   "honoured",
                                   vm.phys_cpus));
    }
    r.report_unknown();
}

MemoryRegionConfig read_region(Doc& doc, const toml::node& n, size_t i) {
    const Row row{doc, n, fmt::format("[kernel] memory_regions[{}]", i)};
    MemoryRegionConfig m;
    m.gpa = doc.uint(row.need(0, "gpa"), row.what + " gpa");
    m.size = doc.uint(row.need(1, "size"), row.what + " size");
    const uint64_t flags = doc.uint(row.need(2, "flags"), row.what + " flags", 0x3f);
    m.flags = static_cast<vcpu::MappingFlags>(flags);
    const uint64_t type = row.field(3, "map_type") ? doc.uint(*row.field(3, "map_type"), row.what + " map_type") : 0;
    if (type > 2) doc.fail(&n, fmt::format("{}: map_type {} is not 0 (alloc), 1 (identical) or 2 (reserved)", row.what, type));
    m.map = static_cast<MapType>(type);
    if (m.size == 0) doc.fail(&n, row.what + ": size 0");
    if ((m.gpa | m.size) & 0xfff) doc.fail(&n, fmt::format("{}: [{:#x}, +{:#x}) is not 4 KiB aligned", row.what, m.gpa, m.size));
    if (!(flags & vcpu::mapping::READ))
        doc.fail(&n, fmt::format("{}: flags {:#x} lack READ (1): memory cannot be mapped write- or execute-only", row.what, flags));
    if (flags & (vcpu::mapping::DEVICE | vcpu::mapping::UNCACHED))
        doc.warn(&n, fmt::format("{}: DEVICE/UNCACHED flags have no effect (no memory types are modelled)", row.what));
    if (const auto* a = n.as_array(); a && a->size() > 4) doc.warn(&n, row.what + ": fields after map_type ignored");
    return m;
}

void read_kernel(Doc& doc, const toml::table& t, VmConfig& vm, const std::string& base_dir) {
    Reader r(doc, t, "kernel");
    vm.kernel_path = resolve(base_dir, doc.str(r.need("kernel_path"), r.key("kernel_path")));
    if (const auto* n = r.get("entry_point")) vm.entry_point = doc.uint(*n, r.key("entry_point"));
    if (const auto* n = r.get("kernel_load_addr")) vm.kernel_load_addr = doc.uint(*n, r.key("kernel_load_addr"));
    if (const auto* n = r.get("image_location")) {
        const std::string loc = doc.str(*n, r.key("image_location"));
        if (loc == "memory")
            doc.warn(n, "[kernel] image_location \"memory\": hvemu has no built-in images; kernel_path is read from the file system");
        else if (loc != "fs")
            doc.fail(n, fmt::format("[kernel] image_location \"{}\" is not \"fs\" or \"memory\"", loc));
    }
    if (const auto* n = r.get("dtb_path")) vm.dtb_path = resolve(base_dir, doc.str(*n, r.key("dtb_path")));
    if (const auto* n = r.get("dtb_load_addr")) vm.dtb_load_addr = doc.uint(*n, r.key("dtb_load_addr"));
    if (const auto* n = r.get("cmdline")) vm.bootargs = doc.str(*n, r.key("cmdline"));
    r.unsupported("bios_path", "no firmware is loaded: the kernel is entered directly");
    r.unsupported("bios_load_addr", "no firmware is loaded");
    r.unsupported("ramdisk_path", "no initial ramdisk is loaded");
    r.unsupported("ramdisk_load_addr", "no initial ramdisk is loaded");
    r.unsupported("disk_path", "hvemu emulates no block device");
    const auto& regions = doc.array(r.need("memory_regions"), r.key("memory_regions"));
    if (regions.empty()) doc.fail(t.get("memory_regions"), "[kernel] memory_regions is empty: the VM needs RAM");
    for (size_t i = 0; i < regions.size(); i++) vm.memory.push_back(read_region(doc, *regions.get(i), i));
    r.report_unknown();
}

// Whether [base, base+len) lies within one of the emulated devices.
bool covered_by_devices(const VmConfig& vm, uint64_t base, uint64_t len) {
    auto inside = [&](uint64_t b, uint64_t l) { return base >= b && len <= l && base - b <= l - len; };
    using vmm::ArmVm;
    switch (vm.arch) {
    case GuestArch::Aarch64:
        return inside(ArmVm::kGicdBase, dev::Gicv3::kDistSize) ||
               inside(ArmVm::kGicrBase, dev::Gicv3::kRedistStride * vm.cpu_num) || inside(ArmVm::kUartBase, 0x1000);
    case GuestArch::X86_64: return inside(0xFEE00000, 0x1000);   // the local APIC page
    case GuestArch::Riscv64: break;
    }
    return inside(vm.uart_base, 0x1000) || (vm.plic && inside(vm.plic_base, vm.plic_size));
}

// The interrupt controller an emulated VM of the architecture has.
const char* interrupt_controller(GuestArch a) {
    switch (a) {
    case GuestArch::Aarch64: return "the emulated GICv3";
    case GuestArch::X86_64: return "the emulated local APICs";
    case GuestArch::Riscv64: break;
    }
    return "the emulated PLIC";
}

// An Arm VM has QEMU virt's devices at fixed places (arm_vm.hpp): an entry
// that names one of them where it is is honoured; anything else is reported.
void arm_emu_device(Doc& doc, const toml::node& d, const std::string& what, uint64_t type, uint64_t base,
                    uint64_t len, uint64_t irq, const std::vector<uint64_t>& cfg, const VmConfig& vm) {
    using vmm::ArmVm;
    auto at = [&](const char* dev, uint64_t want) {
        if (base != want)
            doc.warn(&d, what + fmt::format(": {} is at {:#x} in hvemu's Arm VMs, not {:#x} (ignored)", dev, want, base));
    };
    switch (type) {
    case kEmuGpptGicd:
        at("the GICv3 distributor", ArmVm::kGicdBase);
        if (len < dev::Gicv3::kDistSize) doc.warn(&d, what + fmt::format(": the distributor has {:#x} bytes", dev::Gicv3::kDistSize));
        return;
    case kEmuGpptGicr:
        at("the GICv3 redistributors", ArmVm::kGicrBase);
        if (cfg.size() >= 2 && cfg[1] != dev::Gicv3::kRedistStride)
            doc.warn(&d, what + fmt::format(": redistributor stride {:#x}; hvemu's is {:#x} (GICv3, no VLPIs)", cfg[1],
                                            dev::Gicv3::kRedistStride));
        if (!cfg.empty() && cfg[0] != vm.cpu_num)
            doc.warn(&d, what + fmt::format(": {} redistributors given; the VM has one per vCPU ({})", cfg[0], vm.cpu_num));
        return;
    case kEmuInterruptController:
        doc.warn(&d, what + ": a GICv2 is not emulated; hvemu's Arm VMs have a GICv3 (distributor at 0x08000000)");
        return;
    case kEmuConsole:
        at("the PL011", ArmVm::kUartBase);
        if (irq && irq != 32 + ArmVm::kUartSpi)
            doc.warn(&d, what + fmt::format(": the PL011 raises INTID {} (SPI {}), not {}", 32 + ArmVm::kUartSpi,
                                            ArmVm::kUartSpi, irq));
        return;
    default: doc.warn(&d, what + ": not supported (ignored)");
    }
}

void read_devices(Doc& doc, const toml::table& t, VmConfig& vm) {
    Reader r(doc, t, "devices");
    if (const auto* n = r.get("emu_devices")) {
        const auto& a = doc.array(*n, r.key("emu_devices"));
        for (size_t i = 0; i < a.size(); i++) {
            const toml::node& d = *a.get(i);
            const Row row{doc, d, fmt::format("[devices] emu_devices[{}]", i)};
            const std::string name = doc.str(row.need(0, "name"), row.what + " name");
            const uint64_t base = doc.uint(row.need(1, "base_gpa"), row.what + " base_gpa");
            const uint64_t len = doc.uint(row.need(2, "length"), row.what + " length");
            const uint64_t irq = doc.uint(row.need(3, "irq_id"), row.what + " irq_id");
            const uint64_t type = doc.uint(row.need(4, "emu_type"), row.what + " emu_type", 0xff);
            std::vector<uint64_t> cfg;
            if (const toml::node* c = row.field(5, "cfg_list"))
                for (const auto& e : doc.array(*c, row.what + " cfg_list")) cfg.push_back(doc.uint(e, row.what + " cfg_list"));
            const std::string what = fmt::format("{} '{}' ({:#x}, {})", row.what, name, type, emu_type_name(type));
            if (vm.arch == GuestArch::Aarch64) {
                arm_emu_device(doc, d, what, type, base, len, irq, cfg, vm);
            } else if (vm.arch == GuestArch::X86_64) {
                doc.warn(&d, what + ": not supported in an x86 VM (ignored)");
            } else if (type == kEmuConsole) {
                if (base & 0xfff) doc.fail(&d, what + ": the UART's base must be 4 KiB aligned");
                if (len < 8) doc.fail(&d, what + fmt::format(": length {:#x} is smaller than the 16550's 8 registers", len));
                vm.uart_base = base;
                if (irq) {
                    if (irq > 95) doc.fail(&d, what + fmt::format(": irq {} is not a PLIC source (1 to 95)", irq));
                    vm.uart_irq = static_cast<uint32_t>(irq);
                }
            } else if (type == kEmuInterruptController || type == kEmuVplic) {
                if ((base | len) & 0xfff || len == 0) doc.fail(&d, what + ": base and length must be 4 KiB aligned");
                if (len < 0x200000 + 0x1000 * 2 * uint64_t{vm.cpu_num})
                    doc.fail(&d, what + fmt::format(": length {:#x} leaves no room for the {} contexts of {} vCPUs", len,
                                                    2 * vm.cpu_num, vm.cpu_num));
                if (!cfg.empty() && cfg[0] < 2 * uint64_t{vm.cpu_num})
                    doc.warn(&d, what + fmt::format(": {} contexts given; the PLIC has 2 per vCPU ({}), as QEMU virt",
                                                    cfg[0], 2 * vm.cpu_num));
                vm.plic = true;
                vm.plic_base = base;
                vm.plic_size = len;
            } else {
                doc.warn(&d, what + ": not supported (ignored)");
            }
        }
    }
    if (const auto* n = r.get("interrupt_mode")) {
        const std::string m = doc.str(*n, r.key("interrupt_mode"));
        if (m == "passthrough" || m == "pt")
            doc.warn(n, fmt::format("[devices] interrupt_mode \"passthrough\": a hosted VM has no host interrupts to "
                                    "pass through; {} delivers them",
                                    interrupt_controller(vm.arch)));
        else if (m != "emu" && m != "emulated" && m != "no_irq" && m != "no" && m != "none")
            doc.fail(n, fmt::format("[devices] interrupt_mode \"{}\" is not \"no_irq\", \"emu\" or \"passthrough\"", m));
    }
    if (const auto* n = r.get("passthrough_devices")) {
        const auto& a = doc.array(*n, r.key("passthrough_devices"));
        for (size_t i = 0; i < a.size(); i++) {
            const toml::node& d = *a.get(i);
            const Row row{doc, d, fmt::format("[devices] passthrough_devices[{}]", i)};
            const std::string name = doc.str(row.need(0, "name"), row.what + " name");
            const toml::node* gpa = row.field(1, "base_gpa");
            const toml::node* len = row.field(3, "length");
            if (gpa && len && covered_by_devices(vm, doc.uint(*gpa, row.what), doc.uint(*len, row.what)))
                doc.warn(&d, fmt::format("{} '{}': no host device to pass through; served by hvemu's emulated device",
                                         row.what, name));
            else if (!gpa && name.starts_with("/"))
                doc.warn(&d, fmt::format("{} '{}': device-tree pass-through is not supported in a hosted VM; the guest's "
                                         "device tree describes hvemu's emulated devices",
                                         row.what, name));
            else
                doc.warn(&d, fmt::format("{} '{}': pass-through is not supported in a hosted VM (ignored)", row.what, name));
        }
    }
    if (const auto* n = r.get("passthrough_addresses")) {
        const auto& a = doc.array(*n, r.key("passthrough_addresses"));
        for (size_t i = 0; i < a.size(); i++) {
            const toml::node& d = *a.get(i);
            const Row row{doc, d, fmt::format("[devices] passthrough_addresses[{}]", i)};
            const uint64_t gpa = doc.uint(row.need(0, "base_gpa"), row.what + " base_gpa");
            const uint64_t len = doc.uint(row.need(1, "length"), row.what + " length");
            if (covered_by_devices(vm, gpa, len))
                doc.warn(&d, fmt::format("{} [{:#x}, +{:#x}): no host device to pass through; served by hvemu's "
                                         "emulated device",
                                         row.what, gpa, len));
            else
                doc.warn(&d, fmt::format("{} [{:#x}, +{:#x}): pass-through is not supported in a hosted VM; accesses "
                                         "there find no device",
                                         row.what, gpa, len));
        }
    }
    if (const auto* n = r.get("excluded_devices"); n && !doc.array(*n, r.key("excluded_devices")).empty())
        doc.warn(n, "[devices] excluded_devices: not supported (nothing is passed through to exclude)");
    r.report_unknown();
}

// [base] arch (hvemu's key: Axvisor takes the architecture from its build
// target); else the kernel's ELF header; else riscv64.
GuestArch architecture_of(Doc& doc, const toml::table& base, const toml::table& kernel, const std::string& base_dir) {
    if (const toml::node* n = base.get("arch")) {
        const std::string a = doc.str(*n, "[base] arch");
        if (a == "riscv64") return GuestArch::Riscv64;
        if (a == "aarch64") return GuestArch::Aarch64;
        if (a == "x86_64") return GuestArch::X86_64;
        doc.fail(n, fmt::format("[base] arch \"{}\" is not \"riscv64\", \"aarch64\" or \"x86_64\"", a));
    }
    const toml::node* k = kernel.get("kernel_path");
    if (k && k->as_string()) {
        std::ifstream f(resolve(base_dir, k->as_string()->get()), std::ios::binary);
        unsigned char h[20] = {};
        if (f.read(reinterpret_cast<char*>(h), sizeof h) && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F') {
            const unsigned machine = h[18] | h[19] << 8;
            if (machine == elf_machine::AARCH64) return GuestArch::Aarch64;
            if (machine == elf_machine::X86_64) return GuestArch::X86_64;
        }
    }
    return GuestArch::Riscv64;
}

} // namespace

AxvisorConfig parse_axvisor_config(std::string_view text, const std::string& name, const std::string& base_dir) {
    AxvisorConfig out;
    Doc doc(name, out.warnings);
    toml::table root;
    try {
        root = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        throw ConfigError(fmt::format("{}:{}:{}: {}", name, e.source().begin.line, e.source().begin.column, e.description()));
    }
    VmConfig& vm = out.vm;
    vm.memory.clear();
    const toml::node* base = root.get("base");
    const toml::node* kernel = root.get("kernel");
    const toml::node* devices = root.get("devices");
    if (!base || !base->as_table()) doc.fail(base, "[base] table is missing");
    if (!kernel || !kernel->as_table()) doc.fail(kernel, "[kernel] table is missing");
    vm.arch = architecture_of(doc, *base->as_table(), *kernel->as_table(), base_dir);
    read_base(doc, *base->as_table(), vm);
    read_kernel(doc, *kernel->as_table(), vm, base_dir);
    if (devices) {
        if (!devices->as_table()) doc.fail(devices, "[devices] must be a table");
        read_devices(doc, *devices->as_table(), vm);
    }
    for (const auto& [k, v] : root)
        if (k != "base" && k != "kernel" && k != "devices")
            doc.warn(&v, fmt::format("[{}]: unknown table or key (ignored)", k.str()));
    doc.flush();
    return out;
}

AxvisorConfig load_axvisor_config(const std::string& path) {
    std::vector<uint8_t> bytes;
    try {
        bytes = read_file(path);
    } catch (const LoadError& e) {
        throw ConfigError(e.what());
    }
    const std::string text(bytes.begin(), bytes.end());
    const std::string dir = std::filesystem::path(path).parent_path().string();
    return parse_axvisor_config(text, path, dir);
}

} // namespace hvemu::emu::config
