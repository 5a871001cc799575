#!/usr/bin/python3
# The public ARC test suite (ValiMail's arc_test_suite, a copy in
# harness/arc-suite/arc-test-suite/, MIT licence) against mxlab.
#
# Validation cases: each case's message goes through mxlab's verifier
# (build/arc-verify, which feeds src/arc/ line by line as the SMTP server
# does), with the case's txt-records as the only key records; the state
# it finds must be the case's cv (None, Pass, Fail).
#
# Cases where Exim 4.98.2 (whose behaviour mxlab follows) disagrees with
# the suite are listed in harness/arc-suite/exceptions, one per line:
# "NAME  REASON"; docs/arc.md explains each. They are reported, and a
# listed case that fails does not fail the run; a listed case that
# passes is reported too (the list is then out of date).
#
# Signing cases: kept open for the signing side (a function per kind of
# case in KINDS below); the validation runner ignores them.
#
# Prints "arc-suite: N passed, N failed" and exits 1 when a case that
# is not listed failed.
import argparse
import os
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


class Loader(yaml.SafeLoader):
    """Keeps a key given twice in one mapping (the suite's validation
    file names four cases twice) as NAME and NAME#2."""

    def construct_mapping(self, node, deep=False):
        out = {}
        for knode, vnode in node.value:
            key = self.construct_object(knode, deep=deep)
            name, n = key, 1
            while name in out:
                n += 1
                name = "%s#%d" % (key, n)
            out[name] = self.construct_object(vnode, deep=deep)
        return out


def load(path):
    with open(path) as f:
        return [d for d in yaml.load_all(f, Loader=Loader) if d]


def exceptions():
    out = {}
    path = os.path.join(HERE, "exceptions")
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, why = line.partition(" ")
                out[name] = why.strip()
    return out


def run_validation(args, suite_dir):
    results = []
    for doc in load(os.path.join(suite_dir, "arc-draft-validation-tests.yml")):
        with tempfile.NamedTemporaryFile("w", delete=False) as rf:
            for name, value in (doc.get("txt-records") or {}).items():
                rf.write("%s\t%s\n" % (name, "".join(str(value).split("\n"))))
            records = rf.name
        try:
            for name, case in doc["tests"].items():
                msg = case.get("message") or ""
                p = subprocess.run([args.verifier, records], input=msg.encode(),
                                   stdout=subprocess.PIPE, timeout=30)
                state, _, reason = p.stdout.decode().rstrip("\n").partition("\t")
                want = str(case.get("cv")).strip().lower()
                if want == "":  # three cases leave cv empty; each is
                    want = "fail"  # described as "failing message"
                results.append((name, state == want, want, state, reason))
        finally:
            os.unlink(records)
    return results


KINDS = {"validation": run_validation}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--verifier", required=True)
    ap.add_argument("-v", action="store_true", help="print every case")
    ap.add_argument("suite", nargs="?", default=os.path.join(HERE, "arc-test-suite"))
    args = ap.parse_args()
    exc = exceptions()
    passed = failed = excused = 0
    for kind, fn in KINDS.items():
        for name, ok, want, got, reason in fn(args, args.suite):
            tag = "ok" if ok else "FAIL"
            if ok:
                passed += 1
                if name in exc:
                    print("arc-suite: %s: listed as an exception but passes" % name)
            else:
                failed += 1
                if name in exc:
                    excused += 1
                    tag = "FAIL (exception: %s)" % exc[name]
            if args.v or (not ok and name not in exc):
                print("%s %s %s: want %s, got %s%s" % (tag, kind, name, want, got,
                                                       " (%s)" % reason if reason else ""))
    print("arc-suite: %d passed, %d failed (%d of them documented exceptions, "
          "docs/arc.md)" % (passed, failed, excused))
    sys.exit(1 if failed > excused else 0)


if __name__ == "__main__":
    main()
