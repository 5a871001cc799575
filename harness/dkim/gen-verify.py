#!/usr/bin/python3
# Writes the DKIM verification scenarios, scenarios/dkim/verify-*, from
# the table below: each case is a message signed by dkimpy (Debian's
# python3-dkim) with a key from harness/dkim/keys/, perhaps changed
# after signing, the key records fake-dns serves, and the options and
# ACL that show the result. The signatures carry a fixed t= so that the
# files come out the same each time:
#
#   /usr/bin/python3 harness/dkim/gen-verify.py
#
# Review the diff of scenarios/ and the golden files it leads to.
import base64
import os
import subprocess
import sys

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KEYS = os.path.join(HERE, "keys")
OUT = os.path.join(ROOT, "scenarios", "dkim")
T_SIGNED = 1714986000  # 2024-05-06 09:00:00 UTC, just before the clock

dkim.time.time = lambda: T_SIGNED


def der(args, path):
    return subprocess.run(["openssl"] + args + ["-in", path, "-outform", "DER"],
                          check=True, capture_output=True).stdout


def rsa_key(name):
    path = os.path.join(KEYS, name + ".pem")
    priv = subprocess.run(["openssl", "rsa", "-traditional", "-in", path],
                          check=True, capture_output=True).stdout
    pub = der(["pkey", "-pubout"], path)
    return priv, base64.b64encode(pub).decode()


def ed_key():
    path = os.path.join(KEYS, "ed25519.pem")
    seed = der(["pkey"], path)[-32:]
    pub = der(["pkey", "-pubout"], path)[-32:]
    return base64.b64encode(seed), base64.b64encode(pub).decode()


RSA, RSA_P = rsa_key("rsa2048")
RSA512, RSA512_P = rsa_key("rsa512")
RSA1024, RSA1024_P = rsa_key("rsa1024")
ED, ED_P = ed_key()


class Signer(dkim.DKIM):
    """dkimpy's signer, with extra tags (x=) put in before h=."""
    extra = []

    def gen_header(self, fields, *args, **kw):
        for tag in self.extra:
            i = [f[0] for f in fields].index(b"h")
            fields.insert(i, tag)
        return super().gen_header(fields, *args, **kw)


def sign(msg, key=None, sel=b"sel", dom=b"test.ex", algo=b"rsa-sha256",
         canon=(b"relaxed", b"relaxed"), headers=None, length=False,
         identity=None, extra=()):
    if key is None:
        key = ED if algo.startswith(b"ed25519") else RSA
    s = Signer(msg)
    s.extra = list(extra)
    sig = s.sign(sel, dom, key, identity=identity, canonicalize=canon,
                 include_headers=headers, length=length,
                 signature_algorithm=algo)
    return sig + msg


BASE = (b"From: Alice <alice@test.ex>\r\n"
        b"To: Bob <bob@test.ex>\r\n"
        b"Subject: quarterly figures\r\n"
        b"Date: Mon, 06 May 2024 09:00:00 +0000\r\n"
        b"Message-ID: <figures-1@test.ex>\r\n"
        b"\r\n"
        b"The figures are attached in spirit.\r\n"
        b"Regards,  Alice\r\n")

ZONE_RSA = 'sel._domainkey.test.ex  TXT "v=DKIM1; k=rsa; p=%s"' % RSA_P
ZONE_ED = 'sed._domainkey.test.ex  TXT "v=DKIM1; k=ed25519; p=%s"' % ED_P

ACL_LOG = """\
dkim:
  warn    logwrite = dkim acl: signer=$dkim_cur_signer \\
                     status=$dkim_verify_status reason=$dkim_verify_reason
  accept
"""


def smtp_lines(msg):
    text = msg.decode().replace("\r\n", "\n")
    out = []
    for line in text.split("\n")[:-1]:
        out.append("." + line if line.startswith(".") else line)
    return "\n".join(out) + "\n"


def scenario(name, title, comment, msg, zone, extra_conf="", acl=ACL_LOG,
             data_acl=None, sender="alice@test.ex", expect="mainlog stdout",
             before_data="", selectors="+dkim_verbose", status=None,
             bdat=False):
    conf = ["primary_hostname = mx.test.ex",
            "spool_directory  = $DIR/spool",
            "dns_server       = 127.0.0.1 $PORT2",
            "log_selector     = %s" % selectors]
    if "acl_smtp_rcpt" not in extra_conf:
        conf.append("acl_smtp_rcpt    = rcpt")
    if acl is not None:
        conf.append("acl_smtp_dkim    = dkim")
    if data_acl is not None:
        conf.append("acl_smtp_data    = data")
    if extra_conf:
        conf.append(extra_conf.rstrip("\n"))
    conf.append("begin acl")
    if "acl_smtp_rcpt" not in extra_conf:
        conf.append("rcpt:\n  accept")
    if acl is not None:
        conf.append(acl.rstrip("\n"))
    if data_acl is not None:
        conf.append(data_acl.rstrip("\n"))
    text = "".join("# " + l + "\n" if l else "#\n"
                   for l in comment.strip("\n").split("\n"))
    text += "title   %s\n" % title
    text += "config  <<END\n%s\nEND\n" % "\n".join(conf)
    text += "file    zone <<END\n%s\nEND\n" % zone.strip("\n")
    text += ("background fakes/fake-dns --port $PORT2 --zone $DIR/zone\n"
             "waitport $PORT2\n")
    text += "exec    -odq -bs <<END\n"
    text += "EHLO client.test.ex\n%s" % before_data
    if bdat:  # the message in one chunk, as it is (LF line ends)
        body = msg.decode().replace("\r\n", "\n")
        text += "MAIL FROM:<%s>\nRCPT TO:<bob@test.ex>\n" % sender
        text += "BDAT %d LAST\n%sQUIT\nEND\n" % (len(body.encode()), body)
    else:
        text += "MAIL FROM:<%s>\nRCPT TO:<bob@test.ex>\nDATA\n" % sender
        text += smtp_lines(msg) + ".\nQUIT\nEND\n"
    if status is not None:
        text += "  status %d\n" % status
    text += "expect  %s\n" % expect
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text)


def cases():
    """The table: name, title, comment, message, zone, and what differs."""
    C = []

    def add(name, title, comment, msg, zone=ZONE_RSA, **kw):
        C.append(dict(name=name, title=title, comment=comment, msg=msg,
                      zone=zone, **kw))

    add("verify-rsa-relaxed", "DKIM: an RSA-SHA256 relaxed/relaxed signature passes",
        """An intact message signed by dkimpy with a 2048-bit RSA key. The
DKIM ACL runs once for the signer (dkim_verify_signers defaults to
$dkim_signers), with status "pass"; dkim_verbose logs the signature
and the reception line carries DKIM=test.ex.
RFC 6376 sections 3.7 and 6; Exim spec "DKIM verification".""",
        sign(BASE))
    add("verify-rsa-simple", "DKIM: an RSA-SHA256 simple/simple signature passes",
        """The "simple" algorithms hash header fields and body exactly as
they were sent (RFC 6376 3.4.1, 3.4.3).""",
        sign(BASE, canon=(b"simple", b"simple")))
    add("verify-ed25519", "DKIM: an Ed25519-SHA256 signature passes",
        """Ed25519 (RFC 8463): the key record holds the bare 32-byte public
key; the log shows b=512, the size of the signature, and
$dkim_key_length is 256, OpenSSL's count of the key's bits.""",
        sign(BASE, sel=b"sed", algo=b"ed25519-sha256"), zone=ZONE_ED,
        acl=ACL_LOG.replace("reason=$dkim_verify_reason",
                            "reason=$dkim_verify_reason \\\n"
                            "                     algo=$dkim_algo "
                            "bits=$dkim_key_length"))
    add("verify-ed25519-simple", "DKIM: Ed25519 with simple/simple passes",
        """Ed25519 with the simple canonicalisations.""",
        sign(BASE, sel=b"sed", algo=b"ed25519-sha256",
             canon=(b"simple", b"simple")), zone=ZONE_ED)
    signed = sign(BASE)
    add("verify-tampered-body", "DKIM: a body changed after signing fails (bodyhash_mismatch)",
        """One word of the body is changed after signing: the body hash in
bh= no longer matches. Status "fail", reason "bodyhash_mismatch";
the log says "body hash mismatch (body probably modified in
transit)". No DKIM= on the reception line.""",
        signed.replace(b"in spirit", b"in spirits"))
    add("verify-tampered-header", "DKIM: a signed header changed after signing fails (signature_incorrect)",
        """The Subject: (a signed header field) is changed after signing:
the body hash matches but the signature does not. Status "fail",
reason "signature_incorrect".""",
        signed.replace(b"quarterly figures", b"quarterly figures!"))
    add("verify-unsigned-header-added", "DKIM: a header that is not signed may be added",
        """A header field that h= does not list can be added in transit
without breaking the signature (RFC 6376 5.4).""",
        signed.replace(b"From: Alice", b"X-Mailer: relay 1.0\r\nFrom: Alice"))
    add("verify-missing-key", "DKIM: no key record: invalid, pubkey_unavailable",
        """The selector has no TXT record (NXDOMAIN). Exim logs "failed key
import" and the signature is "invalid" with reason
"pubkey_unavailable".""",
        signed, zone="other._domainkey.test.ex TXT \"v=DKIM1; p=%s\"" % RSA_P)
    add("verify-key-servfail", "DKIM: a key lookup that fails temporarily: pubkey_unavailable",
        """fake-dns answers SERVFAIL for the key. The lookup cannot tell, so
the key is "(currently?) unavailable": status invalid, reason
pubkey_unavailable (Authentication-Results calls it temperror).""",
        signed, zone="sel._domainkey.test.ex SERVFAIL")
    add("verify-key-timeout", "DKIM: a key lookup that times out: pubkey_unavailable, no hang",
        """fake-dns does not answer for the key at all. The resolver gives up
after its attempts (2 of 5 s each, the C library's defaults) and the
signature is "invalid" with reason "pubkey_unavailable", Exim's
temporary outcome (tmperror in Authentication-Results). The message
is still accepted; the ACL decides.""",
        signed, zone="sel._domainkey.test.ex TIMEOUT")
    add("verify-revoked-key", "DKIM: a revoked key (empty p=) is invalid",
        """An empty p= revokes a key (RFC 6376 3.6.1). Exim cannot import
it: status invalid, reason pubkey_der_syntax.""",
        signed, zone='sel._domainkey.test.ex TXT "v=DKIM1; k=rsa; p="')
    add("verify-bad-key-record", "DKIM: a key record with v=DKIM2 is not a key record",
        """A v= other than DKIM1 makes the record unusable: status invalid,
reason pubkey_dns_syntax.""",
        signed, zone='sel._domainkey.test.ex TXT "v=DKIM2; k=rsa; p=%s"' % RSA_P)
    add("verify-key-garbage", "DKIM: a key that is not a DER public key",
        """p= is base64, but not a public key: invalid, pubkey_der_syntax.""",
        signed, zone='sel._domainkey.test.ex TXT "v=DKIM1; p=aGVsbG8gd29ybGQ="')
    add("verify-key-service-type", "DKIM: a key for another service type is not used",
        """s= in the key record names the services the key is for; "*" and
"email" serve mail, anything else does not: invalid,
pubkey_dns_syntax.""",
        signed, zone='sel._domainkey.test.ex TXT "v=DKIM1; s=tlsrpt; p=%s"' % RSA_P)
    add("verify-testing-key", "DKIM: a testing key (t=y) still verifies, $dkim_key_testing is 1",
        """t=y marks a domain that is testing DKIM; verification is not
affected, but $dkim_key_testing tells the ACL. The other key tags
show in $dkim_key_srvtype, $dkim_key_granularity, $dkim_key_notes.""",
        signed, zone='sel._domainkey.test.ex TXT "v=DKIM1; t=y; s=email; g=*; n=test=20key; p=%s"' % RSA_P,
        acl=ACL_LOG.replace("  accept", "  warn    logwrite = key: testing=$dkim_key_testing \\\n"
                            "                     srvtype=$dkim_key_srvtype granularity=$dkim_key_granularity \\\n"
                            "                     notes=$dkim_key_notes nosub=$dkim_key_nosubdomains\n  accept"))
    add("verify-key-too-short", "DKIM: a 512-bit RSA key is too short (pubkey_too_short)",
        """The signature verifies, but the key is shorter than
dkim_verify_min_keysizes allows (rsa=1024 by default): status fail,
reason pubkey_too_short.""",
        sign(BASE, key=RSA512), zone='sel._domainkey.test.ex TXT "v=DKIM1; p=%s"' % RSA512_P)
    add("verify-min-keysizes", "DKIM: dkim_verify_min_keysizes raised above the key's size",
        """With dkim_verify_min_keysizes = rsa=4096 even a 2048-bit key is
too short.""",
        signed, extra_conf="dkim_verify_min_keysizes = rsa=4096 ed25519=250")
    add("verify-rsa1024", "DKIM: a 1024-bit RSA key is long enough by default",
        """1024 bits is Exim's default minimum for RSA.""",
        sign(BASE, key=RSA1024), zone='sel._domainkey.test.ex TXT "v=DKIM1; p=%s"' % RSA1024_P,
        acl=ACL_LOG.replace("reason=$dkim_verify_reason", "reason=$dkim_verify_reason bits=$dkim_key_length"))
    unknown = signed.replace(b"a=rsa-sha256", b"a=rsa-sha384")
    add("verify-unknown-algorithm", "DKIM: a signature with an unknown algorithm is ignored",
        """a=rsa-sha384 is not an algorithm DKIM defines. Exim drops such a
signature as if it were not there: $dkim_signers is empty, nothing
is logged, and the DKIM ACL does not run for it. With the signer
named in dkim_verify_signers the ACL runs once, with status "none".""",
        unknown, extra_conf="dkim_verify_signers = test.ex")
    add("verify-sha1-ignored", "DKIM: RSA-SHA1 signatures are ignored by default",
        """dkim_verify_hashes defaults to sha256:sha512, so an rsa-sha1
signature is dropped before verification, as if it were absent.""",
        sign(BASE, algo=b"rsa-sha1"), extra_conf="dkim_verify_signers = test.ex")
    add("verify-sha1-allowed", "DKIM: dkim_verify_hashes = sha256:sha1 verifies old signatures",
        """Adding sha1 to dkim_verify_hashes lets rsa-sha1 signatures be
verified (RFC 8301 says they should not count; the choice is the
operator's).""",
        sign(BASE, algo=b"rsa-sha1"), extra_conf="dkim_verify_hashes = sha256:sha1")
    expired = sign(BASE, extra=[(b"x", str(T_SIGNED + 60).encode())])
    add("verify-expired", "DKIM: an expired signature (x= in the past) still passes, as in Exim",
        """x= is an hour before the clock of the scenario. RFC 6376 says a
verifier MAY treat an expired signature as failed; Exim does not
check x= and reports it in the log and $dkim_expires.""",
        expired, acl=ACL_LOG.replace("reason=$dkim_verify_reason",
                                     "reason=$dkim_verify_reason expires=$dkim_expires created=$dkim_created"))
    withl = sign(BASE, length=True)
    add("verify-body-length", "DKIM: l= signs only the start of the body; text appended passes",
        """With l= the signature covers that many bytes of the canonical
body; a footer added later (as mailing lists do) does not break it.
$dkim_bodylength shows the value.""",
        withl + b"--\r\nSent through the list\r\n",
        acl=ACL_LOG.replace("reason=$dkim_verify_reason", "reason=$dkim_verify_reason l=$dkim_bodylength"))
    add("verify-body-length-short", "DKIM: a body shorter than l= fails",
        """Cutting the body below the length in l= changes the hash.""",
        withl.replace(b"Regards,  Alice\r\n", b""))
    dup = (b"From: Alice <alice@test.ex>\r\nTo: Bob <bob@test.ex>\r\n"
           b"Subject: first\r\nSubject: second\r\n\r\nbody\r\n")
    dsig = sign(dup, headers=[b"from", b"to", b"subject"])
    add("verify-duplicate-headers", "DKIM: with two Subject: fields the last one is signed",
        """h= names subject once, so the signature covers the bottom-most
Subject: (RFC 6376 5.4.2). Changing the upper one goes unnoticed.""",
        dsig.replace(b"Subject: first", b"Subject: changed"))
    add("verify-duplicate-headers-bottom", "DKIM: with two Subject: fields, changing the signed one fails",
        """The bottom-most Subject: is the one signed; changing it breaks
the signature.""",
        dsig.replace(b"Subject: second", b"Subject: changed"))
    osig = sign(BASE, headers=[b"from", b"from", b"to", b"subject"])
    add("verify-oversigned-added", "DKIM: an added header that h= oversigns breaks the signature",
        """h= lists from twice though the message has one From: field: the
second, missing instance is signed as absent, so a From: added in
transit breaks the signature (RFC 6376 8.15).""",
        osig.replace(b"From: Alice", b"From: Mallory <m@evil.ex>\r\nFrom: Alice"))
    add("verify-absent-header-listed", "DKIM: a header named in h= but absent is fine",
        """h= may name fields that are not there (here cc and reply-to);
they count as empty and the signature passes.""",
        sign(BASE, headers=[b"from", b"to", b"subject", b"cc", b"reply-to"]))
    longhdr = BASE.replace(b"Subject: quarterly figures",
                           b"Subject: quarterly figures" + b" x" * 33000)
    add("verify-long-header", "DKIM: a signed header field over 64 KB is cut and fails",
        """Exim keeps at most 65536 bytes of a header field for DKIM; the
signer hashed all of this 66 KB Subject:, so the signature does not
verify.""",
        sign(longhdr), expect="mainlog")
    two = sign(sign(BASE), sel=b"sed", algo=b"ed25519-sha256")
    add("verify-two-signatures", "DKIM: two signatures, Ed25519 verified first",
        """An RSA and an Ed25519 signature by the same domain. Signatures are
taken in the order of dkim_verify_keytypes (ed25519:rsa), so the
ACL sees the Ed25519 one first, then the RSA one, both for the
signer test.ex.""",
        two, zone=ZONE_RSA + "\n" + ZONE_ED)
    add("verify-minimal", "DKIM: dkim_verify_minimal stops at the first pass",
        """With dkim_verify_minimal the ACL is not run again once a
signature has passed.""",
        two, zone=ZONE_RSA + "\n" + ZONE_ED, extra_conf="dkim_verify_minimal")
    add("verify-keytypes", "DKIM: dkim_verify_keytypes = rsa ignores Ed25519 signatures",
        """Only the listed key types are verified; the Ed25519 signature is
dropped as if absent.""",
        two, zone=ZONE_RSA + "\n" + ZONE_ED, extra_conf="dkim_verify_keytypes = rsa")
    add("verify-no-signature", "DKIM: an unsigned message: nothing is logged, the ACL does not run",
        """Without signatures $dkim_signers is empty, so the default
dkim_verify_signers gives the ACL nothing to run for.""",
        BASE)
    add("verify-signers-list", "DKIM: dkim_verify_signers names a domain that did not sign",
        """dkim_verify_signers = $dkim_signers : paypal.example: the ACL
runs for test.ex (pass) and once for paypal.example (none). A DATA
ACL sees the list of results in $dkim_verify_status, and dkim_status
checks any of them.""",
        signed, extra_conf="dkim_verify_signers = $dkim_signers : paypal.example",
        data_acl="""data:
  warn    logwrite = data acl: dkim status list $dkim_verify_status
  warn    dkim_status = none
          logwrite = data acl: some signer did not sign
  accept""")
    add("verify-acl-deny", "DKIM: the DKIM ACL refuses a message whose signature fails",
        """A DKIM ACL that denies when a signer's status is fail: the
message is refused with 550, logged as "rejected DKIM".""",
        signed.replace(b"in spirit", b"in letter"), acl="""dkim:
  deny    dkim_status = fail
          message     = DKIM signature of $dkim_domain failed: $dkim_verify_reason
  accept""")
    add("verify-dkim-signers-cond", "DKIM: the dkim_signers condition picks a signer",
        """dkim_signers = LIST is true when the signer the ACL runs for is
in the list (a domain list: "*.test.ex" and regexes work).""",
        signed, acl="""dkim:
  warn    dkim_signers = test.ex : *.test.ex
          dkim_status  = pass
          logwrite     = trusted signer $dkim_cur_signer passed
  warn    dkim_signers = other.example
          logwrite     = never
  accept""")
    add("verify-identity", "DKIM: a signer given as an identity matches i=",
        """An item with an "@" in dkim_verify_signers is compared with
the signature's i= (AUID) instead of d=. $dkim_signers holds both
the domain and the identity.""",
        sign(BASE, identity=b"alice@test.ex"),
        extra_conf="dkim_verify_signers = alice@test.ex",
        acl=ACL_LOG.replace("reason=$dkim_verify_reason", "reason=$dkim_verify_reason i=$dkim_identity signers=$dkim_signers"))
    add("verify-no-acl", "DKIM: without acl_smtp_dkim every signature is logged",
        """No DKIM ACL: each signature is still verified and logged (with
dkim_verbose), and DKIM= goes on the reception line.""",
        two, zone=ZONE_RSA + "\n" + ZONE_ED, acl=None)
    add("verify-default-selectors", "DKIM: with the default log selectors only DKIM= is logged",
        """dkim_verbose is off by default; +dkim (on by default) puts the
domain of a passing signature on the reception line.""",
        signed, acl=None, selectors="+all_parameters".replace("+all_parameters", "+dkim"))
    add("verify-no-dkim-selector", "DKIM: log_selector = -dkim leaves DKIM= out",
        """With -dkim the reception line has no DKIM= field.""",
        signed, acl=None, selectors="-dkim")
    add("verify-relaxed-survives", "DKIM: relaxed survives white space changes in transit",
        """Relaxed canonicalisation ignores changes in white space and
header folding that relays sometimes make.""",
        signed.replace(b"Regards,  Alice", b"Regards,\tAlice  ").replace(
            b"Subject: quarterly figures", b"Subject:  quarterly\r\n  figures"))
    simple = sign(BASE, canon=(b"simple", b"simple"))
    add("verify-simple-breaks", "DKIM: simple does not survive white space changes",
        """The same change under simple/simple breaks the body hash.""",
        simple.replace(b"Regards,  Alice", b"Regards,\tAlice  "))
    add("verify-trailing-blank-lines", "DKIM: empty lines added at the end of the body do not matter",
        """Both body canonicalisations ignore empty lines at the end of
the body (RFC 6376 3.4.3, 3.4.4).""",
        simple + b"\r\n\r\n")
    add("verify-empty-body", "DKIM: a message with an empty body",
        """An empty body is hashed as one CRLF under simple and as nothing
under relaxed.""",
        sign(BASE.split(b"\r\n\r\n")[0] + b"\r\n\r\n", canon=(b"simple", b"simple")))
    add("verify-missing-tag", "DKIM: a signature without s= is invalid",
        """A required tag (s=, the selector) is missing: status invalid,
"signature tag missing or invalid" in the log ("s=<UNSET>"), and an
empty reason.""",
        signed.replace(b" s=sel;", b""))
    add("verify-missing-bh", "DKIM: a signature without bh= fails on its body hash",
        """Without bh= there is no body hash to compare, and Exim compares
the body hash before it checks the tags: status fail, reason
bodyhash_mismatch.""",
        signed.replace(b"bh=", b"xh="))
    add("verify-bad-version", "DKIM: v=2 is an unsupported DKIM version",
        """Only version 1 exists: status invalid, "unsupported DKIM
version".""",
        signed.replace(b"v=1;", b"v=2;"))
    add("verify-key-hash-mismatch", "DKIM: a key restricted to sha1 refuses a sha256 signature",
        """h= in the key record lists the hashes the key may be used with;
a sha256 signature with an h=sha1 key fails, with an empty reason
("unspecified reason" in the log).""",
        signed, zone='sel._domainkey.test.ex TXT "v=DKIM1; h=sha1; p=%s"' % RSA_P)
    add("verify-disable-control", "DKIM: control = dkim_disable_verify skips verification",
        """The RCPT ACL turns DKIM verification off for this message:
nothing is verified, logged or run.""",
        signed, extra_conf="acl_smtp_rcpt    = rcpt",
        acl=ACL_LOG + """rcpt:
  accept  control = dkim_disable_verify""")
    longline = sign(BASE + b"y" * 17000 + b"\r\n")
    add("verify-long-body-line", "DKIM: a body line over 16 KB stops verification (LONG_LINE)",
        """Exim gives up on a body line of 16382 bytes or more: "DKIM:
validation error: LONG_LINE", and verification is off for the
message.""",
        longline, expect="mainlog")
    many = BASE
    for i in range(20):
        many = sign(many)
    add("verify-excess-signatures", "DKIM: 20 signatures are too many (EXCESS_SIGS)",
        """Exim stops at the 20th DKIM-Signature field: "validation error:
EXCESS_SIGS", and nothing is verified.""",
        many, expect="mainlog")
    add("verify-bdat", "DKIM: a message sent with BDAT (CHUNKING) is verified too",
        """The same verification for a message that came in BDAT chunks
(RFC 3030) instead of DATA.""",
        signed, bdat=True)
    add("verify-acl-defer", "DKIM: the DKIM ACL defers a message whose key is unavailable",
        """"defer dkim_status = invalid" answers 451 and logs "temporarily
rejected DKIM".""",
        signed, zone="sel._domainkey.test.ex SERVFAIL", acl="""dkim:
  defer   dkim_status = invalid
          message     = no key for $dkim_domain yet, try later
  accept""")
    add("verify-header-only", "DKIM: a message without a body",
        """The message ends right after its header; the body hash is that
of an empty body.""",
        sign(BASE.split(b"\r\n\r\n")[0] + b"\r\n"))
    return C


def main():
    os.makedirs(OUT, exist_ok=True)
    cs = cases()
    for c in cs:
        scenario(**c)
    print("wrote %d scenarios" % len(cs))


if __name__ == "__main__":
    main()
