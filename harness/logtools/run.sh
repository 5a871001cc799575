#!/bin/sh
# harness/logtools/run.sh BUILD - Exim's eximstats and exigrep read
# mxlab's main log.
#
# Makes a main log with mxlab: three messages for two local recipients
# each, one to an address no router takes (a failure and its bounce), one
# by SMTP (-bs) with a recipient the RCPT ACL refuses, one delivered by
# the smtp transport to fake-smtp, and one that fake-smtp defers (451).
# Then runs Exim 4.98.2's utilities on it and checks what they count:
#
#   eximstats: received 8 messages (the bounce included), as many bytes
#     as the S= fields of the <= lines add up to,
#     delivered 9 (8 by transport t, 1 by remote), 1 message with a
#     remote delivery, 1 with a failed address (in the list of errors),
#     1 delayed, 1 reject;
#   exigrep: the lines of the failed message only, of the SMTP client's
#     message by its address, and nothing for an unknown pattern.
#
# The utilities are those ci/build-exim.sh installs in BUILD/exim/bin
# (EXIMSTATS= and EXIGREP= name others). Without them it says so and
# exits 0: make conformance builds them. Prints "logtools: N passed,
# N failed"; exits 1 on a failure.
set -u
BUILD=${1:-build}
mxlab=$(cd "$BUILD" && pwd)/mxlab
fakes=$(cd "$BUILD" && pwd)/fakes
# ci/build-exim.sh installs them in BUILD/exim/bin, or links them from
# BUILD/exim when it installs elsewhere.
tool() {
    for f in "$BUILD/exim/bin/$1" "$BUILD/exim/$1"; do
        [ -x "$f" ] && { echo "$f"; return; }
    done
    echo "$BUILD/exim/bin/$1"
}
eximstats=${EXIMSTATS:-$(tool eximstats)}
exigrep=${EXIGREP:-$(tool exigrep)}
if [ ! -x "$eximstats" ] || [ ! -x "$exigrep" ]; then
    echo "logtools: no eximstats/exigrep in $BUILD/exim/bin (make conformance builds Exim 4.98.2); skipped"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxlab-logtools.XXXXXX") || exit 2
fpid=""
trap '[ -n "$fpid" ] && kill "$fpid" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
CHECK_NAME=logtools
. "$(dirname "$0")/../checklib.sh"

# A free loopback port for fake-smtp, as the kernel picks it.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$tmp/mail"
[ "$(id -u)" -eq 0 ] && getent passwd mxlab >/dev/null && chown mxlab:mxlab "$tmp" "$tmp/mail"
cat >"$tmp/smtp.script" <<END
rcpt later@* 451 4.7.1 try again later
END
cat >"$tmp/conf" <<END
primary_hostname  = mx.test.ex
qualify_domain    = test.ex
spool_directory   = $tmp/spool
acl_smtp_rcpt     = rcpt
smtp_enforce_sync = false
begin acl
rcpt:
  deny    local_parts = spam
  accept
begin routers
remote:
  driver     = manualroute
  domains    = remote.example
  route_list = * 127.0.0.1::$port
  self       = send
  transport  = remote
local:
  driver      = accept
  local_parts = alice : bob : carol
  transport   = t
begin transports
t:
  driver = appendfile
  file   = $tmp/mail/\$local_part
remote:
  driver = smtp
begin retry
*  *  F,1h,10m
END
"$fakes/fake-smtp" --port "$port" --script "$tmp/smtp.script" \
    --pid-file "$tmp/fake.pid" >"$tmp/fake.out" 2>&1 </dev/null &
fpid=$!
n=0
while [ ! -s "$tmp/fake.pid" ] && [ $n -lt 50 ]; do
    sleep 0.1
    n=$((n + 1))
done

submit() { # sender recipients... < message
    "$mxlab" -C "$tmp/conf" -odi -f "$@"
}
for i in 1 2 3; do
    printf 'Subject: m%s\n\nhi\n' "$i" | submit carol@test.ex alice@test.ex bob@test.ex
done
printf 'Subject: x\n\nhi\n' | submit carol@test.ex nobody@test.ex
printf 'HELO c.example\r\nMAIL FROM:<z@c.example>\r\nRCPT TO:<spam@test.ex>\r\nRCPT TO:<alice@test.ex>\r\nDATA\r\nSubject: s\r\n\r\nhi\r\n.\r\nQUIT\r\n' |
    "$mxlab" -C "$tmp/conf" -odi -bs -oMa 192.0.2.9 >/dev/null
printf 'Subject: r\n\nhi\n' | submit carol@test.ex dave@remote.example
printf 'Subject: d\n\nhi\n' | submit carol@test.ex later@remote.example
log=$tmp/spool/log/mainlog
check "mxlab wrote a main log" [ -s "$log" ]

"$eximstats" -nr -t0 "$log" >"$tmp/stats" 2>"$tmp/stats.err"
check "eximstats ran without complaint" [ ! -s "$tmp/stats.err" ]
row() { # NAME: the numbers of its line in the grand total summary
    sed -n "s/^  $1  *//p" "$tmp/stats" | head -1 | tr -s ' '
}
received=$(row Received)
delivered=$(row Delivered)
rejects=$(row Rejects)
# The bytes received: the sum of mxlab's S= on its <= lines.
bytes=$(sed -n 's/.* <= .* S=\([0-9]*\).*/\1/p' "$log" | awk '{ s += $1 } END { print s }')
check "Received: 8 messages, $bytes bytes, 2 hosts, 1 delayed, 1 failed ($received)" \
    [ "$received" = "$bytes 8 2 1 12.5% 1 12.5%" ]
check "Delivered: 9 messages to 9 addresses on 2 hosts ($delivered)" \
    [ "$(echo "$delivered" | cut -d' ' -f2-4)" = "9 9 2" ]
check "Rejects: 1 ($rejects)" [ "$rejects" = "1 1" ]
check "deliveries by transport t: 8" grep -qE '^  t +[0-9]+ +8$' "$tmp/stats"
check "deliveries by transport remote: 1" grep -qE '^  remote +[0-9]+ +1$' "$tmp/stats"
check "one message with a remote delivery (time on the queue)" \
    sh -c "grep -A4 'at least one remote delivery' '$tmp/stats' | grep -qE '^Under +1m +1 '"
check "the failure in the list of errors" \
    grep -qE '^ +1 nobody@test.ex: Unrouteable address$' "$tmp/stats"

"$exigrep" nobody "$log" >"$tmp/grep1"
check "exigrep nobody: the failed message's 3 lines" \
    [ "$(grep -c . "$tmp/grep1")" -eq 3 ]
check "with its ** line" grep -q ' \*\* nobody@test.ex: Unrouteable address' "$tmp/grep1"
"$exigrep" 192.0.2.9 "$log" >"$tmp/grep2"
check "exigrep by the client's address: its message and the reject" \
    [ "$(grep -c ' => alice' "$tmp/grep2")" -eq 1 ] &&
    grep -q 'rejected RCPT <spam@test.ex>' "$tmp/grep2"
"$exigrep" no-such-thing "$log" >"$tmp/grep3"
check "exigrep of an unknown pattern finds nothing" [ ! -s "$tmp/grep3" ]

if [ "$failed" -gt 0 ]; then
    echo "logtools: the main log was:"
    sed 's/^/    /' "$log"
    echo "logtools: eximstats said:"
    sed -n '1,14s/^/    /p' "$tmp/stats"
fi
check_summary
