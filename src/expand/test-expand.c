/*++
 * NAME
 *	test-expand 1
 * SUMMARY
 *	unit tests for src/expand
 * DESCRIPTION
 *	Table-driven Check tests of the expansion engine: each case is a
 *	label, an input and the expected result, or the expected error
 *	(FAIL for forced failures, ERR for errors, with the message). The
 *	configuration (named lists) and lookup files are written to a
 *	temporary directory first; "@D@" in a case stands for it.
 *--*/

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/gstr.h"
#include "conf/conf.h"
#include "expand/betest.h"
#include "expand/expand.h"
#include "expand/lookups/lookup.h"
#include "registry.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum { OK, FAIL, ERR };

struct xcase {
    const char *label;
    const char *in;
    int rc;
    const char *want; /* the result, or the error message */
};

static char tmpdir[64];

/* Variables, escapes, \N, errors of the core. */
static const struct xcase core_cases[] = {
    {"plain text", "hello world", OK, "hello world"},
    {"empty", "", OK, ""},
    {"variable", "$primary_hostname", OK, "mx.test.ex"},
    {"braced variable", "${primary_hostname}!", OK, "mx.test.ex!"},
    {"qualify_domain", "$qualify_domain", OK, "mx.test.ex"},
    {"unknown variable", "$nosuch", ERR, "unknown variable name \"nosuch\""},
    {"unknown braced", "${nosuch}", ERR, "unknown variable in \"${nosuch}\""},
    {"acl hint", "$acl_x", ERR,
     "unknown variable name \"acl_x\" (user-defined ACL variables must "
     "start acl_c or acl_m)"},
    {"unset connection variable", "[$sender_host_name]", OK, "[]"},
    {"set connection variable", "$sender_host_address", OK, "192.0.2.7"},
    {"int default", "$sender_host_port", OK, "0"},
    {"arc_oldest_pass default", "$arc_oldest_pass", OK, "0"},
    {"acl variable", "$acl_m_x", OK, "value"},
    {"unset acl variable", "<$acl_c_none>", OK, "<>"},
    {"numbered acl variable", "<$acl_c0>", OK, "<>"},
    {"backslash escapes", "a\\tb\\nc", OK, "a\tb\nc"},
    {"backslash dollar", "\\$x", OK, "$x"},
    {"octal escape", "\\101", OK, "A"},
    {"hex escape", "\\x41", OK, "A"},
    {"backslash at end", "abc\\", ERR, "\\ at end of string"},
    {"\\N protects", "\\N${x}$y\\N!", OK, "${x}$y!"},
    {"\\N unterminated", "\\N${x", OK, "${x"},
    {"dollar alone", "a$", ERR, "$ not followed by letter, digit, or {"},
    {"dollar brace digit", "${1}", OK, ""},
    {"brace junk", "${!}", ERR, "letter or digit expected after ${"},
    {"unclosed", "${lc:abc", ERR, "missing } at end of string"},
    {"unknown operator", "${foo:bar}", ERR,
     "unknown expansion operator \"foo\""},
    {"not an item", "${foo bar}", ERR,
     "\"${foo\" is not a known operator (or a } is missing in a variable "
     "reference)"},
    {"literal braces", "a{b}c", OK, "a{b}c"},
    {"stray close brace", "a}b", OK, "a}b"},
    {"header", "$h_subject:", OK, "Hello world"},
    {"header long name", "$header_subject:", OK, "Hello world"},
    {"header case", "$h_SUBJECT:", OK, "Hello world"},
    {"header braced is not a variable", "${h_subject}", ERR,
     "unknown variable in \"${h_subject}\""},
    {"missing header", "<$h_nosuch:>", OK, "<>"},
    {"raw header", "<$rh_subject:>", OK, "< Hello world\n>"},
    /* translated to ISO-8859-1, as Exim by default; $bh_ is not */
    {"rfc2047 header", "$h_x-encoded:", OK, "caf\xe9 ok"},
    {"bh header", "$bh_x-encoded:", OK, "caf\xc3\xa9 ok"},
    {"rh not decoded", "$rh_x-encoded:", OK, " =?utf-8?Q?caf=C3=A9?= ok\n"},
    {"two headers", "$h_x-two:", OK, "one\ntwo"},
    {"address headers", "$h_to:", OK, "a@test.ex,\nb@test.ex"},
    {"list header", "$lh_x-two:", OK, " one: two"},
    {"list header colons", "$lh_x-colon:", OK, " a::b"},
    {"folded header", "$h_x-folded:", OK, "first\n\tsecond"},
    {"message body", "$message_body", OK, "Line one. Line two. "},
    {"message body end", "$message_body_end", OK, "Line one. Line two. "},
    {"body size", "$message_body_size", OK, "20"},
    {"body lines", "$body_linecount", OK, "2"},
    {"received count", "$received_count", OK, "0"},
    {"recipients", "$recipients_count", OK, "0"},
    {"value outside", "<$value>", OK, "<>"},
    {"nesting limit",
     "${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:"
     "${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:"
     "${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:"
     "${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:"
     "${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:${lc:x}}}}}}}}}}}}}}}}}}}}}}}}"
     "}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}",
     ERR, "expansion nested too deeply (more than 64 levels)"},
};

static const struct xcase cond_cases[] = {
    {"eq true", "${if eq{a}{a}{yes}{no}}", OK, "yes"},
    {"eq false", "${if eq{a}{b}{yes}{no}}", OK, "no"},
    {"eq case", "${if eq{a}{A}{yes}{no}}", OK, "no"},
    {"eqi", "${if eqi{a}{A}{yes}{no}}", OK, "yes"},
    {"ne", "${if ne{a}{b}{yes}{no}}", OK, "yes"},
    {"not eq", "${if !eq{a}{b}{yes}{no}}", OK, "yes"},
    {"double not", "${if !!eq{a}{a}{yes}{no}}", OK, "yes"},
    {"lt", "${if lt{abc}{abd}{yes}{no}}", OK, "yes"},
    {"lti", "${if lti{ABC}{abd}{yes}{no}}", OK, "yes"},
    {"le", "${if le{a}{a}{yes}{no}}", OK, "yes"},
    {"gt", "${if gt{b}{a}{yes}{no}}", OK, "yes"},
    {"gei", "${if gei{B}{a}{yes}{no}}", OK, "yes"},
    {"num eq", "${if ={10}{010}{yes}{no}}", OK, "yes"},
    {"num ==", "${if =={2}{2}{yes}{no}}", OK, "yes"},
    {"num !=", "${if !={1}{2}{yes}{no}}", OK, "yes"},
    {"num lt", "${if <{9}{10}{yes}{no}}", OK, "yes"},
    {"num le", "${if <={10}{10}{yes}{no}}", OK, "yes"},
    {"num gt", "${if >{1K}{1000}{yes}{no}}", OK, "yes"},
    {"num ge", "${if >={1M}{1048576}{yes}{no}}", OK, "yes"},
    {"num empty is zero", "${if ={}{0}{yes}{no}}", OK, "yes"},
    {"num not a number", "${if ={x}{0}{yes}{no}}", ERR,
     "integer expected but \"x\" found"},
    {"bare if true", "${if eq{a}{a}}", OK, "true"},
    {"bare if false", "<${if eq{a}{b}}>", OK, "<>"},
    {"yes only", "<${if eq{a}{b}{yes}}>", OK, "<>"},
    {"forced fail", "${if eq{a}{b}{yes}fail}", FAIL,
     "\"if\" failed and \"fail\" requested"},
    {"fail not taken", "${if eq{a}{a}{yes}fail}", OK, "yes"},
    {"fail keyword wrong", "${if eq{a}{b}{yes}nope}", ERR,
     "syntax error in \"if\" item - \"fail\" expected"},
    {"missing second", "${if eq{a}}", ERR,
     "missing 2nd string in {} after \"eq\""},
    {"missing first", "${if eq a}", ERR, "missing { after \"eq\""},
    {"unknown condition", "${if frob{a}{b}}", ERR,
     "unknown condition \"frob\""},
    {"no condition", "${if {a}}", ERR,
     "condition name expected, but found \"{a}}\""},
    {"def set", "${if def:sender_host_address{y}{n}}", OK, "y"},
    {"def unset", "${if def:sender_host_name{y}{n}}", OK, "n"},
    {"def acl", "${if def:acl_m_x{y}{n}}", OK, "y"},
    {"def acl unset", "${if def:acl_m_dcc_override_client_ip{y}{n}}", OK, "n"},
    {"def header", "${if def:h_subject:{y}{n}}", OK, "y"},
    {"def no header", "${if def:h_nosuch:{y}{n}}", OK, "n"},
    {"def unknown", "${if def:nosuch{y}{n}}", ERR,
     "unknown variable \"nosuch\" after \"def:\""},
    {"def no colon", "${if def{y}{n}}", ERR, "\":\" expected after \"def\""},
    {"match", "${if match{abc}{^a(b)c\\$}{$1}{no}}", OK, "b"},
    {"match \\N", "${if match{abc}{\\N^a(.)c$\\N}{$1}{no}}", OK, "b"},
    {"match no", "${if match{abc}{^x}{yes}{no}}", OK, "no"},
    {"match bad regex", "${if match{abc}{(}{yes}{no}}", ERR,
     "regular expression error in \"(\": missing closing parenthesis at "
     "offset 1"},
    {"nums restored", "${if match{ab}{(a)}{}}$1", OK, ""},
    {"match_domain literal",
     "${if match_domain{test.ex}{a.ex : test.ex}{y}{n}}", OK, "y"},
    {"match_domain wildcard", "${if match_domain{x.test.ex}{*.test.ex}{y}{n}}",
     OK, "y"},
    {"match_domain named",
     "${if match_domain{x.test.ex}{+local_domains}{y}{n}}", OK, "y"},
    {"match_domain named no",
     "${if match_domain{x.other}{+local_domains}{y}{n}}", OK, "n"},
    {"match_domain negated",
     "${if match_domain{a.test.ex}{!a.test.ex : *}{y}{n}}", OK, "n"},
    {"match_domain at", "${if match_domain{mx.test.ex}{@}{y}{n}}", OK, "y"},
    {"match_domain regex", "${if match_domain{abc.ex}{^a.c\\\\.ex\\$}{y}{n}}",
     OK, "y"},
    {"match_domain unknown list", "${if match_domain{a}{+nosuch}{y}{n}}", ERR,
     "unknown named domain list \"+nosuch\""},
    {"match_domain lookup",
     "${if match_domain{test.ex}{lsearch;@D@/domains}{y}{n}}", OK, "y"},
    {"match_domain dollar literal", "${if match_domain{a}{\\$x}{y}{n}}", OK,
     "n"},
    {"match_address", "${if match_address{joe@test.ex}{*@test.ex}{y}{n}}", OK,
     "y"},
    {"match_address local", "${if match_address{joe@test.ex}{joe@*.ex}{y}{n}}",
     OK, "y"},
    {"match_address named",
     "${if match_address{postmaster@test.ex}{+admins}{y}{n}}", OK, "y"},
    {"match_address domain only",
     "${if match_address{joe@test.ex}{test.ex}{y}{n}}", OK, "y"},
    {"match_address no", "${if match_address{joe@test.ex}{bob@test.ex}{y}{n}}",
     OK, "n"},
    {"match_local_part", "${if match_local_part{abuse}{+specials}{y}{n}}", OK,
     "y"},
    {"match_local_part caseless", "${if match_local_part{Abuse}{abuse}{y}{n}}",
     OK, "y"},
    {"match_ip net", "${if match_ip{192.0.2.7}{192.0.2.0/24}{y}{n}}", OK, "y"},
    {"match_ip named", "${if match_ip{2001:db8::1}{+relay}{y}{n}}", OK, "y"},
    {"match_ip no", "${if match_ip{198.51.100.1}{+relay}{y}{n}}", OK, "n"},
    {"match_ip star", "${if match_ip{198.51.100.1}{*}{y}{n}}", OK, "y"},
    {"match_ip not ip", "${if match_ip{nope}{*}{y}{n}}", ERR,
     "\"nope\" is not an IP address"},
    {"match_ip iplsearch", "${if match_ip{10.1.2.3}{iplsearch;@D@/nets}{y}{n}}",
     OK, "y"},
    {"inlist", "${if inlist{b}{a:b:c}{$value}{no}}", OK, "b"},
    {"inlist no", "${if inlist{B}{a:b:c}{yes}{no}}", OK, "no"},
    {"inlisti", "${if inlisti{B}{a:b:c}{$value}{no}}", OK, "b"},
    {"inlist separator", "${if inlist{b}{<; a;b}{y}{n}}", OK, "y"},
    {"exists", "${if exists{@D@/domains}{y}{n}}", OK, "y"},
    {"exists no", "${if exists{@D@/nosuch}{y}{n}}", OK, "n"},
    {"isip", "${if isip{192.0.2.1}{y}{n}}", OK, "y"},
    {"isip6", "${if isip6{2001:db8::1}{y}{n}}", OK, "y"},
    {"isip4 of v6", "${if isip4{::1}{y}{n}}", OK, "n"},
    {"isip bad", "${if isip{1.2.3}{y}{n}}", OK, "n"},
    {"bool yes", "${if bool{yes}{y}{n}}", OK, "y"},
    {"bool number", "${if bool{ 12 }{y}{n}}", OK, "y"},
    {"bool zero", "${if bool{0}{y}{n}}", OK, "n"},
    {"bool empty", "${if bool{}{y}{n}}", OK, "n"},
    {"bool bad", "${if bool{maybe}{y}{n}}", ERR,
     "unrecognised boolean value \"maybe\""},
    {"bool_lax", "${if bool_lax{maybe}{y}{n}}", OK, "y"},
    {"bool_lax false", "${if bool_lax{FALSE}{y}{n}}", OK, "n"},
    {"and", "${if and{{eq{a}{a}}{eq{b}{b}}}{y}{n}}", OK, "y"},
    {"and false", "${if and{{eq{a}{a}}{eq{b}{c}}}{y}{n}}", OK, "n"},
    {"and short-circuit", "${if and{{eq{a}{b}}{={x}{1}}}{y}{n}}", OK, "n"},
    {"or", "${if or{{eq{a}{b}}{eq{b}{b}}}{y}{n}}", OK, "y"},
    {"or none", "${if or{}{y}{n}}", OK, "n"},
    {"and bad member", "${if and{eq{a}{a}}{y}{n}}", ERR,
     "each subcondition inside an \"and{...}\" condition must be in its own "
     "{}"},
    {"forall", "${if forall{1:2:3}{<{$item}{4}}{y}{n}}", OK, "y"},
    {"forall no", "${if forall{1:5:3}{<{$item}{4}}{y}{n}}", OK, "n"},
    {"forany", "${if forany{a:b:c}{eq{$item}{b}}{y}{n}}", OK, "y"},
    {"forany empty", "${if forany{}{eq{$item}{b}}{y}{n}}", OK, "n"},
    {"forall empty", "${if forall{}{eq{$item}{b}}{y}{n}}", OK, "n"},
    {"not forall empty", "${if !forall{}{eq{$item}{b}}{y}{n}}", OK, "y"},
    {"crypteq md5",
     "${if crypteq{abc}{\\{md5\\}900150983cd24fb0d6963f7d28e17f72}{y}{n}}", OK,
     "y"},
    {"crypteq sha1 b64",
     "${if crypteq{abc}{\\{sha1\\}qZk+NkcGgWq6PiVxeFDCbJzQ2J0=}{y}{n}}", OK,
     "y"},
    {"first_delivery", "${if first_delivery{y}{n}}", OK, "n"},
};

static const struct xcase item_cases[] = {
    {"lookup lsearch", "${lookup{alice}lsearch{@D@/aliases}}", OK,
     "alice@example.com"},
    {"lookup case", "${lookup{ALICE}lsearch{@D@/aliases}}", OK,
     "alice@example.com"},
    {"lookup yes no", "${lookup{bob}lsearch{@D@/aliases}{<$value>}{none}}", OK,
     "<bob@example.com, robert@example.com>"},
    {"lookup not found", "${lookup{carol}lsearch{@D@/aliases}{$value}{none}}",
     OK, "none"},
    {"lookup not found empty", "<${lookup{carol}lsearch{@D@/aliases}}>", OK,
     "<>"},
    {"lookup fail", "${lookup{carol}lsearch{@D@/aliases}{$value}fail}", FAIL,
     "\"lookup\" failed and \"fail\" requested"},
    {"lookup quoted key", "${lookup{a b}lsearch{@D@/aliases}}", OK, "spaced"},
    {"lookup colon data", "${lookup{colon}lsearch{@D@/aliases}}", OK, "x:y"},
    {"lookup star", "${lookup{zed}lsearch*{@D@/aliases}}", OK, "default"},
    {"lookup star at", "${lookup{x@dom.ex}lsearch*@{@D@/aliases}}", OK,
     "domain default"},
    {"lookup partial", "${lookup{a.b.test.ex}partial-lsearch{@D@/domains}}", OK,
     "wild"},
    {"lookup partial exact", "${lookup{test.ex}partial-lsearch{@D@/domains}}",
     OK, "local"},
    {"lookup ret=full", "${lookup{alice}lsearch,ret=full{@D@/aliases}}", OK,
     "alice: alice@example.com"},
    {"wildlsearch", "${lookup{mail.test.ex}wildlsearch{@D@/wild}}", OK,
     "suffix"},
    {"wildlsearch regex", "${lookup{abc123}wildlsearch{@D@/wild}}", OK,
     "regex"},
    {"nwildlsearch",
     "${lookup{mout.gmx.net}nwildlsearch{@D@/multipleip}{$value}{}}", OK,
     "212.227.15.16"},
    {"iplsearch", "${lookup{10.1.2.3}iplsearch{@D@/nets}}", OK, "ten"},
    {"iplsearch v6", "${lookup{2001:db8::5}iplsearch{@D@/nets}}", OK, "doc"},
    {"dsearch", "${lookup{aliases}dsearch{@D@}}", OK, "aliases"},
    {"dsearch full", "${lookup{aliases}dsearch,ret=full{@D@}}", OK,
     "@D@/aliases"},
    {"dsearch slash", "${lookup{a/b}dsearch{@D@}}", ERR,
     "lookup of \"a/b\" gave DEFER: key for dsearch lookup contains a "
     "slash: a/b"},
    {"lookup missing file", "${lookup{x}lsearch{@D@/nosuch}}", ERR,
     "failed to open @D@/nosuch for linear search: No such file or "
     "directory"},
    {"lookup unknown type", "${lookup{x}frob{@D@/aliases}}", ERR,
     "unknown lookup type \"frob\""},
    {"lookup no key", "${lookup lsearch{@D@/aliases}}", ERR,
     "missing {key} for single-key \"lsearch\" lookup"},
    {"extract key", "${extract{b}{a=1 b=2}}", OK, "2"},
    {"extract quoted", "${extract{c}{a=1 c=\"x y\"}}", OK, "x y"},
    {"extract key case", "${extract{B}{a=1 b = 2}}", OK, "2"},
    {"extract missing key", "<${extract{z}{a=1}}>", OK, "<>"},
    {"extract yes no", "${extract{a}{a=1}{v=$value}{none}}", OK, "v=1"},
    {"extract number", "${extract{2}{:}{a:b:c}}", OK, "b"},
    {"extract negative", "${extract{-1}{:}{a:b:c}}", OK, "c"},
    {"extract zero", "${extract{0}{:}{a:b:c}}", OK, "a:b:c"},
    {"extract too far", "${extract{4}{:}{a:b:c}{y}{n}}", OK, "n"},
    {"extract two seps", "${extract{3}{:;}{a:b;c}}", OK, "c"},
    {"extract empty first", "${extract{ }{a=1}}", ERR,
     "first argument of \"extract\" must not be empty"},
    {"extract fail", "${extract{z}{a=1}{$value}fail}", FAIL,
     "\"extract\" failed and \"fail\" requested"},
    {"reduce sum", "${reduce{1:2:3}{0}{${eval:$value+$item}}}", OK, "6"},
    {"reduce max", "${reduce{3:9:2}{0}{${if >{$item}{$value}{$item}{$value}}}}",
     OK, "9"},
    {"map", "${map{a:b:c}{<$item>}}", OK, "<a>:<b>:<c>"},
    {"map separator", "${map{<, a,b}{x$item}}", OK, "xa,xb"},
    {"map doubles", "${map{a:b}{$item:}}", OK, "a:::b::"},
    {"filter", "${filter{1:2:3:4}{>{$item}{2}}}", OK, "3:4"},
    {"sort numeric", "${sort{3:11:2}{<}{$item}}", OK, "2:3:11"},
    {"sort lex", "${sort{b:a:C}{lti}{$item}}", OK, "a:b:C"},
    {"sort desc", "${sort{1:3:2}{>}{$item}}", OK, "3:2:1"},
    {"sort bad cmp", "${sort{1:3:2}{frob}{$item}}", ERR,
     "unknown condition \"frob\""},
    {"sg", "${sg{abcabc}{b}{X}}", OK, "aXcaXc"},
    {"sg groups", "${sg{1=A 4=D}{\\N(\\d+)=\\N}{K\\$1=}}", OK, "K1=A K4=D"},
    {"sg empty match", "${sg{abc}{x*}{-}}", OK, "-a-b-c-"},
    {"sg bad regex", "${sg{abc}{[}{x}}", ERR,
     "regular expression error in \"[\": missing terminating ] for "
     "character class at offset 1"},
    {"sg args", "${sg{abc}{b}}", ERR,
     "Not enough arguments for 'sg' (min is 3)"},
    {"sg too many", "${sg{a}{b}{c}{d}}", ERR,
     "Too many arguments for 'sg' (max is 3)"},
    {"tr", "${tr{abcabc}{ab}{xy}}", OK, "xycxyc"},
    {"tr short to", "${tr{abc}{abc}{x}}", OK, "xxx"},
    {"substr", "${substr{1}{2}{abcdef}}", OK, "bc"},
    {"substr two args", "${substr{2}{abcdef}}", OK, "cdef"},
    {"substr negative", "${substr{-3}{2}{abcdef}}", OK, "de"},
    {"substr beyond", "<${substr{9}{2}{abc}}>", OK, "<>"},
    {"substr not number", "${substr{x}{abc}}", ERR,
     "\"x\" is not a number (in \"substr\" expansion)"},
    {"length", "${length{3}{abcdef}}", OK, "abc"},
    {"hash", "${hash{3}{abcdefgh}}", OK, "jac"},
    {"nhash", "${nhash{8}{abc}}", OK, "4"},
    {"nhash div", "${nhash{8}{64}{supercalifragilistic}}", OK, "4/47"},
    {"hmac md5", "${hmac{md5}{key}{text}}", OK,
     "d0ca6177c61c975fd2f8c07d8c6528c6"},
    {"hmac sha1",
     "${hmac{sha1}{key}{The quick brown fox jumps over the lazy dog}}", OK,
     "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"},
    {"hmac bad", "${hmac{md4}{k}{t}}", ERR,
     "hmac algorithm \"md4\" is not recognised"},
    {"listextract", "${listextract{2}{a:b:c}}", OK, "b"},
    {"listextract negative", "${listextract{-1}{a:b:c}}", OK, "c"},
    {"listextract none", "${listextract{5}{a:b:c}{y}{n}}", OK, "n"},
    {"readfile", "${readfile{@D@/short}}", OK, "one\ntwo\n"},
    {"readfile eol", "${readfile{@D@/short}{|}}", OK, "one|two|"},
    {"readfile missing", "${readfile{@D@/nosuch}}", ERR,
     "failed to open @D@/nosuch: No such file or directory"},
    {"run off", "${run{/bin/echo hi}}", ERR,
     "running a command is not permitted (set expand_allow_run in the main "
     "configuration)"},
    {"authresults", "${authresults{mx.test.ex}}", OK,
     "Authentication-Results: mx.test.ex"},
    {"env", "${env{MXLAB_TEST_ENV}{$value}{unset}}", OK, "set"},
    {"env unset", "${env{MXLAB_NO_SUCH_ENV}{$value}{unset}}", OK, "unset"},
    {"value restored", "${lookup{alice}lsearch{@D@/aliases}{$value}}<$value>",
     OK, "alice@example.com<>"},
    {"skipped branch not evaluated", "${if eq{a}{b}{$nosuch}{ok}}", ERR,
     "unknown variable name \"nosuch\""},
    {"skipped lookup not run",
     "${if eq{a}{b}{${lookup{x}lsearch{/nonexist}}}{ok}}", OK, "ok"},
    {"skipped op not run", "${if eq{a}{b}{${eval:1/0}}{ok}}", OK, "ok"},
};

static const struct xcase op_cases[] = {
    {"lc", "${lc:ABC}", OK, "abc"},
    {"uc", "${uc:abc}", OK, "ABC"},
    {"length_", "${length_2:abc}", OK, "ab"},
    {"l_", "${l_5:abc}", OK, "abc"},
    {"substr_", "${substr_1_2:abcdef}", OK, "bc"},
    {"s_ negative", "${s_-2:abcdef}", OK, "abcd"},
    {"s_ negative len", "${s_-2_1:abcdef}", OK, "e"},
    {"hash_", "${hash_3:abcdefgh}", OK, "jac"},
    {"h_", "${h_3:abcdefgh}", OK, "jac"},
    {"nhash_", "${nhash_8:abc}", OK, "4"},
    {"nh_", "${nh_8_64:supercalifragilistic}", OK, "4/47"},
    {"strlen", "${strlen:abcd}", OK, "4"},
    {"md5", "${md5:abc}", OK, "900150983cd24fb0d6963f7d28e17f72"},
    {"sha1", "${sha1:abc}", OK, "A9993E364706816ABA3E25717850C26C9CD0D89D"},
    {"sha256", "${sha256:abc}", OK,
     "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"},
    {"sha2_512 prefix", "${length_8:${sha2_512:abc}}", OK, "DDAF35A1"},
    {"sha3", "${length_8:${sha3:abc}}", OK, "3A985DA7"},
    {"sha2 bad", "${sha2_123:abc}", ERR, "unrecognised sha2 variant"},
    {"base64", "${base64:hello}", OK, "aGVsbG8="},
    {"str2b64", "${str2b64:hi}", OK, "aGk="},
    {"base64d", "${base64d:aGVsbG8=}", OK, "hello"},
    {"base62", "${base62:12345}", OK, "0003D7"},
    {"base62d", "${base62d:3D7}", OK, "12345"},
    {"base32", "${base32:32}", OK, "ba"},
    {"base32d", "${base32d:ba}", OK, "32"},
    {"hex2b64", "${hex2b64:0102}", OK, "AQI="},
    {"hexquote", "${hexquote:a\\tb}", OK, "a\\x09b"},
    {"escape", "${escape:a\\nb\\x01}", OK, "a\\nb\\001"},
    {"escape keeps a TAB", "${escape:a\\tb\\x01}", OK, "a\tb\\001"},
    {"escape8bit", "${escape8bit:a\\xe9b}", OK, "a\\351b"},
    {"quote plain", "${quote:abc.d-e_f}", OK, "abc.d-e_f"},
    {"quote space", "${quote:a b}", OK, "\"a b\""},
    {"quote quote", "${quote:a\"b}", OK, "\"a\\\"b\""},
    {"quote empty", "${quote:}", OK, "\"\""},
    {"quote_local_part", "${quote_local_part:a.b+c}", OK, "a.b+c"},
    {"quote_local_part dot", "${quote_local_part:.ab}", OK, "\".ab\""},
    {"rxquote", "${rxquote:a.b*c}", OK, "a\\.b\\*c"},
    {"xtextd", "${xtextd:a+2Bb+3D}", OK, "a+b="},
    {"listcount", "${listcount:a:b:c}", OK, "3"},
    {"listcount sep", "${listcount:<; a;b}", OK, "2"},
    {"listcount empty", "${listcount:}", OK, "0"},
    {"listnamed", "${listnamed:local_domains}", OK, "test.ex : *.test.ex"},
    {"listnamed_d", "${listnamed_d:local_domains}", OK, "test.ex : *.test.ex"},
    {"listnamed wrong kind", "${listnamed_h:local_domains}", ERR,
     "\"local_domains\" is not a host named list"},
    {"address", "${address:Joe Bloggs <joe@example.com>}", OK,
     "joe@example.com"},
    {"address comment", "${address:joe@example.com (Joe)}", OK,
     "joe@example.com"},
    {"domain", "${domain:Joe <joe@Example.com>}", OK, "Example.com"},
    {"local_part", "${local_part:joe@example.com}", OK, "joe"},
    {"addresses", "${addresses:Joe <j@x.y>, \"B, C\" <b@c.d>}", OK,
     "j@x.y:b@c.d"},
    {"addresses sep", "${addresses:>& a@b, c@d}", OK, "a@b&c@d"},
    {"addresses group", "${addresses:friends: a@b, c@d;}", OK, "a@b:c@d"},
    {"eval", "${eval:1+2*3}", OK, "7"},
    {"eval parens", "${eval:(1+2)*3}", OK, "9"},
    {"eval neg", "${eval:-7/2}", OK, "-3"},
    {"eval mod", "${eval:7%3}", OK, "1"},
    {"eval bits", "${eval:(6&3)|8^1}", OK, "11"},
    {"eval shift", "${eval:1<<10}", OK, "1024"},
    {"eval hex", "${eval:0x10}", OK, "16"},
    {"eval octal", "${eval:010}", OK, "8"},
    {"eval10", "${eval10:010}", OK, "10"},
    {"eval suffix", "${eval:2K}", OK, "2048"},
    {"eval div zero", "${eval:1/0}", ERR,
     "error in expression evaluation: divide by zero (after processing "
     "\"1/0\")"},
    {"eval junk", "${eval:1+}", ERR,
     "error in expression evaluation: expecting number or opening "
     "parenthesis (after processing \"1+\")"},
    {"eval operator", "${eval:1 2}", ERR,
     "error in expression evaluation: expecting operator (after processing "
     "\"1 \")"},
    {"time_eval", "${time_eval:1h30m}", OK, "5400"},
    {"time_eval bad", "${time_eval:1x}", ERR,
     "string \"1x\" is not an Exim time interval in \"time_eval\" operator"},
    {"time_interval", "${time_interval:5400}", OK, "1h30m"},
    {"time_interval bad", "${time_interval:x}", ERR,
     "string \"x\" is not a positive number in \"time_interval\" operator"},
    {"expand", "${expand:\\$primary_hostname}", OK, "mx.test.ex"},
    {"mask v4", "${mask:192.168.1.33/24}", OK, "192.168.1.0/24"},
    {"mask v6", "${mask:2001:db8::1/32}", OK,
     "2001.0db8.0000.0000.0000.0000.0000.0000/32"},
    {"mask no mask", "${mask:192.168.1.33}", ERR,
     "missing mask value in \"192.168.1.33\""},
    {"mask not ip", "${mask:foo/24}", ERR, "\"foo/24\" is not an IP address"},
    {"reverse_ip", "${reverse_ip:192.0.2.1}", OK, "1.2.0.192"},
    {"reverse_ip v6", "${length_8:${reverse_ip:2001:db8::1}}", OK, "1.0.0.0."},
    {"ipv6norm", "${ipv6norm:2001:0db8:0:0::1}", OK, "2001:db8::1"},
    {"ipv6denorm", "${ipv6denorm:::1}", OK,
     "0000:0000:0000:0000:0000:0000:0000:0001"},
    {"rfc2047", "${rfc2047:caf\\xe9}", OK, "=?ISO-8859-1?Q?caf=E9?="},
    {"rfc2047 plain", "${rfc2047:plain text}", OK, "plain text"},
    /* translated to Exim's default headers_charset, ISO-8859-1 */
    {"rfc2047d", "${rfc2047d:=?utf-8?B?Y2Fmw6k=?=}", OK, "caf\xe9"},
    {"rfc2047d latin1", "${rfc2047d:=?iso-8859-1?q?caf=E9?=}", OK, "caf\xe9"},
    {"rfc2047d untranslatable kept", "${rfc2047d:=?utf-8?q?=E2=82=AC?=}", OK,
     "\xe2\x82\xac"},
    {"from_utf8", "${from_utf8:caf\\xc3\\xa9}", OK, "caf\xe9"},
    {"utf8clean", "${utf8clean:a\\xffb}", OK, "a?b"},
    {"randint range", "${if <{${randint:10}}{10}{ok}{bad}}", OK, "ok"},
    {"op takes no arg", "${lc_3:ABC}", ERR,
     "unknown expansion operator \"lc_3\" (\"lc\" does not take an _arg)"},
};

/* Behaviour checked against Exim's own test suite (script 0002). */
static const struct xcase exim_cases[] = {
    {"listquote", "${listquote{:}{ab:cd}}", OK, "ab::cd"},
    {"listquote empty", "<${listquote{:}{}}>", OK, "< >"},
    {"listnamed nested", "${listnamed:elist}", OK,
     "*.aa.bb : ^\\Nxxx(.*) : ;;"},
    {"listnamed requoted", "${listnamed:flist}", OK,
     "a : b;c : *.aa.bb : ^\\Nxxx(.*) : ;; : 2001::630::212::8::204::::b664"},
    {"listnamed bad suffix", "${listnamed_z:dlist}", ERR,
     "bad suffix on \"list\" operator"},
    {"named list expanded", "${if match_domain{xxxyz}{+dlist}{yes}{no}}", OK,
     "yes"},
    {"wildcard sets $1", "${if match_domain{zz.aa.bb}{+dlist}{[$1]}}", OK,
     "[zz]"},
    {"regex sets $1", "${if match_domain{xxxabc}{^\\Nxxx(.*)\\N}{[$1]}}", OK,
     "[abc]"},
    {"match_ip empty item", "${if match_ip{}{:4.5.6.7}}", OK, "true"},
    {"match_ip net-lsearch", "${if match_ip{1.2.3.4}{net-lsearch;@D@/matchip}}",
     OK, "true"},
    {"match_ip net24-lsearch",
     "${if match_ip{5.6.7.8}{net24-lsearch;@D@/matchip}}", OK, "true"},
    {"iplsearch not an ip", "${lookup{rhubarb}iplsearch{@D@/nets}}", ERR,
     "lookup of \"rhubarb\" gave DEFER: \"rhubarb\" is not a valid "
     "iplsearch key (an IP address, with optional CIDR mask, is wanted): in "
     "a host list, use net-iplsearch as the search type"},
    {"wildlsearch lookup key", "${lookup{a:b}wildlsearch{@D@/wildlookup}}", OK,
     "lookup succeeded"},
    {"addresses separator space", "${addresses:>' 'abc@xyz, 'pqr@xyz}", OK,
     "''abc@xyz' ''pqr@xyz"},
    {"addresses no separator", "${addresses:>}", ERR,
     "output separator missing in expanding ${addresses:>}"},
    {"addresses bad phrase",
     "<${addresses:local-part@dom.ain <local-part@dom.ain>}>", OK, "<>"},
    {"hexquote space", "${hexquote:a b}", OK, "a\\x20b"},
    {"local_part no domain", "${local_part:a.b.c}", OK, "a.b.c"},
    {"time_eval needs units", "${time_eval:14}", ERR,
     "string \"14\" is not an Exim time interval in \"time_eval\" "
     "operator"},
    {"substr bad name", "${substr_1_:abc}", ERR,
     "non-digit after underscore in \"substr_1_\""},
    {"extract too many in map",
     "${map{a,1}{${extract{1}{,}{$item}{$value}{x}{bogus}}}}", ERR,
     "missing '}' closing extract inside \"map\" item"},
    {"header not terminated", "${if eq {$h_xyz}{1}{y}{n}}", ERR,
     "missing } at end of string - could be header name not terminated by "
     "colon"},
    {"reduce error quoted", "${reduce {<n 1\\n2}{0}{${eval:$value+$item}}}",
     ERR,
     "\"error in expression evaluation: expecting number or opening "
     "parenthesis (after processing \\\"0+\\\")\" inside \"reduce\" item"},
    {"quote_lsearch", "${quote_lsearch:a b}", OK, "a b"},
    {"quote_xxx", "${quote_xxx:a b}", ERR, "unknown lookup type \"xxx\""},
    {"mask_n", "${mask_n:2a00:2:3:4:5:6:7:8/79}", OK, "2a00:2:3:4:4::/79"},
    {"stat", "${extract{smode}{${stat:@D@}}}", OK, "drwx------"},
    {"stat missing", "${stat:@D@/nosuch}", ERR,
     "stat(@D@/nosuch) failed: No such file or directory"},
    {"headerwrap short", "${headerwrap:ab}", OK, "ab"},
    {"headerwrap space", "${headerwrap_20:aaa bbb ccc ddd eee fff ggg}", OK,
     "aaa bbb ccc ddd eee\n\tfff ggg"},
    {"headerwrap hard", "${headerwrap_9:aaaaaaaaaaaa}", OK,
     "aaaaaaaaa\n\ta\n\ta\n\ta"},
    {"headerwrap narrower than the indent", "${headerwrap_2_0:abcdef}", OK,
     "ab\n\t"},
    {"headerwrap newline", "${headerwrap:a\\nb}", OK, "a\n\tb"},
    {"extract json array", "${extract json {2} {[116, 943, 234, 38793]} }", OK,
     "943"},
    {"extract json key", "${extract json {b} {\\{\"a\":1, \"b\": [2,3]\\}}}",
     OK, "[2,3]"},
    {"extract jsons", "${extract jsons{2} {[\"red\", \"green\"]} }", OK,
     "green"},
    {"extract jsons comma",
     "<${extract jsons{name}{ \\{ \"id\":\"1\",\"name\":\"Doe, John\" "
     "\\}}}>",
     OK, "<Doe, John>"},
    {"extract json missing", "<${extract json{x}{\\{\"a\":1\\}}}>", OK, "<>"},
    {"forany_json", "${if forany_json {[1, 2, 3]}{={$item}{2}}{yes}{no}}", OK,
     "yes"},
    {"forall_jsons",
     "${if forall_jsons{[\"A\", \"B\"]}{eqi{$item}{a}}{yes}{no}}", OK, "no"},
    {"ge", "${if ge{b}{b}{y}{n}}", OK, "y"},
    {"gti", "${if gti{B}{a}{y}{n}}", OK, "y"},
    {"lei", "${if lei{A}{a}{y}{n}}", OK, "y"},
    {"queue_running", "${if queue_running{y}{n}}", OK, "n"},
    {"forany_jsons", "${if forany_jsons{[\"A\", \"B\"]}{eq{$item}{B}}{y}{n}}",
     OK, "y"},
    {"forall_json not array", "${if forall_json{1}{eq{$item}{B}}{y}{n}}", ERR,
     "missing ']'"},
    {"base32d bad", "${base32d:A}", ERR,
     "argument for base32d operator is \"A\", which is not a base 32 number"},
    {"ipv6norm bad", "${ipv6norm:x}", ERR, "\"x\" is not an IP address"},
    {"randint bad", "${randint:x}", ERR, "integer expected but \"x\" found"},
    {"from_utf8 wide", "${from_utf8:\\xe2\\x82\\xac}", OK, "_"},
    {"utf8clean valid", "${utf8clean:caf\\xc3\\xa9}", OK, "caf\xc3\xa9"},
    {"sort empty", "<${sort{}{<}{$item}}>", OK, "<>"},
    {"env no name", "${env}", ERR, "missing '{' for name arg of env"},
    {"tr empty to", "${tr{abc}{a}{}}", OK, "abc"},
    {"listextract zero", "${listextract{0}{a:b}{y}{n}}", OK, "n"},
    {"extract most negative", "${extract{-9223372036854775808}{:}{a:b}{y}{n}}",
     OK, "n"},
    {"listextract most negative",
     "${listextract{-9223372036854775808}{a:b}{y}{n}}", OK, "n"},
    {"substr huge length", "${substr{1}{9223372036854775807}{abc}}", OK, "bc"},
    {"nhash overflow", "${nhash{4294967296}{4294967296}{abc}}", ERR,
     "nhash needs positive numbers of moderate size"},
    {"acl without hook", "${acl{x}}", ERR,
     "ACL \"x\" cannot be run: mxlab has no ACL support yet"},
    {"acl no args", "${acl}", ERR, "Not enough arguments for 'acl' (min is 1)"},
};

static void
write_file(const char *name, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void
setup_once(void)
{
    char conf[256];
    gstr err;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/mxlab-test-expand-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        abort();
    write_file("aliases", "# comment\n"
                          "alice: alice@example.com\n"
                          "bob:   bob@example.com,\n"
                          "       robert@example.com\n"
                          "\"a b\": spaced\n"
                          "colon: x:y\n"
                          "*@dom.ex: domain default\n"
                          "*: default\n");
    write_file("domains", "test.ex: local\n*.test.ex: wild\n");
    write_file("wild", "\\N^abc\\d+$\\N  regex\n*.test.ex suffix\n");
    write_file("multipleip", "mout-xforward.gmx.net           82.165.159.12\n"
                             "mout.gmx.net                    212.227.15.16\n");
    write_file("nets", "10.0.0.0/8: ten\n\"2001:db8::/32\": doc\n");
    write_file("short", "one\ntwo\n");
    write_file("matchip", "1.2.3.4:    data for 1.2.3.4\n"
                          "5.6.7.0/24: data for 5.6.7.0/24\n");
    write_file("quoted", "\"a:b\": quoted\n");
    snprintf(conf, sizeof(conf), "%s/conf", tmpdir);
    write_file("conf", "primary_hostname = mx.test.ex\n"
                       "domainlist local_domains = test.ex : *.test.ex\n"
                       "hostlist relay = <; 192.0.2.0/24 ; 2001:db8::/32\n"
                       "addresslist admins = postmaster@test.ex : "
                       "*@admin.ex\n"
                       "localpartlist specials = postmaster : abuse\n"
                       "domainlist dlist = *.aa.bb : ^\\Nxxx(.*)\n"
                       "domainlist elist = +dlist : ;;\n"
                       "domainlist flist = <; a ; b;;c ; +elist ; "
                       "2001:630:212:8:204::b664 ;\n");
    {
        char line[300];
        snprintf(line, sizeof(line), "lsearch;%s/quoted:  lookup succeeded\n",
                 tmpdir);
        write_file("wildlookup", line);
    }
    arena_perm_init();
    gstr_init(&err, arena_perm);
    if (conf_load(conf, NULL, &err) < 0) {
        fprintf(stderr, "conf_load: %s\n", gstr_str(&err));
        abort();
    }
    setenv("MXLAB_TEST_ENV", "set", 1);
}

static const char message[] = "Subject: Hello world\n"
                              "To: a@test.ex\n"
                              "To: b@test.ex\n"
                              "X-Encoded: =?utf-8?Q?caf=C3=A9?= ok\n"
                              "X-Two: one\n"
                              "X-Two: two\n"
                              "X-Colon: a:b\n"
                              "X-Folded: first\n"
                              "\tsecond\n"
                              "\n"
                              "Line one.\n"
                              "Line two.\n";

/* Replaces "@D@" with the temporary directory. */
static char *
subst_dir(struct arena *a, const char *s)
{
    gstr g;

    gstr_init(&g, a);
    for (const char *p = s; *p != '\0';) {
        if (strncmp(p, "@D@", 3) == 0) {
            gstr_adds(&g, tmpdir);
            p += 3;
        } else
            gstr_addc(&g, *p++);
    }
    return (char *)gstr_str(&g);
}

static void
run_case(const struct xcase *c)
{
    struct arena *a = arena_create();
    struct expand_ctx ctx;
    struct expand_message msg;
    char *out = NULL;
    gstr err;
    int rc;

    expand_ctx_init(&ctx, a);
    expand_message_load(a, message, sizeof(message) - 1, &msg);
    ctx.msg = &msg;
    expand_set_var(&ctx, "sender_host_address", "192.0.2.7");
    expand_set_acl_var(&ctx, "acl_m_x", "value");
    gstr_init(&err, a);
    rc = expand_string(&ctx, subst_dir(a, c->in), &out, &err);
    if (c->rc == OK) {
        ck_assert_msg(rc == EXPAND_OK, "%s: %s: failed: %s", c->label, c->in,
                      gstr_str(&err));
        ck_assert_msg(strcmp(out, subst_dir(a, c->want)) == 0,
                      "%s: %s: got \"%s\", want \"%s\"", c->label, c->in, out,
                      c->want);
    } else {
        ck_assert_msg(rc == (c->rc == FAIL ? EXPAND_FAIL : EXPAND_ERROR),
                      "%s: %s: rc %d, want %d (out \"%s\", err \"%s\")",
                      c->label, c->in, rc, c->rc, out ? out : "",
                      gstr_str(&err));
        ck_assert_msg(strcmp(gstr_str(&err), subst_dir(a, c->want)) == 0,
                      "%s: %s: error \"%s\", want \"%s\"", c->label, c->in,
                      gstr_str(&err), c->want);
    }
    arena_destroy(a);
}

START_TEST(test_core)
{
    run_case(&core_cases[_i]);
}
END_TEST

START_TEST(test_cond)
{
    run_case(&cond_cases[_i]);
}
END_TEST

START_TEST(test_item)
{
    run_case(&item_cases[_i]);
}
END_TEST

START_TEST(test_op)
{
    run_case(&op_cases[_i]);
}
END_TEST

START_TEST(test_exim)
{
    run_case(&exim_cases[_i]);
}
END_TEST

static int
fake_acl(struct expand_ctx *ctx, const char *name, char *const *args, int nargs,
         const char **msg, gstr *err)
{
    (void)err;
    *msg = NULL;
    if (strcmp(name, "accept") == 0) {
        *msg = arena_printf(ctx->arena, "(%d) [%s]", nargs,
                            nargs > 0 ? args[0] : "");
        return EXPAND_ACL_ACCEPT;
    }
    if (strcmp(name, "defer") == 0)
        return EXPAND_ACL_DEFER;
    return EXPAND_ACL_DENY;
}

/* ${run}, when the configuration allows it. */
START_TEST(test_run)
{
    static const struct xcase cases[] = {
        {"output", "${run{/bin/echo hello}}", OK, "hello\n"},
        {"yes", "${run{/bin/echo hi}{<$value>}{no}}", OK, "<hi\n>"},
        {"status", "${run{/bin/sh -c \"exit 3\"}{ok}{$runrc}}", OK, "3"},
        {"quoted argument", "${run{/bin/echo \"a  b\"}}", OK, "a  b\n"},
        {"no such command", "${run{/nonexistent/cmd}{ok}{$runrc}}", OK, "127"},
        {"fail", "${run{/bin/false}{ok}fail}", FAIL,
         "\"run\" failed and \"fail\" requested"},
    };

    main_config.expand_allow_run = 1;
    for (size_t i = 0; i < NELEM(cases); i++)
        run_case(&cases[i]);
    main_config.expand_allow_run = 0;
}
END_TEST

/* The ACL hook: what ${acl} and the acl condition do with its answers. */
START_TEST(test_acl_hook)
{
    static const struct xcase cases[] = {
        {"accept", "${acl{accept}{x}{y}}", OK, "(2) [x]"},
        {"deny", "<${acl{deny}}>", OK, "<>"},
        {"defer", "${acl{defer}}", ERR, "DEFER from acl \"defer\""},
        {"condition", "${if acl{{accept}{a}}{yes $value}{no}}", OK,
         "yes (1) [a]"},
        {"condition deny", "${if acl{{deny}}{yes}{no}}", OK, "no"},
        {"skipped", "${if eq{a}{b}{${acl{defer}}}{ok}}", OK, "ok"},
    };

    expand_acl_hook = fake_acl;
    for (size_t i = 0; i < NELEM(cases); i++)
        run_case(&cases[i]);
    expand_acl_hook = NULL;
}
END_TEST

/* A lookup file edited between lookups is read again. */
START_TEST(test_lookup_reread)
{
    struct arena *a = arena_create();
    struct expand_ctx ctx;
    char *out, *in;
    gstr err;

    expand_ctx_init(&ctx, a);
    gstr_init(&err, a);
    write_file("reread", "k: one\n");
    in = subst_dir(a, "${lookup{k}lsearch{@D@/reread}}");
    ck_assert_int_eq(expand_string(&ctx, in, &out, &err), EXPAND_OK);
    ck_assert_str_eq(out, "one");
    write_file("reread", "k: second\n");
    ck_assert_int_eq(expand_string(&ctx, in, &out, &err), EXPAND_OK);
    ck_assert_str_eq(out, "second");
    arena_destroy(a);
}
END_TEST

/* Errors carry the offset of the failure. */
START_TEST(test_error_offset)
{
    struct arena *a = arena_create();
    struct expand_ctx ctx;
    char *out;
    gstr err, text;

    expand_ctx_init(&ctx, a);
    gstr_init(&err, a);
    gstr_init(&text, a);
    ck_assert_int_eq(expand_string(&ctx, "abc $nosuch", &out, &err),
                     EXPAND_ERROR);
    ck_assert_uint_eq(ctx.err_offset, 4);
    expand_error_text(&text, "abc $nosuch", gstr_str(&err), ctx.err_offset);
    ck_assert_str_eq(gstr_str(&text),
                     "failed to expand \"abc $nosuch\" (at offset 4): "
                     "unknown variable name \"nosuch\"");
    arena_destroy(a);
}
END_TEST

START_TEST(test_size_limit)
{
    struct arena *a = arena_create();
    struct expand_ctx ctx;
    char *out;
    gstr err;

    expand_ctx_init(&ctx, a);
    ctx.max_size = 100;
    gstr_init(&err, a);
    ck_assert_int_eq(expand_string(&ctx,
                                   "${map{1:2:3:4:5:6:7:8:9:10:11:12:13:14:"
                                   "15:16:17:18:19:20:21:22:23:24:25:26}"
                                   "{xxxxxxxx}}",
                                   &out, &err),
                     EXPAND_ERROR);
    ck_assert_str_eq(gstr_str(&err),
                     "\"expansion result too large (more than 100 bytes)\" "
                     "inside \"map\" item");
    arena_destroy(a);
}
END_TEST

START_TEST(test_condition_api)
{
    static const struct {
        const char *in;
        int rc, truth;
    } cases[] = {
        {"yes", EXPAND_OK, 1},      {"${if eq{a}{a}}", EXPAND_OK, 1},
        {"", EXPAND_OK, 0},         {"FALSE", EXPAND_OK, 0},
        {"maybe", EXPAND_ERROR, 0},
    };
    struct arena *a = arena_create();
    struct expand_ctx ctx;

    expand_ctx_init(&ctx, a);
    for (size_t i = 0; i < NELEM(cases); i++) {
        gstr err;
        int truth = -1;
        gstr_init(&err, a);
        ck_assert_int_eq(expand_condition(&ctx, cases[i].in, &truth, &err),
                         cases[i].rc);
        if (cases[i].rc == EXPAND_OK)
            ck_assert_int_eq(truth, cases[i].truth);
    }
    arena_destroy(a);
}
END_TEST

START_TEST(test_variables_api)
{
    struct arena *a = arena_create();
    struct expand_ctx ctx;

    expand_ctx_init(&ctx, a);
    ck_assert_int_eq(expand_set_var(&ctx, "local_part", "joe"), 0);
    ck_assert_str_eq(expand_get_var(&ctx, "local_part"), "joe");
    ck_assert_int_eq(expand_set_var(&ctx, "no_such_variable", "x"), -1);
    ck_assert_int_eq(expand_set_acl_var(&ctx, "acl_c_ok", "1"), 0);
    ck_assert_int_eq(expand_set_acl_var(&ctx, "acl_m5", "1"), 0);
    ck_assert_int_eq(expand_set_acl_var(&ctx, "acl_x", "1"), -1);
    ck_assert_int_eq(expand_set_acl_var(&ctx, "acl_m55", "1"), 0);
    ck_assert_int_eq(expand_set_acl_var(&ctx, "acl_mx", "1"), -1);
    arena_destroy(a);
}
END_TEST

/* registry_lookups[] (for -bV) names the driver table. */
START_TEST(test_registry_lookups)
{
    size_t i;

    for (i = 0; lookup_drivers[i] != NULL; i++) {
        ck_assert_ptr_nonnull(registry_lookups[i]);
        ck_assert_str_eq(registry_lookups[i], lookup_drivers[i]->name);
    }
    ck_assert_ptr_null(registry_lookups[i]);
}
END_TEST

/* The example of the spec's ARC section, on a message with two
 * ARC-Authentication-Results headers and $arc_oldest_pass 0 (no ARC
 * verification yet), then 1. */
START_TEST(test_spec_arc_reduce)
{
    static const char arc_msg[] =
        "ARC-Authentication-Results: i=2; mx.example; arc=pass\n"
        "ARC-Authentication-Results: i=1; first.example;\n"
        "\tspf=pass smtp.mailfrom=x@y\n"
        "\n";
    const char *in = "oldest-p-ams: <${reduce {$lh_ARC-Authentication-Results:}"
                     " {} {${if = {$arc_oldest_pass} "
                     "{${extract {i}{${extract {1}{;}{$item}}}}} "
                     "{$item} {$value}}} }>";
    struct arena *a = arena_create();
    struct expand_ctx ctx;
    struct expand_message msg;
    char *out;
    gstr err;

    expand_ctx_init(&ctx, a);
    expand_message_load(a, arc_msg, sizeof(arc_msg) - 1, &msg);
    ctx.msg = &msg;
    gstr_init(&err, a);
    ck_assert_int_eq(expand_string(&ctx, in, &out, &err), EXPAND_OK);
    ck_assert_str_eq(out, "oldest-p-ams: <>");
    expand_set_var(&ctx, "arc_oldest_pass", "1");
    ck_assert_int_eq(expand_string(&ctx, in, &out, &err), EXPAND_OK);
    ck_assert_str_eq(out, "oldest-p-ams: <i=1; first.example;\n"
                          "\tspf=pass smtp.mailfrom=x@y>");
    arena_destroy(a);
}
END_TEST

static Suite *
expand_suite(void)
{
    Suite *s = suite_create("expand");
    TCase *tc = tcase_create("expand");

    tcase_add_unchecked_fixture(tc, setup_once, NULL);
    tcase_add_loop_test(tc, test_core, 0, NELEM(core_cases));
    tcase_add_loop_test(tc, test_cond, 0, NELEM(cond_cases));
    tcase_add_loop_test(tc, test_item, 0, NELEM(item_cases));
    tcase_add_loop_test(tc, test_op, 0, NELEM(op_cases));
    tcase_add_loop_test(tc, test_exim, 0, NELEM(exim_cases));
    tcase_add_test(tc, test_acl_hook);
    tcase_add_test(tc, test_run);
    tcase_add_test(tc, test_lookup_reread);
    tcase_add_test(tc, test_error_offset);
    tcase_add_test(tc, test_size_limit);
    tcase_add_test(tc, test_condition_api);
    tcase_add_test(tc, test_variables_api);
    tcase_add_test(tc, test_registry_lookups);
    tcase_add_test(tc, test_spec_arc_reduce);
    suite_add_tcase(s, tc);
    return s;
}

static void
cleanup(void)
{
    static const char *const files[] = {
        "aliases", "domains", "wild",    "multipleip", "nets",      "short",
        "conf",    "reread",  "matchip", "quoted",     "wildlookup"};
    char path[256];

    if (tmpdir[0] == '\0')
        return;
    for (size_t i = 0; i < NELEM(files); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

int
main(void)
{
    SRunner *sr = srunner_create(expand_suite());
    int failed;

    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    cleanup();
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
