#!/usr/bin/python3
# harness/selftest/png-ink.py FILE - how much of a screenshot is drawn.
#
# Decodes FILE (an 8-bit RGB or RGBA PNG, as Chromium's --screenshot
# writes) with zlib alone and prints three numbers: the pixels that are
# not the page background (white), the pixels of the diagram's arrow
# blue (#1f5fbf, within a tolerance) and those of its arrow green
# (#1f883d). Exits 2 if the file is not such a PNG.
import struct
import sys
import zlib


def main(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("png-ink: %s: not a PNG" % path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                print("png-ink: %s: unsupported PNG" % path, file=sys.stderr)
                sys.exit(2)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    ink = blue = green = 0
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        for x in range(0, stride, bpp):
            r, g, bl = line[x], line[x + 1], line[x + 2]
            if (r, g, bl) != (255, 255, 255):
                ink += 1
            if abs(r - 0x1f) < 40 and abs(g - 0x5f) < 40 and abs(bl - 0xbf) < 40:
                blue += 1
            if abs(r - 0x1f) < 40 and abs(g - 0x88) < 40 and abs(bl - 0x3d) < 40:
                green += 1
        prev = line
    print(ink, blue, green)


main(sys.argv[1])
