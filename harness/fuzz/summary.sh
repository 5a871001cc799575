#!/bin/sh
# make fuzz's last words: one line per target (executions, rate, result),
# and for each target that failed, its sanitizer or libFuzzer report and
# the input that caused it, so that the end of a CI log says what broke.
#
#   sh harness/fuzz/summary.sh DIR TARGET...
#
# DIR holds fuzz-TARGET.log (the target's output) and rc-TARGET (its exit
# status), both written by the Makefile's fuzz-TARGET rule.
dir=$1
shift
failed=""
echo "fuzz: summary"
for t in "$@"; do
    log=$dir/fuzz-$t.log
    rc=$(cat "$dir/rc-$t" 2>/dev/null || echo "not run")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" 2>/dev/null)
    case $rc in
    0) what=ok ;;
    "not run") what="not run" ;;
    *) what="FAILED (exit $rc)"; failed="$failed $t" ;;
    esac
    printf '  %-14s %12s runs %8s exec/s  %s\n' "$t" "${runs:--}" "${rate:--}" "$what"
done
for t in $failed; do
    echo "fuzz: $t: the report"
    {
        grep -E -A 14 '^==[0-9]+==(ERROR|WARNING)|runtime error:|^SUMMARY:|deadly signal|ERROR: libFuzzer' \
            "$dir/fuzz-$t.log" | head -60
        grep -E 'Test unit written to|^Base64:' "$dir/fuzz-$t.log"
    } | awk '!seen[$0]++'
done
[ -z "$failed" ] || echo "fuzz: failed:$failed"
