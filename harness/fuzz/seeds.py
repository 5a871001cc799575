#!/usr/bin/env python3
"""seeds.py: (re)builds the fuzz targets' seed corpora in harness/fuzz/corpus
from the scenarios and their golden files. Run from the top of the tree:
    python3 harness/fuzz/seeds.py
Each seed is a file named after a hash of its content, so a rerun adds
what is new and keeps what is there. Normalised golden text (EPOCH,
EPHEMERAL, $PORT ...) is turned back into plausible raw values."""

import glob
import hashlib
import os
import re
import struct

CORPUS = "harness/fuzz/corpus"
LIMIT = 150  # seeds per target taken from the scenarios


def put(target, data, limit=LIMIT):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if len(os.listdir(d)) >= limit:
        return
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def blocks(text):
    """The heredoc blocks of a scenario: (keyword line, body)."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.search(r"<<(\w+)\s*$", lines[i])
        if m:
            end, body = m.group(1), []
            i += 1
            while i < len(lines) and lines[i] != end:
                body.append(lines[i])
                i += 1
            out.append((lines[i - len(body) - 1], "\n".join(body) + "\n"))
        i += 1
    return out


def denorm(s):
    s = s.replace("EPOCH", "1765012345").replace(".uuuuuu", ".123456")
    s = s.replace("EPHEMERAL", "43210").replace("$PORT2", "2526")
    return s.replace("$PORT", "2525").replace("$DIR", "/tmp/scn")


def fix_spool_lengths(h):
    """Recomputes the NNN length prefixes of a -H file's headers."""
    head, sep, rest = h.partition("\n\n")
    if not sep:
        return h
    out, cur = [], None
    for line in rest.split("\n"):
        m = re.match(r"^(\d{3,})([A-Z* ]) (.*)$", line)
        if m:
            if cur:
                out.append(cur)
            cur = [m.group(2), m.group(3) + "\n"]
        elif cur and line[:1] in (" ", "\t"):
            cur[1] += line + "\n"
    if cur:
        out.append(cur)
    text = "".join("%03d%s %s" % (len(b), t, b) for t, b in out)
    return head + "\n\n" + text


def from_scenarios():
    for path in sorted(glob.glob("scenarios/*/*")):
        if not os.path.isfile(path):
            continue
        text = open(path, encoding="utf-8", errors="surrogateescape").read()
        scripts = {}
        for m in re.finditer(r"background\s+fakes/(fake-[\w-]+)(.*)", text):
            for f in re.findall(r"--(?:script|zone|whiteclnt)\s+\$DIR/(\S+)",
                                m.group(2)):
                scripts[f] = m.group(1)
        for head, body in blocks(text):
            if head.startswith("exec") and " -t" in head:
                put("header", "\x01" + body)
                continue
            if head.startswith("config"):
                put("conf", denorm(body))
                continue
            m = re.match(r"file\s+(\S+)", head)
            if m and m.group(1) in scripts:
                fake = scripts[m.group(1)]
                target = {"fake-smtp": "fake-smtp", "fake-dns": "fake-dns",
                          "fake-dccifd": "fake-dccifd",
                          "fake-xclient-proxy": "fake-xclient"}.get(fake)
                if target:
                    put(target, denorm(body))
        data, lines = None, text.split("\n")
        for line in lines:
            m = re.match(r"\s*>>> (MAIL FROM:|RCPT TO:)(.*)", line, re.I)
            if m:
                put("address", m.group(2))
                for p in re.findall(r"(?:ORCPT|ENVID)=(\S+)", m.group(2)):
                    put("xtext-b64", p)
            m = re.match(r"\s*>>> AUTH \S+ (\S+)", line)
            if m:
                put("xtext-b64", m.group(1))
            if re.match(r"\s*>>> DATA\s*$", line, re.I):
                data = []
                continue
            if data is not None:
                if not data and re.match(r"\s*<<< 354", line):
                    continue
                m = re.match(r"\s*>>> ?(.*)$", line)
                if not m or m.group(1) == ".":
                    if data:
                        put("header", "\x00" + "\n".join(data) + "\n")
                        put("header", "\x01" + "\n".join(data) + "\n")
                        for h in data:
                            if re.match(r"(?i)(to|cc|from|bcc|reply-to):",
                                        h):
                                put("address", h.split(":", 1)[1])
                    data = None
                else:
                    data.append(m.group(1))


def from_golden():
    for path in sorted(glob.glob("golden/*/*/file-spool-input")):
        text = open(path, encoding="utf-8", errors="surrogateescape").read()
        for part in re.split(r"^=== \S+\n", text, flags=re.M):
            if re.match(r"^\S+-H\n", part):
                put("spool", fix_spool_lengths(denorm(part)))
    for path in sorted(glob.glob("golden/*/*/file-dovecot.transcript")):
        sent = []
        for line in open(path, encoding="utf-8", errors="surrogateescape"):
            m = re.match(r"^\d+> (.*)$", line.rstrip("\n"))
            if m:
                sent.append(m.group(1).replace("\\t", "\t")
                            .replace("\\n", "\n"))
        if sent:
            put("dovecot", "".join(sent))


def name(n):
    out = b""
    for label in n.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(owner, typ, data, ttl=300):
    return owner + struct.pack(">HHIH", typ, 1, ttl, len(data)) + data


def msg(qname, qtype, answers, rcode=0, tc=0):
    flags = 0x8180 | rcode | (0x0200 if tc else 0)
    head = struct.pack(">HHHHHH", 0x1234, flags, 1, len(answers), 0, 0)
    return head + name(qname) + struct.pack(">HH", qtype, 1) + b"".join(answers)


def dns_seeds():
    ptr = b"\xc0\x0c"  # the question's name
    put("dns", msg("test.ex", 1, [rr(ptr, 1, bytes([192, 0, 2, 1]))]))
    put("dns", msg("test.ex", 28, [rr(ptr, 28, bytes(16))]))
    put("dns", msg("test.ex", 15, [rr(ptr, 15, b"\x00\x0a" + name("mx.test.ex")),
                                   rr(ptr, 15, b"\x00\x14\x02mx" + ptr)]))
    put("dns", msg("test.ex", 16, [rr(ptr, 16, b"\x0bv=spf1 -all\x03two")]))
    put("dns", msg("a.test.ex", 1, [rr(ptr, 5, name("test.ex")),
                                    rr(name("test.ex"), 1, b"\x7f\0\0\1")]))
    put("dns", msg("test.ex", 6, [rr(ptr, 6, name("ns.test.ex") +
                                     name("root.test.ex") +
                                     struct.pack(">IIIII", 1, 2, 3, 4, 5))]))
    put("dns", msg("_smtp._tcp.test.ex", 33,
                   [rr(ptr, 33, struct.pack(">HHH", 1, 2, 25) +
                       name("mx.test.ex"))]))
    put("dns", msg("1.2.0.192.in-addr.arpa", 12, [rr(ptr, 12, name("test.ex"))]))
    put("dns", msg("none.test.ex", 1, [], rcode=3))
    put("dns", msg("big.test.ex", 16, [], tc=1))
    put("dns", "nameserver 127.0.0.1\noptions timeout:2 attempts:3\n")
    put("dns", "127.0.0.1 5353")


def findings():
    # CI's 60 s run of 2026-12-07: thousands of CONT rounds whose unread
    # answers filled the socket buffer; the harness's blocking send()
    # hung (now a write time-out, as with dc_connect()'s socket).
    put("dovecot", b"VERSION\t1\t2\nMECH\tPLAIN\nDONE\n" +
        b"CONT\t1\n" * 9000, limit=LIMIT + 50)


from_scenarios()
from_golden()
dns_seeds()
findings()
