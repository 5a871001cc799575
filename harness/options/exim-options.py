#!/usr/bin/python3
"""exim-options.py: the option names of an Exim source tree, as C.

Usage: exim-options.py EXIM_SRC_DIR > src/conf/eximopts_data.c

EXIM_SRC_DIR is the src/ directory of an unpacked Exim source (for
example build/exim/exim-4.98.2/src, which ci/build-exim.sh leaves).
It reads the option tables (main, the generic router, transport and
authenticator options, each driver's own) and the log selector table,
and writes the names only, sorted by scope and name, as one C array.
mxlab uses them to tell an Exim option it does not implement from a
misspelt one, and harness/options/audit to write docs/configuration.md's
table. Names are facts about Exim's interface; no code is taken.
"""
import os
import re
import sys

ROUTERS = ["accept", "dnslookup", "ipliteral", "iplookup", "manualroute",
           "queryprogram", "redirect"]
TRANSPORTS = ["appendfile", "autoreply", "lmtp", "pipe", "queuefile", "smtp"]
AUTHS = ["cram_md5", "cyrus_sasl", "dovecot", "external", "gsasl_exim",
         "heimdal_gssapi", "plaintext", "spa", "tls"]


def read(top, rel):
    with open(os.path.join(top, rel), encoding="latin-1") as f:
        return f.read()


def table(text, start):
    """The quoted names of the first brace-enclosed table after start."""
    m = re.search(start, text)
    if m is None:
        return None
    end = text.index("};", m.end())
    return re.findall(r'\{\s*(?:US\s*)?"([^"]+)"', text[m.end():end])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: exim-options.py EXIM_SRC_DIR")
    top = sys.argv[1]
    out = []
    plan = [("main", "readconf.c", r"optionlist_config\[\]\s*=\s*\{"),
            ("router", "route.c", r"optionlist_routers\[\]\s*=\s*\{"),
            ("transport", "transport.c", r"optionlist_transports\[\]\s*=\s*\{"),
            ("authenticator", "globals.c", r"optionlist_auths\[\]\s*=\s*\{")]
    plan += [(d, "routers/%s.c" % d, r"_options\[\]\s*=\s*\{") for d in ROUTERS]
    plan += [(d, "transports/%s.c" % d, r"_options\[\]\s*=\s*\{")
             for d in TRANSPORTS]
    plan += [(d.replace("_exim", ""), "auths/%s.c" % d,
              r"_options\[\]\s*=\s*\{") for d in AUTHS]
    for scope, rel, start in plan:
        names = table(read(top, rel), start)
        names = [n for n in names or [] if not n.startswith("*")]
        # a driver without options of its own (accept, ipliteral) still
        # gets a line, so that its name is known
        out += [(scope, n) for n in names] or [(scope, "")]
    g = read(top, "globals.c")
    i = g.index("bit_table log_options[]")
    body = g[i:g.index("};", i)]
    sels = re.findall(r"BIT_TABLE\(L,\s*(\w+)\)", body)
    sels += re.findall(r'\{\s*US"(\w+)"', body)
    out += [("log_selector", n) for n in sels if n != "all"]
    out = sorted(set(out))
    print("/* eximopts_data.c: written by harness/options/exim-options.py from")
    print(" * Exim's source; do not edit. The option names of Exim, by scope")
    print(' * ("main", "router", a driver name, "log_selector"); a scope with')
    print(' * the name "" is a driver that has no options of its own. */')
    print('#include "conf/eximopts.h"')
    print()
    print("const struct exim_option exim_options[] = {")
    for scope, name in out:
        print('    {"%s", "%s"},' % (scope, name))
    print("};")
    print("const size_t exim_noptions = sizeof(exim_options) / "
          "sizeof(exim_options[0]);")


main()
