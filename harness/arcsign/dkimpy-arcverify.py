#!/usr/bin/python3
# dkimpy-arcverify.py MESSAGE ZONE: validates the ARC chain of MESSAGE
# with dkimpy (Debian's python3-dkim), the keys taken from the TXT
# records of ZONE (a fake-dns zone file). Prints one line:
# "dkimpy arc: cv=pass" (or none/fail, with dkimpy's reason) and a line
# per instance with its AMS and AS results. MESSAGE may be a fake-smtp
# stored message: lines before the first header field are skipped.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "dkim"))
from dkimpylib import dkim, message, zone_dnsfunc  # noqa: E402


def main():
    dnsfunc = zone_dnsfunc(sys.argv[2])
    cv, results, why = dkim.arc_verify(message(sys.argv[1]), dnsfunc=dnsfunc)
    line = "dkimpy arc: cv=" + (cv.decode() if cv else "(none given)")
    if cv != b"pass" and why:
        line += " (" + str(why) + ")"
    print(line)
    for r in sorted(results or [], key=lambda r: r.get("instance", 0)):
        print("dkimpy arc: i=%s ams=%s as=%s" % (
            r.get("instance"), r.get("ams-valid"), r.get("as-valid")))


main()
