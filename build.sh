#!/usr/bin/env bash
# Set up, build and run hvemu on Debian 12.
#
#   ./build.sh demo       install what is missing, build (Release, build/), boot the bundled guests
#   ./build.sh test       install what is missing, build (Release, build/), run every test
#   ./build.sh asan-test  build with ASan+UBSan (Debug, build-asan/), run the unit tests
#
# Missing Debian packages are installed with apt-get when run as root;
# otherwise the script prints the apt-get command to run and stops.
# HVEMU_BUILD_DIR and HVEMU_ASAN_BUILD_DIR override the build directories.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd)
B="${HVEMU_BUILD_DIR:-build}"
BA="${HVEMU_ASAN_BUILD_DIR:-build-asan}"

# Every package the build, the tests and the demo need, and why:
PACKAGES=(
    cmake ninja-build g++ pkg-config   # the build
    clang lld llvm                     # bare-metal guests; llvm-objdump as disassembler oracle
    libcapstone-dev                    # x86/AArch64 disassembly (traces, debugger, decoder oracle)
    libboost-program-options-dev       # the command line
    catch2                             # unit tests (v2)
    libfdt-dev                         # device trees for the guests
    libtomlplusplus-dev                # configuration files
    libfmt-dev                         # formatting
    ccache                             # faster rebuilds
    qemu-system-misc                   # qemu-system-riscv64: reference for the differential tests
    qemu-system-arm                    # qemu-system-aarch64: reference for the AArch64 guests and their tests
    bochs bochsbios bochs-term         # Bochs: the x86 reference (it models VMX), headless on a terminal
    grub-pc-bin grub-common xorriso mtools   # grub-mkrescue: Bochs boots the multiboot guests from a GRUB CD
    opensbi                            # SBI firmware under QEMU for the hosted-VM guests' comparison
    gdb-multiarch                      # debugger tests
)

usage() {
    echo "usage: ./build.sh demo | test | asan-test" >&2
    exit 2
}

jobs() { nproc 2>/dev/null || echo 2; }

ensure_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "build.sh: missing Debian packages: ${missing[*]}" >&2
        echo "Install them with:" >&2
        echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    echo "build.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# configure DIR BUILD_TYPE [cmake args...]
configure() {
    local dir="$1" type="$2"
    shift 2
    cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@"
}

build() {
    local dir="$1"
    shift
    cmake --build "$dir" -j "$(jobs)" "$@"
}

# The demo: one bundled guest per architecture and mode, full system (the
# guest is the hypervisor) and hosted (hvemu's reference VMM on the vCPU
# interface), each with its statistics. Stops at the first guest that fails.
demo_run() {
    echo
    echo "== hvemu run $*"
    "$B"/emu/hvemu run "$@"
}
demo_tour() {
    local g="$B"/guests
    demo_run --machine riscv64-virt --bios none --kernel "$g"/riscv64/hello.elf
    demo_run --arch riscv64 --kernel "$g"/riscv64-vm/smp.elf --smp 4 --timing riscv-inorder --stats
    demo_run --machine aarch64-virt --kernel "$g"/aarch64/stage2.elf
    demo_run --arch aarch64 --kernel "$g"/aarch64-vm/smp.elf --smp 4 --timing arm-kvm-nvhe --stats
    demo_run --machine x86_64-pc --kernel "$g"/x86_64/vmx.elf
    demo_run --arch x86_64 --kernel "$g"/x86_64-vm/smp.elf --smp 4 --stats
    echo
    echo "demo: every guest ran to its end"
}

cmd="${1:-}"
[[ $# -eq 1 ]] || usage

case "$cmd" in
demo)
    ensure_packages
    configure "$B" Release
    build "$B" --target hvemu guests guests-vm guests-aarch64 guests-aarch64-vm guests-x86_64 guests-x86_64-vm
    demo_tour
    ;;
test)
    ensure_packages
    configure "$B" Release
    build "$B"
    ctest --test-dir "$B" --output-on-failure -j "$(jobs)"
    ;;
asan-test)
    ensure_packages
    configure "$BA" Debug -DHVEMU_SANITIZE=ON
    build "$BA"
    # The unit tests; the guest-level and reference runs (diff.*, spec.*, qemu.*, bochs.*) are in `test`.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir "$BA" --output-on-failure -j "$(jobs)" -E '^(diff|spec|qemu|bochs)\.'
    ;;
*)
    usage
    ;;
esac
