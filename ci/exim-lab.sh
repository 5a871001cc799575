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
# @LABCONF@ is listed in the build's TRUSTED_CONFIG_LIST and LAB_DIR and
# LAB_CONF in its WHITELIST_D_MACROS, so the Exim that re-executes itself
# as the exim user to deliver keeps root (Exim passes -C and -D on).
#
# Written by ci/build-exim.sh from ci/exim-lab.sh.
EXIM=@EXIM@
LABCONF=@LABCONF@
DEFAULTS=@DEFAULTS@

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
case $conf in
"${DIR:-/nonexistent}"/*) dir=$DIR ;;
*) dir=${conf%/*} ;;
esac
gen=$dir/.exim-lab-${conf##*/}
# The option names set in FILE's main section (before the first "begin"):
# "name =", "no_name", "not_name" and a bare boolean "name".
awk -v conf="$conf" '
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
exec "$EXIM" -C "$LABCONF" -DLAB_DIR="$dir" -DLAB_CONF="$gen" "$@"
