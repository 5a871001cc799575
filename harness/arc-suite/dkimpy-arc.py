#!/usr/bin/python3
# dkimpy-arc.py: dkimpy's ARC (Debian's python3-dkim with python3-authres)
# for the live interop scenarios (scenarios/arc/interop-dkimpy-*).
#
#   dkimpy-arc.py seal KEY.pem DOMAIN... < MESSAGE > SEALED
#       each DOMAIN in turn acts as an intermediary: it writes an
#       Authentication-Results field (arc=pass from the second on) and
#       adds its ARC set with dkimpy's arc_sign (selector "sel", the
#       clock of the scenario), as the gen-scenarios.py chains are made.
#   dkimpy-arc.py verify MESSAGE ZONE
#       verifies the chain with dkimpy's arc_verify, the keys taken from
#       the TXT records of ZONE (a fake-dns zone file); prints
#       "dkimpy: cv=pass" (or fail, none) and, for a failure, the reason.
import re
import sys

import dkim


def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def seal(path, domains):
    key = open(path, "rb").read()
    msg = crlf(sys.stdin.buffer.read())
    for i, d in enumerate(domains):
        ar = "Authentication-Results: %s; dkim=none" % d
        if i > 0:
            ar += "; arc=pass"
        msg = ar.encode() + b"\r\n" + msg
        msg = b"".join(dkim.arc_sign(msg, b"sel", d.encode(), key, d.encode())) + msg
    sys.stdout.buffer.write(msg.replace(b"\r\n", b"\n"))


def zone_txt(path):
    keys = {}
    for line in open(path):
        m = re.match(r'\s*(\S+)\s+(?:\d+\s+)?TXT\s+(.*)$', line)
        if m:
            strings = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
            keys[m.group(1).lower().rstrip(".") + "."] = "".join(strings)
    return keys


def verify(path, zone):
    keys = zone_txt(zone)
    msg = crlf(open(path, "rb").read())

    def dnsfunc(name, timeout=5):
        return keys.get(name.decode().lower(), "").encode() or None

    cv, _, reason = dkim.arc_verify(msg, dnsfunc=dnsfunc)
    print("dkimpy: cv=%s%s" % (cv.decode(), "" if cv == b"pass" else " (%s)" % reason))


if __name__ == "__main__":
    if sys.argv[1] == "seal":
        seal(sys.argv[2], sys.argv[3:])
    else:
        verify(sys.argv[2], sys.argv[3])
