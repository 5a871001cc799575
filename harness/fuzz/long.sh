#!/bin/sh
# The long fuzz run of issue 19: each target until it has run
# FUZZ_LONG_RUNS inputs (10 million) or FUZZ_LONG_SECONDS (one hour),
# whichever comes first, FUZZ_LONG_JOBS targets at a time.
#
#   sh harness/fuzz/long.sh [TARGET ...]     (default: every target)
#
# The targets must be built (make fuzz-NAME-build). Each run starts from
# the target's working corpus (build-fuzz/corpus-NAME) and its seeds, and
# writes build-fuzz/long-NAME.log; one line per finished target is
# appended to build-fuzz/long.tsv: target, executions, exec/s, cov, peak
# RSS, exit status, seconds, start time (UTC). Run it at a low priority:
# nice -n 15 sh harness/fuzz/long.sh. libFuzzer's time-out for one input
# is FUZZ_LONG_TIMEOUT seconds (60; CI's runs use 10): the time-out counts
# wall time, and a fuzzer at nice 15 beside a loaded machine's work can
# wait seconds for the CPU (the first long run of fuzz-conf stopped on a
# "timeout" of an input that runs in 26 ms).
set -u

B=build-fuzz
RUNS=${FUZZ_LONG_RUNS:-10000000}
SECS=${FUZZ_LONG_SECONDS:-3600}
JOBS=${FUZZ_LONG_JOBS:-2}

if [ $# -eq 0 ]; then
    set -- $(ls harness/fuzz/fuzz-*.c | sed 's,.*/fuzz-,,; s,\.c$,,')
fi

run_one() {
    t=$1
    start=$(date -u +%H:%M:%S)
    t0=$(date +%s)
    mkdir -p "$B/corpus-$t"
    dict=
    [ -f "harness/fuzz/$t.dict" ] && dict="-dict=harness/fuzz/$t.dict"
    "$B/fuzz-$t" -runs="$RUNS" -max_total_time="$SECS" -timeout="${FUZZ_LONG_TIMEOUT:-60}" \
        -print_final_stats=1 -artifact_prefix="$B/$t-" $dict \
        "$B/corpus-$t" "harness/fuzz/corpus/$t" >"$B/long-$t.log" 2>&1
    rc=$?
    secs=$(($(date +%s) - t0))
    last=$(grep -E '^#[0-9]+' "$B/long-$t.log" | tail -1)
    execs=$(grep '^stat::number_of_executed_units' "$B/long-$t.log" |
        awk '{print $2}')
    rate=$(grep '^stat::average_exec_per_sec' "$B/long-$t.log" |
        awk '{print $2}')
    rss=$(grep '^stat::peak_rss_mb' "$B/long-$t.log" | awk '{print $2}')
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "${execs:-?}" \
        "${rate:-?}" "${cov:-?}" "${rss:-?}" "$rc" "$secs" "$start" \
        >>"$B/long.tsv"
}

# A simple job pool: JOBS workers take the targets in the order given.
queue=$(mktemp)
trap 'rm -f "$queue" "$queue.lock"' EXIT
printf '%s\n' "$@" >"$queue"
worker() {
    while :; do
        t=$(flock "$queue.lock" sh -c 'head -1 "$1"; sed -i 1d "$1"' _ "$queue")
        [ -n "$t" ] || return 0
        run_one "$t"
    done
}
i=0
while [ $i -lt "$JOBS" ]; do
    worker &
    i=$((i + 1))
done
wait
