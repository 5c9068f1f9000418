#!/usr/bin/env bash
# Runs one bare-metal guest on hvemu and checks its UART output and exit
# status, either against QEMU (differential test: the reference output is
# produced now, by running QEMU on the same ELF) or against an expected file
# written from the specification (for behaviour where QEMU 7.2 is wrong).
#
# usage: run_guest.sh --hvemu PATH --elf ELF --work DIR
#                     (--qemu PATH | --expected FILE) [--smp N] [--timeout SECONDS]
set -euo pipefail

hvemu="" qemu="" elf="" expected="" work="" timeout_s=30 smp=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --hvemu) hvemu="$2"; shift 2 ;;
        --qemu) qemu="$2"; shift 2 ;;
        --elf) elf="$2"; shift 2 ;;
        --expected) expected="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --timeout) timeout_s="$2"; shift 2 ;;
        --smp) smp="$2"; shift 2 ;;
        *) echo "run_guest.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
if [[ -z "$hvemu" || -z "$elf" || -z "$work" || ( -z "$qemu" && -z "$expected" ) ]]; then
    echo "usage: run_guest.sh --hvemu PATH --elf ELF --work DIR (--qemu PATH | --expected FILE) [--smp N] [--timeout S]" >&2
    exit 2
fi
[[ -f "$elf" ]] || { echo "FAIL: guest $elf was not built (build the 'guests' target)"; exit 1; }
[[ -x "$hvemu" ]] || { echo "FAIL: hvemu binary $hvemu was not built"; exit 1; }

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

if [[ -n "$qemu" ]]; then
    if ! command -v "$qemu" >/dev/null 2>&1; then
        echo "FAIL: $qemu not found (Debian package qemu-system-misc); the differential tests need it"
        exit 1
    fi
    ref_out="$work/$name.qemu.out"
    # QEMU's timers follow the host clock, so a guest that waits for
    # interrupts can, rarely, lose a race on a loaded host and hang there.
    # hvemu is deterministic and gets no second chance; the reference does.
    for attempt in 1 2 3; do
        ref_rc=$(run_captured "$ref_out" "$qemu" -machine virt -cpu rv64,h=true -smp "$smp" -bios none \
                 -kernel "$elf" -nographic -monitor none)
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
else
    [[ -f "$expected" ]] || { echo "FAIL: expected output $expected is missing"; exit 1; }
    ref_out="$expected"
    ref_rc=0
    ref_label="expected ($(basename "$expected"))"
fi

hv_rc=$(run_captured "$hv_out" "$hvemu" run --machine riscv64-virt --smp "$smp" --bios none --kernel "$elf")
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
