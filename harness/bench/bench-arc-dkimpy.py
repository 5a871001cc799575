#!/usr/bin/python3
# dkimpy's ARC rates for the message bench-arc uses (4 KB, RSA-2048):
# sealing one set, verifying a chain of one and of three sets; for
# make bench-arc.
import base64
import subprocess
import sys
import time

import dkim

key = subprocess.run(["openssl", "rsa", "-traditional", "-in", sys.argv[1]],
                     check=True, capture_output=True).stdout
pub = subprocess.run(["openssl", "pkey", "-in", sys.argv[1], "-pubout",
                      "-outform", "DER"], check=True, capture_output=True).stdout
record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(pub)
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
msg = (b"Authentication-Results: test.ex; arc=none\r\n"
       b"From: Alice <alice@test.ex>\r\nTo: Bob <bob@test.ex>\r\n"
       b"Subject: benchmark\r\nDate: Mon, 06 May 2024 09:00:00 +0000\r\n"
       b"Message-ID: <bench@test.ex>\r\n\r\n")
while len(msg) < 4096:
    msg += b"The quick brown fox jumps over the lazy dog, again and again and again.\r\n"


def dns(name, timeout=5):
    return record


def seal(m, srv=b"test.ex"):
    return b"".join(dkim.arc_sign(m, b"sel", b"test.ex", key, srv)) + m


n, t0 = 0, time.monotonic()
while time.monotonic() - t0 < secs:
    one = seal(msg)
    n += 1
print("dkimpy-seal:     %8.0f /s" % (n / (time.monotonic() - t0)))
chain = one
for i in (2, 3):  # an ADMD name of its own for each hop's A-R
    srv = b"hop%d.test.ex" % i
    chain = seal(b"Authentication-Results: " + srv + b"; arc=pass\r\n" + chain, srv)
for m, want in ((one, 1), (chain, 3)):
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < secs:
        cv, res, why = dkim.arc_verify(m, dnsfunc=dns)
        assert cv == b"pass" and len(res) == want, (cv, why)
        n += 1
    print("dkimpy-verify-%d: %8.0f /s" % (want, n / (time.monotonic() - t0)))
