#!/bin/sh
# make bench-deliver: delivery throughput, mxlab beside Exim 4.98.2 in one
# run.  For each kind of delivery (a maildir, an mbox file, SMTP to the
# null sink build/smtpsink) and each MTA: spool N messages (the MTA's
# daemon with queue_only, fed by build/smtpload), stop the daemon, then
# time one queue run, "MTA -qf", until it exits; the rate is N divided by
# that time.  Checked after each run: N "=>" lines in the main log and no
# message left on the spool (else the run counts as FAILED).
#
#   sh harness/bench/bench-deliver.sh [BUILD [EXIM]]
#
# Both MTAs get harness/bench/deliver.conf.in; local deliveries run as
# the MTA's own user (mxlab, eximlab), never root.  Repetitions and ratios
# as in bench.sh (lib.sh): each repetition runs every MTA once, in an
# order that rotates, and the ratio column is the median of the
# per-repetition ratios.  Nothing here asserts a timing.
#
# Environment: BENCH_DELIVER_MESSAGES (N, default 2000), BENCH_REPEAT
# (default 3), BENCH_MODES (default "tmpfs disk"), BENCH_KINDS (default
# "maildir mbox smtp"), BENCH_MTAS (default "mxlab exim498"),
# BENCH_KEEP=1.
set -eu

BUILD=${1:-build}
EXIM498=${2:-}
N=${BENCH_DELIVER_MESSAGES:-2000}
REPEAT=${BENCH_REPEAT:-3}
MODES=${BENCH_MODES:-tmpfs disk}
KINDS=${BENCH_KINDS:-maildir mbox smtp}
MTAS=${BENCH_MTAS:-mxlab exim498}
SIZE=4096
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
MXLAB=$BUILD/mxlab
LOAD=$BUILD/smtpload
SINK=$BUILD/smtpsink
. "$HERE/lib.sh"

for f in "$MXLAB" "$LOAD" "$SINK"; do
    [ -x "$f" ] || { echo "bench-deliver: $f is missing (make all $f)"; exit 2; }
done
case " $MTAS " in
*" exim498 "*)
    if [ -z "$EXIM498" ]; then
        (cd "$ROOT" && sh ci/build-exim.sh "$BUILD") >&2 || exit 1
        EXIM498=$BUILD/exim/mta
    fi
    ;;
esac

. "$HERE/../faketime.sh"
FAKETIME_MARK=$(mktemp /tmp/mxlab-faketime.XXXXXX)
faketime_mark "$FAKETIME_MARK"
DIRS=$FAKETIME_MARK
PIDS=""
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }

# spool T MTA KIND: a fresh spool for MTA holding N messages to KIND.
spool() {
    d=$1/$2
    rm -rf "$d"
    mkdir -p "$d/spool" "$d/log" "$d/mail"
    u=$(bench_user "$2")
    sed -e "s|@SPOOL@|$d/spool|" -e "s|@LOG@|$d/log|" -e "s|@MAIL@|$d/mail|" \
        -e "s|@USER@|$u|" -e "s|@SINKPORT@|$(cat "$1/sink/port")|" \
        "$HERE/deliver.conf.in" >"$d/conf"
    chmod 644 "$d/conf"
    chown -R "$u:" "$d/spool" "$d/log" "$d/mail"
    port=$("$LOAD" --free-port)
    "$(bench_binary "$2")" -C "$d/conf" -bdf -oX "$port" -oP "$d/pid" \
        >"$d/stderr" 2>&1 &
    pid=$!
    bench_wait_up "$port" "$d/pid" "$pid" ||
        { echo "bench-deliver: $2 did not start:"; cat "$d/stderr"; exit 1; }
    "$LOAD" -l spool -p "$port" -c 4 -m 50 -n "$N" -s "$SIZE" -r "$3@bench.ex" \
        >"$d/spool.out" 2>&1 ||
        { echo "bench-deliver: $2: spooling failed:"; cat "$d/spool.out"; exit 1; }
    bench_stop "$pid"
    rm -f "$d/log/mainlog"
    sync
}

# deliver T MTA KIND: one timed queue run; prints msgs/s or FAILED.
deliver() {
    d=$1/$2
    t0=$(now)
    "$(bench_binary "$2")" -C "$d/conf" -qf >"$d/qf.out" 2>&1 || true
    t1=$(now)
    done_n=$(grep -c ' => ' "$d/log/mainlog" 2>/dev/null || true)
    left=$(find "$d/spool/input" -name '*-H' 2>/dev/null | wc -l)
    echo "$2 kind=$3 messages=$N delivered=${done_n:-0} left=$left seconds=$(echo "$t1 $t0" |
        awk '{ printf "%.3f", $1 - $2 }')" >>"$1/runs.txt"
    if [ "${done_n:-0}" -eq "$N" ] && [ "$left" -eq 0 ]; then
        echo "$t1 $t0" | awk -v n="$N" '{ printf "%.1f\n", n / ($1 - $2) }'
    else
        echo FAILED
    fi
}

run_mode() {
    case $1 in
    disk) T=$(mktemp -d /var/tmp/mxlab-bench.XXXXXX) ;;
    tmpfs) T=$(mktemp -d /dev/shm/mxlab-bench.XXXXXX) ;;
    *) echo "bench-deliver: unknown mode $1"; exit 2 ;;
    esac
    DIRS="$DIRS $T"
    chmod 755 "$T"
    mkdir -p "$T/sink"
    sport=$("$LOAD" --free-port)
    echo "$sport" >"$T/sink/port"
    "$SINK" -p "$sport" -P "$T/sink/pid" >"$T/sink/stderr" 2>&1 &
    spid=$!
    PIDS="$PIDS $spid"
    bench_wait_up "$sport" "$T/sink/pid" "$spid" ||
        { echo "bench-deliver: the sink did not start"; exit 1; }
    echo
    echo "== spool and mailboxes on $1: $(df -T "$T" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
    echo "bench-deliver: $("$MXLAB" -C /dev/null -bV 2>/dev/null | head -1)," \
        "commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
    case " $MTAS " in
    *" exim498 "*) echo "bench-deliver: exim498: $("$EXIM498" -C /dev/null -bV 2>/dev/null | head -1)" ;;
    esac
    echo "bench-deliver: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1))," \
        "$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "bench-deliver: a queue run of $N messages of $SIZE bytes, $REPEAT repetitions"
    bench_columns "delivery (msgs/s)"
    for k in $KINDS; do
        for m in $MTAS; do : >"$T/$m.runs"; done
        r=0
        while [ $r -lt "$REPEAT" ]; do
            for m in $(bench_rotate $r $MTAS); do
                spool "$T" "$m" "$k"
                deliver "$T" "$m" "$k" >>"$T/$m.runs"
            done
            r=$((r + 1))
        done
        bench_row "$k" "$T"
    done
    echo "every run:"
    sed 's/^/  /' "$T/runs.txt"
    bench_stop_all
}

for mode in $MODES; do run_mode "$mode"; done
