#!/bin/sh
# Runs each libFuzzer target built in BUILD/fuzz for SECONDS, starting from
# its seed corpus, and prints executions and coverage per target. A crash,
# or an input that takes over TIMEOUT seconds (FUZZ_TIMEOUT, default 5: a
# slow path, such as quadratic parsing), fails the run and leaves the input
# in BUILD/fuzz-findings/; the slowest input over a second is reported.
set -eu
# The targets are built with recoverable UBSan: make its first report fatal,
# so libFuzzer keeps the input like any other crash.
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export UBSAN_OPTIONS
build=$1
seconds=$2
timeout=${FUZZ_TIMEOUT:-5}
failed=0
mkdir -p "$build/fuzz-findings"
for target in "$build"/fuzz/fuzz_*; do
	[ -x "$target" ] || continue
	name=$(basename "$target" | sed 's/^fuzz_//')
	work="$build/fuzz-corpus/$name"
	mkdir -p "$work"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -r "tests/fuzz/corpus/$name/." "$work/"
	fi
	log="$build/fuzz-$name.log"
	if "$target" -max_total_time="$seconds" -timeout="$timeout" -report_slow_units=1 -rss_limit_mb=2048 \
		-artifact_prefix="$build/fuzz-findings/$name-" "$work" >"$log" 2>&1; then
		summary=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 | \
			sed -E 's/^#([0-9]+)[^c]*cov: ([0-9]+) ft: ([0-9]+).*/\1 executions, coverage \2 edges, \3 features/')
		echo "fuzz $name: ok, $summary"
		grep -E '^Slowest unit' "$log" | tail -1 | sed "s/^/fuzz $name: /" || true
	else
		failed=1
		echo "fuzz $name: FAILED (see $log and $build/fuzz-findings/)"
		tail -30 "$log"
	fi
done
exit $failed
