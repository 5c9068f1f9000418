#!/usr/bin/env bash
# Runs one multiboot x86 guest on Bochs, the x86 reference (it models VMX
# with EPT and unrestricted guest; QEMU without KVM has no VMX). Bochs has
# no kernel loader, so the ELF boots through GRUB from a CD image built
# here. The guest's console (COM1) goes to OUT; the guest's exit code,
# which the runtime writes as "exit <code>" to Bochs's info port (0x402)
# before the shutdown port (0x8900), is read from Bochs's log and printed
# as an emulator's status would be with QEMU's isa-debug-exit:
# (code << 1) | 1. A run that ends without an exit code prints 124 after a
# timeout and 125 otherwise.
#
# usage: run_bochs.sh --elf ELF --out OUT --work DIR [--smp N] [--timeout S] [--bochs PATH]
set -euo pipefail

elf="" out="" work="" smp=1 timeout_s=120 bochs=bochs-bin
while [[ $# -gt 0 ]]; do
    case "$1" in
        --elf) elf="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --smp) smp="$2"; shift 2 ;;
        --timeout) timeout_s="$2"; shift 2 ;;
        --bochs) bochs="$2"; shift 2 ;;
        *) echo "run_bochs.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ -n "$elf" && -n "$out" && -n "$work" ]] || { echo "usage: run_bochs.sh --elf ELF --out OUT --work DIR [--smp N] [--timeout S]" >&2; exit 2; }
for tool in "$bochs:bochs" grub-mkrescue:grub-common xorriso:xorriso mformat:mtools script:bsdutils; do
    if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
        echo "run_bochs.sh: ${tool%%:*} not found (Debian package ${tool#*:})" >&2
        exit 2
    fi
done
[[ -d /usr/lib/grub/i386-pc ]] || { echo "run_bochs.sh: GRUB's BIOS modules are missing (Debian package grub-pc-bin)" >&2; exit 2; }

name=$(basename "$elf" .elf)
dir="$work/$name.bochs"
rm -rf "$dir"
mkdir -p "$dir/iso/boot/grub"
cp "$elf" "$dir/iso/boot/guest.elf"
cat >"$dir/iso/boot/grub/grub.cfg" <<'CFG'
set timeout=0
set default=0
menuentry guest {
  multiboot /boot/guest.elf
  boot
}
CFG
if ! grub-mkrescue -o "$dir/guest.iso" "$dir/iso" >"$dir/grub-mkrescue.log" 2>&1; then
    echo "run_bochs.sh: grub-mkrescue failed:" >&2
    tail -n 5 "$dir/grub-mkrescue.log" >&2
    exit 2
fi

# Skylake-X: VMX with EPT, VPID, unrestricted guest. clock sync=none: time
# follows the instruction count, so timer-driven guests run the same on a
# loaded host. ignore_bad_msrs=0: unknown MSRs fault (#GP) as on hardware.
# The terminal display needs a tty, which script provides;
# panic on the shutdown port ends the run.
bochs_share=/usr/share/bochs
cat >"$dir/bochsrc" <<RC
megs: 256
cpu: model=corei7_skylake_x, count=$smp:1:1, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=0
romimage: file=$bochs_share/BIOS-bochs-latest
vgaromimage: file=$bochs_share/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$dir/guest.iso, status=inserted
boot: cdrom
display_library: term
sound: driver=dummy
speaker: enabled=0
clock: sync=none, time0=1
com1: enabled=1, mode=file, dev=$dir/com1.out
log: $dir/bochs.log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
RC
printf 'c\nquit\n' >"$dir/cmds"

rc=0
for attempt in 1 2 3; do
    rm -f "$dir/com1.out" "$dir/bochs.log"
    rc=0
    (cd "$dir" && timeout --kill-after=5 "$timeout_s" script -q -e -c "$bochs -q -f bochsrc -rc cmds" /dev/null \
        </dev/null >"$dir/terminal.out" 2>&1) || rc=$?
    [[ "$rc" == 124 || "$rc" == 137 ]] || break
    echo "note: Bochs timed out after ${timeout_s}s on $name (attempt $attempt)" >&2
done
touch "$dir/com1.out"
cp "$dir/com1.out" "$out"
code=$(sed -n 's/.*\[BIOS  \] exit \([0-9][0-9]*\)$/\1/p' "$dir/bochs.log" 2>/dev/null | tail -n 1)
if [[ -n "$code" ]]; then
    echo $(( (10#$code << 1) | 1 ))
elif [[ "$rc" == 124 || "$rc" == 137 ]]; then
    echo 124
else
    echo 125
fi
