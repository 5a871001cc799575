#!/usr/bin/python3
# harness/selftest/check-reports.py JUNIT HTMLDIR - check scenario-run's
# --junit and --html output of the self-test suite with a real XML parser.
#
# JUNIT must parse, have one <testsuite> for the folder "scenarios" and one
# <testcase> per scenario, with the counts of the TAP run, a <failure>
# holding the diff for broken-golden, a <skipped> with its reason for
# skipped. In HTMLDIR, index.html must name the totals, broken-golden.html
# must show the diff, and inline-fail.html must hold an SVG (parsed as XML)
# with a lifeline per party and arrows for the lines of its dialogue.
# Prints one line per failed check; exits 1 if any failed.
import re
import sys
import xml.etree.ElementTree as ET

junit, html = sys.argv[1], sys.argv[2]
npass, nfail, nskip = (int(x) for x in sys.argv[3:6])
bad = []


def check(what, ok):
    if not ok:
        bad.append(what)


root = ET.parse(junit).getroot()
check("root is <testsuites>", root.tag == "testsuites")
cases = root.findall("./testsuite/testcase")
total = npass + nfail + nskip
check("one testcase per scenario (%d)" % total, len(cases) == total)
check("tests attribute", root.get("tests") == str(total))
check("failures attribute", root.get("failures") == str(nfail))
check("skipped attribute", root.get("skipped") == str(nskip))
suites = root.findall("testsuite")
check("one testsuite, named scenarios",
      len(suites) == 1 and suites[0].get("name") == "scenarios")
by = {c.get("name"): c for c in cases}
check("classname is the folder",
      all(c.get("classname") == "scenarios" for c in cases))
bg = by.get("broken-golden")
f = bg.find("failure") if bg is not None else None
check("broken-golden has a <failure>", f is not None)
if f is not None:
    check("with the diff in its text", "+the scenario says this" in f.text)
    check("and a message", bool(f.get("message")))
sk = by.get("skipped")
s = sk.find("skipped") if sk is not None else None
check("skipped has <skipped> with its reason",
      s is not None and s.get("message") == "shows that skip works")
good = by.get("good")
check("good has neither failure nor skipped",
      good is not None and good.find("failure") is None
      and good.find("skipped") is None)
check("good has a time", good is not None and float(good.get("time")) > 0)
check("failures counted right",
      sum(1 for c in cases if c.find("failure") is not None) == nfail)

index = open(html + "/index.html", encoding="utf-8").read()
check("index.html has the totals",
      "%d passed</span>" % npass in index and "%d failed</span>" % nfail in index)
check("index links the folder", 'href="scenarios/index.html"' in index)
folder = open(html + "/scenarios/index.html", encoding="utf-8").read()
check("folder page links each scenario",
      all('href="../%s.html"' % n in folder for n in by))
page = open(html + "/broken-golden.html", encoding="utf-8").read()
check("broken-golden.html shows the diff",
      '<span class="add">+the scenario says this</span>' in page)
check("and its comments", "What it shows" in page)
page = open(html + "/inline-fail.html", encoding="utf-8").read()
m = re.search(r"<svg class=\"seq\".*?</svg>", page, re.S)
check("inline-fail.html has a sequence diagram", m is not None)
if m:
    svg = ET.fromstring(m.group(0))
    ns = "{http://www.w3.org/2000/svg}"
    lanes = svg.findall("./%sg[@class='lane']" % ns)
    check("two lifelines (client, the MTA)", len(lanes) == 2)
    msgs = [g for g in svg.findall("./%sg" % ns)
            if g.get("class", "").startswith("msg")]
    check("arrows both ways", any("fwd" in g.get("class") for g in msgs)
          and any("back" in g.get("class") for g in msgs))
    check("the HELO arrow", any(g.find(ns + "title").text.startswith("HELO")
                                for g in msgs))
for b in bad:
    print("check-reports: FAIL: " + b)
sys.exit(1 if bad else 0)
