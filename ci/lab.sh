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

# A lab daemon left over from an earlier "make lab" is ours to replace.
if [ -f "$LAB/mxlab.pid" ]; then
    old=$(cat "$LAB/mxlab.pid")
    if [ -n "$old" ] && kill -0 "$old" 2>/dev/null &&
       grep -q mxlab "/proc/$old/cmdline" 2>/dev/null; then
        kill "$old"
        sleep 1
    fi
fi
mkdir -p "$LAB/spool" "$LAB/mail"
"$BUILD/mxlab" -C "$ROOT/docs/lab.conf" -DLAB_DIR="$LAB" \
    -bd -oX 2525 -oP "$LAB/mxlab.pid" || exit 1
sleep 1
echo
echo "mxlab is listening on 127.0.0.1:2525 (pid $(cat "$LAB/mxlab.pid"))."
echo "Send it a message:"
echo "  swaks --server 127.0.0.1:2525 --from you@lab.test --to alice@lab.test"
echo "Then look at the queue and the log:"
echo "  $BUILD/mxlab -C docs/lab.conf -DLAB_DIR=$LAB -bp"
echo "  tail lab/spool/log/mainlog"
echo "Stop it with: kill \$(cat lab/mxlab.pid)"
exit $status
