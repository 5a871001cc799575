#!/bin/sh
# deliver-crash.sh: the crash test for delivery (docs/delivery.md, "The
# -J journal and crash safety").
#
#   deliver-crash.sh BUILD_DIR [SEED] [RUNS]
#
# Each run spools one message (-odq) for three mbox recipients, two
# maildir recipients and three recipients at a remote server (fake-smtp),
# starts a delivery and SIGKILLs it after a delay drawn at random
# (seeded) between 0 and 120 ms, so the kill lands before, during or
# after the local and remote deliveries; then "mxlab -M ID" runs to the
# end. Runs take turns over five ways to deliver and kill:
#   0  "mxlab -M ID", the process is killed
#   1  "mxlab -M ID" in a process group of its own, the whole group is
#      killed (the delivery process and its transport children at once)
#   2  a queue run, "mxlab -qf", the queue runner is killed
#   3  a queue run in a process group of its own, the group is killed
#   4  "mxlab -M ID" in a process group of its own, the group gets
#      SIGTERM instead of SIGKILL: the delivery process dies, its local
#      transport processes ignore it (as Exim's) and finish
# A retry section is configured, so the LMDB retry database is written
# by processes that are killed too.
#
# Checks, per run: the message has left the spool (no -H, -D or -J);
# each local recipient has exactly one complete copy, or two when the
# kill came after the mailbox write and before its -J journal entry was
# on disk (counted and reported as "repeated"); each remote recipient
# got the message once, or twice when the server accepted it before the
# kill and the journal write (as Exim documents); nothing is lost. A
# partial mbox copy left by a kill in the middle of the write is counted
# as "torn" (mbox appends are not atomic; Exim has the same property).
# The delivery process must leave no sanitizer report. Run by root, a
# local transport runs in a process of its own that journals its own
# delivery (docs/delivery.md), so a kill of the delivery process alone
# (kinds 0 and 2) or a SIGTERM of its process group (kind 4) must repeat
# no local delivery, and kind 4 must leave no torn mbox copy: either
# fails the run. Prints one line per run ("ok N" or "not ok N - why"), one line
# per kind of kill ("kind K: P passed, F failed, L repeated local, R
# repeated remote, T torn") and "deliver-crash: N passed, N failed (K
# kills mid-delivery, G of a process group, R repeated local, Q repeated
# remote, T torn)", K being the runs whose message was still on the
# spool after the kill.
set -u
BUILD=${1:-build}
SEED=${2:-1}
RUNS=${3:-30}
MTA=$(cd "$BUILD" && pwd)/mxlab
FAKE=$(cd "$BUILD" && pwd)/fakes/fake-smtp
DIR=$(mktemp -d "${TMPDIR:-/tmp}/mxlab-dcrash-XXXXXX")
pass=0
fail=0
rep_local=0
rep_remote=0
torn=0
hit=0
groupkills=0
for k in 0 1 2 3 4; do
    eval "k${k}_pass=0 k${k}_fail=0 k${k}_rl=0 k${k}_rr=0 k${k}_torn=0"
done
# local transports run in a process of their own only when root runs mxlab
own_process=0
[ "$(id -u)" -eq 0 ] && own_process=1

cleanup() {
    if [ -n "${fpid:-}" ]; then kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null; fi
}
trap cleanup EXIT

# a free port: the first that fake-smtp can listen on
port=$((20000 + (SEED * 7919 + $$) % 20000))
mkdir -p "$DIR/remote" "$DIR/mail" "$DIR/maildir"
for try in 1 2 3 4 5 6 7 8 9 10; do
    "$FAKE" --port "$port" --maildir "$DIR/remote" --pid-file "$DIR/fake.pid" \
        >"$DIR/fake.out" 2>&1 &
    fpid=$!
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        [ -s "$DIR/fake.pid" ] && break
        kill -0 "$fpid" 2>/dev/null || break
        sleep 0.05
    done
    [ -s "$DIR/fake.pid" ] && break
    wait "$fpid" 2>/dev/null
    fpid=
    port=$((port + 1))
done
if [ -z "${fpid:-}" ]; then
    echo "deliver-crash: fake-smtp did not start"
    exit 2
fi

cat >"$DIR/test.conf" <<END
primary_hostname = mx.test.ex
qualify_domain   = test.ex
spool_directory  = $DIR/spool
begin routers
mbox:
  driver      = accept
  domains     = test.ex
  local_parts = ^m
  transport   = mbox
maildir:
  driver      = accept
  domains     = test.ex
  local_parts = ^d
  transport   = maildir
remote:
  driver      = manualroute
  route_list  = * 127.0.0.1::$port
  self        = send
  transport   = remote_smtp
begin transports
mbox:
  driver       = appendfile
  file         = $DIR/mail/\$local_part
  use_lockfile = false
maildir:
  driver    = appendfile
  directory = $DIR/maildir/\$local_part
  maildir_format
remote_smtp:
  driver = smtp
begin retry
*   *   F,1d,1m
END

# Run by root, mxlab handles mail as its own user (docs/security.md):
# the directory, where it makes its spool and the mailboxes, is that
# user's. (fake-smtp, which the script started already, stays root's.)
if [ "$(id -u)" -eq 0 ] && getent passwd mxlab >/dev/null; then
    chown -R mxlab:mxlab "$DIR"
fi

# the kill delays, in ms
awk -v seed="$SEED" -v n="$RUNS" 'BEGIN { srand(seed); for (i = 1; i <= n; i++) printf "%d\n", int(rand() * 120) }' >"$DIR/delays"

run=0
while read -r delay; do
    run=$((run + 1))
    ok=1
    why=""
    id=$("$MTA" -C "$DIR/test.conf" -odq -f alice@test.ex \
        m1@test.ex m2@test.ex m3@test.ex d1@test.ex d2@test.ex \
        r1@remote.test.ex r2@remote.test.ex r3@remote.test.ex <<END 2>"$DIR/err.$run" ; ls -t "$DIR/spool/input" 2>/dev/null | sed -n 's/-H$//p' | head -1
Subject: crash-$run

line one of run $run
..a line that starts with a dot
end-of-crash-$run
END
)
    if [ -z "$id" ]; then
        echo "not ok $run - no message spooled"
        fail=$((fail + 1))
        continue
    fi
    mode=$((run % 5))
    case $mode in
    0) "$MTA" -C "$DIR/test.conf" -M "$id" >/dev/null 2>"$DIR/kill.$run" & ;;
    1) setsid "$MTA" -C "$DIR/test.conf" -M "$id" >/dev/null 2>"$DIR/kill.$run" & ;;
    2) "$MTA" -C "$DIR/test.conf" -qf >/dev/null 2>"$DIR/kill.$run" & ;;
    3) setsid "$MTA" -C "$DIR/test.conf" -qf >/dev/null 2>"$DIR/kill.$run" & ;;
    4) setsid "$MTA" -C "$DIR/test.conf" -M "$id" >/dev/null 2>"$DIR/kill.$run" & ;;
    esac
    dpid=$!
    sleep "0.$(printf %03d "$delay")"
    # (setsid in the background of a script keeps its pid: it is no group
    # leader, so it calls setsid() and execs mxlab, whose pid is the
    # group's id.)
    if [ $mode -eq 1 ] || [ $mode -eq 3 ]; then
        kill -9 -- "-$dpid" 2>/dev/null
        groupkills=$((groupkills + 1))
    elif [ $mode -eq 4 ]; then
        kill -TERM -- "-$dpid" 2>/dev/null
        groupkills=$((groupkills + 1))
    else
        kill -9 "$dpid" 2>/dev/null
    fi
    wait "$dpid" 2>/dev/null
    # A child the kill did not reach (the delivery process a queue
    # runner forked, a transport's process) finishes on its own: wait for
    # it, so that the final -M finds the message unlocked.
    for i in $(seq 1 600); do
        pgrep -f "$DIR/test.conf" >/dev/null || break
        sleep 0.05
    done
    # did the kill land before the delivery finished?
    [ -e "$DIR/spool/input/$id-H" ] && hit=$((hit + 1))
    "$MTA" -C "$DIR/test.conf" -M "$id" >/dev/null 2>"$DIR/finish.$run"
    for f in "$DIR/err.$run" "$DIR/kill.$run" "$DIR/finish.$run"; do
        if [ -f "$f" ] && grep -q "Sanitizer\|runtime error" "$f"; then
            ok=0
            why="$why sanitizer report in $(basename "$f");"
        fi
    done
    for s in -H -D -J; do
        if [ -e "$DIR/spool/input/$id$s" ]; then
            ok=0
            why="$why $id$s left on the spool;"
        fi
    done
    rl=0
    rr=0
    rt=0
    for u in m1 m2 m3; do
        whole=$(grep -c "^end-of-crash-$run\$" "$DIR/mail/$u" 2>/dev/null)
        heads=$(grep -c "^Subject: crash-$run\$" "$DIR/mail/$u" 2>/dev/null)
        [ "$heads" -gt "$whole" ] && rt=$((rt + heads - whole))
        if [ "$whole" -eq 2 ]; then
            rl=$((rl + 1))
        elif [ "$whole" -ne 1 ]; then
            ok=0
            why="$why $u has $whole copies;"
        fi
    done
    for u in d1 d2; do
        whole=$(cat "$DIR/maildir/$u/new/"* 2>/dev/null | grep -c "^end-of-crash-$run\$")
        if [ "$whole" -eq 2 ]; then
            rl=$((rl + 1))
        elif [ "$whole" -ne 1 ]; then
            ok=0
            why="$why maildir $u has $whole copies;"
        fi
    done
    # the remote copies of this run (one grep over the whole store)
    grep -l -x "end-of-crash-$run" "$DIR/remote/"* 2>/dev/null >"$DIR/copies"
    for u in r1 r2 r3; do
        got=0
        while read -r f; do
            grep -q "^RCPT TO:<$u@remote.test.ex>" "$f" && got=$((got + 1))
        done <"$DIR/copies"
        if [ "$got" -eq 2 ]; then
            rr=$((rr + 1))
        elif [ "$got" -ne 1 ]; then
            ok=0
            why="$why remote $u got $got copies;"
        fi
    done
    if [ "$rl" -gt 0 ] && [ "$own_process" -eq 1 ] &&
        { [ $mode -eq 0 ] || [ $mode -eq 2 ] || [ $mode -eq 4 ]; }; then
        ok=0
        why="$why $rl local deliveries repeated after a kill that left the transport processes alive;"
    fi
    if [ "$rt" -gt 0 ] && [ "$own_process" -eq 1 ] && [ $mode -eq 4 ]; then
        ok=0
        why="$why $rt mbox copies torn by a SIGTERM;"
    fi
    rep_local=$((rep_local + rl))
    rep_remote=$((rep_remote + rr))
    torn=$((torn + rt))
    eval "k${mode}_rl=\$((k${mode}_rl + rl)) k${mode}_rr=\$((k${mode}_rr + rr)) k${mode}_torn=\$((k${mode}_torn + rt))"
    if [ "$ok" -eq 1 ]; then
        eval "k${mode}_pass=\$((k${mode}_pass + 1))"
        pass=$((pass + 1))
        note=""
        [ "$rl" -gt 0 ] && note="$note, $rl repeated local"
        [ "$rr" -gt 0 ] && note="$note, $rr repeated remote"
        [ "$rt" -gt 0 ] && note="$note, $rt torn"
        echo "ok $run - mode $mode, kill after ${delay}ms$note"
    else
        eval "k${mode}_fail=\$((k${mode}_fail + 1))"
        fail=$((fail + 1))
        echo "not ok $run - mode $mode, kill after ${delay}ms:$why"
    fi
done <"$DIR/delays"

for k in 0 1 2 3 4; do
    eval "echo \"kind $k: \$k${k}_pass passed, \$k${k}_fail failed, \$k${k}_rl repeated local, \$k${k}_rr repeated remote, \$k${k}_torn torn\""
done
echo "deliver-crash: $pass passed, $fail failed ($hit kills mid-delivery, $groupkills of a process group, $rep_local repeated local, $rep_remote repeated remote, $torn torn)"
if [ "$fail" -eq 0 ]; then
    cleanup
    fpid=
    [ -n "${DCRASH_KEEP:-}" ] || rm -rf "$DIR"
    exit 0
fi
echo "deliver-crash: kept $DIR"
exit 1
