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
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "dkim"))
from dkimpylib import dkim, zone_dnsfunc  # noqa: E402


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


def verify(path, zone):
    dnsfunc = zone_dnsfunc(zone)
    msg = crlf(open(path, "rb").read())

    cv, _, reason = dkim.arc_verify(msg, dnsfunc=dnsfunc)
    print("dkimpy: cv=%s%s" % (cv.decode(), "" if cv == b"pass" else " (%s)" % reason))


if __name__ == "__main__":
    if sys.argv[1] == "seal":
        seal(sys.argv[2], sys.argv[3:])
    else:
        verify(sys.argv[2], sys.argv[3])
