#!/usr/bin/python3
# dkimpy-verify.py MESSAGE ZONE: verifies every DKIM-Signature of
# MESSAGE with dkimpy (Debian's python3-dkim), the keys taken from the
# TXT records of ZONE (a fake-dns zone file). Prints one line per
# signature: "dkimpy: d=D s=S pass" or "... fail (REASON)". MESSAGE may
# be a fake-smtp stored message: lines before the first header field
# (the envelope) are skipped.
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dkimpylib import dkim, message, zone_dnsfunc  # noqa: E402


def main():
    dnsfunc = zone_dnsfunc(sys.argv[2])
    msg = message(sys.argv[1])

    d = dkim.DKIM(msg)
    sigs = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
    if not sigs:
        print("dkimpy: no signature")
    for i, sig in enumerate(sigs):
        tags = dict((k, re.sub(rb"\s+", b"", v)) for (k, v) in
                    re.findall(rb"\s*([a-z]+)\s*=\s*([^;]*)", sig))
        what = "d=%s s=%s" % (tags.get(b"d", b"").decode(),
                              tags.get(b"s", b"").decode())
        try:
            ok = d.verify(idx=i, dnsfunc=dnsfunc)
            print("dkimpy: %s %s" % (what, "pass" if ok else "fail"))
        except dkim.DKIMException as e:
            print("dkimpy: %s fail (%s)" % (what, e))


if __name__ == "__main__":
    main()
