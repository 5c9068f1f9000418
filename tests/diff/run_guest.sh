#!/usr/bin/env bash
# Runs one guest on hvemu and checks its console output and exit status,
# either against QEMU (differential test: the reference output is produced
# now, by running QEMU on the same ELF) or against an expected file written
# from the specification (for behaviour where QEMU 7.2 is wrong). With
# --qemu-only it runs the guest on QEMU alone and checks the guest's own
# verdict: exit status 0 and a last line "PASS: <name>".
#
# --arch riscv64 (default): bare-metal guests in M-mode on the virt boards.
# --arch aarch64: bare-metal guests starting at EL2 (QEMU virt with
#   virtualization=on, GICv3, semihosting for the exit status); with --vm,
#   guests for hosted VMs starting at EL1 (QEMU virt without
#   virtualization, PSCI over HVC; hvemu's VMM with --arch aarch64).
# --arch x86_64: multiboot guests on the PC board (hvemu's x86_64-pc; with
#   --vm, hvemu's VMM with --arch x86_64). The reference is Bochs, through
#   run_bochs.sh (--bochs PATH, or --bochs-only to check the guest's own
#   verdict there); the exit status compared is hvemu's isa-debug-exit one.
#
# usage: run_guest.sh [--arch riscv64|aarch64] [--vm] [--cpu MODEL]
#                     --elf ELF --work DIR [--smp N] [--timeout SECONDS]
#                     (--hvemu PATH (--qemu PATH | --expected FILE) | --qemu PATH --qemu-only)
#        run_guest.sh --arch x86_64 [--vm] --elf ELF --work DIR [--smp N] [--timeout S]
#                     (--hvemu PATH (--bochs PATH | --expected FILE) | --bochs PATH --bochs-only)
set -euo pipefail

hvemu="" qemu="" elf="" expected="" work="" timeout_s=30 smp=1 arch=riscv64 vm=0 cpu="" qemu_only=0
bochs="" bochs_only=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --hvemu) hvemu="$2"; shift 2 ;;
        --qemu) qemu="$2"; shift 2 ;;
        --elf) elf="$2"; shift 2 ;;
        --expected) expected="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --timeout) timeout_s="$2"; shift 2 ;;
        --smp) smp="$2"; shift 2 ;;
        --arch) arch="$2"; shift 2 ;;
        --vm) vm=1; shift ;;
        --cpu) cpu="$2"; shift 2 ;;
        --qemu-only) qemu_only=1; shift ;;
        --bochs) bochs="$2"; shift 2 ;;
        --bochs-only) bochs_only=1; shift ;;
        *) echo "run_guest.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
usage() {
    echo "usage: run_guest.sh [--arch riscv64|aarch64|x86_64] [--vm] [--cpu MODEL] --elf ELF --work DIR [--smp N] [--timeout S]" >&2
    echo "                    (--hvemu PATH (--qemu PATH | --expected FILE) | --qemu PATH --qemu-only)" >&2
    echo "       x86_64: (--hvemu PATH (--bochs PATH | --expected FILE) | --bochs PATH --bochs-only)" >&2
    exit 2
}
[[ "$arch" == riscv64 || "$arch" == aarch64 || "$arch" == x86_64 ]] || usage
[[ "$arch" != riscv64 || "$vm" == 0 ]] || usage
[[ "$arch" == x86_64 || ( -z "$bochs" && $bochs_only == 0 ) ]] || usage
if [[ $bochs_only == 1 ]]; then
    [[ -n "$bochs" && -n "$elf" && -n "$work" ]] || usage
elif [[ "$arch" == x86_64 ]]; then
    [[ -n "$hvemu" && -n "$elf" && -n "$work" && ( -n "$bochs" || -n "$expected" ) ]] || usage
elif [[ $qemu_only == 1 ]]; then
    [[ -n "$qemu" && -n "$elf" && -n "$work" ]] || usage
else
    [[ -n "$hvemu" && -n "$elf" && -n "$work" && ( -n "$qemu" || -n "$expected" ) ]] || usage
fi
[[ -f "$elf" ]] || { echo "FAIL: guest $elf was not built (build the 'guests' and 'guests-vm' targets)"; exit 1; }
[[ $qemu_only == 1 || $bochs_only == 1 || -x "$hvemu" ]] || { echo "FAIL: hvemu binary $hvemu was not built"; exit 1; }

# The reference and hvemu command lines for the architecture.
case "$arch/$vm" in
    riscv64/0)
        qemu_package=qemu-system-misc
        qemu_args=(-machine virt -cpu "${cpu:-rv64,h=true}" -smp "$smp" -bios none -kernel "$elf" -nographic -monitor none)
        hvemu_args=(run --machine riscv64-virt --smp "$smp" --bios none --kernel "$elf") ;;
    aarch64/0)
        # No EL3: the guest starts at EL2 and PSCI is over SMC. QEMU's virt
        # board defaults to a GICv2; the guests want the GICv3. -nic none:
        # the default network card needs a boot ROM the guests do not use.
        qemu_package=qemu-system-arm
        qemu_args=(-machine virt,virtualization=on,gic-version=3 -cpu "${cpu:-cortex-a57}" -smp "$smp"
                   -nographic -monitor none -nic none -semihosting -kernel "$elf")
        hvemu_args=(run --machine aarch64-virt --smp "$smp" --bios none --kernel "$elf") ;;
    aarch64/1)
        # No EL2 either: the guest starts at EL1 and PSCI is over HVC, as
        # under hvemu's VMM.
        qemu_package=qemu-system-arm
        qemu_args=(-machine virt,gic-version=3 -cpu "${cpu:-cortex-a57}" -smp "$smp"
                   -nographic -monitor none -nic none -kernel "$elf")
        hvemu_args=(run --arch aarch64 --smp "$smp" --kernel "$elf") ;;
    x86_64/0)
        hvemu_args=(run --machine x86_64-pc --smp "$smp" --kernel "$elf") ;;
    x86_64/1)
        hvemu_args=(run --arch x86_64 --smp "$smp" --kernel "$elf") ;;
esac

name=$(basename "$elf" .elf)
mkdir -p "$work"
hv_out="$work/$name.hvemu.out"

# Runs "$@" with a timeout; stdout to $1's file. Prints the exit status.
run_captured() {
    local out="$1"; shift
    local rc=0
    timeout --kill-after=5 "$timeout_s" "$@" </dev/null >"$out" 2>"$out.stderr" || rc=$?
    echo "$rc"
}

show_diff() {
    diff -u --label "$3" --label "hvemu" "$1" "$2" | head -n 60 || true
}

if [[ -n "$bochs" ]]; then
    # Bochs boots through GRUB and its BIOS: give it more time than QEMU.
    ref_out="$work/$name.bochs.out"
    bochs_timeout=$(( timeout_s > 240 ? timeout_s : 240 ))
    ref_rc=$(bash "$(dirname "${BASH_SOURCE[0]}")/run_bochs.sh" --bochs "$bochs" --elf "$elf" --out "$ref_out" \
             --work "$work" --smp "$smp" --timeout "$bochs_timeout") || {
        echo "FAIL: could not run Bochs (see above)"
        exit 1
    }
    if [[ "$ref_rc" == 124 ]]; then
        echo "FAIL: Bochs timed out after ${bochs_timeout}s on $name three times (the guest hangs on the reference)"
        tail -n 20 "$ref_out"
        exit 1
    fi
    if [[ "$ref_rc" == 125 ]]; then
        echo "FAIL: $name ended on Bochs without an exit code (a triple fault or a Bochs panic); output:"
        tail -n 20 "$ref_out"
        grep -E '>>PANIC<<|triple' "$work/$name.bochs/bochs.log" | head -n 5 || true
        exit 1
    fi
    ref_label="bochs"
    if [[ $bochs_only == 1 ]]; then
        verdict=$(tail -n 1 "$ref_out" | tr -d '\r')
        if [[ "$ref_rc" != 1 || "$verdict" != "PASS: $name" ]]; then
            echo "FAIL: $name on Bochs ends with '$verdict' (status $ref_rc), not 'PASS: $name' (status 1); output:"
            tail -n 30 "$ref_out"
            exit 1
        fi
        echo "PASS: $name on Bochs ($(wc -l <"$ref_out") lines, exit code 0)"
        exit 0
    fi
elif [[ -n "$qemu" ]]; then
    if ! command -v "$qemu" >/dev/null 2>&1; then
        echo "FAIL: $qemu not found (Debian package $qemu_package); the differential tests need it"
        exit 1
    fi
    ref_out="$work/$name.qemu.out"
    # QEMU's timers follow the host clock, so a guest that waits for
    # interrupts can, rarely, lose a race on a loaded host and hang there.
    # hvemu is deterministic and gets no second chance; the reference does.
    for attempt in 1 2 3; do
        ref_rc=$(run_captured "$ref_out" "$qemu" "${qemu_args[@]}")
        [[ "$ref_rc" == 124 || "$ref_rc" == 137 ]] || break
        echo "note: QEMU timed out after ${timeout_s}s on $name (attempt $attempt)"
    done
    if [[ "$ref_rc" == 124 || "$ref_rc" == 137 ]]; then
        echo "FAIL: QEMU timed out after ${timeout_s}s on $name three times (the guest hangs on the reference)"
        exit 1
    fi
    if [[ "$ref_rc" != 0 ]]; then
        echo "FAIL: the guest $name fails on QEMU itself (exit status $ref_rc); output:"
        tail -n 20 "$ref_out"
        cat "$ref_out.stderr"
        exit 1
    fi
    ref_label="qemu"
    if [[ $qemu_only == 1 ]]; then
        # The guest's own verdict is its last line.
        verdict=$(tail -n 1 "$ref_out" | tr -d '\r')
        if [[ "$verdict" != "PASS: $name" ]]; then
            echo "FAIL: $name on QEMU ends with '$verdict', not 'PASS: $name'; output:"
            tail -n 30 "$ref_out"
            exit 1
        fi
        echo "PASS: $name on QEMU ($(wc -l <"$ref_out") lines, exit status 0)"
        exit 0
    fi
else
    [[ -f "$expected" ]] || { echo "FAIL: expected output $expected is missing"; exit 1; }
    ref_out="$expected"
    ref_rc=0
    # x86: the guests exit through isa-debug-exit, whose status for code 0 is 1.
    [[ "$arch" != x86_64 ]] || ref_rc=1
    ref_label="expected ($(basename "$expected"))"
fi

hv_rc=$(run_captured "$hv_out" "$hvemu" "${hvemu_args[@]}")
status=0
if [[ "$hv_rc" == 124 || "$hv_rc" == 137 ]]; then
    echo "FAIL: hvemu timed out after ${timeout_s}s on $name"
    status=1
elif [[ "$hv_rc" != "$ref_rc" ]]; then
    echo "FAIL: exit status: $ref_label $ref_rc, hvemu $hv_rc"
    status=1
fi
if ! cmp -s "$ref_out" "$hv_out"; then
    echo "FAIL: output differs ($ref_label vs hvemu); first differences:"
    show_diff "$ref_out" "$hv_out" "$ref_label"
    status=1
fi
if [[ $status != 0 ]]; then
    if [[ -s "$hv_out.stderr" ]]; then
        echo "--- hvemu stderr (last lines):"
        tail -n 10 "$hv_out.stderr"
    fi
    echo "outputs kept in $work"
    exit 1
fi
echo "PASS: $name ($(wc -c <"$hv_out") bytes identical to $ref_label, exit status $hv_rc)"
