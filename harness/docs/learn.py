#!/usr/bin/python3
# harness/docs/learn.py [--check] - write docs/learn.md, the learning path.
#
# docs/learn.md lists every scenario, feature by feature, in the order
# FOLDERS gives (folders not in it follow, alphabetically), and within a
# folder the shortest scenario file first (the simplest example of a
# feature before its corner cases). Each entry is the scenario's title,
# linked to the file, and the first sentence of its leading comment. So a
# new scenario appears in it once this script runs again.
#
# --check writes nothing: it exits 1, saying so, when docs/learn.md is not
# what this script would write (make test runs it so; "make learn"
# rewrites the file).
import os
import re
import sys

# folder: (heading, the page of docs/ that explains it)
FOLDERS = [
    ("core", "Configuration and the command line", "configuration.md"),
    ("expand", "String expansion", "expansion.md"),
    ("smtp", "The SMTP server", "smtp.md"),
    ("acl", "Access control lists", "acl.md"),
    ("spool", "The spool and local submission", "spool.md"),
    ("deliver", "Delivery, local and remote", "delivery.md"),
    ("dns", "DNS and fake-dns", "dns.md"),
    ("privilege", "Processes and privileges", "security.md"),
    ("tls", "TLS", "tls.md"),
    ("dovecot", "AUTH and the Dovecot authenticator", "auth.md"),
    ("xclient", "XCLIENT", "xclient.md"),
    ("limits", "The LIMITS extension", "limits.md"),
    ("dsn-info", "DSN information in bounces", "dsn-info.md"),
    ("queuefile", "The queuefile transport", "queuefile.md"),
    ("protocol-detail", "The protocol_detail log selector", "protocol-detail.md"),
    ("dkim", "DKIM", "dkim.md"),
    ("spf", "SPF", "spf.md"),
    ("arc", "ARC", "arc.md"),
    ("dcc", "DCC", "dcc.md"),
    ("bmi", "Brightmail (BMI)", "bmi.md"),
    ("fakes", "The simulated peers", "fakes.md"),
]


def md_escape(text):
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # outside code spans
        parts[i] = re.sub(r"([\\<>*_\[\]])", r"\\\1", parts[i])
    if len(parts) % 2 == 0:  # an unpaired backtick
        return re.sub(r"([\\<>*_\[\]`])", r"\\\1", text)
    return "`".join(parts)


def read_scenario(path):
    title, prose, n = None, [], 0
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    in_prose = True
    for line in lines:
        if in_prose and line.startswith("#"):
            prose.append(line.lstrip("#").strip())
            continue
        if line.strip():
            in_prose = False
        m = re.match(r"title\s+(.*)", line)
        if m and title is None:
            title = m.group(1).strip()
    text = " ".join(p for p in prose if p)
    m = re.match(r"(.+?[.])(\s|$)", text)
    first = m.group(1) if m else text
    if len(first) > 220:
        first = first[:217].rstrip() + "..."
    return title or os.path.basename(path), first, len(lines)


def scenarios_in(folder):
    out = []
    for root, dirs, files in os.walk(os.path.join("scenarios", folder)):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in files:
            if f.startswith((".", "README")) or f.endswith("~"):
                continue
            path = os.path.join(root, f)
            title, first, n = read_scenario(path)
            out.append((n, path, title, first))
    return sorted(out)


def generate():
    present = sorted(d for d in os.listdir("scenarios")
                     if os.path.isdir(os.path.join("scenarios", d)))
    known = [f for f, _, _ in FOLDERS]
    order = [x for x in FOLDERS if x[0] in present]
    order += [(d, d, None) for d in present if d not in known]
    total = sum(len(scenarios_in(f)) for f, _, _ in order)
    out = ["# Learning mxlab, scenario by scenario", "",
           "Each scenario is a small, runnable example of one behaviour: its",
           "comments say what it shows, its `config` is a complete configuration,",
           "its steps are the SMTP dialogue or the commands, and `golden/` holds",
           "what the MTA must log, reply and deliver. This page lists all %d of"
           % total,
           "them, feature by feature in an order that builds up (configuration",
           "first, then expansion, the SMTP server, ACLs, the spool, delivery,",
           "then the extensions), and within a feature the shortest first.",
           "",
           "Run one with `build/scenario-run -v scenarios/FOLDER/NAME`; see its",
           "dialogue drawn with `build/scenario-run --html /tmp/report",
           "scenarios/FOLDER/NAME` (open `/tmp/report/index.html`).",
           "",
           "This page is written by `harness/docs/learn.py` (`make learn`);",
           "`make test` checks that it is up to date.", ""]
    out.append(" · ".join("[%s](#%s)" % (f, f) for f, _, _ in order))
    out.append("")
    for folder, heading, doc in order:
        items = scenarios_in(folder)
        out.append('<a id="%s"></a>' % folder)
        out.append("## %s (`%s/`, %d)" % (heading, folder, len(items)))
        out.append("")
        if doc and os.path.exists(os.path.join("docs", doc)):
            out.append("Reference: [%s](%s)." % (doc, doc))
            out.append("")
        for n, path, title, first in items:
            line = "- [%s](../%s)" % (md_escape(title), path)
            if first:
                line += ": " + md_escape(first)
            out.append(line)
        out.append("")
    return "\n".join(out)


text = generate()
if len(sys.argv) > 1 and sys.argv[1] == "--check":
    try:
        old = open("docs/learn.md", encoding="utf-8").read()
    except OSError:
        old = None
    if old != text:
        print("learn: docs/learn.md is stale (scenarios were added or "
              "changed): run make learn")
        sys.exit(1)
    print("learn: docs/learn.md is up to date")
else:
    with open("docs/learn.md", "w", encoding="utf-8") as f:
        f.write(text)
    print("learn: wrote docs/learn.md")
