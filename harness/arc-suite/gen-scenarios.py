#!/usr/bin/python3
# Writes the ARC verification scenarios (scenarios/arc/{verify,chain,
# broken,authresults}-*) from one table. The chains are made by dkimpy's
# arc_sign (Debian's python3-dkim with python3-authres) with a fixed time
# stamp and the test key harness/dkim/keys/rsa2048.pem, so the output is
# the same on every run: RSA PKCS#1 v1.5 signatures are deterministic.
# Run from the top of the tree:  /usr/bin/python3 harness/arc-suite/gen-scenarios.py
# then make the golden files with build/scenario-run --update scenarios/arc
# and read them. The messages are committed in the scenario files; this
# script is how they were made (and how to make new ones).
import os
import re
import sys

import time

import dkim

time.time = lambda: 1714986000  # the DKIM-Signature's t= (dkim.sign has no option)

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY = open(os.path.join(TOP, "harness/dkim/keys/rsa2048.pem"), "rb").read()
PUB = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp+5lcQKtF3qFpENaiQoDWWpco4Pv"
       "gWuKNeLmxHjYt3j1usVH7SbpTm4uVvdR+Ed0YVA+hvXUlCcZ7kOq/7QqIbX+Fd0nWACg84y5"
       "ZDnWSnnq1LXDZ0bcSZNh5bd6M30IQq44K93oKxOg4O8RUYbPwQLT5Vf1n6opGHb0sLUVPE+x"
       "79BA+lafkhbZdsFkdTJei6gRtjXPuV20ORMCIUuHpJNdRXTRLclZ7jRCHhBJObTssoXEPmbK"
       "vvNL6MHs9GpEMRpM/6brqcAT/p1njsbI2OG2E4hZMbYEVxOqGPyZHkYcW1zIkbWAMZVx6S5S"
       "XOyg1HAPu3vuFwU43Kkwu9zBMQIDAQAB")
T = 1714986000  # Mon, 06 May 2024 09:00:00 +0000
DOMAINS = ["test.ex", "forward.example", "list.example", "relay.example"]
HOPS = ["forward.example", "list.example", "relay.example"]


def base(n, body=None):
    """The originator's message, DKIM-signed by test.ex."""
    msg = ("From: Alice <alice@test.ex>\r\n"
           "To: Bob <bob@test.ex>\r\n"
           "Subject: minutes of the meeting\r\n"
           "Date: Mon, 06 May 2024 09:00:00 +0000\r\n"
           "Message-ID: <arc-%s@test.ex>\r\n"
           "\r\n" % n).encode()
    msg += (body or "Hello Bob,\r\nthe minutes are below.\r\n\r\n  - item one\r\n"
            "  - item two\r\n").encode()
    sig = dkim.sign(msg, b"sel", b"test.ex", KEY, canonicalize=(b"relaxed", b"relaxed"),
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return sig + msg


def seal(msg, domain, cv, extra=""):
    """One intermediary: it records what it found in an
    Authentication-Results field and adds its ARC set."""
    ar = "Authentication-Results: %s; dkim=pass header.d=test.ex" % domain
    if cv != "none":
        ar += "; arc=%s" % cv
    if extra:
        ar += "; " + extra
    msg = ar.encode() + b"\r\n" + msg
    s = dkim.arc_sign(msg, b"sel", domain.encode(), KEY, domain.encode(), timestamp=T)
    return b"".join(s) + msg


def chain(n, hops=None, cv_fail_at=None, list_at=None):
    msg = base(n)
    for i, d in enumerate(hops or HOPS[:1]):
        if list_at == i:  # a mailing list changes the message first
            msg = list_change(msg)
        cv = "none" if i == 0 else ("fail" if cv_fail_at == i else "pass")
        msg = seal(msg, d, cv)
    return msg


def list_change(msg):
    head, body = msg.split(b"\r\n\r\n", 1)
    head = head.replace(b"Subject: minutes", b"Subject: [team] minutes")
    body += b"-- \r\nteam mailing list: https://list.example/team\r\n"
    return head + b"\r\n\r\n" + body


def fields(msg):
    """The header fields of msg (folds kept), and the body."""
    head, body = msg.split(b"\r\n\r\n", 1)
    out = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            out[-1] += b"\r\n" + line
        else:
            out.append(line)
    return out, body


def join(fl, body):
    return b"\r\n".join(fl) + b"\r\n\r\n" + body


def edit_field(msg, name, inst, fn):
    """Applies fn to the ARC field name with i=inst."""
    fl, body = fields(msg)
    for k, f in enumerate(fl):
        if f.lower().startswith(name.lower() + b":") and re.search(rb"\bi=%d;" % inst, f):
            fl[k] = fn(f)
            break
    else:
        raise SystemExit("no %s i=%d" % (name, inst))
    return join(fl, body)


def drop_field(msg, name, inst):
    fl, body = fields(msg)
    fl = [f for f in fl if not (f.lower().startswith(name.lower() + b":")
                                and re.search(rb"\bi=%d;" % inst, f))]
    return join(fl, body)


def drop_set(msg, inst):
    for n in (b"ARC-Seal", b"ARC-Message-Signature", b"ARC-Authentication-Results"):
        msg = drop_field(msg, n, inst)
    return msg


def dup_field(msg, name, inst):
    fl, body = fields(msg)
    for k, f in enumerate(fl):
        if f.lower().startswith(name.lower() + b":") and re.search(rb"\bi=%d;" % inst, f):
            fl.insert(k, f)
            break
    return join(fl, body)


def renumber(msg, old, new):
    fl, body = fields(msg)
    fl = [re.sub(rb"\bi=%d;" % old, b"i=%d;" % new, f)
          if f.lower().startswith(b"arc-") else f for f in fl]
    return join(fl, body)


DATA_ACL = """\
  warn    verify     = arc/none:pass:fail
  warn    logwrite   = arc: state=$arc_state reason=<$arc_state_reason> \\
                       domains=<$arc_domains> oldest-pass=$arc_oldest_pass
  warn    add_header = ${authresults{mx.test.ex}}
  accept"""


def zone(skip=(), extra=""):
    z = ""
    for d in DOMAINS:
        if d not in skip:
            z += 'sel._domainkey.%s  TXT "v=DKIM1; k=rsa; p=%s"\n' % (d, PUB)
    return z + extra


def smtp_lines(msg):
    out = []
    for line in msg.decode().split("\r\n")[:-1] if msg.endswith(b"\r\n") \
            else msg.decode().split("\r\n"):
        if line.startswith("."):
            line = "." + line
        out.append(("  >>> " + line) if line else "  >>>")
    return "\n".join(out)


def write(name, comment, title, msg, acl=DATA_ACL, zone_text=None, data_reply="250",
          expect="mainlog file:mail/bob", rcpt_acl="  accept", extra_conf="",
          rcpt_reply="250"):
    zt = zone() if zone_text is None else zone_text
    text = "".join("# " + l + "\n" if l else "#\n" for l in comment.strip().split("\n"))
    text += "title   %s\n" % title
    text += """config  <<END
primary_hostname = mx.test.ex
spool_directory  = $DIR/spool
dns_server       = 127.0.0.1 $PORT2
local_interfaces = 127.0.0.1
acl_smtp_rcpt    = rcpt
acl_smtp_data    = data
%sbegin acl
rcpt:
%s
data:
%s
begin routers
local:
  driver    = accept
  transport = mailbox
begin transports
mailbox:
  driver = appendfile
  file   = $DIR/mail/bob
END
file    zone <<END
%sEND
background fakes/fake-dns --port $PORT2 --zone $DIR/zone
waitport $PORT2
daemon  -bd -oX $PORT
smtp    127.0.0.1 $PORT
  <<< 220
  >>> EHLO client.test.ex
  <<< 250
  >>> MAIL FROM:<alice@test.ex>
  <<< 250
  >>> RCPT TO:<bob@test.ex>
  <<< %s
%s  >>> QUIT
  <<< 221
end
""" % (extra_conf, rcpt_acl, acl, zt, rcpt_reply,
       "" if rcpt_reply != "250" else """  >>> DATA
  <<< 354
%s
  >>> .
  <<< %s
""" % (smtp_lines(msg), data_reply))
    if "file:mail/bob" in expect:
        text += "waitfor mainlog Completed\n"
    text += "expect  %s\n" % expect
    path = os.path.join(TOP, "scenarios/arc", name)
    with open(path, "w") as f:
        f.write(text)


SPEC = "Exim spec, experimental-spec.txt \"ARC support\"; RFC 8617 section 5.2."


def main():
    os.makedirs(os.path.join(TOP, "scenarios/arc"), exist_ok=True)
    import scenarios_table
    for args in scenarios_table.table(sys.modules[__name__]):
        write(**args)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
