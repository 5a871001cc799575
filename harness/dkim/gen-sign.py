#!/usr/bin/python3
# Writes the DKIM signing scenarios, scenarios/dkim/sign-*: mxlab's smtp
# transport signs a message on its way to fake-smtp, and dkimpy
# (harness/dkim/dkimpy-verify.py) verifies what fake-smtp stored.
#
#   /usr/bin/python3 harness/dkim/gen-sign.py
import base64
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "scenarios", "dkim")


def pub(name, raw=False):
    d = subprocess.run(["openssl", "pkey", "-in", os.path.join(HERE, "keys", name + ".pem"),
                        "-pubout", "-outform", "DER"], check=True,
                       capture_output=True).stdout
    return base64.b64encode(d[-32:] if raw else d).decode()


ZONE = """remote.test.ex  A  127.0.0.1
sel._domainkey.test.ex  TXT "v=DKIM1; k=rsa; p=%s"
sed._domainkey.test.ex  TXT "v=DKIM1; k=ed25519; p=%s"
sel._domainkey.sub.test.ex  TXT "v=DKIM1; k=rsa; p=%s"
""" % (pub("rsa2048"), pub("ed25519", True), pub("rsa2048"))

KEYS = "$DIR/keys"
MSG = """From: Alice <alice@test.ex>
To: Bob <bob@remote.example>
Subject: signed on the way out
Message-ID: <out-1@test.ex>
Date: Mon, 06 May 2024 09:00:00 +0000

Hello Bob,
..this line starts with a dot.
Regards,  Alice
"""


def scenario(name, title, comment, opts, msg=MSG, expect="mainlog stdout file:remote/1",
             verify=True, status=None, main=""):
    text = "".join("# " + l + "\n" for l in comment.strip().split("\n"))
    text += "title   %s\n" % title
    text += ("# the keys are copied in: the MTA's user may not reach the "
             "source tree\nsh      cp -R $SRCDIR/harness/dkim/keys $DIR/keys\n")
    text += """config  <<END
primary_hostname = mx.test.ex
qualify_domain   = test.ex
spool_directory  = $DIR/spool
dns_server       = 127.0.0.1 $PORT3
acl_smtp_rcpt    = ok
%sbegin acl
ok:
  accept
begin routers
out:
  driver     = manualroute
  route_list = * remote.test.ex::$PORT
  self       = send
  transport  = remote_smtp
begin transports
remote_smtp:
  driver           = smtp
%sEND
""" % (main, "".join("  %s\n" % o for o in opts.strip().split("\n")))
    text += "file    zone <<END\n%sEND\n" % ZONE
    text += ("background fakes/fake-dns --port $PORT3 --zone $DIR/zone\n"
             "waitport $PORT3\n"
             "background fakes/fake-smtp --port $PORT --maildir $DIR/remote\n"
             "waitport $PORT\n")
    text += ("exec    -odi -bs <<END\nEHLO client.test.ex\nMAIL FROM:<alice@test.ex>\n"
             "RCPT TO:<bob@remote.example>\nDATA\n%s.\nQUIT\nEND\n" % msg)
    if verify:
        text += ("sh      /usr/bin/python3 $SRCDIR/harness/dkim/dkimpy-verify.py "
                 "$DIR/remote/1 $DIR/zone\n")
    text += "expect  %s\n" % expect
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text)


RSA = "dkim_private_key = %s/rsa2048.pem" % KEYS
ED = "dkim_private_key = %s/ed25519.pem" % KEYS


def main():
    n = 0

    def add(*a, **k):
        nonlocal n
        scenario(*a, **k)
        n += 1

    add("sign-ed25519", "DKIM signing: an Ed25519 signature dkimpy verifies",
        """An Ed25519 key (PEM, as openssl genpkey writes it) gives an
ed25519-sha256 signature (RFC 8463); the key record publishes the
bare 32-byte public key.""",
        "dkim_domain      = test.ex\ndkim_selector    = sed\n" + ED)
    add("sign-rsa-simple", "DKIM signing: dkim_canon = simple",
        """dkim_canon sets both the header and the body canonicalisation;
"simple" signs the message exactly as sent.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ndkim_canon       = simple")
    add("sign-ed25519-simple", "DKIM signing: Ed25519 with simple/simple",
        """Ed25519 and the simple canonicalisations.""",
        "dkim_domain      = test.ex\ndkim_selector    = sed\n" + ED +
        "\ndkim_canon       = simple")
    add("sign-two-selectors", "DKIM signing: a list of selectors gives one signature each",
        """dkim_selector is a list: each selector is a signature, with
$dkim_selector set while the other options are expanded, so one
transport can sign with an RSA and an Ed25519 key at once. Under
+dkim_verbose the delivery line says DKIM=domain:selector for each.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel : sed\n"
        "dkim_private_key = %s/${if eq{$dkim_selector}{sel}{rsa2048}{ed25519}}.pem" % KEYS,
        main="log_selector     = +dkim_verbose\n")
    add("sign-domain-list", "DKIM signing: a list of domains, each signed once",
        """dkim_domain is a list too; a domain is lower-cased and signs only
once however often it appears. Here test.ex and TEST.EX are one
domain and sub.test.ex a second ($dkim_domain picks the key).""",
        "dkim_domain      = test.ex : TEST.EX : sub.test.ex\ndkim_selector    = sel\n" + RSA)
    add("sign-headers-prefixes", "DKIM signing: dkim_sign_headers with = and + prefixes",
        """A plain name signs the bottom-most field of that name and, if
there is none, lists it in h= anyway (so one added later breaks the
signature); "=Name" signs every such field and nothing more; "+Name"
signs every such field and lists the name once more (oversigning).
h= names the fields from the bottom of the header up.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ndkim_sign_headers = From : =X-Tag : +Subject : Reply-To",
        msg=MSG.replace("Subject:", "X-Tag: one\nX-Tag: two\nSubject:"))
    add("sign-identity", "DKIM signing: dkim_identity adds i=",
        """dkim_identity sets the i= tag (the agent or user identifier);
it must be in the signing domain or below.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ndkim_identity    = alice@test.ex")
    add("sign-timestamps", "DKIM signing: dkim_timestamps adds t= and x=",
        """dkim_timestamps = 3600 adds t= (the time of signing) and x=, an
hour later. The values change with the clock, so only dkimpy's
verdict is compared here.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ndkim_timestamps  = 3600", expect="mainlog stdout")
    add("sign-sha1", "DKIM signing: dkim_hash = sha1",
        """dkim_hash picks the hash; sha1 is allowed for signing as in
Exim, though RFC 8301 says verifiers should not accept it.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ndkim_hash        = sha1")
    add("sign-empty-key", "DKIM signing: an empty dkim_private_key means do not sign",
        """A dkim_private_key that expands to "", "0" or "false" skips the
signature without an error, even with dkim_strict.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n"
        "dkim_private_key = ${if eq{$sender_address_domain}{test.ex}{}{/no/key}}\n"
        "dkim_strict      = true")
    add("sign-missing-key-file", "DKIM signing: an unreadable key file: unsigned, logged",
        """The key file does not exist. Without dkim_strict the failure is
logged (main and panic logs) and the message goes out unsigned.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n"
        "dkim_private_key = /nonexistent/key.pem",
        expect="mainlog paniclog stdout")
    add("sign-strict-defers", "DKIM signing: with dkim_strict a signing failure defers",
        """With dkim_strict = true (or 1) a message that cannot be signed
is not sent: "DKIM: message could not be signed, and dkim_strict is
set. Deferring message delivery.", and the delivery is deferred.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n"
        "dkim_private_key = /nonexistent/key.pem\ndkim_strict      = true",
        expect="mainlog paniclog stdout", verify=False)
    add("sign-bad-key", "DKIM signing: a key file that is not a PEM key",
        """A file that holds no PEM private key: OpenSSL's reason is logged,
then "DKIM: signing failed: PRIVKEY", and the message goes unsigned.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n"
        "dkim_private_key = $DIR/zone",
        expect="mainlog paniclog stdout")
    add("sign-bad-hash", "DKIM signing: an unknown dkim_hash",
        """dkim_hash = md5 is not a DKIM hash: "DKIM: unrecognised hashname
'md5'" and the message goes unsigned.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ndkim_hash        = md5",
        expect="mainlog paniclog stdout")
    add("sign-expansion-fails", "DKIM signing: dkim_domain fails to expand, dkim_strict defers",
        """An expansion failure is logged as Exim words it ("failed to
expand dkim_domain: ..."); dkim_strict, itself an expansion, says to
defer.""",
        "dkim_domain      = ${lookup{x}lsearch{/nonexistent}}\ndkim_selector    = sel\n"
        + RSA + "\ndkim_strict      = ${if eq{1}{1}{true}}",
        expect="mainlog paniclog stdout", verify=False)
    add("sign-unknown-canon", "DKIM signing: an unknown dkim_canon falls back to relaxed",
        """An unknown canonicalisation is logged and relaxed is used.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ndkim_canon       = strict")
    add("sign-oversign-macro", "DKIM signing: dkim_sign_headers = _DKIM_OVERSIGN_HEADERS",
        """The built-in macro _DKIM_OVERSIGN_HEADERS is Exim's default list
with "+" on every name: each field is signed and listed once more,
so no field of those names can be added later.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ndkim_sign_headers = _DKIM_OVERSIGN_HEADERS")
    add("sign-transport-filter", "DKIM signing: with transport_filter the filter's output is signed",
        """The filter (here it adds a line to the body) runs first; what it
writes is what is signed and sent.""",
        "dkim_domain      = test.ex\ndkim_selector    = sel\n" + RSA +
        "\ntransport_filter = /bin/sh -c \"cat; echo 'Scanned by the filter.'\"")
    print("wrote %d scenarios" % n)


if __name__ == "__main__":
    main()
