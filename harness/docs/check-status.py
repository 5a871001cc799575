#!/usr/bin/python3
# harness/docs/check-status.py MXLAB [README] - README's status table
# against the code.
#
# Reads the table under "## Status" in README.md (columns: area, what -bV
# shows, scenario folders, state) and MXLAB's -bV (run with -C /dev/null).
# Checks that:
#   - each `NAME` of the second column is on -bV's "Support for:" line,
#     and each `Line: A B` has every word on -bV's line "Line ...";
#     `not NAME` must be on no line;
#   - each `folder` of the third column is scenarios/folder with at least
#     one scenario in it;
#   - every folder of scenarios/ is in some row, and every word of
#     "Support for:" is in some row (so a new feature needs a row);
#   - a row whose state is "done" has a -bV name or a folder.
# Prints "check-status: FAIL: ..." for each problem and exits 1 if any.
import os
import re
import subprocess
import sys

mxlab = sys.argv[1]
readme = sys.argv[2] if len(sys.argv) > 2 else "README.md"
bv = subprocess.run([mxlab, "-C", "/dev/null", "-bV"], capture_output=True,
                    text=True).stdout
lines = {}
for line in bv.splitlines():
    if ":" in line:
        head, rest = line.split(":", 1)
        lines[head.strip()] = rest.split()
support = lines.get("Support for", [])
everything = set(w for ws in lines.values() for w in ws)
bad = []

text = open(readme, encoding="utf-8").read()
m = re.search(r"^## Status\n(.*?)^## ", text, re.S | re.M)
if not m:
    sys.exit("check-status: FAIL: no \"## Status\" section in " + readme)
rows = [r for r in m.group(1).splitlines() if r.startswith("|")][2:]
if not rows:
    bad.append("no table under ## Status")
seen_words, seen_folders = set(), set()
for row in rows:
    cells = [c.strip() for c in row.strip("|").split("|")]
    if len(cells) != 4:
        bad.append("not 4 columns: " + row[:60])
        continue
    area, shows, folders, state = cells
    names = re.findall(r"`([^`]*)`", shows)
    for n in names:
        if n.startswith("not "):
            w = n[4:]
            if w in everything:
                bad.append("%s: -bV shows %s, the table says it does not"
                           % (area[:40], w))
            seen_words.add(w)
        elif ":" in n:
            head, words = n.split(":", 1)
            have = next((v for k, v in lines.items()
                         if k == head.strip() or k.startswith(head.strip() + " (")),
                        None)
            for w in words.split():
                if have is None or w not in have:
                    bad.append("%s: -bV's %s line lacks %s" % (area[:40], head, w))
        else:
            if n not in support:
                bad.append("%s: -bV's Support for line lacks %s" % (area[:40], n))
            seen_words.add(n)
    fs = re.findall(r"`([^`]*)`", folders)
    for f in fs:
        d = os.path.join("scenarios", f)
        n = len([x for x, _, files in os.walk(d) for y in files
                 if not y.startswith(("README", "."))]) if os.path.isdir(d) else 0
        if n == 0:
            bad.append("%s: no scenarios in %s" % (area[:40], d))
        seen_folders.add(f)
    if state.startswith("done") and not names and not fs:
        bad.append("%s: done, but neither a -bV name nor a scenario folder"
                   % area[:40])
for f in sorted(os.listdir("scenarios")):
    if os.path.isdir(os.path.join("scenarios", f)) and f not in seen_folders:
        bad.append("scenarios/%s is in no row of the status table" % f)
for w in support:
    if w not in seen_words:
        bad.append("-bV supports %s, which no row of the status table names" % w)
for b in bad:
    print("check-status: FAIL: " + b)
print("check-status: %d rows, %d problems" % (len(rows), len(bad)))
sys.exit(1 if bad else 0)
