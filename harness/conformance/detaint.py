#!/usr/bin/env python3
"""detaint.py - rewrite scenario configurations into taint-free forms.

Usage: harness/conformance/detaint.py [--dry-run] SCENARIO...

Exim (4.94 and later) refuses a file, directory or pipe command built from
data that came from the message ("tainted"), such as

    local_delivery:
      driver = appendfile
      file   = $DIR/mail/$local_part

and defers the delivery with "Tainted '...' (file or directory name for
local_delivery transport) not permitted". The form an Exim operator writes
instead names the local parts on the router, and uses $local_part_data,
the list item that matched, which comes from the configuration:

    local:
      driver      = accept
      local_parts = alice : bob
      transport   = local_delivery
    ...
      file   = $DIR/mail/$local_part_data

For each scenario given, this script:

  - in the transports of its "config" here-document, replaces $local_part
    (and ${local_part}) with $local_part_data in the file, directory and
    command options, and remembers those transports;
  - gives each router that uses one of them (transport = NAME) and has no
    local_parts option a "local_parts" line after its driver line, listing
    every local part that the scenario file mentions (the part before "@"
    of every address in it, lower-cased, in order of first appearance,
    with the part before a "+" or "-" too, for suffixes) and postmaster;
  - the same for a redirect router whose own "file" option uses
    $local_part.

A router that already has local_parts is left alone (its list decides
$local_part_data) and reported, as is a scenario whose addresses this
cannot find: check those by hand. The meaning stays the same as long as
every local part the scenario delivers to is in the list; run the
scenarios against mxlab without --update afterwards to see that.
"""

import re
import sys

TAINTED = re.compile(r"\$(\{local_part\}|local_part(?![A-Za-z0-9_]))")
OPTS = ("file", "directory", "command")
ADDR = re.compile(r"(?<![A-Za-z0-9._+=-])([A-Za-z0-9][A-Za-z0-9._+=-]*)@[A-Za-z0-9]")


def local_parts(text):
    seen = []
    for m in ADDR.finditer(text):
        lp = m.group(1).lower()
        for cand in (lp, re.split(r"[+-]", lp)[0]):
            if cand and cand not in seen:
                seen.append(cand)
    if "postmaster" not in seen:
        seen.append("postmaster")
    return seen


def opt_name(line):
    m = re.match(r"\s+([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
    return m.group(1) if m else None


def instances(lines, start, end):
    """[(name, first, last)] of the driver instances in lines[start:end]."""
    out = []
    cur = None
    for i in range(start, end):
        m = re.match(r"([A-Za-z0-9_-]+)\s*:\s*$", lines[i])
        if m:
            if cur:
                out.append((cur[0], cur[1], i))
            cur = (m.group(1), i + 1)
    if cur:
        out.append((cur[0], cur[1], end))
    return out


def rewrite_config(lines, lps, notes):
    sections = {}
    sect, first = "main", 0
    for i, line in enumerate(lines):
        m = re.match(r"\s*begin\s+(\S+)\s*$", line)
        if m:
            sections[sect] = (first, i)
            sect, first = m.group(1), i + 1
    sections[sect] = (first, len(lines))
    changed = False
    marked = set()
    if "transports" in sections:
        for name, a, b in instances(lines, *sections["transports"]):
            for i in range(a, b):
                if opt_name(lines[i]) in OPTS and TAINTED.search(lines[i]):
                    lines[i] = TAINTED.sub(
                        lambda m: "${local_part_data}"
                        if m.group(1).startswith("{")
                        else "$local_part_data",
                        lines[i],
                    )
                    marked.add(name)
                    changed = True
    if "routers" not in sections:
        return changed
    inserts = []
    for name, a, b in instances(lines, *sections["routers"]):
        opts = {opt_name(lines[i]): i for i in range(a, b) if opt_name(lines[i])}
        needs = False
        tr = opts.get("transport")
        if tr is not None:
            tname = lines[tr].split("=", 1)[1].strip()
            needs = tname in marked
        if "file" in opts and TAINTED.search(lines[opts["file"]]):
            i = opts["file"]
            lines[i] = TAINTED.sub("$local_part_data", lines[i])
            needs = changed = True
        if not needs:
            continue
        if "local_parts" in opts:
            notes.append("router %s has local_parts already: %s" % (
                name, lines[opts["local_parts"]].strip()))
            continue
        drv = opts.get("driver")
        if drv is None:
            notes.append("router %s has no driver line" % name)
            continue
        m = re.match(r"(\s+)driver(\s*)=(\s*)", lines[drv])
        indent, pad, post = m.group(1), m.group(2), m.group(3)
        # keep the "=" column of the router's driver line when it is wide
        # enough for "local_parts"
        width = len("driver") + len(pad)
        key = "local_parts"
        gap = " " * max(1, width - len(key)) if width > len(key) else " "
        inserts.append((drv + 1, "%s%s%s=%s%s" % (
            indent, key, gap, post if post else " ", " : ".join(lps))))
        changed = True
    for at, text in sorted(inserts, reverse=True):
        lines.insert(at, text)
    return changed


def rewrite(path, dry):
    text = open(path).read()
    lines = text.split("\n")
    notes = []
    lps = local_parts(text)
    out, i, changed = [], 0, False
    while i < len(lines):
        m = re.match(r"config\s+<<([A-Za-z0-9_]+)\s*$", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        tag = m.group(1)
        j = i + 1
        while j < len(lines) and lines[j] != tag:
            j += 1
        body = lines[i + 1:j]
        if rewrite_config(body, lps, notes):
            changed = True
        out.append(lines[i])
        out.extend(body)
        i = j
    for n in notes:
        print("%s: %s" % (path, n))
    if changed:
        print("%s: rewritten" % path)
        if not dry:
            open(path, "w").write("\n".join(out))
    return changed


def main(argv):
    dry = False
    if argv and argv[0] == "--dry-run":
        dry, argv = True, argv[1:]
    for p in argv:
        rewrite(p, dry)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
