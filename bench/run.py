#!/usr/bin/env python3
"""Times the bare-metal benchmark programs on hvemu, QEMU and Spike.

Each program runs on every emulator --runs times; the best wall time,
minus that emulator's start-up time (the best time of the empty program),
is the program's time there. Every emulator executes the same binary, so
the instruction count hvemu reports with --stats is everyone's count and
MIPS = instructions / time. The checksum line each program prints must be
the same everywhere, and every run must exit with status 0.

With --host-insns N the script also runs hvemu under valgrind's callgrind
for the first N guest instructions of every program and prints host
instructions per guest instruction: a measure that does not depend on how
busy the machine is (start-up, the empty program's count, is subtracted).
--timing NAME runs hvemu under that timing profile (as `hvemu run --timing`),
to see what charging the instruction classes costs in speed.

Python 3 standard library only.
"""

import argparse
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time

PROGRAMS = ["alu", "loadstore", "list", "matrix", "crc", "state"]
# The integer kernels (geometric mean row); alu and loadstore are loops.
KERNELS = ["list", "matrix", "crc", "state"]
BASELINE = "empty"

CHECKSUM_RE = re.compile(r"^(\w+): checksum (0x[0-9a-f]{16})\s*$", re.M)
FAILED_RE = re.compile(r"^(\w+: FAILED .*|unexpected trap: .*)$", re.M)
# hvemu --stats (on stderr) opens with the total over all harts:
#   "hvemu: 357 instructions on 1 hart(s) in 0.000 s (2.5 MIPS)"
# and then one line per hart; "instructions: N" is accepted as well.
INSNS_RES = [re.compile(r"^hvemu: ([0-9][0-9,]*) instructions\b", re.M),
             re.compile(r"\binstructions\b[:=]?\s+([0-9][0-9,]*)", re.M)]


class Emulator:
    """How to run one emulator on a program, and what it reported."""

    def __init__(self, name, argv_for):
        self.name = name
        self.argv_for = argv_for
        self.version = ""


def hvemu_emulator(path, extra):
    return Emulator("hvemu", lambda elf: [path, "run", "--machine", "riscv64-virt", "--bios", "none",
                                          "--kernel", elf, "--stats"] + extra)


def qemu_emulator(path, cpu):
    return Emulator("QEMU", lambda elf: [path, "-machine", "virt", "-cpu", cpu, "-bios", "none",
                                         "-kernel", elf, "-nographic", "-monitor", "none"])


def spike_emulator(path):
    # Spike starts at its boot ROM, which jumps to the ELF's entry in RAM;
    # the programs print on its 16550 and exit through HTIF's tohost.
    return Emulator("Spike", lambda elf: [path, "--isa=rv64gc", elf])


class Run:
    def __init__(self, seconds, status, output):
        self.seconds = seconds
        self.status = status
        self.output = output


def run_once(argv, timeout, clock):
    """Runs argv once; seconds is wall time, or the child's user + system CPU
    time when clock is "cpu" (steadier on a loaded machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        status, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        status, out = "timeout", e.stdout or b""
    except OSError as e:
        status, out = "cannot run", str(e).encode()
    seconds = time.perf_counter() - start
    if clock == "cpu":
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(seconds, status, out.decode("utf-8", "replace"))


class Result:
    """One program on one emulator: best time, checksum, problems."""

    def __init__(self):
        self.best = math.inf
        self.checksum = None
        self.insns = None
        self.problem = None


def measure(emu, elf, runs, timeout, clock):
    res = Result()
    for _ in range(runs):
        r = run_once(emu.argv_for(elf), timeout, clock)
        sums = CHECKSUM_RE.findall(r.output)
        failed = FAILED_RE.search(r.output)
        if r.status != 0 or failed or len(sums) != 1:
            what = failed.group(1) if failed else f"exit status {r.status}"
            if not failed and r.status == 0:
                what = "no checksum line"
            tail = r.output.strip().splitlines()[-3:]
            res.problem = what + ("" if failed else (": " + " | ".join(tail) if tail else ""))
            return res
        res.checksum = sums[0][1]
        res.best = min(res.best, r.seconds)
        for pattern in INSNS_RES:
            m = pattern.search(r.output)
            if m:
                res.insns = int(m.group(1).replace(",", ""))
                break
    return res


COLLECTED_RE = re.compile(r"Collected\s*:\s*([0-9]+)")


def host_insns(hvemu_argv, max_insns, timeout):
    """Host instructions (callgrind's Ir) and guest instructions of one hvemu
    run limited to max_insns guest instructions; (None, None) on failure."""
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + hvemu_argv
    if max_insns:
        argv += ["--max-insns", str(max_insns)]
    r = run_once(argv, timeout, "wall")
    if r.status not in (0, 124):   # 124: stopped by --max-insns
        return None, None
    ir = COLLECTED_RE.search(r.output)
    guest = None
    for pattern in INSNS_RES:
        m = pattern.search(r.output)
        if m:
            guest = int(m.group(1).replace(",", ""))
            break
    return (int(ir.group(1)) if ir else None), guest


def host_insns_table(hv, elf_dir, programs, max_insns, timeout):
    base_ir, base_guest = host_insns(hv.argv_for(os.path.join(elf_dir, BASELINE + ".elf")), 0, timeout)
    if base_ir is None or base_guest is None:
        print("callgrind: the empty program did not run under valgrind", file=sys.stderr)
        return False
    rows = []
    for p in programs:
        ir, guest = host_insns(hv.argv_for(os.path.join(elf_dir, p + ".elf")), max_insns, timeout)
        if ir is None or guest is None or guest <= base_guest:
            rows.append([p, "-", "-", "failed"])
            continue
        rows.append([p, f"{guest - base_guest:,}", f"{ir - base_ir:,}", f"{(ir - base_ir) / (guest - base_guest):.2f}"])
    print()
    print(table(rows, ["program", "guest instructions", "host instructions", "host per guest"]))
    print(f"hvemu under callgrind, the first {max_insns:,} guest instructions of each program, minus the "
          f"empty program ({base_guest:,} guest, {base_ir:,} host instructions).")
    return True


def version_of(argv):
    try:
        out = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=30, text=True)
        text = (out.stdout or out.stderr).strip().splitlines()
        return text[0] if text else ""
    except (OSError, subprocess.TimeoutExpired):
        return ""


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def find_hvemu(args):
    if args.hvemu:
        return args.hvemu
    candidates = []
    if args.build_dir:
        candidates += [os.path.join(args.build_dir, "hvemu"), os.path.join(args.build_dir, "emu", "hvemu")]
    for c in candidates:
        if os.access(c, os.X_OK):
            return c
    return shutil.which("hvemu")


def fmt_mips(insns, seconds):
    if insns is None or seconds is None:
        return "-"
    if seconds <= 0.005:
        return "too short"
    return f"{insns / seconds / 1e6:,.0f}"


def table(rows, header):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["| " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths)) + " |",
             "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                       for i, (c, w) in enumerate(zip(r, widths))) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elf-dir", required=True, help="directory holding the benchmark ELFs (<build>/bench)")
    ap.add_argument("--hvemu", help="the hvemu binary (default: in --build-dir, else on PATH)")
    ap.add_argument("--build-dir", help="the build directory, to find hvemu in")
    ap.add_argument("--build-type", default="", help="CMake build type of hvemu (printed; speed is for Release)")
    ap.add_argument("--hvemu-arg", action="append", default=[], help="extra argument for hvemu run (repeatable)")
    ap.add_argument("--timing", metavar="NAME|FILE",
                    help="run hvemu with this timing profile (hvemu run --timing); default: one cycle per instruction")
    ap.add_argument("--qemu", default="qemu-system-riscv64", help="QEMU binary (default: %(default)s)")
    ap.add_argument("--qemu-cpu", default="rv64", help="QEMU -cpu (default: %(default)s)")
    ap.add_argument("--spike", default=shutil.which("spike"), help="Spike binary (default: spike on PATH)")
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--no-spike", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="runs per program and emulator; the best counts")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="wall time (default), or the emulator's user + system CPU time, "
                         "steadier when other work loads the machine")
    ap.add_argument("--timeout", type=float, default=600, help="seconds before one run is abandoned")
    ap.add_argument("--programs", default=",".join(PROGRAMS), help="comma-separated subset of %(default)s")
    ap.add_argument("--host-insns", type=int, default=0, metavar="N",
                    help="also count hvemu's host instructions per guest instruction with callgrind "
                         "over the first N guest instructions of each program (e.g. 20000000)")
    ap.add_argument("--host-insns-only", action="store_true",
                    help="only the callgrind count (no timing runs)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    programs = [p for p in args.programs.split(",") if p]
    for p in programs + [BASELINE]:
        if not os.path.isfile(os.path.join(args.elf_dir, p + ".elf")):
            ap.error(f"no {p}.elf in {args.elf_dir} (build the bench_programs target)")

    if args.hvemu and not os.access(args.hvemu, os.X_OK):
        ap.error(f"--hvemu {args.hvemu}: not an executable file")
    emus = []
    hvemu_path = find_hvemu(args)
    if hvemu_path:
        hv = hvemu_emulator(hvemu_path, args.hvemu_arg + (["--timing", args.timing] if args.timing else []))
        hv.version = hvemu_path + (f" ({args.build_type} build)" if args.build_type else "")
        emus.append(hv)
    else:
        print("hvemu: not found (pass --hvemu); instruction counts and MIPS need it", file=sys.stderr)
    if not args.no_qemu:
        if shutil.which(args.qemu):
            q = qemu_emulator(args.qemu, args.qemu_cpu)
            q.version = version_of([args.qemu, "--version"])
            emus.append(q)
        else:
            print(f"QEMU: {args.qemu} not found", file=sys.stderr)
    if args.spike and not args.no_spike:
        s = spike_emulator(args.spike)
        s.version = args.spike
        emus.append(s)
    if not emus:
        print("no emulator to run", file=sys.stderr)
        return 2

    if args.host_insns_only:
        if not args.host_insns or not hvemu_path:
            ap.error("--host-insns-only needs --host-insns N and hvemu")
        if not shutil.which("valgrind"):
            ap.error("--host-insns needs valgrind")
        return 0 if host_insns_table(emus[0], args.elf_dir, programs, args.host_insns, args.timeout) else 1

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"host: {host_cpu()}, {os.cpu_count()} CPUs, load average {load:.1f}; "
          f"best of {args.runs} runs, {args.clock} clock")
    for e in emus:
        print(f"{e.name}: {e.version}")
    if load > (os.cpu_count() or 1) and args.clock == "wall":
        print("note: the machine is busy; wall times will be long and noisy (try --clock cpu)")
    if hvemu_path and args.build_type and args.build_type != "Release":
        print(f"note: hvemu is a {args.build_type} build; its speed means something only in Release")
    sys.stdout.flush()

    ok = True
    results = {}
    for p in [BASELINE] + programs:
        elf = os.path.join(args.elf_dir, p + ".elf")
        results[p] = {}
        for e in emus:
            r = measure(e, elf, args.runs, args.timeout, args.clock)
            results[p][e.name] = r
            if r.problem:
                ok = False
                print(f"{p} on {e.name}: {r.problem}", file=sys.stderr)
        sums = {e: r.checksum for e, r in results[p].items() if r.checksum}
        if len(set(sums.values())) > 1:
            ok = False
            print(f"{p}: checksums differ: " + ", ".join(f"{e} {c}" for e, c in sums.items()), file=sys.stderr)
        print(f"  {p}: " + ", ".join(f"{e} {r.best:.3f} s" if not r.problem else f"{e} failed"
                                     for e, r in results[p].items()), file=sys.stderr)
        sys.stderr.flush()

    base = {e.name: results[BASELINE][e.name] for e in emus}
    hv_base = base.get("hvemu")
    base_insns = hv_base.insns if hv_base and hv_base.insns is not None else 0

    header = ["program", "instructions"]
    for e in emus:
        header += [f"{e.name} s", f"{e.name} MIPS"]
    others = [e.name for e in emus if e.name != "hvemu"]
    if "hvemu" in base:
        header += [f"hvemu/{o}" for o in others]

    rows = []
    mips = {e.name: {} for e in emus}
    for p in programs:
        hv = results[p].get("hvemu")
        insns = hv.insns - base_insns if hv and hv.insns is not None else None
        row = [p, f"{insns:,}" if insns is not None else "-"]
        for e in emus:
            r = results[p][e.name]
            b = base[e.name]
            if r.problem or b.problem:
                row += ["failed", "-"]
                continue
            net = r.best - b.best
            row += [f"{net:.3f}", fmt_mips(insns, net)]
            if insns is not None and net > 0.005:
                mips[e.name][p] = insns / net / 1e6
        for o in others if "hvemu" in base else []:
            a, b2 = mips["hvemu"].get(p), mips[o].get(p)
            row.append(f"{a / b2:.2f}x" if a and b2 else "-")
        sums = {r.checksum for r in results[p].values() if r.checksum}
        if len(sums) > 1:
            row[0] += " (checksums differ!)"
        rows.append(row)

    kernels = [k for k in KERNELS if k in programs]
    if len(kernels) > 1 and all(k in mips.get("hvemu", {}) for k in kernels):
        row = ["kernels (geomean)", "-"]
        g = {}
        for e in emus:
            vals = [mips[e.name].get(k) for k in kernels]
            if all(vals):
                g[e.name] = math.exp(sum(math.log(v) for v in vals) / len(vals))
                row += ["-", f"{g[e.name]:,.0f}"]
            else:
                row += ["-", "-"]
        for o in others:
            row.append(f"{g['hvemu'] / g[o]:.2f}x" if o in g and "hvemu" in g else "-")
        rows.append(row)

    print()
    print(table(rows, header))
    print()
    starts = ", ".join(f"{n} {b.best:.3f} s" for n, b in base.items() if not b.problem)
    what = "Times (s)" if args.clock == "wall" else "CPU times (s, user + system)"
    print(f"{what} are the best of {args.runs} runs minus each emulator's start-up time, the best time "
          f"of a program that exits at once ({starts}).")
    if "hvemu" in base:
        print("Instructions are hvemu's count (--stats) minus the empty program's; every emulator runs "
              "the same binary, so MIPS = instructions / time for each.")
    if args.host_insns and hvemu_path:
        if shutil.which("valgrind"):
            ok = host_insns_table(emus[0], args.elf_dir, programs, args.host_insns, args.timeout) and ok
        else:
            print("--host-insns: valgrind not found", file=sys.stderr)
            ok = False
    if ok:
        print("Checksums agree and every run exited with status 0.")
    else:
        print("PROBLEMS: see the messages above.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
