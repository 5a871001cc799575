#!/usr/bin/python3
# harness/conformance/compare-html.py MXLAB_JUNIT EXIM_JUNIT OUT [MXLAB_HTML]
#
# mxlab beside Exim: reads the JUnit XML of a suite run against mxlab
# (make test writes build/report/junit.xml) and of make conformance's run
# against Exim (build/conformance/junit.xml), and writes OUT, an HTML page
# with the counts (both pass, only mxlab, only Exim, ...) and a row per
# scenario with both outcomes, each linked to that run's scenario page
# (the Exim run's pages are beside OUT; MXLAB_HTML is the mxlab report's
# folder, given relative to OUT's folder). No network: the style is
# inline. Prints "compare: N scenarios, N differ" and the page's path.
import html
import os
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    out = {}
    for tc in ET.parse(path).getroot().iter("testcase"):
        name = tc.get("classname") + "/" + tc.get("name")
        if tc.find("failure") is not None:
            out[name] = "fail"
        elif tc.find("skipped") is not None:
            out[name] = "skip"
        else:
            out[name] = "pass"
    return out


mx, ex, dest = outcomes(sys.argv[1]), outcomes(sys.argv[2]), sys.argv[3]
mxhtml = sys.argv[4] if len(sys.argv) > 4 else None
names = sorted(set(mx) | set(ex))
kinds = {}
for n in names:
    k = (mx.get(n, "none"), ex.get(n, "none"))
    kinds[k] = kinds.get(k, 0) + 1
css = ("body{font-family:system-ui,sans-serif;margin:1.5em 2em}"
       "td,th{padding:.2em .7em;border-bottom:1px solid #eee;text-align:left}"
       ".pass{color:#17692e}.fail{color:#b3141b;font-weight:bold}"
       ".skip{color:#8a6d00}.none{color:#999}tr.differ{background:#fff8c5}")
rows = []
differ = 0
for n in names:
    m, e = mx.get(n, "none"), ex.get(n, "none")
    d = m != e and "skip" not in (m, e) and "none" not in (m, e)
    differ += d
    q = html.escape(n, quote=True)
    mcell = '<span class="%s">%s</span>' % (m, m)
    if mxhtml and m != "none":
        mcell = '<a href="%s/%s.html">%s</a>' % (html.escape(mxhtml, True), q, mcell)
    ecell = '<span class="%s">%s</span>' % (e, e)
    if e != "none":
        ecell = '<a href="%s.html">%s</a>' % (q, ecell)
    rows.append('<tr%s><td>%s</td><td>%s</td><td>%s</td></tr>'
                % (' class="differ"' if d else "", q, mcell, ecell))
summary = "".join("<tr><td>%s</td><td>%s</td><td>%d</td></tr>"
                  % (a, b, c) for (a, b), c in sorted(kinds.items()))
with open(dest, "w", encoding="utf-8") as f:
    f.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>mxlab beside Exim</title><style>%s</style></head><body>\n"
            "<h1>mxlab beside Exim</h1>\n<p>%d scenarios; %d pass on one and "
            "fail on the other (highlighted).</p>\n<table><tr><th>mxlab</th>"
            "<th>Exim</th><th>scenarios</th></tr>%s</table>\n<h2>Every "
            "scenario</h2>\n<table><tr><th>scenario</th><th>mxlab</th>"
            "<th>Exim</th></tr>\n%s\n</table></body></html>\n"
            % (css, len(names), differ, summary, "\n".join(rows)))
print("compare: %d scenarios, %d differ: %s" % (len(names), differ, dest))
