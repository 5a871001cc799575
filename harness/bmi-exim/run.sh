#!/bin/sh
# Compiles Exim's own src/bmi_spam.c (from an unpacked Exim 4.98.2 source
# tree, such as Debian's exim4_4.98.2.orig.tar.xz) against mxlab's
# bmi_api.h, links it with libbmiclient_single.so, runs it against
# fake-bmid, and compares what Exim's code works out with expected.txt
# (the same verdicts mxlab's scenarios show). Nothing of Exim's is kept.
#
#   sh harness/bmi-exim/run.sh EXIM_SOURCE_DIR [BUILD]
set -eu
EXIM=${1:?usage: run.sh EXIM_SOURCE_DIR [BUILD]}
BUILD=${2:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$BUILD" && pwd)
src="$EXIM/src/bmi_spam.c"
[ -f "$src" ] || { echo "bmi-exim: no $src" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'kill $(cat "$tmp/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$tmp"' EXIT
cp "$src" "$EXIM/src/bmi_spam.h" "$tmp/"
cc -std=gnu11 -w -I"$HERE" -I"$tmp" -I"$BUILD/include" -o "$tmp/driver" \
    "$HERE/driver.c" "$tmp/bmi_spam.c" -L"$BUILD/lib" -lbmiclient_single \
    -Wl,-rpath,"$BUILD/lib"
cat > "$tmp/script" <<END
rule rcpt u2@test.ex optin strict => discard rules 5
rule rcpt u3@test.ex => alternate rules 8 alt "X-Spam: yes"
END
printf 'server = %s/sock\ntimeout = 2s\n' "$tmp" > "$tmp/cfg"
printf 'Hello body.\n' > "$tmp/body"
"$BUILD/fakes/fake-bmid" --unix "$tmp/sock" --script "$tmp/script" \
    --transcript "$tmp/transcript" --pid-file "$tmp/pid" &
n=0
while [ ! -S "$tmp/sock" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
"$tmp/driver" "$tmp/cfg" "$tmp/body" > "$tmp/out"
if diff -u "$HERE/expected.txt" "$tmp/out"; then
    echo "bmi-exim: Exim's bmi_spam.c agrees with mxlab"
else
    echo "bmi-exim: Exim's bmi_spam.c differs (above)"
    exit 1
fi
