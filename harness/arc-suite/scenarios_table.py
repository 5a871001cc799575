# The ARC verification scenarios that gen-scenarios.py writes: one entry
# per scenario, with the comment that teaches what it shows.
import re

SPEC = "Exim spec (experimental-spec.txt, \"ARC support\"); RFC 8617 5.2."


def table(g):
    t = []

    def add(name, comment, title, msg, **kw):
        t.append(dict(name=name, comment=comment + "\n" + SPEC, title=title,
                      msg=msg, **kw))

    one = g.chain("c1", ["forward.example"])
    two = g.chain("c2", ["forward.example", "list.example"])
    three = g.chain("c3", ["forward.example", "list.example", "relay.example"])

    # --- chains that pass -------------------------------------------------
    add("chain-1hop-pass",
        """One intermediary (forward.example) received Alice's message, recorded
what it found in an Authentication-Results field, and added its ARC set:
ARC-Authentication-Results (a copy of those results, i=1),
ARC-Message-Signature (a DKIM-like signature of the message, i=1) and
ARC-Seal (a signature over the ARC fields, cv=none since no chain came
in). The final receiver verifies the chain: $arc_state is "pass",
$arc_domains lists the sealer, $arc_oldest_pass is 1.""",
        "ARC: a one-hop chain passes", one)
    add("chain-2hop-pass",
        """Two intermediaries: forward.example sealed with cv=none, then
list.example checked that chain (arc=pass in its Authentication-Results)
and sealed with cv=pass. Its seal covers both sets. $arc_domains lists
both sealers in instance order.""",
        "ARC: a two-hop chain passes", two)
    add("chain-3hop-pass",
        """Three intermediaries, each sealing over all earlier sets: instance
3's ARC-Seal signs the nine ARC fields of sets 1 to 3.""",
        "ARC: a three-hop chain passes", three)
    lst = g.chain("list", ["forward.example", "list.example"], list_at=1)
    add("chain-list-footer",
        """A mailing list (list.example) tags the subject and adds a footer
before sealing. That breaks forward.example's ARC-Message-Signature of
instance 1 (and Alice's DKIM signature), but the chain still passes: the
seals verify, and the newest AMS (the list's own) verifies. What changed
shows in $arc_oldest_pass: 2, the lowest instance whose AMS (and all
above it) still verifies. A receiver can trust the list's record of what
it saw (its ARC-Authentication-Results: dkim=pass for test.ex).""",
        "ARC: a mailing list changes the message; the chain passes, oldest-pass 2",
        lst)
    lst3 = g.chain("list3", ["forward.example", "list.example", "relay.example"],
                   list_at=1)
    add("chain-list-then-forward",
        """The list of chain-list-footer, then one more forwarder (relay.example)
that changes nothing: the chain passes with three sets and
$arc_oldest_pass stays 2.""",
        "ARC: list then forwarder: three sets pass, oldest-pass 2", lst3)
    add("chain-oldest-pass-reduce",
        """The spec's example: $arc_oldest_pass names the oldest instance whose
AMS still verifies; ${reduce} over the ARC-Authentication-Results fields
picks that instance's recorded authserv-id and results.""",
        "ARC: the spec's ${reduce} over $lh_ARC-Authentication-Results:",
        lst3, acl="""\
  warn    verify     = arc/pass
  warn    logwrite = oldest-p-ams: <${reduce {$lh_ARC-Authentication-Results:} \\
				{} \\
				{${if = {$arc_oldest_pass} \\
					{${extract {i}{${extract {1}{;}{$item}}}}} \\
					{$item} {$value}}} \\
			    }>
  accept""")
    add("verify-ams-relaxed-simple",
        """The ARC-Message-Signature is a DKIM signature with i= in place of
v=: its c= chooses the canonicalisation and the body hash is computed as
the body streams in. dkimpy signs relaxed/relaxed; the body here has
trailing white space and blank lines that relaxed canonicalisation
removes.""",
        "ARC: AMS relaxed body canonicalisation, trailing blanks",
        g.seal(g.base("ws", "line with trailing blanks   \r\n\r\n\r\n"),
               "forward.example", "none"))
    add("verify-dot-stuffed-body",
        """A body line starting with a dot is sent doubled (dot-stuffing) and
hashed as the original line: the chain passes.""",
        "ARC: a dot-stuffed body line hashes as the original",
        g.seal(g.base("dot", ".hidden line\r\n..two dots\r\n"), "forward.example",
               "none"))

    # --- the ACL condition --------------------------------------------------
    add("verify-bare-true-on-pass",
        """verify = arc without a list is verify = arc/none:pass: true for a
chain that passes.""",
        "ARC: bare verify = arc is true for a pass", one,
        acl="""\
  deny    !verify    = arc
          message    = ARC chain failed: $arc_state_reason
  accept""")
    add("verify-bare-true-on-none",
        """A message without ARC fields has $arc_state "none"; the bare
condition (none:pass) is true and the message is accepted.""",
        "ARC: bare verify = arc is true for none", g.base("none"),
        acl="""\
  deny    !verify    = arc
          message    = ARC chain failed: $arc_state_reason
  warn    logwrite   = arc: state=$arc_state
  accept""")
    bodymod = body_modified(g, two)
    add("verify-bare-false-on-fail",
        """A failed chain makes the bare condition false; here the DATA ACL
rejects with the reason.""",
        "ARC: bare verify = arc is false for a fail; the message is refused",
        bodymod, data_reply="550 ARC chain failed: AMS body hash miscompare",
        expect="mainlog",
        acl="""\
  deny    !verify    = arc
          message    = ARC chain failed: $arc_state_reason
  accept""")
    add("verify-list-pass-only",
        """verify = arc/pass is false for a message without a chain.""",
        "ARC: verify = arc/pass is false for none", g.base("nolist"),
        acl="""\
  warn    !verify    = arc/pass
          logwrite   = not an ARC pass: state=$arc_state
  accept""")
    add("verify-list-fail",
        """The list names the states for which the condition is true: with
arc/fail, true for a failed chain.""",
        "ARC: verify = arc/fail is true for a fail", bodymod,
        acl="""\
  warn    verify     = arc/fail
          logwrite   = ARC fail: $arc_state_reason
  accept""")
    add("verify-list-spaces",
        """The list is an Exim list: white space around items is ignored.""",
        "ARC: verify = arc/ none : pass  (spaces in the list)", one,
        acl="""\
  warn    verify     = arc/ none : pass
          logwrite   = matched: $arc_state
  accept""")
    add("verify-not-in-rcpt-acl",
        """verify = arc may only be used in the DATA ACL (the chain is only
known once the message has arrived); elsewhere it is an error when the
ACL runs: the command gets a temporary error and the log says why.""",
        "ARC: verify = arc in the RCPT ACL is an error", g.base("rcpt"),
        rcpt_acl="""\
  require verify     = arc
  accept""", expect="mainlog", rcpt_reply="451")
    add("verify-dkim-disabled-defers",
        """control = dkim_disable_verify also turns off the ARC verifier (it
shares DKIM's reading of the message); verify = arc then defers, as in
Exim, and the DATA ACL gives a temporary error.""",
        "ARC: verify = arc defers when DKIM verification is off", one,
        rcpt_acl="""\
  accept  control    = dkim_disable_verify""",
        acl="""\
  require verify     = arc
  accept""", data_reply="451", expect="mainlog")
    add("verify-logline-arc-tag",
        """A chain that passes puts " ARC" on the reception ("<=") line, after
any DKIM= field (the dkim log selector, on by default). Alice's DKIM
signature also verifies here (DKIM=test.ex).""",
        "ARC: the <= line carries ARC for a pass", two,
        acl="""\
  warn    verify     = arc
  accept""")
    add("verify-logline-no-tag-on-fail",
        """A failed chain adds nothing to the reception line.""",
        "ARC: no ARC on the <= line for a fail", bodymod,
        acl="""\
  warn    verify     = arc/pass:fail:none
  accept""")
    add("verify-logline-no-tag-without-verify",
        """Without verify = arc the chain is never evaluated: no ARC on the
reception line even for a chain that would pass, and $arc_state is
empty.""",
        "ARC: nothing happens without verify = arc", one,
        acl="""\
  warn    logwrite   = arc state before verify: <$arc_state>
  accept""")

    # --- ${authresults} ---------------------------------------------------
    add("authresults-pass",
        """${authresults} gains an arc= entry once verify = arc has run:
"arc=pass (i=N) header.s=SELECTOR arc.oldest-pass=N smtp.remote-ip=IP".""",
        "ARC: ${authresults} for a passing chain", one,
        acl="""\
  warn    verify     = arc
  warn    add_header = ${authresults{mx.test.ex}}
  accept""")
    add("authresults-pass-3hop",
        """For three hops the entry names instance 3 and the selector of its
AMS.""",
        "ARC: ${authresults} for a three-hop chain", lst3,
        acl="""\
  warn    verify     = arc
  warn    add_header = ${authresults{mx.test.ex}}
  accept""")
    add("authresults-fail",
        """For a chain that fails after its sets were found complete, Exim writes
the instance, then the reason in parentheses without a space:
"arc=fail (i=2)(AMS body hash miscompare) header.s=...".""",
        "ARC: ${authresults} for a failed chain", bodymod,
        acl="""\
  warn    verify     = arc/fail
  warn    add_header = ${authresults{mx.test.ex}}
  accept""")
    add("authresults-none",
        """No ARC fields: "arc=none".""",
        "ARC: ${authresults} without a chain", g.base("arnone"),
        acl="""\
  warn    verify     = arc
  warn    add_header = ${authresults{mx.test.ex}}
  accept""")
    add("authresults-structure-fail",
        """When the sets are not complete, there is no instance to name: the
entry is "arc=fail (REASON)".""",
        "ARC: ${authresults} for an incomplete chain",
        g.drop_field(two, b"ARC-Authentication-Results", 2),
        acl="""\
  warn    verify     = arc/fail
  warn    add_header = ${authresults{mx.test.ex}}
  accept""")
    add("authresults-not-run",
        """Without verify = arc, ${authresults} has no arc= entry at all.""",
        "ARC: ${authresults} without verify = arc has no arc entry", one,
        acl="""\
  warn    add_header = ${authresults{mx.test.ex}}
  accept""")

    # --- broken chains ------------------------------------------------------
    add("broken-body-modified",
        """The body was changed after the last seal: the newest AMS's body hash
does not match ("AMS body hash miscompare"), so the chain fails. As the
AMS of every instance covers the same body, none verifies:
$arc_oldest_pass is 0.""",
        "ARC: body modified after sealing: AMS body hash miscompare", bodymod)
    add("broken-header-modified",
        """A signed header field (Subject) was changed after the last seal: the
body hash matches but the newest AMS's signature does not verify ("AMS
sig nonverify").""",
        "ARC: signed header modified: AMS sig nonverify",
        replace(two, b"Subject: minutes", b"Subject: MINUTES"))
    add("broken-aar-modified",
        """An ARC-Authentication-Results field was changed after sealing (here
instance 1's recorded dkim=pass became dkim=fail): the AMS does not
cover ARC fields, but the seals do, so the newest seal fails ("seal
sigverify error").""",
        "ARC: an ARC-Authentication-Results field modified: seal sigverify error",
        g.edit_field(two, b"ARC-Authentication-Results", 1,
                     lambda f: f.replace(b"dkim=pass", b"dkim=fail")))
    add("broken-seal-modified",
        """Instance 1's ARC-Seal was changed (its t= time stamp): the seal of
instance 2, which signs it, fails ("seal sigverify error").""",
        "ARC: an ARC-Seal modified: seal sigverify error",
        g.edit_field(two, b"ARC-Seal", 1,
                     lambda f: f.replace(b"t=1714986000", b"t=1714986001")))
    add("broken-i-gap",
        """Instance 2 was removed from a three-hop chain: walking down from 3,
the next set is 1 where 2 was expected: "i=1 (sequence; expected 2)".""",
        "ARC: a gap in the instances: i=1 (sequence; expected 2)",
        g.drop_set(three, 2))
    add("broken-no-instance-1",
        """Instance 1 was removed: the sets found (2) are complete and their
AMS verifies, but the walk ends before instance 1: "(sequence; expected
i=1)".""",
        "ARC: instance 1 missing: (sequence; expected i=1)",
        g.drop_set(two, 1))
    add("broken-missing-aar",
        """Instance 2 has no ARC-Authentication-Results: "i=2 (missing
header)".""",
        "ARC: a set without its AAR: i=2 (missing header)",
        g.drop_field(two, b"ARC-Authentication-Results", 2))
    add("broken-missing-ams",
        """Instance 1 has no ARC-Message-Signature: "i=1 (missing header)".
$arc_domains still lists both sealers.""",
        "ARC: a set without its AMS: i=1 (missing header)",
        g.drop_field(two, b"ARC-Message-Signature", 1))
    add("broken-missing-seal",
        """Instance 1 has no ARC-Seal: "i=1 (missing header)"; $arc_domains
has an empty element for it.""",
        "ARC: a set without its seal: i=1 (missing header), empty domain",
        g.drop_field(two, b"ARC-Seal", 1))
    add("broken-duplicate-seal",
        """Two ARC-Seal fields with i=1: collecting the sets fails ("collecting
headers: inserting AS: dup hdr").""",
        "ARC: a duplicate instance: collecting headers: inserting AS: dup hdr",
        g.dup_field(two, b"ARC-Seal", 1))
    add("broken-duplicate-aar",
        """Two ARC-Authentication-Results fields with i=2.""",
        "ARC: a duplicate AAR: collecting headers: inserting AAR: dup hdr",
        g.dup_field(two, b"ARC-Authentication-Results", 2))
    cvf = g.chain("cvf", ["forward.example", "list.example"], cv_fail_at=1)
    add("broken-cv-fail",
        """list.example found the incoming chain broken and sealed with
cv=fail (signing only its own set, as a sealer of a failed chain does).
A cv=fail anywhere ends the chain: "i=2 (cv)". Once failed, a chain
cannot become valid again.""",
        "ARC: cv=fail propagates: i=2 (cv)", cvf)
    add("broken-cv-fail-then-pass",
        """A later sealer cannot repair a failed chain: relay.example sealed
with cv=pass on top of list.example's cv=fail; the walk down still meets
the cv=fail at instance 2.""",
        "ARC: cv=fail in the middle of the chain: i=2 (cv)",
        g.seal(cvf, "relay.example", "pass"))
    add("broken-cv-pass-at-1",
        """Instance 1's seal must say cv=none (nothing came before it); one
that says cv=pass fails ("seal cv state").""",
        "ARC: cv=pass on instance 1: seal cv state",
        g.edit_field(one, b"ARC-Seal", 1,
                     lambda f: f.replace(b"cv=none", b"cv=pass")))
    add("broken-overlarge-instance",
        """At most 50 ARC sets: an instance above 50 is refused while the
fields are collected ("overlarge instance number"). The fields are read
from the top; here the first is the AAR.""",
        "ARC: i=51: collecting headers: inserting AAR: overlarge instance number",
        g.renumber(one, 1, 51))
    add("broken-instance-zero",
        """i=0 is not an instance ("instance find").""",
        "ARC: i=0: collecting headers: inserting AAR: instance find",
        g.renumber(one, 1, 0))
    add("broken-tag-dup",
        """A tag given twice in an ARC field ("a tag dup").""",
        "ARC: a duplicated tag: line parse: a tag dup",
        g.edit_field(one, b"ARC-Message-Signature", 1,
                     lambda f: f.replace(b"a=rsa-sha256;", b"a=rsa-sha256; a=rsa-sha256;", 1)))
    add("broken-b-tag",
        """In an AMS or AS, a tag starting with "b" must be b= or bh=.""",
        "ARC: an unknown b-tag: line parse: b? tag",
        g.edit_field(one, b"ARC-Seal", 1,
                     lambda f: f.replace(b"s=sel;", b"s=sel; bx=1;", 1)))
    add("broken-required-tag-missing",
        """The newest AMS lacks s= (as well as the other tags it needs: a=, b=,
bh=, d=, h=): "required tag missing".""",
        "ARC: an AMS without s=: required tag missing",
        g.edit_field(one, b"ARC-Message-Signature", 1,
                     lambda f: f.replace(b"s=sel;", b"", 1)))
    add("broken-unknown-hash",
        """An AMS whose a= names a hash Exim does not have ("internal hash
setup error").""",
        "ARC: a=rsa-md5 on the AMS: internal hash setup error",
        g.edit_field(one, b"ARC-Message-Signature", 1,
                     lambda f: f.replace(b"a=rsa-sha256", b"a=rsa-md5", 1)))
    add("broken-key-missing",
        """No key record for forward.example: the AMS cannot be checked
("pubkey problem").""",
        "ARC: the sealer's key is missing: pubkey problem", one,
        zone_text=g.zone(skip=("forward.example",)))
    add("broken-key-revoked",
        """forward.example's key record has an empty p= (revoked): the key
cannot be loaded ("internal sigverify init error").""",
        "ARC: a revoked key: internal sigverify init error", one,
        zone_text=g.zone(skip=("forward.example",),
                         extra='sel._domainkey.forward.example  TXT "v=DKIM1; k=rsa; p="\n'))
    add("broken-seal-key-missing",
        """The AMS verifies but the seal names a domain without a key record
(its d= was changed): the chain fails and, as in Exim, no reason is
given.""",
        "ARC: the seal's key is missing: fail without a reason",
        g.edit_field(one, b"ARC-Seal", 1,
                     lambda f: f.replace(b"d=forward.example", b"d=nokey.example", 1)))
    return t


def replace(msg, old, new):
    assert old in msg
    return msg.replace(old, new, 1)


def body_modified(g, msg):
    return replace(msg, b"item two", b"item 2")
