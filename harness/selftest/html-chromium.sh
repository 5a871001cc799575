#!/bin/sh
# harness/selftest/html-chromium.sh BUILD - the HTML report, in a browser.
#
# Runs two real scenarios (a remote delivery against fake-smtp and an
# XCLIENT session) with "scenario-run --html", then opens the report in
# headless Chromium (Debian's chromium package) and checks that it
# rendered: the DOM Chromium built (--dump-dom) has the report's heading,
# the sequence diagram's SVG with its lifelines and arrows, and a
# screenshot (--screenshot) of the scenario page is not blank: enough
# non-white pixels, and pixels of the arrows' blue and green
# (png-ink.py). Prints "html-chromium: N passed, N failed"; exits 1 on a
# failure, 0 with a note when chromium is not installed.
set -u
BUILD=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v chromium >/dev/null 2>&1; then
    echo "html-chromium: chromium not installed (ci/install-deps.sh); skipped"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxlab-html.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
CHECK_NAME=html-chromium
. "$here/../checklib.sh"

scn1=deliver/bounce-remote-550
scn2=xclient/503-not-counted
"$BUILD/scenario-run" --html "$tmp/html" --title "mxlab report" \
    "scenarios/$scn1" "scenarios/$scn2" >"$tmp/tap" 2>&1
check "the scenarios ran (see the TAP below if not)" \
    grep -qx "2 passed, 0 failed, 0 skipped" "$tmp/tap" ||
    cat "$tmp/tap"

# chromium ARGS...: headless, no sandbox (root), its own profile; the
# D-Bus complaints of a machine without a session bus go to a file.
chromium_run() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu \
        --hide-scrollbars --user-data-dir="$tmp/profile" \
        --window-size=1400,1000 "$@" 2>>"$tmp/chromium.err"
}

chromium_run --dump-dom "file://$tmp/html/$scn1.html" >"$tmp/dom1"
chromium_run --dump-dom "file://$tmp/html/index.html" >"$tmp/dom0"
count() { grep -o -- "$1" "$2" | wc -l; }
check "the index rendered with its totals" \
    grep -q '2 passed</span>' "$tmp/dom0"
check "the index links the folders" \
    grep -q 'href="deliver/index.html"' "$tmp/dom0"
check "the scenario page has its diagram" \
    grep -q '<svg class="seq"' "$tmp/dom1"
check "three lifelines: client, mxlab, fake-smtp" \
    [ "$(count '<g class="lane">' "$tmp/dom1")" -eq 3 ]
check "arrows to and from the peer (more than 20)" \
    [ "$(count '<g class="msg' "$tmp/dom1")" -gt 20 ]
check "the refused RCPT drawn as an error" \
    grep -q '<g class="msg back err"><title>550 5.1.1 no such user here' "$tmp/dom1"
check "its configuration shown" grep -q 'route_list = \* remote.test.ex' "$tmp/dom1"

chromium_run --screenshot="$tmp/shot.png" "file://$tmp/html/$scn1.html" >/dev/null
check "a screenshot was taken" [ -s "$tmp/shot.png" ]
set -- $(/usr/bin/python3 "$here/png-ink.py" "$tmp/shot.png" 2>/dev/null || echo 0 0 0)
check "the screenshot is not blank ($1 drawn pixels)" [ "$1" -gt 20000 ]
both_over() { [ "$1" -gt "$3" ] && [ "$2" -gt "$3" ]; }
check "the arrows are drawn ($2 blue, $3 green pixels)" both_over "$2" "$3" 100

if [ "$failed" -gt 0 ]; then
    echo "html-chromium: chromium said:"
    grep -v -e dbus -e DBus "$tmp/chromium.err" | tail -5
fi
check_summary
