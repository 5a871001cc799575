#!/usr/bin/python3
# arc-fields.py MESSAGE: prints the ARC header fields of MESSAGE (a
# fake-smtp stored message or a plain one) as they are laid out, with
# each b= value replaced by "<sig>" and x= by "<x>": for scenarios whose signatures
# change from run to run (t= and x= follow the clock). When an
# ARC-Message-Signature has both t= and x=, a line "x-t=N" follows it.
import re
import sys


def fields(path):
    data = open(path, "rb").read().decode("utf-8", "replace")
    data = data.replace("\r\n", "\n")
    lines = data.split("\n")
    while lines and not re.match(r"[!-9;-~]+:", lines[0]):
        lines.pop(0)
    out, cur = [], None
    for line in lines:
        if line == "":
            break
        if line[0] in " \t" and cur is not None:
            cur += "\n" + line
            continue
        if cur is not None:
            out.append(cur)
        cur = line
    if cur is not None:
        out.append(cur)
    return out


def main():
    for f in fields(sys.argv[1]):
        if not f.lower().startswith("arc-"):
            continue
        f = re.sub(r"(\bb=)[A-Za-z0-9+/=\s]+;", r"\1<sig>;", f)
        print(re.sub(r"\bx=\d+", "x=<x>", f))
        if f.lower().startswith("arc-message-signature:"):
            t = re.search(r"\bt=(\d+)", f)
            x = re.search(r"\bx=(\d+)", f)
            if t and x:
                print("x-t=%d" % (int(x.group(1)) - int(t.group(1))))


main()
