#!/usr/bin/python3
# dkimpy-verify.py MESSAGE ZONE: verifies every DKIM-Signature of
# MESSAGE with dkimpy (Debian's python3-dkim), the keys taken from the
# TXT records of ZONE (a fake-dns zone file). Prints one line per
# signature: "dkimpy: d=D s=S pass" or "... fail (REASON)". MESSAGE may
# be a fake-smtp stored message: lines before the first header field
# (the envelope) are skipped.
import re
import sys

# dkim.dnsplug would import dnspython, which pulls in httpx and costs most
# of a second of CPU per run; no lookup here goes to DNS, so keep it out.
sys.modules["dns"] = None
sys.modules["DNS"] = None
import dkim  # noqa: E402


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
    msg = message(sys.argv[1])

    def dnsfunc(name, timeout=5):
        return keys.get(name.decode().lower(), "").encode() or None

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
