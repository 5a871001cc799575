#!/usr/bin/python3
# dkimpy-arcverify.py MESSAGE ZONE: validates the ARC chain of MESSAGE
# with dkimpy (Debian's python3-dkim), the keys taken from the TXT
# records of ZONE (a fake-dns zone file). Prints one line:
# "dkimpy arc: cv=pass" (or none/fail, with dkimpy's reason) and a line
# per instance with its AMS and AS results. MESSAGE may be a fake-smtp
# stored message: lines before the first header field are skipped.
import re
import sys

import dkim


def zone_txt(path):
    keys = {}
    for line in open(path):
        m = re.match(r'\s*(\S+)\s+(?:\d+\s+)?TXT\s+(.*)$', line)
        if m:
            strings = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
            keys[m.group(1).lower().rstrip(".") + "."] = "".join(strings)
    return keys


def message(path):
    data = open(path, "rb").read().replace(b"\r\n", b"\n")
    lines = data.split(b"\n")
    while lines and not re.match(rb"[!-9;-~]+:", lines[0]):
        lines.pop(0)
    return b"\r\n".join(lines)


def main():
    keys = zone_txt(sys.argv[2])

    def dnsfunc(name, timeout=5):
        return keys.get(name.decode().lower(), "").encode() or None

    cv, results, why = dkim.arc_verify(message(sys.argv[1]), dnsfunc=dnsfunc)
    line = "dkimpy arc: cv=" + (cv.decode() if cv else "(none given)")
    if cv != b"pass" and why:
        line += " (" + str(why) + ")"
    print(line)
    for r in sorted(results or [], key=lambda r: r.get("instance", 0)):
        print("dkimpy arc: i=%s ams=%s as=%s" % (
            r.get("instance"), r.get("ams-valid"), r.get("as-valid")))


main()
