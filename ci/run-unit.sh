#!/bin/sh
# Run every Check unit test binary given; print one summary line.
set -u
pass=0; fail=0
for t in "$@"; do
    if CK_VERBOSITY=normal "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
