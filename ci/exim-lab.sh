#!/bin/sh
# exim-lab - run mxlab's reference Exim with a scenario's configuration.
#
# Usage: exim-lab [-C FILE] EXIM-ARGS...   (what scenario-run's --mta gets)
#
# Without -C, or with -C /dev/null, runs @EXIM@ with its compiled-in
# configuration (etc/configure). With "-C FILE" (or "-CFILE"):
#
#   1. DIR is $DIR (set by scenario-run) when FILE is inside it, else
#      FILE's folder;
#   2. writes DIR/.exim-lab-NAME (NAME: FILE's last component): the lines
#      of @DEFAULTS@ whose option FILE's main section does not set, then
#      ".include FILE";
#   3. runs @EXIM@ -C @LABCONF@ -DLAB_DIR=DIR -DLAB_CONF=DIR/.exim-lab-NAME
#      and the other arguments unchanged.
#
# A main-section "dns_server = 127.0.0.1 PORT" (an mxlab extension) is
# bridged: see below.
#
# @LABCONF@ is listed in the build's TRUSTED_CONFIG_LIST and LAB_DIR and
# LAB_CONF in its WHITELIST_D_MACROS, so the Exim that re-executes itself
# as the exim user to deliver keeps root (Exim passes -C and -D on).
#
# Written by ci/build-exim.sh from ci/exim-lab.sh.
EXIM=@EXIM@
LABCONF=@LABCONF@
DEFAULTS=@DEFAULTS@
LABDNS=@LABDNS@

conf=
want=0
first=1
for a in "$@"; do
    if [ $first = 1 ]; then
        set --
        first=0
    fi
    if [ $want = 1 ]; then
        conf=$a
        want=0
        continue
    fi
    case $a in
    -C)
        want=1
        continue
        ;;
    -C?*)
        conf=${a#-C}
        continue
        ;;
    esac
    set -- "$@" "$a"
done
# No -C, or -C /dev/null (how scenario-run asks for -bV): Exim with its
# compiled-in configuration, which keeps its files under the prefix.
case $conf in
"" | /dev/null) exec "$EXIM" "$@" ;;
esac
case $conf in
/*) ;;
*) conf=$PWD/$conf ;;
esac
# A file that does not exist: Exim is given it as it is, so that it says
# so itself (after -bV's version and features, as a user sees it).
if [ ! -e "$conf" ]; then
    exec "$EXIM" -C "$conf" "$@"
fi
case $conf in
"${DIR:-/nonexistent}"/*) dir=$DIR ;;
*) dir=${conf%/*} ;;
esac
gen=$dir/.exim-lab-${conf##*/}
include=$conf

# dns_server = 127.0.0.1 PORT, mxlab's extension that aims lookups at the
# scenario's fake-dns: Exim has no such option, so the line is left out
# of a copy of FILE (a comment keeps the line numbers) and Exim runs in a
# mount namespace of its own whose /etc/resolv.conf names 127.53.H.L
# (H, L: PORT's high and low byte), where exim-lab-dns passes each query
# on to PORT, and whose /etc/hosts holds localhost and this host's name.
dnsport=$(awk '/^[ \t]*begin[ \t]/ { exit }
    /^[ \t]*dns_server[ \t]*=[ \t]*127\.0\.0\.1[ \t]+[0-9]+[ \t]*$/ { print $NF; exit }' "$conf")
if [ -n "$dnsport" ] && [ "$dnsport" -gt 0 ] && [ "$dnsport" -lt 65536 ]; then
    include=$dir/.exim-lab-body-${conf##*/}
    awk '/^[ \t]*begin[ \t]/ { main = 1 }
        !main && /^[ \t]*dns_server[ \t]*=/ { print "# dns_server: given to the resolver by exim-lab"; next }
        { print }' "$conf" >"$include.$$" && chmod 0644 "$include.$$" && mv -f "$include.$$" "$include" \
        || { rm -f "$include.$$"; echo "exim-lab: cannot write $include" >&2; exit 1; }
    ns=127.53.$((dnsport / 256)).$((dnsport % 256))
    printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$ns" >"$dir/.exim-lab-resolv.conf"
    # and a hosts file that answers for this host's name in both families,
    # so that finding its own name asks fake-dns nothing
    h=$(uname -n)
    printf '127.0.0.1 localhost %s\n::1 localhost %s\n' "$h" "$h" >"$dir/.exim-lab-hosts"
    pidfile=$dir/.exim-lab-dns.pid
    if ! { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
        setsid "$LABDNS" "$ns" "$dnsport" "$dir" </dev/null >/dev/null 2>&1 &
        i=0
        while [ ! -s "$pidfile" ] && [ $i -lt 40 ]; do
            sleep 0.05
            i=$((i + 1))
        done
    fi
fi

# The option names set in FILE's main section (before the first "begin"):
# "name =", "no_name", "not_name" and a bare boolean "name".
awk -v conf="$include" '
    FNR == NR {
        if ($0 ~ /^[ \t]*begin[ \t]/) { main = 0 }
        else if (main != "0" && $0 ~ /^[ \t]*[a-z_0-9]+[ \t]*(=|$)/) {
            n = $0; sub(/^[ \t]*/, "", n); sub(/[ \t=].*$/, "", n)
            sub(/^no_/, "", n); sub(/^not_/, "", n); set[n] = 1
        }
        next
    }
    /^[ \t]*(#|$)/ { next }
    { n = $0; sub(/^[ \t]*/, "", n); sub(/[ \t=].*$/, "", n); if (!(n in set)) print }
    END { print ".include " conf }
' "$conf" "$DEFAULTS" >"$gen.$$" 2>/dev/null && chmod 0644 "$gen.$$" && mv -f "$gen.$$" "$gen" \
    || { rm -f "$gen.$$"; echo "exim-lab: cannot write $gen" >&2; exit 1; }
# -dumpdb [DB] and -tidydb [-t TIME] [DB], mxlab's stand-ins for Exim's
# exim_dumpdb and exim_tidydb (docs/retry.md): run Exim's utility on the
# configuration's spool directory and print what it says in mxlab's
# form (ISO dates, no space at the end of a line, "mxlab hints
# database"), so that a scenario can read the hints database of both.
case ${1:-} in
-dumpdb | -tidydb)
    op=$1
    shift
    topt=
    if [ "$op" = -tidydb ] && [ "${1:-}" = -t ] && [ $# -ge 2 ]; then
        topt=$2
        shift 2
    fi
    spool=$("$EXIM" -C "$LABCONF" -DLAB_DIR="$dir" -DLAB_CONF="$gen" -bP spool_directory) || exit 1
    spool=${spool#spool_directory = }
    if [ "$op" = -dumpdb ]; then
        "${EXIM%/*}/exim_dumpdb" "$spool" "${1:-retry}" || exit 1
    elif [ -n "$topt" ]; then
        "${EXIM%/*}/exim_tidydb" -t "$topt" "$spool" "${1:-retry}" || exit 1
    else
        "${EXIM%/*}/exim_tidydb" "$spool" "${1:-retry}" || exit 1
    fi | awk 'BEGIN {
            split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", m, " ")
            for (i = 1; i <= 12; i++) mon[m[i]] = sprintf("%02d", i)
        }
        {
            line = $0
            out = ""
            while (match(line, /[0-9][0-9]-[A-Z][a-z][a-z]-[0-9][0-9][0-9][0-9] /)) {
                d = substr(line, RSTART, RLENGTH - 1)
                out = out substr(line, 1, RSTART - 1) substr(d, 8, 4) "-" mon[substr(d, 4, 3)] "-" substr(d, 1, 2) " "
                line = substr(line, RSTART + RLENGTH)
            }
            line = out line
            sub(/ $/, "", line)
            sub(/^Tidying Exim hints database/, "Tidying mxlab hints database", line)
            print line
        }'
    exit 0
    ;;
esac
if [ -n "$dnsport" ]; then
    exec unshare --mount --propagation private sh -c \
        'mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/hosts && shift 2 && exec "$@"' \
        exim-lab "$dir/.exim-lab-resolv.conf" "$dir/.exim-lab-hosts" \
        "$EXIM" -C "$LABCONF" -DLAB_DIR="$dir" -DLAB_CONF="$gen" "$@"
fi
exec "$EXIM" -C "$LABCONF" -DLAB_DIR="$dir" -DLAB_CONF="$gen" "$@"
