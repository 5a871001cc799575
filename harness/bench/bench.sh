#!/bin/sh
# make bench: accept throughput over loopback, mxlab and Debian's Exim 4.96
# side by side in one run.
#
#   sh harness/bench/bench.sh [BUILD]       (make bench does this)
#
# Both MTAs get the same configuration (harness/bench/bench.conf.in: accept
# every recipient, queue_only, no DNS or ident look-ups, logs to files),
# each its own spool under a temporary directory and its own port on
# 127.0.0.1, each started in the foreground (-bdf) by this script and
# stopped by it at the end.  The load comes from build/smtpload (4 KB
# messages, no pipelining).  Four cases: 1 and 20 parallel sessions, 10
# messages per connection and 1.  Each case is run BENCH_REPEAT times,
# mxlab and Exim alternating, the spools emptied before each run; the
# table shows the median of each.  Nothing here asserts a timing.
#
# Environment: BENCH_MESSAGES (messages per run, default 1000),
# BENCH_REPEAT (default 3), BENCH_KEEP=1 (keep the temporary directory).
set -eu

BUILD=${1:-build}
MESSAGES=${BENCH_MESSAGES:-1000}
REPEAT=${BENCH_REPEAT:-3}
SIZE=4096
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MXLAB=$ROOT/$BUILD/mxlab
LOAD=$ROOT/$BUILD/smtpload
EXIM=/usr/sbin/exim4
EXIM_USER=Debian-exim

for f in "$MXLAB" "$LOAD"; do
    [ -x "$f" ] || { echo "bench: $f is missing (make all $BUILD/smtpload)"; exit 2; }
done
sh "$HERE/install-exim.sh"

T=$(mktemp -d /tmp/mxlab-bench.XXXXXX)
chmod 755 "$T" # Exim's reception processes run as $EXIM_USER
MXLAB_PID=""
EXIM_PID=""

stop() { # pid: SIGTERM, then up to 5 s, then SIGKILL
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    stop "$MXLAB_PID"
    stop "$EXIM_PID"
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "bench: kept $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# setup NAME: directories and configuration for one MTA.
setup() {
    mkdir -p "$T/$1/spool" "$T/$1/log"
    sed -e "s|@SPOOL@|$T/$1/spool|" -e "s|@LOG@|$T/$1/log|" \
        "$HERE/bench.conf.in" > "$T/$1/conf"
    chmod 644 "$T/$1/conf"
}

# wait_up PORT PIDFILE PID: until the pid file is written and a session
# gets through, at most 10 s.
wait_up() {
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$3" 2>/dev/null || return 1
        if [ -s "$2" ] && "$LOAD" -p "$1" --probe 2>/dev/null; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

setup mxlab
setup exim
chown -R "$EXIM_USER:$EXIM_USER" "$T/exim/spool" "$T/exim/log"
# mxlab started by root receives as its own exim_user, mxlab
# (docs/security.md)
if [ "$(id -u)" -eq 0 ] && getent passwd mxlab >/dev/null; then
    chown -R mxlab:mxlab "$T/mxlab/spool" "$T/mxlab/log"
fi
MXLAB_PORT=$("$LOAD" --free-port)
EXIM_PORT=$("$LOAD" --free-port)
while [ "$EXIM_PORT" = "$MXLAB_PORT" ]; do EXIM_PORT=$("$LOAD" --free-port); done

"$MXLAB" -C "$T/mxlab/conf" -bdf -oX "$MXLAB_PORT" -oP "$T/mxlab/pid" \
    > "$T/mxlab/stderr" 2>&1 &
MXLAB_PID=$!
"$EXIM" -C "$T/exim/conf" -bdf -oX "$EXIM_PORT" -oP "$T/exim/pid" \
    > "$T/exim/stderr" 2>&1 &
EXIM_PID=$!
wait_up "$MXLAB_PORT" "$T/mxlab/pid" "$MXLAB_PID" ||
    { echo "bench: mxlab did not start:"; cat "$T/mxlab/stderr"; exit 1; }
wait_up "$EXIM_PORT" "$T/exim/pid" "$EXIM_PID" ||
    { echo "bench: exim did not start:"; cat "$T/exim/stderr"; exit 1; }

# empty NAME: the spool's messages and message logs go (not the logs).
empty() {
    find "$T/$1/spool/input" "$T/$1/spool/msglog" -type f -delete 2>/dev/null || true
}

# load NAME PORT SESSIONS PER_CONN: one run; prints msgs/s, or "FAILED".
load() {
    empty "$1"
    sync
    out=$("$LOAD" -l "$1" -p "$2" -c "$3" -m "$4" -n "$MESSAGES" -s "$SIZE" \
        2>>"$T/load.stderr") || true
    echo "$out" >> "$T/runs.txt"
    case "$out" in
    *" failed=0 "*) echo "$out" | sed 's/.*msgs_per_sec=//' ;;
    *) echo FAILED ;;
    esac
}

median() { # numbers on stdin, one a line; FAILED if any run failed
    sort -n | awk '/FAILED/ { bad = 1 } { v[NR] = $1 }
        END { if (bad || NR == 0) print "FAILED";
              else if (NR % 2) print v[(NR + 1) / 2];
              else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "bench: $("$MXLAB" -C "$T/mxlab/conf" -bV 2>/dev/null | head -1)," \
     "commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
echo "bench: $("$EXIM" -C "$T/exim/conf" -bV 2>/dev/null | head -1)"
echo "bench: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1))," \
     "$(uname -sr), spool on $(df -T "$T" | awk 'NR == 2 { print $2 }')"
echo "bench: $MESSAGES messages of $SIZE bytes per run, median of $REPEAT runs"

# warm both up (page cache, first spool directories)
"$LOAD" -l warm -p "$MXLAB_PORT" -c 4 -m 10 -n 100 -s "$SIZE" > /dev/null 2>&1 || true
"$LOAD" -l warm -p "$EXIM_PORT" -c 4 -m 10 -n 100 -s "$SIZE" > /dev/null 2>&1 || true

printf '\n%-34s %12s %12s %12s\n' "case" "mxlab msg/s" "exim msg/s" "mxlab/exim"
for c in "1 10" "1 1" "20 10" "20 1"; do
    set -- $c
    : > "$T/m.txt"
    : > "$T/e.txt"
    r=0
    while [ $r -lt "$REPEAT" ]; do
        if [ $((r % 2)) -eq 0 ]; then
            load mxlab "$MXLAB_PORT" "$1" "$2" >> "$T/m.txt"
            load exim "$EXIM_PORT" "$1" "$2" >> "$T/e.txt"
        else
            load exim "$EXIM_PORT" "$1" "$2" >> "$T/e.txt"
            load mxlab "$MXLAB_PORT" "$1" "$2" >> "$T/m.txt"
        fi
        r=$((r + 1))
    done
    m=$(median < "$T/m.txt")
    e=$(median < "$T/e.txt")
    ratio=$(awk -v m="$m" -v e="$e" 'BEGIN {
        if (m ~ /FAILED/ || e ~ /FAILED/ || e == 0) print "-";
        else printf "%.2f", m / e }')
    s=session; [ "$1" -gt 1 ] && s=sessions
    printf '%-34s %12s %12s %12s\n' \
        "$1 $s, $2 msg/connection" "$m" "$e" "$ratio"
done
echo
echo "bench: every run (msgs/s per run, mxlab and exim):"
sed 's/^/  /' "$T/runs.txt"
if [ -s "$T/load.stderr" ]; then
    echo "bench: the load client reported:"
    sort "$T/load.stderr" | uniq -c | head -20
fi
