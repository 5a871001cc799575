#!/bin/sh
# check.sh: is docs/configuration.md's option table the one option-audit
# prints? With --update, rewrite it. The table sits between the lines
# "<!-- option-audit begin -->" and "<!-- option-audit end -->".
#
# Usage: sh harness/options/check.sh [--update] build/option-audit
set -eu
update=0
[ "${1:-}" = --update ] && { update=1; shift; }
audit=$1
doc=docs/configuration.md
begin='<!-- option-audit begin -->'
end='<!-- option-audit end -->'
grep -qxF "$begin" "$doc" || { echo "check-options: $doc has no \"$begin\" line" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.new"' EXIT
"$audit" > "$tmp"
awk -v b="$begin" -v e="$end" -v t="$tmp" '
    $0 == b { print; while ((getline l < t) > 0) print l; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$doc" > "$tmp.new"
if [ $update = 1 ]; then
    cp "$tmp.new" "$doc"
    echo "check-options: $doc rewritten"
elif cmp -s "$doc" "$tmp.new"; then
    echo "check-options: $doc's option table matches the code ($(grep -c '^| ' "$tmp") rows)"
else
    echo "check-options: $doc's option table is stale; run make options-doc and review the diff:" >&2
    diff -u "$doc" "$tmp.new" >&2 || true
    exit 1
fi
