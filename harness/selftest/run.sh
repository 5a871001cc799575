#!/bin/sh
# harness/selftest/run.sh RUNNER MTA - test the scenario runner itself.
#
# Runs RUNNER (build/scenario-run) on the scenarios in
# harness/selftest/scenarios, copied with their golden files into a
# temporary directory, against fake-mta.sh (a stand-in that speaks a
# little SMTP), so that what is tested is the runner, not mxlab.  One
# scenario has a deliberately wrong golden file, others fail on purpose
# in other ways.  Checks that:
#
#   - the right scenarios pass, fail and are skipped, in TAP, with the
#     summary line, whether run one at a time or in parallel;
#   - a wrong golden file fails with a unified diff, and --update fixes
#     it (and only it), after which the scenario passes;
#   - an inline <<< check failure names file and line, and --update does
#     not hide it;
#   - nothing a scenario started is left running, and no libfaketime
#     file of a process that has ended is left in /dev/shm;
#   - --junit writes JUnit XML and --html a report that say the same
#     (checked with python3's XML parser, check-reports.py);
#   - against another MTA (the stand-in is one), report sizes and
#     boundary lengths compare by the table's last row;
#   - the normalisation table in docs/scenario-format.md is the one
#     --list-rules prints.
#
# MTA is accepted for symmetry with the suite's own run and is not
# used.  Prints "selftest: N passed, N failed"; exits 1 on any failure.
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 RUNNER [MTA]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
runner=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
docs=$here/../../docs/scenario-format.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxlab-selftest.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cp -R "$here/scenarios" "$here/golden" "$here/fake-mta.sh" "$tmp/"
mkdir "$tmp/tmp"

rc=0
CHECK_NAME=selftest
. "$here/../checklib.sh"

# After a failed check: what the runner printed.
check_on_fail() {
    echo "selftest: runner output was:"
    sed 's/^/    /' "$tmp/out" "$tmp/err"
}

# runner ARGS...: run the runner in the copy; output in out and err.
runner() {
    (cd "$tmp" && TMPDIR=$tmp/tmp "$runner" --mta "$tmp/fake-mta.sh" "$@") \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

has() { grep -qF -- "$1" "$tmp/out"; }
has_line() { grep -qxF -- "$1" "$tmp/out"; }
has_re() { grep -qE -- "$1" "$tmp/out"; }
lacks() { ! grep -qF -- "$1" "$tmp/out"; }
rc_is() { [ "$rc" -eq "$1" ]; }
no_stderr() { [ ! -s "$tmp/err" ]; }
last_line_is() { [ "$(tail -n 1 "$tmp/out")" = "$1" ]; }

# Processes whose command line names the copy: what a scenario left.
leftovers() {
    pattern="[m]${tmp##*/m}"
    for f in /proc/[0-9]*/cmdline; do
        { tr '\0' ' ' <"$f"; } 2>/dev/null
        echo
    done | grep -c -- "$pattern"
}
no_leftovers() { [ "$(leftovers)" -eq 0 ]; }

# libfaketime's files in /dev/shm newer than the marker whose process
# no longer runs: what the runner failed to remove.
. "$here/../faketime.sh"
no_faketime_leftovers() { [ -z "$(faketime_ended "$tmp/marker")" ]; }

# --- the whole suite, in parallel -------------------------------------
: >"$tmp/marker"
runner -j 4
cp "$tmp/out" "$tmp/out-parallel"
check "the suite fails (exit 1) because some scenarios must" rc_is 1
check "no diagnostics or sanitizer reports on stderr" no_stderr
check "TAP plan" has_line "1..20"
check "a right golden passes" has_re '^ok [0-9]+ - good - passes: the golden files match$'
check "normalisation is stable" has_re '^ok [0-9]+ - normalise - '
check "quoting and here-documents work" has_re '^ok [0-9]+ - syntax - '
check "file outputs compare" has_re '^ok [0-9]+ - outputs - '
check "another MTA's report sizes compare" has_re '^ok [0-9]+ - foreign - '
check "against another MTA, a lookup's DEFER reason is normalised" has_re '^ok [0-9]+ - foreign-defer - '
check "a grandchild makes libfaketime files" has_re '^ok [0-9]+ - faketime-files - '
# daemon, daemon-v6-first and stubborn need perl, tls needs openssl; without them they skip.
npass=8
nskip=4
if command -v perl >/dev/null 2>&1; then
    check "the daemon scenario passes" has_re '^ok [0-9]+ - daemon - [^#]*$'
    check "the stubborn scenario passes" has_re '^ok [0-9]+ - stubborn - [^#]*$'
    check "a connection refused while the daemon opens its sockets is retried" \
        has_re '^ok [0-9]+ - daemon-v6-first - [^#]*$'
    npass=$((npass + 3))
else
    nskip=$((nskip + 3))
fi
if command -v openssl >/dev/null 2>&1; then
    check "the tls scenario passes" has_re '^ok [0-9]+ - tls - [^#]*$'
    npass=$((npass + 1))
else
    nskip=$((nskip + 1))
fi
summary="$npass passed, 4 failed, $nskip skipped"
check "a wrong golden fails" has_re '^not ok [0-9]+ - broken-golden - '
check "the diff names the golden file" has_line "# --- golden/broken-golden/stdout"
check "the diff names the actual output" has_line "# +++ actual/stdout"
check "the diff shows the golden line" has_line "# -the golden file says this"
check "the diff shows the actual line" has_line "# +the scenario says this"
check "the diff shows context" has_line "#  first line"
check "an inline check failure fails" has_re '^not ok [0-9]+ - inline-fail - '
check "it names file, line and prefix" \
    has_line "# scenarios/inline-fail:8: <<< 554: no line of the reply starts with that; got:"
check "it shows the reply received" has_line "#   250 fake.test.ex"
check "a wrong exit status fails" has_re '^not ok [0-9]+ - bad-status - '
check "it says what was expected and got" \
    has "bad-status:5: exec    -bexit 2: expected exit status 0, got exit status 2"
check "it shows the command's stderr" has "#   | fake-mta: exiting with 2 as asked"
check "a syntax error fails its scenario" has_re '^not ok [0-9]+ - syntax-error - '
check "it is reported as FILE:LINE: message" \
    has_line "# scenarios/syntax-error:5: only \"status N\" may follow this directive indented"
check "skip skips" has_re '^ok [0-9]+ - skipped - skipped on purpose # SKIP shows that skip works$'
check "requires skips" has_re '^ok [0-9]+ - requires-missing - .* # SKIP requires no-such-program'
check "requires support/authenticator met from -bV" \
    has_re '^ok [0-9]+ - requires-mta-met - [^#]*$'
check "requires support skips when -bV lacks it" \
    has_re "^ok [0-9]+ - requires-mta-missing - skipped: the MTA's -bV lacks a support word # SKIP requires support No_Such_Feature, not in the MTA's -bV$"
check "requires mxlab skips another MTA" \
    has_re "^ok [0-9]+ - requires-mxlab - .* # SKIP requires mxlab, the MTA is not mxlab$"
check "summary line" last_line_is "$summary"
check "nothing left running" no_leftovers
check "no libfaketime files of ended processes left in /dev/shm" no_faketime_leftovers
check "scenario directories removed" [ -z "$(ls "$tmp/tmp")" ]

# --- --junit and --html: the same run as reports ---------------------
runner -j 4 --junit "$tmp/junit.xml" --html "$tmp/html"
check "with --junit and --html the TAP is the same" \
    cmp -s "$tmp/out" "$tmp/out-parallel"
check "and nothing on stderr" no_stderr
check "the JUnit XML and the HTML report hold the results" \
    /usr/bin/python3 "$here/check-reports.py" "$tmp/junit.xml" "$tmp/html" \
    "$npass" 4 "$nskip"

# --- one at a time: the same report ---------------------------------
runner -j 1
check "-j 1 reports exactly as -j 4" cmp -s "$tmp/out" "$tmp/out-parallel"

# --- --update ---------------------------------------------------------
runner --update scenarios/broken-golden scenarios/good scenarios/normalise
check "--update passes a scenario with a wrong golden" rc_is 0
check "and says it updated it" \
    has_re '^ok 1 - broken-golden - .* # updated$'
check "and which file" has_line "# updated golden/broken-golden/stdout"
check "scenarios with right goldens are not updated" \
    has_re '^ok 2 - good - passes: the golden files match$'
printf 'first line\nthe scenario says this\nlast line\n' >"$tmp/expected"
check "the golden file now holds the actual output" \
    cmp -s "$tmp/expected" "$tmp/golden/broken-golden/stdout"
for f in "$here"/golden/good/* "$here"/golden/normalise/*; do
    rel=${f#"$here"/}
    check "$rel left alone" cmp -s "$f" "$tmp/$rel"
done
runner scenarios/broken-golden
check "after --update it passes" rc_is 0
check "without saying updated" \
    has_line "ok 1 - broken-golden - fails: the golden stdout is wrong"

runner --update scenarios/inline-fail
check "--update still fails an inline check" rc_is 1
check "and writes no golden for it" [ ! -e "$tmp/golden/inline-fail" ]

# A golden file with no expect line is reported, and --update removes it.
echo stale >"$tmp/golden/normalise/stderr"
runner scenarios/normalise
check "a golden file without expect fails" rc_is 1
check "and is named" has "golden/normalise/stderr: golden file without an expect line"
runner --update scenarios/normalise
check "--update removes it" [ ! -e "$tmp/golden/normalise/stderr" ]

# What the foreign normalisation leaves alone is still compared: the
# text before "gave DEFER: " is.
sed -i 's/lookup of "a=x/lookup of "mx=x/' "$tmp/golden/foreign-defer/stdout"
runner scenarios/foreign-defer
check "a difference outside the normalised part fails" rc_is 1

# --- --keep -----------------------------------------------------------
runner --keep scenarios/outputs
kept=$(sed -n 's/^# kept //p' "$tmp/out")
check "--keep says where" [ -n "$kept" ]
check "--keep keeps the directory" [ -f "$kept/data/b.txt" ]
check "with \$DIR/test.conf in it" [ -f "$kept/test.conf" ]

# --- --time-factor ----------------------------------------------------
runner --time-factor 0 scenarios/outputs
check "--time-factor 0 is a usage error" rc_is 2
check "and says what it wants" grep -qF -- "--time-factor wants a number from 1 to 100" "$tmp/err"
runner --time-factor 5 scenarios/outputs
check "--time-factor 5 runs" rc_is 0

# --- the documented normalisation table ------------------------------
"$runner" --list-rules >"$tmp/rules"
rules_documented() {
    while IFS= read -r line; do
        grep -qxF -- "$line" "$docs" || {
            echo "selftest: not in $docs: $line"
            return 1
        }
    done <"$tmp/rules"
}
check "docs/scenario-format.md carries the --list-rules table" rules_documented

# --- harness/faketime.sh: the sweep of the scripts that start the lab Exim
# Numbers above pid_max belong to no process, now or later.
dead=$(($(cat /proc/sys/kernel/pid_max) + 1))
old=$((dead + 1))
pair() { # PID: libfaketime's two files for it, made now
    : >"/dev/shm/faketime_shm_$1"
    : >"/dev/shm/sem.faketime_sem_$1"
}
has_pair() { [ -e "/dev/shm/faketime_shm_$1" ] && [ -e "/dev/shm/sem.faketime_sem_$1" ]; }
no_pair() { [ ! -e "/dev/shm/faketime_shm_$1" ] && [ ! -e "/dev/shm/sem.faketime_sem_$1" ]; }
if no_pair "$$"; then
    pair "$old"
    touch -d '-1 minute' "/dev/shm/faketime_shm_$old" "/dev/shm/sem.faketime_sem_$old"
    faketime_mark "$tmp/faketime-mark"
    pair "$dead"
    pair "$$"
    faketime_sweep "$tmp/faketime-mark"
    check "faketime_sweep removes an ended process's files" no_pair "$dead"
    check "and keeps a running process's" has_pair "$$"
    check "and those from before the mark" has_pair "$old"
    for p in "$$" "$old" "$dead"; do
        rm -f "/dev/shm/faketime_shm_$p" "/dev/shm/sem.faketime_sem_$p"
    done
fi

check_summary
