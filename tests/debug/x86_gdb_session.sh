#!/bin/sh
# One x86-64 debugging session, as gdb_session.sh runs one, with GDB's
# architecture set to i386:x86-64 before it connects (the full-system
# guests are 32-bit multiboot ELF files that run in long mode).
# usage: x86_gdb_session.sh ELF PORT CMDS HVEMU [hvemu run arguments...]
set -u
elf=$1 port=$2 cmds=$3 hvemu=$4
shift 4
log=$(mktemp)
timeout 120 "$hvemu" run "$@" --kernel "$elf" --gdb "127.0.0.1:$port" -S >"$log" 2>&1 &
pid=$!
i=0
while ! grep -q "gdb stub listening" "$log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 200 ] || ! kill -0 $pid 2>/dev/null; then break; fi
    sleep 0.05
done
timeout 120 gdb-multiarch -batch -nx -ex "set confirm off" -ex "set pagination off" \
    -ex "set architecture i386:x86-64" -ex "file $elf" -ex "target remote 127.0.0.1:$port" -x "$cmds" 2>&1
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
