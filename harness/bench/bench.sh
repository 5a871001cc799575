#!/bin/sh
# make bench: accept throughput over loopback, mxlab beside Exim 4.98.2 (the
# project's reference build), Debian's Exim 4.96 and a null SMTP sink, all
# in one run, with the spool on the disk (fsynced) and on tmpfs.
#
#   sh harness/bench/bench.sh [BUILD [EXIM]]        (make bench does this)
#
# EXIM is the Exim 4.98.2 to run (a binary or the wrapper ci/build-exim.sh
# installs); empty: ci/build-exim.sh BUILD (cached) and BUILD/exim/mta.
# Debian's Exim 4.96 is installed when missing (install-exim.sh).
#
# Every MTA gets the same configuration (harness/bench/bench.conf.in: accept
# every recipient, queue_only, no DNS or ident look-ups, logs to files),
# its own spool and its own port on 127.0.0.1, and is started in the
# foreground (-bdf) by this script and stopped by it.  The sink
# (BUILD/smtpsink) keeps nothing: it is the ceiling of the load client
# (BUILD/smtpload: 4 KB messages, no pipelining) on this machine.
#
# Two spool modes: "disk", a directory under /var/tmp (the root file
# system, every spool write fsynced by the MTAs as they always do), and
# "tmpfs", a directory under /dev/shm (fsync costs nothing there, so the
# software alone is measured).  Four cases each: 1 and 20 parallel
# sessions, 10 messages per connection and 1.  Each case runs
# BENCH_REPEAT times; in each repetition every MTA runs once, each run
# after a sync.  A run sends BENCH_MESSAGES messages and goes on until
# it has lasted BENCH_SECONDS (smtpload -t): at 4,000 messages a second
# a run of 1,000 would last a quarter of a second, and this machine's
# spells of a second or so would decide its rate.  In a repetition mxlab
# runs between the two it is measured against most closely, Exim 4.98.2
# and the sink (exim496 exim498 mxlab sink, and backwards in the next
# repetition, so that neither side is always the later one).  Spools are
# not emptied between runs (see "load" below).  The table shows each
# MTA's median rate and, for mxlab against each other, the median of
# the per-repetition ratios (runs of one repetition are seconds apart,
# so a change of load hits both sides alike).  In disk
# mode a second table gives the block device's write and flush requests
# per message (/proc/diskstats), which is what the fsynced figures wait
# on.  Nothing here asserts a timing.
#
# Environment: BENCH_MESSAGES (messages per run, at least; default
# 1000), BENCH_SECONDS (seconds per run, at least; default 2),
# BENCH_REPEAT (default 5), BENCH_MODES (default "disk tmpfs"),
# BENCH_MTAS (default "mxlab exim498 exim496 sink"), BENCH_KEEP=1 (keep
# the temporary directories).
set -eu

BUILD=${1:-build}
EXIM498=${2:-}
MESSAGES=${BENCH_MESSAGES:-1000}
SECONDS_MIN=${BENCH_SECONDS:-2}
REPEAT=${BENCH_REPEAT:-5}
MODES=${BENCH_MODES:-disk tmpfs}
MTAS=${BENCH_MTAS:-mxlab exim498 exim496 sink}
SIZE=4096
DISK=""
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
MXLAB=$BUILD/mxlab
LOAD=$BUILD/smtpload
SINK=$BUILD/smtpsink
EXIM496=/usr/sbin/exim4
. "$HERE/lib.sh"

for f in "$MXLAB" "$LOAD" "$SINK"; do
    [ -x "$f" ] || { echo "bench: $f is missing (make all $f)"; exit 2; }
done
case " $MTAS " in
*" exim496 "*) sh "$HERE/install-exim.sh" ;;
esac
case " $MTAS " in
*" exim498 "*)
    if [ -z "$EXIM498" ]; then
        (cd "$ROOT" && sh ci/build-exim.sh "$BUILD") >&2 || exit 1
        EXIM498=$BUILD/exim/mta
    fi
    [ -x "$EXIM498" ] || { echo "bench: $EXIM498 is not executable"; exit 2; }
    ;;
esac

TOP=$(mktemp -d /tmp/mxlab-bench.XXXXXX)
DIRS=$TOP
. "$HERE/../faketime.sh"
FAKETIME_MARK=$TOP/.faketime
faketime_mark "$FAKETIME_MARK"
PIDS=""
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# start DIR NAME: directories, configuration and daemon for one MTA; its
# port in DIR/NAME/port.
start() {
    d=$1/$2
    mkdir -p "$d/spool" "$d/log"
    sed -e "s|@SPOOL@|$d/spool|" -e "s|@LOG@|$d/log|" \
        "$HERE/bench.conf.in" >"$d/conf"
    chmod 644 "$d/conf"
    u=$(bench_user "$2")
    [ -z "$u" ] || chown -R "$u:" "$d/spool" "$d/log"
    port=$("$LOAD" --free-port)
    while grep -qx "$port" "$1"/*/port 2>/dev/null; do port=$("$LOAD" --free-port); done
    echo "$port" >"$d/port"
    if [ "$2" = sink ]; then
        "$SINK" -p "$port" -P "$d/pid" >"$d/stderr" 2>&1 &
    else
        "$(bench_binary "$2")" -C "$d/conf" -bdf -oX "$port" -oP "$d/pid" \
            >"$d/stderr" 2>&1 &
    fi
    pid=$!
    PIDS="$PIDS $pid"
    bench_wait_up "$port" "$d/pid" "$pid" ||
        { echo "bench: $2 did not start:"; cat "$d/stderr"; exit 1; }
}

# load DIR NAME SESSIONS PER_CONN: one run; prints msgs/s, or "FAILED".
# The messages of earlier runs stay in the spool (they go with the
# directory at the end): on an ext4 without a journal the allocator skips,
# checking each, the inodes freed in the last 5 to 40 seconds, so a run
# right after the deletion of the last one's files paid for that deletion
# (0.4 to 0.7 ms of CPU per file created, measured).
load() {
    sync
    [ -z "$DISK" ] || before=$(bench_disk_counts $DISK)
    out=$("$LOAD" -l "$2" -p "$(cat "$1/$2/port")" -c "$3" -m "$4" \
        -n "$MESSAGES" -t "$SECONDS_MIN" -s "$SIZE" --waits 2>>"$1/load.stderr") || true
    echo "$out" >>"$1/runs.txt"
    sent=$(echo "$out" | sed -n 's/.* messages=\([0-9]*\) .*/\1/p' | head -1)
    if [ -n "$DISK" ] && [ -n "$before" ] && [ -n "$sent" ]; then
        echo "$before $(bench_disk_counts $DISK)" |
            awk -v n="$sent" '{ printf "%.2f %.2f\n", ($3 - $1) / n, ($4 - $2) / n }' \
                >>"$1/$2.io"
    fi
    case "$out" in
    *" failed=0 "*) echo "$out" | sed -n 's/.*msgs_per_sec=//p' ;;
    *) echo FAILED ;;
    esac
}

header() {
    echo "bench: $("$MXLAB" -C "$1/mxlab/conf" -bV 2>/dev/null | head -1)," \
        "commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
    for m in $MTAS; do
        case $m in
        exim*) echo "bench: $m: $("$(bench_binary "$m")" -C "$1/$m/conf" -bV 2>/dev/null | head -1)" ;;
        esac
    done
    echo "bench: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1))," \
        "$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "bench: $MESSAGES messages of $SIZE bytes per run and more until" \
        "$SECONDS_MIN s have passed, $REPEAT repetitions"
}

# run_mode MODE: start every MTA with its spool on MODE, run the cases.
run_mode() {
    case $1 in
    disk) T=$(mktemp -d /var/tmp/mxlab-bench.XXXXXX) ;;
    tmpfs) T=$(mktemp -d /dev/shm/mxlab-bench.XXXXXX) ;;
    *) echo "bench: unknown mode $1"; exit 2 ;;
    esac
    DIRS="$DIRS $T"
    chmod 755 "$T" # the Exims receive as their own users
    # the block device under the spool, if /proc/diskstats counts it
    DISK=$(stat -c '%Hd %Ld' "$T")
    [ -n "$(bench_disk_counts $DISK)" ] || DISK=""
    for m in $MTAS; do start "$T" "$m"; done
    echo
    echo "== spool on $1: $(df -T "$T" | awk 'NR == 2 { print $2 " (" $1 ")" }')"
    header "$T"
    for m in $MTAS; do # page cache, first spool directories
        "$LOAD" -l warm -p "$(cat "$T/$m/port")" -c 4 -m 10 -n 100 -s "$SIZE" \
            >/dev/null 2>&1 || true
    done
    bench_columns "case (msgs/s)"
    : >"$T/io.table"
    for c in "1 10" "1 1" "20 10" "20 1"; do
        set -- $c
        for m in $MTAS; do : >"$T/$m.runs"; : >"$T/$m.io"; done
        r=0
        while [ $r -lt "$REPEAT" ]; do
            for m in $(bench_order $r $MTAS); do
                load "$T" "$m" "$1" "$2" >>"$T/$m.runs"
            done
            r=$((r + 1))
        done
        s=session
        [ "$1" -gt 1 ] && s=sessions
        bench_row "$1 $s, $2 msg/conn" "$T"
        [ -z "$DISK" ] || bench_io_row "$1 $s, $2 msg/conn" "$T" >>"$T/io.table"
    done
    if [ -s "$T/io.table" ]; then
        echo
        echo "block requests a message on the spool's disk, writes+flushes (medians;"
        echo "the whole device, as /proc/diskstats counts them during each run):"
        printf '%-28s' "case"
        for m in $MTAS; do printf ' %11s' "$m"; done
        echo
        cat "$T/io.table"
    fi
    echo "every run:"
    sed 's/^/  /' "$T/runs.txt"
    if [ -s "$T/load.stderr" ]; then
        echo "the load client reported:"
        sort "$T/load.stderr" | uniq -c | head -20
    fi
    bench_stop_all
}

for mode in $MODES; do run_mode "$mode"; done
