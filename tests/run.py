#!/usr/bin/env python3
"""Runs Kabar's tests and ends with the line "N passed, N failed, N skipped".

Unit tests are the programs built from tests/unit/test_*.c; each prints its
own "N passed, N failed". Integration tests are tests/integration/test_*.py;
each module runs in a child process (tests/integration/harness.py runs its
test_* functions) so that a hang is cut by a timeout instead of stalling CI.
"""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOTAL_LINE = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")
UNIT_TIMEOUT = 300
MODULE_TIMEOUT = 600


def run_counted(cmd, env, timeout, label):
    """Runs one test program; returns (passed, failed, skipped)."""
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, timeout=timeout, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = proc.stdout.decode("utf-8", "replace")
        code = proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        out += f"\n{label}: timed out after {timeout} s\n"
        code = -1
    counts = None
    for line in reversed(out.splitlines()):
        m = TOTAL_LINE.match(line.strip())
        if m:
            counts = [int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)]
            break
    if counts is None:
        counts = [0, 1, 0]
    elif code != 0 and counts[1] == 0:
        counts[1] = 1  # it said all passed but exited badly (a sanitizer, a crash)
    took = time.monotonic() - start
    shown = [l for l in out.splitlines() if not TOTAL_LINE.match(l.strip())]
    if counts[1] or os.environ.get("VERBOSE"):
        sys.stdout.write("\n".join(shown) + "\n")
    print(f"{label}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped ({took:.1f} s)",
          flush=True)
    return counts


def run_under_valgrind(build, names):
    """Runs the named integration modules with kabar under valgrind: any
    invalid access or definite leak makes kabar exit 99, which fails the
    test that stops it."""
    totals = [0, 0, 0]
    build = os.path.abspath(build)
    env = dict(os.environ)
    env["KABAR_BIN"] = os.path.join(build, "kabar")
    env["KABAR_BUILD"] = build
    env["KABAR_WRAPPER"] = ("valgrind --quiet --error-exitcode=99 --leak-check=full "
                            "--errors-for-leak-kinds=definite --track-fds=no")
    env["KABAR_SLOW"] = "1"
    for name in names:
        path = os.path.join(HERE, "integration", f"test_{name.strip()}.py")
        if not os.path.exists(path):
            continue
        cmd = [sys.executable, os.path.join(HERE, "integration", "harness.py"), path]
        c = run_counted(cmd, env, MODULE_TIMEOUT * 2, f"valgrind/integration/test_{name.strip()}")
        totals = [a + b for a, b in zip(totals, c)]
    return totals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", action="append", required=True,
                    help="a build folder to test (may be given more than once)")
    ap.add_argument("--unit-only", action="store_true")
    ap.add_argument("--only", help="run only integration modules whose name contains this")
    ap.add_argument("--valgrind", default="",
                    help="comma-separated integration modules to run again under valgrind")
    ap.add_argument("--valgrind-only", default="",
                    help="run only these integration modules, under valgrind")
    args = ap.parse_args()

    totals = [0, 0, 0]
    for build in ([] if args.valgrind_only else args.build):
        build = os.path.abspath(build)
        env = dict(os.environ)
        env["KABAR_BIN"] = os.path.join(build, "kabar")
        env["KABAR_BUILD"] = build
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        tests_dir = os.path.join(build, "tests")
        units = sorted(f for f in os.listdir(tests_dir) if f.startswith("test_")) \
            if os.path.isdir(tests_dir) else []
        if not args.only:
            for name in units:
                c = run_counted([os.path.join(tests_dir, name)], env, UNIT_TIMEOUT,
                                f"{os.path.basename(build)}/unit/{name}")
                totals = [a + b for a, b in zip(totals, c)]
        if args.unit_only:
            continue
        idir = os.path.join(HERE, "integration")
        for name in sorted(os.listdir(idir)):
            if not (name.startswith("test_") and name.endswith(".py")):
                continue
            if args.only and args.only not in name:
                continue
            cmd = [sys.executable, os.path.join(idir, "harness.py"), os.path.join(idir, name)]
            c = run_counted(cmd, env, MODULE_TIMEOUT,
                            f"{os.path.basename(build)}/integration/{name[:-3]}")
            totals = [a + b for a, b in zip(totals, c)]
    grind = args.valgrind_only or args.valgrind
    if grind:
        c = run_under_valgrind(args.build[0], grind.split(","))
        totals = [a + b for a, b in zip(totals, c)]
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 0 if totals[1] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
