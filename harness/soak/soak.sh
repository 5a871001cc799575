#!/bin/bash
# soak.sh (bash: /dev/tcp): load and endurance for "make soak" (docs/reliability.md).
#
#   soak.sh BUILD_DIR [SESSIONS] [MESSAGES] [OUT_DIR]
#
# Starts an mxlab daemon (-bdf, with a queue runner every 5 s) on a free
# loopback port, with smtp_accept_max, smtp_accept_max_per_host and
# smtp_accept_queue set, and deliveries to a maildir running while the
# load comes in; smtp_connect_backlog is raised above the number of
# sessions (Exim's default of 20 overflowed the kernel's accept queue:
# connections that got no greeting within smtpload's 30 s, the "failed"
# count of the runs of 6 December). The load is SESSIONS parallel SMTP sessions (default
# 200) sending MESSAGES messages (default 100,000) of mixed sizes: four
# smtpload clients of SESSIONS/4 sessions each, with 1 KB, 4 KB, 32 KB
# and 256 KB messages (the big ones a twentieth of the count). Meanwhile
# two clients connect and stay silent: smtp_receive_timeout (5 s) must
# end their sessions; and one client trickles a command, a byte every 2 s
# (inside smtp_receive_timeout), which only smtp_session_max_time (an
# mxlab extension, SOAK_SESSION_MAX seconds, default 900: above the
# longest session of the load on a slow machine) can end.
#
# Every second the daemon's open descriptors, its RSS and its number of
# children are sampled (OUT_DIR/samples: "second fds rss_kb children").
# At the end the queue runner is given time to empty the queue, and the
# checks are:
#   every 250 is accounted for: messages in the maildir + messages on the
#     spool (-H files) = the 250s the clients counted;
#   the daemon's children never exceeded smtp_accept_max (plus its queue
#     runner and the deliveries it forks);
#   the silent clients were cut by smtp_receive_timeout (main log);
#   the trickling client was cut by smtp_session_max_time: it got the
#     421 and the main log says so (other sessions that the limit cut are
#     counted: the longest session of the load, "closed by QUIT D=Ns",
#     is reported beside the limit);
#   no zombie child is left, the daemon's fds and RSS at the end are
#     within a margin of their values after the warm-up;
#   no panic log.
# Prints the figures and "soak: passed" or "soak: failed (why)".
set -u
BUILD=${1:-build}
SESSIONS=${2:-200}
MESSAGES=${3:-100000}
OUT=${4:-}
SESSION_MAX=${SOAK_SESSION_MAX:-900}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MTA=$(cd "$BUILD" && pwd)/mxlab
LOAD=$(cd "$BUILD" && pwd)/smtpload
T=$(mktemp -d "${TMPDIR:-/tmp}/mxlab-soak-XXXXXX")
[ -n "$OUT" ] || OUT=$T/out
mkdir -p "$OUT" "$T/spool" "$T/log" "$T/maildir"
chmod 755 "$T"
ACCEPT_MAX=$((SESSIONS + 20))
DPID=""
fail=""

. "$ROOT/harness/bench/lib.sh"
stop() { bench_stop "$1" 100; } # a daemon with many children: up to 10 s
cleanup() {
    stop "$DPID"
    [ -n "${SOAK_KEEP:-}" ] || rm -rf "$T/spool" "$T/maildir"
}
trap cleanup EXIT

cat >"$T/conf" <<END
primary_hostname = mx.soak.ex
qualify_domain = soak.ex
spool_directory = $T/spool
log_file_path = $T/log/%slog
local_interfaces = 127.0.0.1
smtp_accept_max = $ACCEPT_MAX
smtp_accept_max_per_host = $((SESSIONS + 10))
smtp_accept_queue = $((SESSIONS / 2))
smtp_connect_backlog = $((SESSIONS + 10))
smtp_receive_timeout = 5s
smtp_session_max_time = ${SESSION_MAX}s
host_lookup =
rfc1413_hosts =
rfc1413_query_timeout = 0s
acl_smtp_rcpt = accept
begin routers
all:
  driver = accept
  transport = maildir
begin transports
maildir:
  driver = appendfile
  directory = $T/maildir
  maildir_format
END
chmod 644 "$T/conf"
if [ "$(id -u)" -eq 0 ] && getent passwd mxlab >/dev/null; then
    chown -R mxlab:mxlab "$T/spool" "$T/log" "$T/maildir"
fi

PORT=$("$LOAD" --free-port)
"$MTA" -C "$T/conf" -bdf -q5s -oX "$PORT" -oP "$T/pid" >"$T/stderr" 2>&1 &
DPID=$!
i=0
until [ -s "$T/pid" ] && "$LOAD" -p "$PORT" --probe 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$DPID" 2>/dev/null; then
        echo "soak: the daemon did not start"
        cat "$T/stderr"
        exit 1
    fi
    sleep 0.1
done

# sampler: second fds rss_kb children (the daemon's direct children);
# the second is the real time since the start, as a loaded machine can
# stretch a round of the loop past one second. Builtins only, but for
# pgrep, so that the sampling itself stays light.
(
    t0=$SECONDS
    while kill -0 "$DPID" 2>/dev/null && [ ! -e "$T/stop-sampling" ]; do
        set -- /proc/"$DPID"/fd/*
        fds=$#
        rss=0
        while read -r k v _; do
            [ "$k" = "VmRSS:" ] && rss=$v
        done </proc/"$DPID"/status
        kids=$(pgrep -c -P "$DPID")
        echo "$((SECONDS - t0)) $fds $rss $kids"
        sleep 1
    done
) >"$OUT/samples" &
SPID=$!

# two silent clients: connect, read nothing, send nothing
for n in 1 2; do
    (exec 3<>/dev/tcp/127.0.0.1/"$PORT" && sleep 12) 2>/dev/null &
done

# a client that trickles: the banner, then one command ("NNN...") a byte
# every 2 s, for as long as the session is not cut (at most the limit
# and a minute); what it reads goes to OUT/trickle
(
    trap "" PIPE
    exec 3<>/dev/tcp/127.0.0.1/"$PORT" || exit 1
    t0=$SECONDS
    read -r -t 60 line <&3 && echo "$line"
    while [ $((SECONDS - t0)) -lt $((SESSION_MAX + 60)) ]; do
        printf 'N' >&3 2>/dev/null || break
        if read -r -t 2 line <&3; then
            echo "$line"
            break
        fi
    done
    echo "seconds=$((SECONDS - t0))"
) >"$OUT/trickle" 2>/dev/null &
TPID=$!

per=$((SESSIONS / 4))
big=$((MESSAGES / 20))
rest=$(((MESSAGES - big) / 3))
start=$(date +%s)
"$LOAD" -p "$PORT" -c "$per" -m 20 -n "$rest" -s 1024 -l size1k >"$OUT/load.1k" 2>&1 &
L1=$!
"$LOAD" -p "$PORT" -c "$per" -m 20 -n "$rest" -s 4096 -l size4k >"$OUT/load.4k" 2>&1 &
L2=$!
"$LOAD" -p "$PORT" -c "$per" -m 20 -n "$rest" -s 32768 -l size32k >"$OUT/load.32k" 2>&1 &
L3=$!
"$LOAD" -p "$PORT" -c "$per" -m 10 -n "$big" -s 262144 -l size256k >"$OUT/load.256k" 2>&1 &
L4=$!
wait $L1 $L2 $L3 $L4
end=$(date +%s)

# the trickling client ends when the limit cuts it
wait "$TPID" 2>/dev/null

accepted=$(cat "$OUT"/load.* | sed -n 's/.* accepted=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
failed=$(cat "$OUT"/load.* | sed -n 's/.* failed=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')

# let the queue runner catch up (at most 5 minutes)
i=0
while [ -n "$(ls "$T/spool/input" 2>/dev/null | grep -- '-H$' | head -1)" ] && [ $i -lt 300 ]; do
    sleep 1
    i=$((i + 1))
done
sleep 2
touch "$T/stop-sampling"
wait "$SPID" 2>/dev/null

zombies=$(ps -o stat= --ppid "$DPID" 2>/dev/null | grep -c Z)
# Counted with nothing moving: a message delivered between the scan of
# the maildir and that of the spool would be in neither. The daemon is
# stopped and the deliveries it started are left to finish (at most a
# minute).
stop "$DPID"
i=0
while pgrep -f "$T/conf" >/dev/null && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
delivered=$(find "$T/maildir" -type f -path '*/new/*' | wc -l)
spooled=$(find "$T/spool/input" -name '*-H' 2>/dev/null | wc -l)
timeouts=$(grep -c 'SMTP command timeout' "$T/log/mainlog" 2>/dev/null)
cuts=$(grep -c 'SMTP session time limit exceeded' "$T/log/mainlog" 2>/dev/null)
longest=$(sed -n 's/.* closed by QUIT D=\([0-9]*\)s.*/\1/p' "$T/log/mainlog" 2>/dev/null |
    awk '$1 > m { m = $1 } END { print m + 0 }')
maxkids=$(awk '$4 > m { m = $4 } END { print m + 0 }' "$OUT/samples")
read -r _ fds0 rss0 _ <<END
$(sed -n 5p "$OUT/samples")
END
read -r _ fds1 rss1 _ <<END
$(tail -1 "$OUT/samples")
END

[ $((delivered + spooled)) -eq "$accepted" ] ||
    fail="$fail 250s=$accepted but maildir+spool=$((delivered + spooled));"
# refusals for smtp_accept_max or smtp_accept_max_per_host: the limits
# are set above the load, so a refusal means a session was miscounted
refused=$(grep -c 'refused: too many connections' "$T/log/mainlog" 2>/dev/null)
[ "$refused" -eq 0 ] || fail="$fail $refused connections refused as too many;"
[ "$timeouts" -ge 2 ] ||
    fail="$fail $timeouts smtp_receive_timeout cuts (want 2);"
grep -q '^421 .*SMTP session time limit exceeded' "$OUT/trickle" ||
    fail="$fail the trickling client was not cut by smtp_session_max_time ($(tr '\r\n' '  ' <"$OUT/trickle"));"
[ "$cuts" -ge 1 ] || fail="$fail no smtp_session_max_time cut in the main log;"
[ "$zombies" -eq 0 ] || fail="$fail $zombies zombies;"
[ "${fds1:-0}" -le $((${fds0:-0} + 5)) ] ||
    fail="$fail fds grew from $fds0 to $fds1;"
[ "${rss1:-0}" -le $((${rss0:-0} * 2 + 4096)) ] ||
    fail="$fail RSS grew from ${rss0}K to ${rss1}K;"
if [ -s "$T/log/paniclog" ]; then
    fail="$fail panic log: $(head -1 "$T/log/paniclog");"
fi

echo "soak: sessions=$SESSIONS messages=$MESSAGES seconds=$((end - start))" \
    "accepted=$accepted failed=$failed delivered=$delivered spooled=$spooled" \
    "max_children=$maxkids refused=$refused timeouts=$timeouts" \
    "session_cuts=$cuts longest_session=${longest}s limit=${SESSION_MAX}s" \
    "trickler_$(tail -1 "$OUT/trickle") zombies=$zombies" \
    "fds=$fds0->$fds1 rss_kb=$rss0->$rss1"
cat "$OUT"/load.* | grep -v '^size' | head -5
cp "$T/log/mainlog" "$OUT/mainlog" 2>/dev/null
if [ -z "$fail" ]; then
    echo "soak: passed"
    exit 0
fi
echo "soak: failed ($fail )"
exit 1
