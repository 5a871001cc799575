#!/usr/bin/python3
# dkimpy's signing and verifying rates for the message bench-dkim uses
# (4 KB, RSA-2048, relaxed/relaxed), for make bench-dkim.
import subprocess
import sys
import time

import dkim

key = subprocess.run(["openssl", "rsa", "-traditional", "-in", sys.argv[1]],
                     check=True, capture_output=True).stdout
pub = subprocess.run(["openssl", "pkey", "-in", sys.argv[1], "-pubout",
                      "-outform", "DER"], check=True, capture_output=True).stdout
import base64
record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(pub)
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
msg = (b"From: Alice <alice@test.ex>\r\nTo: Bob <bob@test.ex>\r\n"
       b"Subject: benchmark\r\nDate: Mon, 06 May 2024 09:00:00 +0000\r\n"
       b"Message-ID: <bench@test.ex>\r\n\r\n")
while len(msg) < 4096:
    msg += b"The quick brown fox jumps over the lazy dog, again and again and again.\r\n"
n, t0 = 0, time.monotonic()
while time.monotonic() - t0 < secs:
    sig = dkim.sign(msg, b"sel", b"test.ex", key, canonicalize=(b"relaxed", b"relaxed"))
    n += 1
print("dkimpy-sign:    %8.0f /s" % (n / (time.monotonic() - t0)))
signed = sig + msg
n, t0 = 0, time.monotonic()
while time.monotonic() - t0 < secs:
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: record)
    n += 1
print("dkimpy-verify:  %8.0f /s" % (n / (time.monotonic() - t0)))
