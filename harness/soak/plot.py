#!/usr/bin/env python3
"""Draw a make soak run's samples as an SVG (docs/reliability.md).

    python3 harness/soak/plot.py build/soak/samples OUT.svg [TITLE]

The samples file has a line per second: "second fds rss_kb children".
Three panels share the time axis: the daemon's RSS, its open
descriptors, and its children. Each panel's scale starts at zero, so a
flat line is flat in proportion, not magnified noise.
"""

import sys
from xml.sax.saxutils import escape

WIDTH, PANEL_H, LEFT, RIGHT, TOP, GAP = 760, 130, 70, 20, 40, 45


def read_samples(path):
    rows = []
    with open(path, encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4 and all(p.isdigit() for p in parts):
                rows.append(tuple(int(p) for p in parts))
    if not rows:
        sys.exit(f"plot.py: no samples in {path}")
    return rows


def nice_top(v):
    """The smallest 1, 2 or 5 times a power of ten that is >= v."""
    if v <= 0:
        return 1
    scale = 1
    while scale * 10 <= v:
        scale *= 10
    for m in (1, 2, 5, 10):
        if m * scale >= v:
            return m * scale
    return 10 * scale


def panel(out, rows, col, label, y0, t_max, colour):
    vals = [r[col] for r in rows]
    top = nice_top(max(vals) * 1.1)
    plot_w = WIDTH - LEFT - RIGHT

    def x(t):
        return LEFT + plot_w * t / t_max

    def y(v):
        return y0 + PANEL_H - PANEL_H * v / top

    out.append(f'<rect x="{LEFT}" y="{y0}" width="{plot_w}" '
               f'height="{PANEL_H}" fill="none" stroke="#999"/>')
    for frac in (0, 0.5, 1):
        v = top * frac
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" '
                   f'text-anchor="end">{v:g}</text>')
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(v):.1f}" '
                   f'y2="{y(v):.1f}" stroke="#ddd"/>')
    points = " ".join(f"{x(r[0]):.1f},{y(r[col]):.1f}" for r in rows)
    out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.2" '
               f'points="{points}"/>')
    out.append(f'<text x="{LEFT}" y="{y0 - 6}" font-weight="bold">'
               f'{escape(label)} (min {min(vals)}, max {max(vals)}, '
               f'first {vals[0]}, last {vals[-1]})</text>')


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: plot.py SAMPLES OUT.svg [TITLE]")
    rows = read_samples(sys.argv[1])
    title = sys.argv[3] if len(sys.argv) > 3 else "make soak"
    t_max = max(rows[-1][0], 1)
    height = TOP + 3 * (PANEL_H + GAP) + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
           f'height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">'
           f'{escape(title)}</text>']
    panels = ((2, "daemon RSS, KiB", "#1f77b4"),
              (1, "daemon open descriptors", "#d62728"),
              (3, "daemon children", "#2ca02c"))
    for i, (col, label, colour) in enumerate(panels):
        panel(out, rows, col, label, TOP + 20 + i * (PANEL_H + GAP), t_max,
              colour)
    axis_y = TOP + 20 + 2 * (PANEL_H + GAP) + PANEL_H + 16
    plot_w = WIDTH - LEFT - RIGHT
    for frac in (0, 0.25, 0.5, 0.75, 1):
        out.append(f'<text x="{LEFT + plot_w * frac:.1f}" y="{axis_y}" '
                   f'text-anchor="middle">{t_max * frac:.0f} s</text>')
    out.append("</svg>")
    with open(sys.argv[2], "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
