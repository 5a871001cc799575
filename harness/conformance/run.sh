#!/bin/sh
# run.sh - run the scenario suite against a real Exim and compare the
# outcomes with the checked-in list (make conformance).
#
# Usage: sh harness/conformance/run.sh [--update] BUILD JOBS [EXIM]
#
#   BUILD   mxlab's build directory (scenario-run and the fakes)
#   JOBS    scenarios run at once
#   EXIM    the Exim to test: a binary, or a wrapper such as the one
#           ci/build-exim.sh installs. Empty: build the reference Exim
#           4.98.2 with ci/build-exim.sh and use BUILD/exim/mta.
#
# The Exim's own user (scenario-run --mta-user) is its exim_user, asked
# of it with -bP; EXIM_USER=NAME overrides.
#
# The bmi folder needs an Exim built with EXPERIMENTAL_BRIGHTMAIL, which
# the reference build is not: without EXIM, the BMI variant is built too
# (EXIM_VARIANT=bmi ci/build-exim.sh, BUILD/exim-bmi/mta, linked with
# mxlab's libbmiclient_single.so) and scenarios/bmi is run against it; its
# outcomes replace the bmi lines of the main run (where they are skipped).
# EXIM_BMI=PATH names another BMI-enabled Exim; EXIM_BMI=none runs no
# second pass. Its TAP output is kept in BUILD/conformance/tap-bmi.
#
# Prints a table per folder (passed, failed, skipped) and then
#   conformance: N passed, N failed, N skipped
# and compares each scenario's outcome with harness/conformance/expected
# (one "pass|fail|skip|flaky FOLDER/NAME" a line; "flaky", set by hand,
# is a scenario whose outcome against Exim varies from run to run and is
# not compared). Exits 1 when a scenario that is expected to pass did not, or when a file under /var/log/exim4 or
# /var/spool/exim4 changed during the run; scenarios that now pass but
# are not expected to, and scenarios missing from the list, are listed
# so that the list can be updated on purpose: --update rewrites it from
# this run. The TAP output is kept in BUILD/conformance/tap, the same
# results as JUnit XML in BUILD/conformance/junit.xml and as an HTML
# report (per scenario its dialogue with the Exim drawn as a sequence
# diagram) in BUILD/conformance/html/index.html; with mxlab's results of
# make test (BUILD/report/junit.xml), BUILD/conformance/html/compare.html
# shows both outcomes of each scenario side by side.
set -u
LC_ALL=C
export LC_ALL
update=0
if [ "${1:-}" = --update ]; then
    update=1
    shift
fi
BUILD=${1:?usage: run.sh [--update] BUILD JOBS [EXIM]}
JOBS=${2:?usage: run.sh [--update] BUILD JOBS [EXIM]}
EXIM=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
expected=$here/expected
out=$BUILD/conformance
mkdir -p "$out"
# libfaketime's /dev/shm files that this run's lab Exim leaves behind
# (harness/faketime.sh) are removed when it ends.
. "$here/../faketime.sh"
faketime_mark "$out/.faketime"
trap 'faketime_sweep "$out/.faketime"' EXIT

EXIM_BMI=${EXIM_BMI:-}
if [ -z "$EXIM" ]; then
    sh ci/build-exim.sh "$BUILD" || exit 1
    EXIM=$BUILD/exim/mta
    if [ -z "$EXIM_BMI" ]; then
        EXIM_VARIANT=bmi sh ci/build-exim.sh "$BUILD" || exit 1
        EXIM_BMI=$BUILD/exim-bmi/mta
    fi
fi
[ "$EXIM_BMI" = none ] && EXIM_BMI=
case $EXIM_BMI in
'' | /*) ;;
*) EXIM_BMI=$(pwd)/$EXIM_BMI ;;
esac
case $EXIM in
/*) ;;
*) EXIM=$(pwd)/$EXIM ;;
esac
user=${EXIM_USER:-$("$EXIM" -C /dev/null -bP exim_user 2>/dev/null | sed -n 's/^exim_user = //p')}
[ -n "$user" ] || {
    echo "conformance: cannot tell $EXIM's exim_user (set EXIM_USER)" >&2
    exit 1
}
echo "conformance: $("$EXIM" -C /dev/null -bV 2>/dev/null | head -1), user $user"

# Files a run must not touch (Exim's compiled-in defaults on Debian).
stamp=$out/.start
: >"$stamp"
sleep 1

"$BUILD/scenario-run" -j "$JOBS" --mta "$EXIM" --mta-user "$user" \
    --junit "$out/junit.xml" --html "$out/html" \
    --title "conformance: the suite against $("$EXIM" -C /dev/null -bV 2>/dev/null | head -1)" \
    scenarios >"$out/tap" 2>"$out/stderr"
rc=$?
if [ $rc -gt 1 ]; then
    cat "$out/stderr" >&2
    echo "conformance: scenario-run failed to run (exit $rc)" >&2
    exit 1
fi

# The bmi folder against the BMI-enabled Exim
: >"$out/tap-bmi"
if [ -n "$EXIM_BMI" ]; then
    echo "conformance: bmi against $("$EXIM_BMI" -C /dev/null -bV 2>/dev/null | head -1) ($EXIM_BMI)"
    "$BUILD/scenario-run" -j "$JOBS" --mta "$EXIM_BMI" --mta-user "$user" scenarios/bmi >"$out/tap-bmi" 2>>"$out/stderr"
    rc=$?
    if [ $rc -gt 1 ]; then
        cat "$out/stderr" >&2
        echo "conformance: scenario-run failed to run against $EXIM_BMI (exit $rc)" >&2
        exit 1
    fi
fi

# "pass|fail|skip FOLDER/NAME" for each TAP line (the bmi folder from
# the BMI run when there was one)
tapline='
    /^ok [0-9]+ - / { st = ($0 ~ / # SKIP /) ? "skip" : "pass"; print st, $4; next }
    /^not ok [0-9]+ - / { print "fail", $5 }
'
{
    if [ -s "$out/tap-bmi" ]; then
        awk "$tapline" "$out/tap" | grep -v ' bmi/'
        awk "$tapline" "$out/tap-bmi"
    else
        awk "$tapline" "$out/tap"
    fi
} | sort -k2,2 >"$out/outcomes"

echo
printf '%-16s %7s %7s %7s\n' folder passed failed skipped
awk '{ split($2, p, "/"); f = p[1]; n[f, $1]++; seen[f] = 1; t[$1]++ }
     END {
        for (f in seen) printf "%-16s %7d %7d %7d\n", f, n[f, "pass"], n[f, "fail"], n[f, "skip"] | "sort"
        close("sort")
        printf "conformance: %d passed, %d failed, %d skipped\n", t["pass"], t["fail"], t["skip"]
     }' "$out/outcomes"

status=0
if [ $update = 1 ]; then
    # "flaky" marks (set by hand) survive an update
    grep '^flaky ' "$expected" 2>/dev/null | sort -k2,2 >"$out/flaky"
    {
        echo "# Expected outcomes of the scenarios against the reference Exim"
        echo "# (make conformance). Written by harness/conformance/run.sh --update;"
        echo "# change it on purpose only. pass|fail|skip|flaky FOLDER/NAME;"
        echo "# flaky (by hand): passes or fails from run to run against Exim, so"
        echo "# neither outcome is reported (say why in docs/conformance.md)."
        join -a 2 -e none -1 2 -2 2 -o 1.1,2.1,0 "$out/flaky" "$out/outcomes" |
            awk '{ print ($1 == "flaky") ? "flaky" : $2, $3 }'
    } >"$expected"
    echo "conformance: wrote $expected"
elif [ -f "$expected" ]; then
    grep -v '^#' "$expected" | sort -k2,2 >"$out/expected"
    # expected to pass, and did not
    join -1 2 -2 2 "$out/expected" "$out/outcomes" |
        awk '$2 == "pass" && $3 != "pass" { print "  " $1 " (now " $3 ")" }' >"$out/regressed"
    join -1 2 -2 2 "$out/expected" "$out/outcomes" |
        awk '$2 != "pass" && $2 != "flaky" && $3 == "pass" { print "  " $1 " (was " $2 ")" }' >"$out/improved"
    join -v 2 -1 2 -2 2 "$out/expected" "$out/outcomes" |
        awk '{ print "  " $1 " (" $2 ")" }' >"$out/new"
    if [ -s "$out/regressed" ]; then
        echo "conformance: expected to pass against Exim, but did not:"
        cat "$out/regressed"
        status=1
    fi
    if [ -s "$out/improved" ]; then
        echo "conformance: now passing (update harness/conformance/expected on purpose:"
        echo "  make conformance-update):"
        cat "$out/improved"
    fi
    if [ -s "$out/new" ]; then
        echo "conformance: not in harness/conformance/expected yet:"
        cat "$out/new"
    fi
else
    echo "conformance: no $expected; make conformance-update writes it"
fi

# mxlab beside Exim, when make test left mxlab's results.
if [ -s "$BUILD/report/junit.xml" ] && [ -s "$out/junit.xml" ]; then
    /usr/bin/python3 "$here/compare-html.py" "$BUILD/report/junit.xml" \
        "$out/junit.xml" "$out/html/compare.html" ../../report/html
fi

touched=$(find /var/log/exim4 /var/spool/exim4 -newer "$stamp" 2>/dev/null)
if [ -n "$touched" ]; then
    echo "conformance: files outside the run's directories changed during the run:"
    printf '  %s\n' $touched
    status=1
fi
exit $status
