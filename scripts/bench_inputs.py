#!/usr/bin/env python3
"""Inputs for scripts/bench-pdf.sh, written to OUT_DIR:

- half-5000.yaml: a half-year report (半年总结和计划) of about 5,000 characters,
  its paragraphs taken in order from the 丽水 report's text;
- NAME.typ for each NAME.md given: the same text for typst, in the same
  GB/T 9704 grid (A4, 22 lines of 28 characters, 3号 body, 2-em indents,
  centred 2号 title, page numbers) and the same faces as zongjie's default
  profile (FandolFang body, FandolKai leads, Noto Sans CJK SC Medium part
  headings, Noto Serif CJK SC Bold title, Noto Serif CJK SC page numbers),
  found with `--font-path fonts`.

usage: bench_inputs.py OUT_DIR REPORT.md [MORE.md ...]"""
import os, re, sys

out_dir, mds = sys.argv[1], sys.argv[2:]


def body_lines(md):
    """Title, then (kind, text) per block of zongjie's Markdown output."""
    md = md.split("\n---\n", 1)[1] if md.startswith("---") else md
    title, blocks = None, []
    for line in md.splitlines():
        line = line.strip()
        if not line or line.startswith("<!--") or line.startswith("|"):
            continue
        line = re.sub(r"\\(.)", r"\1", line)
        if line.startswith("# ") and title is None:
            title = line[2:]
        elif line.startswith("## "):
            blocks.append(("part", line[3:]))
        elif line.startswith("#"):
            blocks.append(("para", re.sub(r"^#+ ", "", line)))
        else:
            blocks.append(("para", line))
    return title or "", blocks


def esc(s):
    return re.sub(r'([\\#*_`$<>@\[\]~"])', r"\\\1", s)


def typst_runs(text):
    """`*lead*` runs (zongjie's 楷 leads) in FandolKai, the rest as is."""
    out = []
    for i, piece in enumerate(re.split(r"\*", text)):
        if not piece:
            continue
        out.append(f'#text(font: "FandolKai")[{esc(piece)}]' if i % 2 else esc(piece))
    return "".join(out)


def typst_source(title, blocks):
    head = """#set page(paper: "a4", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm),
  footer-descent: 7mm,
  footer: locate(loc => { let n = counter(page).at(loc).first()
    align(if calc.odd(n) { right } else { left }, pad(x: 14pt, text(font: "Noto Serif CJK SC", size: 14pt)[— #n —])) }))
#set text(font: ("FandolFang R", "FandolFang"), size: 16pt, lang: "zh", region: "cn", top-edge: 1em, bottom-edge: 0em)
#set par(justify: true, first-line-indent: 2em, leading: 28.95pt - 16pt)
#show par: set block(spacing: 28.95pt - 16pt)
"""
    lines = [head, f'#align(center, text(font: "Noto Serif CJK SC", size: 22pt, weight: "bold")[{esc(title)}])\n#v(28.95pt)\n']
    for kind, text in blocks:
        if kind == "part":
            lines.append(f'#text(font: "Noto Sans CJK SC", weight: "medium")[{esc(text)}]\n')
        else:
            lines.append(typst_runs(text) + "\n")
    return "\n".join(lines)


def half_year(blocks, limit=5000):
    """A 半年总结和计划 of about `limit` characters from the paragraphs."""
    paras = [re.sub(r"\*", "", t) for k, t in blocks if k == "para"]
    y = ["doc:", "  genre: 半年总结和计划", "  issuer: 某区卫生健康局", "  year: 2023",
         "  half: 1", "  written: 2023-07-05", "intro: |", "  上半年，全区卫生健康工作稳中有进。现将有关情况报告如下。", "parts:"]
    count, part = 0, 0
    for i, p in enumerate(paras):
        if count >= limit:
            break
        if i % 6 == 0:
            part += 1
            y += [f"  - title: 第{part}方面工作", "    sections:"]
        p = re.sub(r"^[（(][一二三四五六七八九十]+[)）]", "", p)
        lead, _, rest = p.partition("。")
        if not rest:
            lead, rest = "推进重点工作", p
        y += [f"      - lead: {lead[:40]!r}".replace("'", '"'), "        text: |", "          " + rest]
        count += len(p)
    return "\n".join(y) + "\n"


for md_path in mds:
    name = os.path.splitext(os.path.basename(md_path))[0]
    title, blocks = body_lines(open(md_path, encoding="utf-8").read())
    with open(os.path.join(out_dir, name + ".typ"), "w", encoding="utf-8") as f:
        f.write(typst_source(title, blocks))
    if name == "lishui-2022":
        with open(os.path.join(out_dir, "half-5000.yaml"), "w", encoding="utf-8") as f:
            f.write(half_year(blocks))
