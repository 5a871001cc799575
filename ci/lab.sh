#!/bin/sh
# make lab: build (done by make), run the scenario suite and show its
# summary, then bring up the lab: the mxlab daemon with docs/lab.conf on
# 127.0.0.1:2525, its spool and logs under lab/.
set -u
BUILD=${1:-build}
ROOT=$(pwd)
LAB="$ROOT/lab"
mkdir -p "$LAB"

echo "== mxlab: scenario suite"
"$BUILD/scenario-run" -j 2 --mta "$BUILD/mxlab" > "$LAB/suite.tap" 2>&1
status=$?
grep -E '^(not ok|[0-9]+ passed)' "$LAB/suite.tap"
echo "(full TAP output in lab/suite.tap)"

echo
echo "== mxlab: the lab configuration (docs/lab.conf)"
"$BUILD/mxlab" -C "$ROOT/docs/lab.conf" -DLAB_DIR="$LAB" -bV || exit 1

# A lab daemon or fake left over from an earlier "make lab" is ours to
# replace.
stop_old() { # pid-file program-name
    if [ -f "$1" ]; then
        old=$(cat "$1")
        if [ -n "$old" ] && kill -0 "$old" 2>/dev/null &&
           grep -q "$2" "/proc/$old/cmdline" 2>/dev/null; then
            kill "$old"
            sleep 1
        fi
    fi
}
stop_old "$LAB/mxlab.pid" mxlab
stop_old "$LAB/fake-smtp.pid" fake-smtp
stop_old "$LAB/fake-dns.pid" fake-dns
stop_old "$LAB/fake-xclient-proxy.pid" fake-xclient-proxy
stop_old "$LAB/fake-dovecot-auth.pid" fake-dovecot-auth
mkdir -p "$LAB/spool" "$LAB/mail" "$LAB/remote"
# Started by root, mxlab handles mail as its own user, "mxlab" (made by
# ci/install-deps.sh; docs/security.md): the spool and the mailboxes are
# that user's.
if [ "$(id -u)" -eq 0 ] && getent passwd mxlab >/dev/null; then
    chown -R mxlab:mxlab "$LAB/spool" "$LAB/mail"
fi

# The remote side: fake-dns (127.0.0.1:2553) and fake-smtp
# (127.0.0.1:2526) for the lab's remote domains.
"$BUILD/fakes/fake-dns" --port 2553 --zone "$ROOT/docs/lab.zone" \
    --transcript "$LAB/dns.transcript" --pid-file "$LAB/fake-dns.pid" \
    > "$LAB/fake-dns.out" 2>&1 < /dev/null &
"$BUILD/fakes/fake-smtp" --port 2526 --script "$ROOT/docs/lab-smtp.script" \
    --transcript "$LAB/smtp.transcript" --maildir "$LAB/remote" \
    --pid-file "$LAB/fake-smtp.pid" > "$LAB/fake-smtp.out" 2>&1 < /dev/null &
# AUTH: fake-dovecot-auth on the unix socket lab/dovecot-auth and
# 127.0.0.1:2527, users from docs/lab-dovecot.script.
rm -f "$LAB/dovecot-auth"
"$BUILD/fakes/fake-dovecot-auth" --unix "$LAB/dovecot-auth" --port 2527 \
    --script "$ROOT/docs/lab-dovecot.script" \
    --transcript "$LAB/dovecot.transcript" \
    --pid-file "$LAB/fake-dovecot-auth.pid" \
    > "$LAB/fake-dovecot-auth.out" 2>&1 < /dev/null &
"$BUILD/mxlab" -C "$ROOT/docs/lab.conf" -DLAB_DIR="$LAB" \
    -bd -oX 2525 -oP "$LAB/mxlab.pid" || exit 1
# In front of mxlab: fake-xclient-proxy (127.0.0.1:2587), an nginx-like
# proxy that lets alice (password "secret") log in and passes clients on
# to mxlab with XCLIENT.
if [ -x "$BUILD/fakes/fake-xclient-proxy" ]; then
    "$BUILD/fakes/fake-xclient-proxy" --port 2587 --upstream 127.0.0.1:2525 \
        --script "$ROOT/docs/lab-proxy.script" \
        --transcript "$LAB/proxy.transcript" \
        --pid-file "$LAB/fake-xclient-proxy.pid" \
        > "$LAB/fake-xclient-proxy.out" 2>&1 < /dev/null &
fi
sleep 1
echo
echo "mxlab is listening on 127.0.0.1:2525 (pid $(cat "$LAB/mxlab.pid"))."
echo "Send it a message:"
echo "  swaks --server 127.0.0.1:2525 --from you@lab.test --to alice@lab.test"
echo "Then look at the queue and the log:"
echo "  $BUILD/mxlab -C docs/lab.conf -DLAB_DIR=$LAB -bp"
echo "  tail lab/spool/log/mainlog"
echo "Remote delivery: fake-smtp on 127.0.0.1:2526 takes mail for"
echo "smarthost.lab.test (manualroute) and mx.lab.test (dnslookup, MX from"
echo "fake-dns on 127.0.0.1:2553); it refuses nobody@ and greylists later@:"
echo "  swaks --server 127.0.0.1:2525 --from you@lab.test --to bob@mx.lab.test"
echo "  cat lab/smtp.transcript; ls lab/remote"
echo "Through the XCLIENT proxy (fake-xclient-proxy on 127.0.0.1:2587, user"
echo "alice, password secret); the <= line shows PRX= and A=xclient:alice:"
echo "  swaks --server 127.0.0.1:2587 --auth PLAIN --auth-user alice \\"
echo "        --auth-password secret --from alice@lab.test --to bob@lab.test"
echo "  cat lab/proxy.transcript; tail lab/spool/log/mainlog"
echo "AUTH through fake-dovecot-auth (users alice/secret, bob/password;"
echo "carol gets a temporary failure): PLAIN over its unix socket, LOGIN"
echo "over TCP 127.0.0.1:2527; the <= line shows A=dovecot-plain:alice:"
echo "  swaks --server 127.0.0.1:2525 --auth PLAIN --auth-user alice \\"
echo "        --auth-password secret --from alice@lab.test --to bob@mx.lab.test"
echo "  cat lab/dovecot.transcript; tail lab/spool/log/mainlog"
echo "Stop it with: kill \$(cat lab/mxlab.pid) \$(cat lab/fake-smtp.pid) \$(cat lab/fake-dns.pid) \$(cat lab/fake-xclient-proxy.pid) \$(cat lab/fake-dovecot-auth.pid)"
exit $status
