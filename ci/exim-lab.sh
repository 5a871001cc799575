#!/bin/sh
# exim-lab - run mxlab's reference Exim with a scenario's configuration.
#
# Usage: exim-lab [-C FILE] EXIM-ARGS...   (what scenario-run's --mta gets)
#
# Rewrites "-C FILE" (or "-CFILE") into "-C @LABCONF@ -DLAB_DIR=DIR
# -DLAB_CONF=FILE" and runs @EXIM@ with the other arguments unchanged. DIR
# is $DIR (set by scenario-run) when FILE is inside it, else FILE's folder.
# The shim lab.conf is trusted by the build, so deliveries keep root. Without
# -C, Exim runs with its compiled-in configuration.
#
# Written by ci/build-exim.sh from ci/exim-lab.sh.
EXIM=@EXIM@
LABCONF=@LABCONF@

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
[ -z "$conf" ] && exec "$EXIM" "$@"
case $conf in
/*) ;;
*) conf=$PWD/$conf ;;
esac
case $conf in
"${DIR:-/nonexistent}"/*) dir=$DIR ;;
*) dir=${conf%/*} ;;
esac
exec "$EXIM" -C "$LABCONF" -DLAB_DIR="$dir" -DLAB_CONF="$conf" "$@"
