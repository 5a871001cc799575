#!/usr/bin/python3
# Writes the SPF scenarios, scenarios/spf/*: the spf and spf_guess ACL
# conditions under -bh (host checking from a given address), with the
# policies served by fake-dns.
#
#   /usr/bin/python3 harness/dkim/gen-spf.py
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scenarios", "spf")

ZONE = """test.ex            TXT  "v=spf1 ip4:192.0.2.0/28 -all"
soft.example       TXT  "v=spf1 ip4:192.0.2.1 ~all"
neutral.example    TXT  "v=spf1 ?all"
none.example       A    192.0.2.99
broken.example     TXT  "v=spf1 ip4:192.0.2.1 frobnicate -all"
temp.example       SERVFAIL
inc.example        TXT  "v=spf1 include:test.ex -all"
mxa.example        TXT  "v=spf1 mx a:relay.mxa.example -all"
mxa.example        MX   10 mail.mxa.example
mail.mxa.example   A    192.0.2.40
relay.mxa.example  A    192.0.2.41
redir.example      TXT  "v=spf1 redirect=test.ex"
exp.example        TXT  "v=spf1 -all exp=why.exp.example"
why.exp.example    TXT  "%{i} is not one of %{d}'s hosts"
v6.example         TXT  "v=spf1 ip6:2001:db8::/32 -all"
guess.example      A    192.0.2.50
helo.test.ex       TXT  "v=spf1 ip4:192.0.2.7 -all"
loop1.example      TXT  "v=spf1 include:loop2.example -all"
loop2.example      TXT  "v=spf1 include:loop1.example -all"
"""

RCPT = """rcpt:
  deny    spf      = fail
          message  = $sender_host_address is not allowed to send for \\
                     $spf_used_domain: $spf_smtp_comment
  accept  logwrite = spf=$spf_result used=$spf_used_domain \\
                     guessed=$spf_result_guessed
          logwrite = $spf_header_comment
"""


def scenario(name, title, comment, sender, ip="192.0.2.1", helo="client.test.ex",
             acl=RCPT, extra="", expect="stdout stderr", bs=False):
    text = "".join("# " + l + "\n" for l in comment.strip().split("\n"))
    text += "title   %s\n" % title
    text += """config  <<END
primary_hostname = mx.test.ex
spool_directory  = $DIR/spool
dns_server       = 127.0.0.1 $PORT2
acl_smtp_rcpt    = rcpt
%sbegin acl
%sEND
""" % (extra, acl)
    text += "file    zone <<END\n%sEND\n" % ZONE
    text += ("background fakes/fake-dns --port $PORT2 --zone $DIR/zone\n"
             "waitport $PORT2\n")
    text += "exec    %s <<END\n" % ("-bs" if bs else "-bh " + ip)
    text += "HELO %s\nMAIL FROM:<%s>\nRCPT TO:<bob@test.ex>\nQUIT\nEND\n" % (helo, sender)
    text += "expect  %s\n" % expect
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text)


def main():
    os.makedirs(OUT, exist_ok=True)
    C = [
        ("pass", "SPF: an address the policy lists passes",
         """test.ex publishes "v=spf1 ip4:192.0.2.0/28 -all"; 192.0.2.1 is in
it: $spf_result is pass, $spf_header_comment says why.
RFC 7208 section 2.6; Exim spec "SPF (Sender Policy Framework)".""",
         dict(sender="alice@test.ex")),
        ("fail", "SPF: an address outside the policy fails; the ACL refuses it",
         """192.0.2.200 is not in test.ex's policy and "-all" makes that a
fail; "deny spf = fail" refuses the recipient with the explanation
($spf_smtp_comment, from spf_smtp_comment_template).""",
         dict(sender="alice@test.ex", ip="192.0.2.200")),
        ("softfail", "SPF: ~all gives softfail",
         """"~all": not listed, but the domain only half means it.""",
         dict(sender="alice@soft.example", ip="192.0.2.9")),
        ("neutral", "SPF: ?all gives neutral",
         """"?all": the domain says nothing about the address.""",
         dict(sender="alice@neutral.example")),
        ("none", "SPF: a domain without a policy gives none",
         """none.example has no TXT record: result none.""",
         dict(sender="alice@none.example")),
        ("permerror", "SPF: a policy libspf2 cannot compile gives \"invalid\"",
         """"frobnicate" is no SPF mechanism, which RFC 7208 4.6 calls a
permerror. libspf2 (1.2.10, the library Exim uses) stops without a
result: $spf_result is "(invalid)", the condition's name for it is
"invalid", and $spf_header_comment is empty. Exim built with the same
library does the same.""",
         dict(sender="alice@broken.example",
              acl=RCPT.replace("deny    spf      = fail", "warn    spf      = invalid\n          logwrite = the policy could not be used\n  deny    spf      = fail"))),
        ("temperror", "SPF: a DNS server failure: libspf2 gives \"invalid\"",
         """fake-dns answers SERVFAIL for temp.example. RFC 7208 calls that a
temperror, but libspf2 1.2.10 ends the check without a result, as
for a broken policy: "(invalid)". A "defer spf = temperror" does not
fire; "spf = invalid" is how to catch it, as with Exim.""",
         dict(sender="alice@temp.example",
              acl=RCPT.replace("deny    spf      = fail", "defer   spf      = temperror\n          message  = SPF check deferred\n  warn    spf      = invalid\n          logwrite = no SPF result for $sender_address_domain\n  deny    spf      = fail"))),
        ("include", "SPF: include: takes another domain's policy",
         """inc.example includes test.ex, whose range holds 192.0.2.1.""",
         dict(sender="alice@inc.example")),
        ("mx-a", "SPF: the mx and a: mechanisms",
         """mxa.example allows its MX host and relay.mxa.example; 192.0.2.41 is
the relay. The A and MX queries go through mxlab's resolver.""",
         dict(sender="alice@mxa.example", ip="192.0.2.41")),
        ("redirect", "SPF: redirect= hands the check to another domain",
         """redir.example's policy is test.ex's.""",
         dict(sender="alice@redir.example", ip="192.0.2.200")),
        ("explanation", "SPF: exp= explanations are not used, as in Exim",
         """exp.example's policy names an explanation record with exp=. Like
Exim's, mxlab's DNS layer for libspf2 passes on only TXT records
that start with "v=spf1", so the explanation is not found and
$spf_smtp_comment comes from spf_smtp_comment_template.""",
         dict(sender="alice@exp.example")),
        ("ipv6", "SPF: an IPv6 client",
         """ip6: mechanisms match IPv6 clients.""",
         dict(sender="alice@v6.example", ip="2001:db8::25")),
        ("negated-list", "SPF: \"!pass\" in the list",
         """An item with "!" is true when the result is not that one: here
"deny spf = !pass" refuses anything but a pass.""",
         dict(sender="alice@soft.example", ip="192.0.2.9",
              acl=RCPT.replace("spf      = fail", "spf      = !pass"))),
        ("guess", "SPF: spf_guess checks a domain without a policy against spf_guess",
         """guess.example has no SPF record, only an A record. spf_guess falls
back to the spf_guess option (Exim's default: v=spf1 a/24 mx/24 ptr
?all), so an address in the domain's /24 passes, and
$spf_result_guessed is 1.""",
         dict(sender="alice@guess.example", ip="192.0.2.77",
              acl=RCPT.replace("spf      = fail", "spf_guess = fail").replace("accept  logwrite", "accept  spf_guess = pass\n          logwrite"))),
        ("guess-option", "SPF: the spf_guess option sets the fallback policy",
         """spf_guess = v=spf1 -all makes every guessed check fail.""",
         dict(sender="alice@guess.example", ip="192.0.2.77",
              extra="spf_guess        = v=spf1 -all\n",
              acl=RCPT.replace("spf      = fail", "spf_guess = fail"))),
        ("null-sender", "SPF: a bounce (null sender) is checked against the HELO name",
         """With MAIL FROM:<> the HELO name's policy is used (RFC 7208 2.4);
$spf_used_domain is the HELO name.""",
         dict(sender="", ip="192.0.2.7", helo="helo.test.ex")),
        ("received-header", "SPF: $spf_received is a ready Received-SPF: field",
         """$spf_received can be added with add_header.""",
         dict(sender="alice@test.ex",
              acl=RCPT.replace("          logwrite = $spf_header_comment", "          logwrite = $spf_received"))),
        ("comment-template", "SPF: spf_smtp_comment_template sets the explanation",
         """spf_smtp_comment_template is the explanation, written with SPF's
macros (RFC 7208 7): %{i} the address, %{d} the domain, %_ a space.""",
         dict(sender="alice@test.ex", ip="192.0.2.200",
              extra="spf_smtp_comment_template = %{i}%_may%_not%_send%_for%_%{d}\n")),
        ("include-loop", "SPF: include: loops end in a permerror",
         """loop1.example and loop2.example include each other; the lookup
limit (RFC 7208 4.6.4) ends it with permerror.""",
         dict(sender="alice@loop1.example")),
        ("local-no-ip", "SPF: a local -bs session has no client address: permerror",
         """Without a client address there is nothing to check; as in Exim
the result is permerror.""",
         dict(sender="alice@test.ex", bs=True, expect="stdout mainlog",
              acl=RCPT.replace("deny    spf      = fail", "warn    spf      = permerror\n          logwrite = permerror: no client address\n  deny    spf      = fail"))),
    ]
    for name, title, comment, kw in C:
        scenario("spf-" + name if False else name, title, comment, **kw)
    print("wrote %d scenarios" % len(C))


if __name__ == "__main__":
    main()
