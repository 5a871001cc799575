# dkimpylib.py: what the dkimpy helpers share (harness/dkim,
# harness/arcsign, harness/arc-suite): dkimpy imported without its DNS
# plug-ins, key records read from a fake-dns zone file, and a message file
# read as dkimpy wants it.
import re
import sys

# dkim.dnsplug would import dnspython, which pulls in httpx and costs most
# of a second of CPU per run; no lookup here goes to DNS, so keep it out.
sys.modules["dns"] = None
sys.modules["DNS"] = None
import dkim  # noqa: E402,F401


def zone_txt(path):
    """The TXT records of a fake-dns zone file, by "name." (lower case)."""
    keys = {}
    for line in open(path):
        m = re.match(r'\s*(\S+)\s+(?:\d+\s+)?TXT\s+(.*)$', line)
        if m:
            strings = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
            keys[m.group(1).lower().rstrip(".") + "."] = "".join(strings)
    return keys


def zone_dnsfunc(path):
    """A dkimpy dnsfunc answering from the zone file's TXT records."""
    keys = zone_txt(path)

    def dnsfunc(name, timeout=5):
        return keys.get(name.decode().lower(), "").encode() or None

    return dnsfunc


def message(path):
    """The message in path with CRLF line ends; lines before the first
    header field (a fake-smtp stored message's envelope) are skipped."""
    data = open(path, "rb").read().replace(b"\r\n", b"\n")
    lines = data.split(b"\n")
    while lines and not re.match(rb"[!-9;-~]+:", lines[0]):
        lines.pop(0)
    return b"\r\n".join(lines)
