# checklib.sh: the check counter of the harness's shell tests. Source it
# after setting CHECK_NAME (the prefix of its lines):
#
#   check DESCRIPTION COMMAND...   runs COMMAND; its success is a pass,
#                                  its failure "NAME: FAIL: DESCRIPTION"
#                                  (and check_on_fail, if the script
#                                  defines it)
#   check_summary                  "NAME: N passed, N failed"; its status
#                                  is 0 only when none failed
passed=0
failed=0
check() {
    desc=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "$CHECK_NAME: FAIL: $desc"
        if command -v check_on_fail >/dev/null 2>&1; then
            check_on_fail
        fi
    fi
}
check_summary() {
    echo "$CHECK_NAME: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
