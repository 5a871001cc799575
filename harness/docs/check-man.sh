#!/bin/sh
# harness/docs/check-man.sh BUILD - every binary has a manual page that
# names every option its --help prints.
#
# For each binary (BUILD/mxlab, BUILD/scenario-run, BUILD/quitrst,
# BUILD/crash-test when built, each
# BUILD/fakes/fake-*): docs/man/NAME.1 or NAME.8 must exist, --help must
# exit 0 and print something, and each option word of its output (a word
# starting with "-" or "--" and a letter) must appear in the page (with
# roff's "\-" read as "-" and font changes dropped). Prints a line per
# problem and "check-man: N binaries, N problems"; exits 1 on a problem.
set -u
BUILD=${1:-build}
man=docs/man
problems=0
n=0
for bin in "$BUILD/mxlab" "$BUILD/scenario-run" "$BUILD/quitrst" \
    "$BUILD/crash-test" "$BUILD/option-audit" "$BUILD"/fakes/fake-*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    n=$((n + 1))
    page=""
    for s in 1 8; do
        [ -f "$man/$name.$s" ] && page="$man/$name.$s"
    done
    if [ -z "$page" ]; then
        echo "check-man: FAIL: no $man/$name.1 or $name.8"
        problems=$((problems + 1))
        continue
    fi
    if ! help=$(timeout 10 "$bin" --help 2>&1) || [ -z "$help" ]; then
        echo "check-man: FAIL: $name --help fails or prints nothing"
        problems=$((problems + 1))
        continue
    fi
    text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$page")
    for opt in $(printf '%s\n' "$help" |
        grep -oE '(^|[][ ,|(])--?[A-Za-z][A-Za-z0-9-]*' |
        sed 's/^[][ ,|(]*//' | sort -u); do
        if ! printf '%s\n' "$text" | grep -qF -- "$opt"; then
            echo "check-man: FAIL: $name --help names $opt, $page does not"
            problems=$((problems + 1))
        fi
    done
done
echo "check-man: $n binaries, $problems problems"
[ "$problems" -eq 0 ]
