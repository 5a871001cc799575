#!/bin/sh
# syscall-kill.sh BUILD: a message received by "mxlab -bs" is killed
# (SIGKILL, injected by strace) before each system call of the reception
# in turn, the kill-at-every-syscall case of make crash-test (issue 20).
#
# First one clean run is traced to list the system calls the session
# makes (all its processes) and how often each is made. Then, for each
# system call S and each N up to its count, the session runs again under
# "strace -f -e inject=S:signal=KILL:when=N", which kills the process
# that makes its Nth call of S (strace counts per process), before the
# call runs. After each run:
#   - if the client got "250 OK id=ID", the spool has ID-H and ID-D, the
#     -D holds the whole body, and -bp lists ID;
#   - every -H in the spool has its -D, and every message -bp lists is
#     whole (its -D holds the whole body);
#   - -bp itself does not fail.
# What a kill leaves besides (temporary files, a -D without -H) is
# allowed: the spool's readers look only for -H files.
# Needs root (the session drops to mxlab) and strace; skipped without.
set -u
BUILD=${1:-build}
MXLAB=$BUILD/mxlab
case $MXLAB in /*) ;; *) MXLAB=$(pwd)/$MXLAB ;; esac
command -v strace >/dev/null 2>&1 || { echo "syscall-kill: skipped (no strace)"; exit 0; }
[ "$(id -u)" -eq 0 ] || { echo "syscall-kill: skipped (not root)"; exit 0; }
T=$(mktemp -d /tmp/mxlab-syskill.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 755 "$T"
mkdir -p "$T/spool"
chown mxlab: "$T/spool" 2>/dev/null || true
cat >"$T/conf" <<END
primary_hostname = mx.crash.ex
spool_directory = $T/spool
log_file_path = $T/spool/log/%slog
queue_only = true
acl_smtp_rcpt = accept
END
chmod 644 "$T/conf"
BODY='Subject: syscall kill

first line of the body
.. a line that starts with a dot
last line of the body'
printf 'EHLO client.crash.ex\r\nMAIL FROM:<a@crash.ex>\r\nRCPT TO:<b@crash.ex>\r\nDATA\r\n' >"$T/in"
printf '%s\n' "$BODY" | sed 's/$/\r/' >>"$T/in"
printf '.\r\nQUIT\r\n' >>"$T/in"
# the -D as it must be: the id line, then the body, dot-unstuffed, LF
# line ends (the first line, the id, is checked apart)
printf '%s\n' "$BODY" | sed -n '/^$/,$p' | sed '1d; s/^\.\././' >"$T/want-body"

session() { # extra strace options...: one session, its replies in $T/out
    rm -rf "$T/spool/input" "$T/spool/msglog" "$T/spool/db"
    strace -f -qq -o "$T/trace" "$@" "$MXLAB" -C "$T/conf" -bs <"$T/in" >"$T/out" 2>"$T/err"
}

# whole ID: its -D holds the whole body
whole() {
    d=$T/spool/input/$1-D
    [ -f "$d" ] && [ "$(head -1 "$d")" = "$1-D" ] && tail -n +2 "$d" | cmp -s - "$T/want-body"
}

check() { # label: 0 when the spool is as it must be
    fail=""
    id=$(sed -n 's/^250 OK id=\([^ \r]*\).*/\1/p' "$T/out" | tr -d '\r')
    if [ -n "$id" ]; then
        [ -f "$T/spool/input/$id-H" ] || fail="$fail; 250 for $id but no -H"
        whole "$id" || fail="$fail; 250 for $id but its -D is not whole"
    fi
    for h in "$T"/spool/input/*-H; do
        [ -e "$h" ] || continue
        i=$(basename "$h" -H)
        [ -f "$T/spool/input/$i-D" ] || fail="$fail; $i-H without its -D"
    done
    if ! "$MXLAB" -C "$T/conf" -bp >"$T/bp" 2>"$T/bp.err"; then
        grep -q . "$T/bp.err" && fail="$fail; -bp failed: $(head -1 "$T/bp.err")"
    fi
    for i in $(sed -n 's/^ *[0-9.]*[smhdw] *[0-9.KM]* \([^ ]*\) .*/\1/p' "$T/bp"); do
        whole "$i" || fail="$fail; -bp lists $i, which is not whole"
    done
    if [ -n "$id" ] && ! grep -q " $id " "$T/bp"; then
        fail="$fail; 250 for $id but -bp does not list it"
    fi
    [ -z "$fail" ] && return 0
    echo "not ok - $1${fail}"
    return 1
}

session
grep -q '^250 OK id=' "$T/out" || { echo "syscall-kill: the clean run did not get its 250:"; cat "$T/out" "$T/err"; exit 1; }
check "clean run" || exit 1
sed -n 's/^[0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$T/trace" | sort | uniq -c >"$T/calls"
runs=0 failed=0 acked=0 killed=0
while read -r count name; do
    n=1
    while [ "$n" -le "$count" ]; do
        session -e "inject=$name:signal=KILL:when=$n"
        runs=$((runs + 1))
        grep -q '^250 OK id=' "$T/out" && acked=$((acked + 1))
        grep -q 'killed by SIGKILL' "$T/trace" && killed=$((killed + 1))
        check "kill before $name #$n" || failed=$((failed + 1))
        n=$((n + 1))
    done
done <"$T/calls"
echo "syscall-kill: $runs runs (a kill before each of the session's $(awk '{ s += $1 } END { print s }' "$T/calls") system calls, $(wc -l <"$T/calls") kinds), $killed killed a process, $acked got their 250; $((runs - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
