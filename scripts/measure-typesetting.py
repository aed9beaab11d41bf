#!/usr/bin/env python3
"""Measure the typesetting of zongjie PDFs glyph by glyph (pdfplumber).

    pip install pdfplumber
    zongjie build data --format pdf --ignore-system-fonts --out /tmp/out
    python3 scripts/measure-typesetting.py /tmp/out/*.pdf

Per file and in total it prints:
- table: cell lines (glyphs of the table size between the table's rules,
  grouped by column and baseline) with a gap over 0.2 em between
  neighbouring glyphs;
- body: full-width marks in mid line (a glyph on each side) set in less
  than three quarters of a cell (squeezed); lines (body size, outside
  tables) with a gap over 12 % of the cell between two neighbouring CJK
  characters;
- dashes: `——` split across lines or with a gap between its halves.
"""

import sys
from collections import defaultdict

import pdfplumber

TABLE_SIZE = 12.0
BODY_SIZE = 16.0
CHARS_PER_LINE = 28
MARKS = set("，。、；：？！（）【】「」『』《》〈〉〔〕“”‘’")


def is_cjk(c):
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def lines_of(chars):
    """Glyphs grouped by baseline, each line sorted left to right."""
    rows = defaultdict(list)
    for c in chars:
        if c["text"].isspace():
            continue
        rows[round(c["top"], 1)].append(c)
    return [sorted(v, key=lambda c: c["x0"]) for _, v in sorted(rows.items())]


def measure(path, totals, verbose):
    pdf = pdfplumber.open(path)
    t_lines = t_gappy = 0
    marks = squeezed = 0
    b_lines = b_gappy = 0
    dash_split = dash_gap = 0
    prev_last = None
    for page in pdf.pages:
        verticals = sorted({round(l["x0"], 1) for l in page.lines if l["x0"] == l["x1"]})
        table_chars = [c for c in page.chars if abs(c["size"] - TABLE_SIZE) < 0.01]
        body_chars = [c for c in page.chars if abs(c["size"] - BODY_SIZE) < 0.01]
        # Table cell lines: by column between vertical rules, then baseline.
        cols = defaultdict(list)
        for c in table_chars:
            col = sum(1 for v in verticals if v <= c["x0"])
            cols[col].append(c)
        for col, cs in cols.items():
            for line in lines_of(cs):
                t_lines += 1
                gaps = [b["x0"] - a["x1"] for a, b in zip(line, line[1:])]
                worst = max(gaps, default=0.0) / TABLE_SIZE
                if worst > 0.2:
                    t_gappy += 1
                    if verbose:
                        print(f"  table p{page.page_number}: {worst:.2f} em "
                              + "".join(c["text"] for c in line))
        # Body lines.
        for line in lines_of(body_chars):
            if len(line) < 2:
                continue
            b_lines += 1
            text = "".join(c["text"] for c in line)
            # The cell of the grid: a CJK glyph's advance on this line.
            adv = [c["x1"] - c["x0"] for c in line if is_cjk(c["text"])]
            cw = max(adv) if adv else BODY_SIZE
            for i in range(1, len(line) - 1):
                if line[i]["text"] in MARKS:
                    marks += 1
                    room = line[i + 1]["x0"] - line[i - 1]["x1"]
                    if room < 0.75 * cw:
                        squeezed += 1
                        if verbose:
                            print(f"  squeezed p{page.page_number}: {text}")
            worst = 0.0
            for a, b in zip(line, line[1:]):
                if is_cjk(a["text"]) and is_cjk(b["text"]):
                    worst = max(worst, (b["x0"] - a["x1"]) / cw)
                if a["text"] == "—" and b["text"] == "—" and b["x0"] - a["x1"] > 0.02 * cw:
                    dash_gap += 1
            if worst > 0.12:
                b_gappy += 1
                if verbose:
                    print(f"  loose p{page.page_number}: {worst:.2f} cell {text}")
            if prev_last == "—" and line[0]["text"] == "—":
                dash_split += 1
            prev_last = line[-1]["text"]
    row = (t_lines, t_gappy, marks, squeezed, b_lines, b_gappy, dash_split, dash_gap)
    for k, v in enumerate(row):
        totals[k] += v
    report(path, row)


def pct(a, b):
    return f"{100.0 * a / b:.2f} %" if b else "n/a"


def report(name, r):
    t_lines, t_gappy, marks, squeezed, b_lines, b_gappy, dash_split, dash_gap = r
    print(
        f"{name}: table {t_gappy}/{t_lines} cell lines gap>0.2em ({pct(t_gappy, t_lines)}); "
        f"body {squeezed}/{marks} mid-line marks squeezed ({pct(squeezed, marks)}), "
        f"{b_gappy}/{b_lines} lines CJK gap>12% ({pct(b_gappy, b_lines)}); "
        f"—— split {dash_split}, gapped {dash_gap}"
    )


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv[1:]
    totals = [0] * 8
    for p in args:
        measure(p, totals, verbose)
    if len(args) > 1:
        report("total", totals)


if __name__ == "__main__":
    main()
