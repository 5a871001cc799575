#!/usr/bin/python3
# dkimpy-sign.py KEY.pem SELECTOR CANON < MESSAGE > SIGNED: signs the
# message on standard input with dkimpy (Debian's python3-dkim) for
# d=test.ex, with the RSA or Ed25519 key in KEY.pem (as openssl genpkey
# writes it) and CANON (relaxed/simple, ...). Used by the dkimpy-live-*
# scenarios, so that mxlab verifies what dkimpy signs during the test.
import base64
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dkimpylib import dkim  # noqa: E402

path, sel, canon = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
msg = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
der = subprocess.run(["openssl", "pkey", "-in", path, "-outform", "DER"],
                     check=True, capture_output=True).stdout
if b"ED25519" in subprocess.run(["openssl", "pkey", "-in", path, "-noout",
                                 "-text"], capture_output=True).stdout.upper():
    key, algo = base64.b64encode(der[-32:]), b"ed25519-sha256"
else:
    key = subprocess.run(["openssl", "rsa", "-traditional", "-in", path],
                         check=True, capture_output=True).stdout
    algo = b"rsa-sha256"
sig = dkim.sign(msg, sel, b"test.ex", key, canonicalize=tuple(canon.split(b"/")),
                signature_algorithm=algo)
sys.stdout.buffer.write((sig + msg).replace(b"\r\n", b"\n"))
