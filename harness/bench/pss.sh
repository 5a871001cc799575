#!/bin/sh
# pss.sh BUILD [EXIM]: memory per SMTP connection, mxlab beside Exim, in one
# run.  Starts each MTA (harness/bench/bench.conf.in, spool on tmpfs),
# holds N connections open (BENCH_CONNS, default 20), first idle after
# EHLO, then each in DATA after 64 KB of a message, and prints the summed
# PSS (/proc/PID/smaps_rollup) of the daemon's children divided by N, and
# the daemon's own PSS and RSS.  EXIM as for bench.sh (empty: the
# reference Exim 4.98.2 of ci/build-exim.sh).  Then, for each MTA,
# BENCH_RSS_MESSAGES messages (default 100000; 0: none) from 20 sessions of
# 10 messages a connection, with the daemon's VmRSS read every second: the
# first, the last, the lowest and the highest sample, to show whether the
# daemon grows.  Before the connections are held, BENCH_WARMUP messages
# (default 2000; 0: none) come from 20 sessions of one message a
# connection, so that the connections are served as on a daemon that has
# been running: by mxlab, in session processes used again
# (smtp_process_max_use), whose memory is what is measured, idle ones
# included.  make bench-mem runs it.
# Needs root (the spools belong to the
# MTAs' users) and python3 (to hold the connections).
set -eu
BUILD=${1:-build}
EXIM=${2:-}
if [ -z "$EXIM" ]; then
    sh ci/build-exim.sh "$BUILD" >&2 || exit 1
    EXIM=$BUILD/exim/mta
fi
N=${BENCH_CONNS:-20}
MESSAGES=${BENCH_RSS_MESSAGES:-100000}
WARMUP=${BENCH_WARMUP:-2000}
RSSLINES=""
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /dev/shm/mxlab-pss.XXXXXX)
chmod 755 "$T"
. "$HERE/../faketime.sh"
faketime_mark "$T/.faketime"
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    sleep 0.5
    faketime_sweep "$T/.faketime"
    rm -rf "$T"
}
trap cleanup EXIT

pss_of() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
children_pss() { # daemon pid: summed PSS in KiB of its children
    t=0
    for c in $(cat "/proc/$1/task/$1/children"); do t=$((t + $(pss_of "$c"))); done
    echo "$t"
}

# hold PORT MODE: N connections, kept open until stdin closes
hold() {
    python3 - "$1" "$2" "$N" <<'PY' &
import socket, sys, time
port, mode, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    f = s.makefile("rb")
    def reply():
        while True:
            l = f.readline()
            if len(l) < 4 or l[3:4] != b"-":
                return l
    reply()
    s.sendall(b"EHLO pss.bench.ex\r\n"); reply()
    if mode == "data":
        s.sendall(b"MAIL FROM:<a@bench.ex>\r\n"); reply()
        s.sendall(b"RCPT TO:<b@bench.ex>\r\n"); reply()
        s.sendall(b"DATA\r\n"); reply()
        s.sendall(b"Subject: pss\r\n\r\n" + (b"x" * 78 + b"\r\n") * 820)
    socks.append((s, f))
print("held", flush=True)
time.sleep(600)
PY
    HOLD=$!
}

printf '%-10s %-6s %12s %12s %12s\n' mta state "PSS/conn KiB" "daemon PSS" "daemon RSS"
for m in mxlab exim498; do
    d=$T/$m
    mkdir -p "$d/spool" "$d/log"
    sed -e "s|@SPOOL@|$d/spool|" -e "s|@LOG@|$d/log|" "$HERE/bench.conf.in" >"$d/conf"
    chmod 644 "$d/conf"
    if [ $m = mxlab ]; then bin=$BUILD/mxlab; u=mxlab; else bin=$EXIM; u=$("$EXIM" -C /dev/null -bP exim_user | sed 's/.*= //'); fi
    chown -R "$u:" "$d/spool" "$d/log"
    port=$("$BUILD/smtpload" --free-port)
    "$bin" -C "$d/conf" -bdf -oX "$port" -oP "$d/pid" >"$d/stderr" 2>&1 &
    PIDS="$PIDS $!"
    i=0
    until [ -s "$d/pid" ] && "$BUILD/smtpload" -p "$port" --probe 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || { echo "pss: $m did not start"; exit 1; }; sleep 0.1
    done
    dpid=$(cat "$d/pid")
    if [ "$WARMUP" -gt 0 ]; then
        "$BUILD/smtpload" -p "$port" -c 20 -m 1 -n "$WARMUP" -s 4096 >/dev/null
        sleep 1
    fi
    for state in idle data; do
        hold "$port" "$state" >"$d/held.$state"
        i=0
        until grep -q held "$d/held.$state"; do
            i=$((i + 1)); [ $i -lt 600 ] || { echo "pss: $m: connections not held"; exit 1; }; sleep 0.1
        done
        sleep 1
        c=$(children_pss "$dpid")
        printf '%-10s %-6s %12s %12s %12s\n' "$m" "$state" "$((c / N))" "$(pss_of "$dpid")" "$(rss_of "$dpid")"
        kill "$HOLD"; wait "$HOLD" 2>/dev/null || true
        sleep 1
    done
    [ "$MESSAGES" -gt 0 ] || continue
    (while kill -0 "$dpid" 2>/dev/null; do rss_of "$dpid"; sleep 1; done) >"$d/rss" &
    SAMPLER=$!
    out=$("$BUILD/smtpload" -p "$port" -c 20 -m 10 -n "$MESSAGES" -s 4096 2>&1) || true
    kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true
    RSSLINES="$RSSLINES$(awk -v m="$m" -v out="$out" 'NR == 1 { lo = hi = $1 }
        { if ($1 < lo) lo = $1; if ($1 > hi) hi = $1; last = $1; v[NR] = $1 }
        END { printf "%-10s %8d %8d %8d %8d %8d  %s\n", m, NR, v[1], last, lo, hi, out }' "$d/rss")
"
done
if [ "$MESSAGES" -gt 0 ]; then
    echo "daemon RSS (KiB) while $MESSAGES messages arrive, read every second:"
    printf '%-10s %8s %8s %8s %8s %8s  %s\n' mta samples first last lowest highest load
    printf '%s' "$RSSLINES"
fi
