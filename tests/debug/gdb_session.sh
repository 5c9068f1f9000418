#!/bin/sh
# One debugging session: start hvemu with the GDB stub waiting (-S) on
# PORT, run gdb-multiarch in batch mode with the commands in CMDS against
# it, and make sure hvemu is gone afterwards. Everything both print goes to
# stdout; the last line is "hvemu-status N".
# usage: [GDB_ARCH=arch] gdb_session.sh ELF PORT CMDS HVEMU [hvemu run arguments...]
# GDB_ARCH is set before GDB reads the ELF (i386:x86-64 for the x86
# full-system guests, 32-bit multiboot files that run in long mode).
set -u
elf=$1 port=$2 cmds=$3 hvemu=$4
shift 4
log=$(mktemp)
timeout 120 "$hvemu" run "$@" --kernel "$elf" --gdb "127.0.0.1:$port" -S >"$log" 2>&1 &
pid=$!
# Wait for the stub to listen (it says so on stderr).
i=0
while ! grep -q "gdb stub listening" "$log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 200 ] || ! kill -0 $pid 2>/dev/null; then break; fi
    sleep 0.05
done
set_arch="set confirm off"
if [ -n "${GDB_ARCH:-}" ]; then set_arch="set architecture $GDB_ARCH"; fi
timeout 120 gdb-multiarch -batch -nx -ex "set confirm off" -ex "set pagination off" \
    -ex "$set_arch" -ex "file $elf" -ex "target remote 127.0.0.1:$port" -x "$cmds" 2>&1
# The session should have ended the run; do not leave hvemu behind.
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do
    i=$((i + 1))
    sleep 0.05
done
kill $pid 2>/dev/null
wait $pid
status=$?
cat "$log"
rm -f "$log"
echo "hvemu-status $status"
