#!/usr/bin/python3
# dkimpy-arcsign.py IN OUT DOMAIN KEY [TIME]: seals the message IN (as fake-smtp
# stores it: envelope lines, an empty line, the message) with dkimpy's
# arc_sign (Debian's python3-dkim), selector "sel", ADMD DOMAIN, the
# private key in file KEY, t= TIME (default now: a fixed TIME gives the
# same signatures on every run); the Authentication-Results of DOMAIN in the
# message is the basis, as dkimpy requires. OUT gets the envelope lines
# and the sealed message, so that hop.sh can pass it on. Prints
# "dkimpy arcsign: i=N" (the instance made) or the reason it did not.
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "dkim"))
from dkimpylib import dkim  # noqa: E402  (dkimpy without dnspython)


def main():
    src, dst, domain, keyfile = sys.argv[1:5]
    when = sys.argv[5] if len(sys.argv) > 5 else str(int(time.time()))
    data = open(src, "rb").read().replace(b"\r\n", b"\n")
    env, _, msg = data.partition(b"\n\n")
    msg = msg.replace(b"\n", b"\r\n")
    key = open(keyfile, "rb").read()
    try:
        hdrs = dkim.arc_sign(msg, b"sel", domain.encode(), key,
                             domain.encode(), timestamp=when)
    except Exception as e:  # dkimpy raises on a missing A-R and the like
        print("dkimpy arcsign: not sealed (%s)" % e)
        hdrs = []
    out = b"".join(hdrs) + msg
    open(dst, "wb").write(env + b"\n\n" + out.replace(b"\r\n", b"\n"))
    for h in hdrs:
        m = re.match(rb"ARC-Seal: i=(\d+)", h)
        if m:
            print("dkimpy arcsign: i=%s" % m.group(1).decode())


main()
