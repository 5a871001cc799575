#!/usr/bin/python3
# bench-arc.py KEY.pem SECONDS BENCH-ARC OUTDIR: make bench-arc.
# Seals a 4 KB message for one and for three intermediaries with dkimpy
# (Debian's python3-dkim), measures dkimpy's arc_verify rate on each, then
# runs mxlab's build/bench-arc on the same messages and key, in one run.
import base64
import os
import subprocess
import sys
import time

import dkim

path, secs, bench, out = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
key = open(path, "rb").read()
pub = subprocess.run(["openssl", "pkey", "-in", path, "-pubout", "-outform", "DER"],
                     check=True, capture_output=True).stdout
record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(pub)
msg = (b"From: Alice <alice@test.ex>\r\nTo: Bob <bob@test.ex>\r\n"
       b"Subject: benchmark\r\nDate: Mon, 06 May 2024 09:00:00 +0000\r\n"
       b"Message-ID: <bench@test.ex>\r\n\r\n")
while len(msg) < 4096:
    msg += b"The quick brown fox jumps over the lazy dog, again and again and again.\r\n"
os.makedirs(out, exist_ok=True)
files = []
for hops in (1, 3):
    m = msg
    for i in range(hops):
        d = ("hop%d.example" % (i + 1)).encode()
        ar = b"Authentication-Results: " + d + b"; dkim=none" + (b"; arc=pass" if i else b"")
        m = ar + b"\r\n" + m
        m = b"".join(dkim.arc_sign(m, b"sel", d, key, d, timestamp=1714986000)) + m
    f = os.path.join(out, "arc-%dhop.eml" % hops)
    open(f, "wb").write(m)
    files.append(f)
    n, t0 = 0, time.monotonic()
    while time.monotonic() - t0 < secs:
        cv, _, _ = dkim.arc_verify(m, dnsfunc=lambda name, timeout=5: record)
        assert cv == b"pass", cv
        n += 1
    print("dkimpy-arc-verify %s (%d bytes): %8.0f /s" % (f, len(m), n / (time.monotonic() - t0)))
sys.stdout.flush()
subprocess.run([bench, record.decode(), str(secs)] + files, check=True)
