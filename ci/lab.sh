#!/bin/sh
# make lab: bring up the lab (make has built what changed): the mxlab
# daemon with docs/lab.conf on 127.0.0.1:2525, every fake wired in, its
# spool, logs and transcripts under lab/, then print a short guided tour
# (docs/lab.md has it in full). The scenario suite is make test's job.
#
#   127.0.0.1:2525  mxlab                 lab/spool/log/mainlog
#   127.0.0.1:2526  fake-smtp             lab/smtp.transcript, lab/remote/
#   127.0.0.1:2527  fake-dovecot-auth     lab/dovecot.transcript
#                   (and the unix socket lab/dovecot-auth)
#   127.0.0.1:2528  fake-bmid             lab/bmid.transcript
#   127.0.0.1:2553  fake-dns (UDP, TCP)   lab/dns.transcript
#   127.0.0.1:2587  fake-xclient-proxy    lab/proxy.transcript
#   lab/dccifd      fake-dccifd           lab/dccifd.transcript
#
# A lab left running by an earlier "make lab" is stopped first (only the
# processes named in lab/*.pid, and only if they are what the file says).
set -u
BUILD=${1:-build}
ROOT=$(pwd)
LAB="$ROOT/lab"
mkdir -p "$LAB"

# alive PID: the process runs (a zombie, which nobody may reap here,
# does not). Shell built-ins only: make lab must be quick on a busy
# machine.
alive() {
    [ -r "/proc/$1/status" ] || return 1
    while read -r key value rest; do
        [ "$key" = State: ] && { [ "$value" != Z ]; return; }
    done <"/proc/$1/status"
    return 1
}

# Stop what lab/NAME.pid names, if it is NAME, all at once; then wait
# (3 s at most) until they are gone.
FAKES="fake-smtp fake-dns fake-xclient-proxy fake-dovecot-auth fake-dccifd fake-bmid"
stopped=""
for p in mxlab $FAKES; do
    f="$LAB/$p.pid"
    [ -f "$f" ] || continue
    old=""
    read -r old <"$f" || true
    if [ -n "$old" ] && alive "$old" &&
        grep -q "$p" "/proc/$old/cmdline" 2>/dev/null; then
        kill "$old" && stopped="$stopped $old"
    fi
    rm -f "$f"
done
n=0
for old in $stopped; do
    while alive "$old" && [ $n -lt 30 ]; do
        sleep 0.1
        n=$((n + 1))
    done
done

mkdir -p "$LAB/spool" "$LAB/mail" "$LAB/remote"
# Started by root, mxlab handles mail as its own user, "mxlab" (made by
# ci/install-deps.sh; docs/security.md): the spool and the mailboxes are
# that user's.
if [ "$(id -u)" -eq 0 ] && getent passwd mxlab >/dev/null; then
    chown -R mxlab:mxlab "$LAB/spool" "$LAB/mail"
fi
echo "server = 127.0.0.1:2528" >"$LAB/brightmail.cfg"
rm -f "$LAB/dovecot-auth" "$LAB/dccifd"

# fake NAME ARGS...: start build/fakes/NAME in the background, its
# output in lab/NAME.out, its pid in lab/NAME.pid.
fake() {
    name=$1
    shift
    "$BUILD/fakes/$name" "$@" --pid-file "$LAB/$name.pid" \
        >"$LAB/$name.out" 2>&1 </dev/null &
}
fake fake-dns --port 2553 --zone "$ROOT/docs/lab.zone" \
    --transcript "$LAB/dns.transcript"
fake fake-smtp --port 2526 --script "$ROOT/docs/lab-smtp.script" \
    --transcript "$LAB/smtp.transcript" --maildir "$LAB/remote"
fake fake-dovecot-auth --unix "$LAB/dovecot-auth" --port 2527 \
    --script "$ROOT/docs/lab-dovecot.script" \
    --transcript "$LAB/dovecot.transcript"
fake fake-dccifd --unix "$LAB/dccifd" --script "$ROOT/docs/lab-dccifd.script" \
    --state "$LAB/dccifd.state" --transcript "$LAB/dccifd.transcript"
fake fake-bmid --port 2528 --script "$ROOT/docs/lab-bmid.script" \
    --transcript "$LAB/bmid.transcript"
if ! "$BUILD/mxlab" -C "$ROOT/docs/lab.conf" -DLAB_DIR="$LAB" \
    -bd -oX 2525 -oP "$LAB/mxlab.pid"; then
    echo "lab: mxlab -bd failed (lab/spool/log/paniclog)" >&2
    exit 1
fi
fake fake-xclient-proxy --port 2587 --upstream 127.0.0.1:2525 \
    --script "$ROOT/docs/lab-proxy.script" \
    --transcript "$LAB/proxy.transcript"

# Ready when every pid file is there (each program writes it once it
# listens), 5 s at most.
n=0
while [ $n -lt 50 ]; do
    missing=""
    for p in mxlab $FAKES; do
        [ -s "$LAB/$p.pid" ] || missing="$missing $p"
    done
    [ -z "$missing" ] && break
    sleep 0.1
    n=$((n + 1))
done
if [ -n "$missing" ]; then
    echo "lab: not started:$missing (see lab/*.out)" >&2
    exit 1
fi

cat <<EOT
mxlab is listening on 127.0.0.1:2525 (pid $(cat "$LAB/mxlab.pid")), all fakes
beside it. A tour, one feature a line (docs/lab.md has it in full):
  tail -f lab/spool/log/mainlog        # in a second terminal: the log

Local delivery        swaks -s 127.0.0.1:2525 -f you@lab.test -t alice@lab.test
                      -> "=> alice", mail in lab/mail/alice/new/
Remote (manualroute)  swaks -s 127.0.0.1:2525 -f you@lab.test -t bob@smarthost.lab.test
                      -> "=> bob@smarthost.lab.test ... H=", lab/smtp.transcript
Remote (MX, fake-dns) swaks -s 127.0.0.1:2525 -f you@lab.test -t bob@mx.lab.test
                      -> lab/dns.transcript has the MX query
A refusal / a defer   ... -t nobody@mx.lab.test   ... -t later@mx.lab.test
                      -> "**" (bounce to you@) / "==" (retry later)
AUTH via Dovecot      swaks -s 127.0.0.1:2525 -a PLAIN -au alice -ap secret
                            -f alice@lab.test -t bob@mx.lab.test
                      -> "A=dovecot-plain:alice", lab/dovecot.transcript
XCLIENT proxy         swaks -s 127.0.0.1:2587 -a PLAIN -au alice -ap secret
                            -f alice@lab.test -t bob@lab.test
                      -> "PRX=127.0.0.1 A=xclient:alice", lab/proxy.transcript
LIMITS, CHUNKING      swaks -s 127.0.0.1:2525 -q EHLO
                      -> "250-LIMITS MAILMAX=... RCPTMAX=...", "250-CHUNKING"
DCC                   swaks -s 127.0.0.1:2525 -f you@lab.test -t alice@lab.test
                            --header "Subject: bulk offer"
                      -> "550 rejected by DCC: R", lab/dccifd.transcript
Brightmail (BMI)      swaks -s 127.0.0.1:2525 -f x@spammer.example -t alice@lab.test
                      -> "=> :blackhole: R=bmi_discard", lab/bmid.transcript
The queue             $BUILD/mxlab -C docs/lab.conf -DLAB_DIR=$LAB -bp

Stop it: kill \$(cat lab/*.pid)
EOT
