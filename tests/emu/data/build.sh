#!/bin/sh
# Builds the smoke guests with clang and lld (no cross gcc needed):
#   tests/emu/data/build.sh OUTDIR
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-.}
mkdir -p "$out"
for g in hello timer_wfi htif_exit echo; do
  clang --target=riscv64-unknown-elf -march=rv64gc -mabi=lp64d -mcmodel=medany -mno-relax \
    -nostdlib -ffreestanding -fuse-ld=lld -O2 -Wall -Wl,-T,"$here/link.ld" \
    -o "$out/$g.elf" "$here/start.S" "$here/$g.c"
done
