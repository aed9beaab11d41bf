#!/usr/bin/env python3
"""Builds the bundled fonts in fonts/ reproducibly from Debian packages.

Inputs (Debian bookworm): fonts-noto-cjk (Noto Serif/Sans CJK SC, OFL-1.1) and
fonts-lxgw-wenkai (LXGW WenKai, OFL-1.1). Tools: fonttools from PyPI.

    apt-get install -y fonts-noto-cjk fonts-lxgw-wenkai && pip install fonttools
    python3 scripts/make-fonts.py

Every face is subset to all of GB 2312 (its character list is generated here
with Python's 'gb2312' codec) plus the punctuation, Latin letters, digits and
symbols the genre uses; hinting and layout tables other than the ones the
writer needs are dropped. The output is deterministic (fixed timestamps).
"""
import codecs
import os
import shutil
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fonts")
NOTO = "/usr/share/fonts/opentype/noto"
LXGW = "/usr/share/fonts/truetype/lxgw-wenkai"

# (output file, source file, collection index)
FACES = [
    ("NotoSerifSC-Regular-GB2312.otf", f"{NOTO}/NotoSerifCJK-Regular.ttc", 2),
    ("NotoSerifSC-Bold-GB2312.otf", f"{NOTO}/NotoSerifCJK-Bold.ttc", 2),
    ("NotoSansSC-Regular-GB2312.otf", f"{NOTO}/NotoSansCJK-Regular.ttc", 2),
    ("LXGWWenKai-Regular-GB2312.ttf", f"{LXGW}/LXGWWenKai-Regular.ttf", 0),
]
LICENCES = [
    ("/usr/share/doc/fonts-noto-cjk/copyright", "LICENSE-NotoCJK.txt"),
    ("/usr/share/doc/fonts-lxgw-wenkai/copyright", "LICENSE-LXGWWenKai.txt"),
]


def gb2312_chars():
    """Every character of GB 2312 (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(codecs.decode(bytes([hi, lo]), "gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def extra_chars():
    """ASCII, Latin-1, general punctuation, CJK symbols and full-width forms
    plus circled/parenthesised numbers and the marks reports use."""
    ranges = [
        (0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203B),
        (0x2100, 0x2122), (0x2160, 0x216B), (0x2190, 0x2193), (0x2212, 0x2212),
        (0x2460, 0x249B), (0x25A0, 0x25CF), (0x2605, 0x2606), (0x3000, 0x301F),
        (0x3220, 0x3229), (0xFF01, 0xFF5E), (0xFFE0, 0xFFE5),
    ]
    return {chr(c) for a, b in ranges for c in range(a, b + 1)}


def main():
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1672531200")  # 2023-01-01, fixed
    chars = sorted(gb2312_chars() | extra_chars())
    print(f"{len(chars)} characters", file=sys.stderr)
    os.makedirs(OUT, exist_ok=True)
    for name, src, index in FACES:
        opts = subset.Options()
        opts.font_number = index
        opts.hinting = False
        opts.desubroutinize = False
        opts.layout_features = ["vert", "vrt2"]  # the writer shapes itself
        opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
        opts.name_languages = ["*"]
        opts.notdef_outline = True
        opts.recalc_timestamp = False
        opts.drop_tables += ["DSIG", "VORG", "vhea", "vmtx", "BASE", "GSUB", "GPOS"]
        font = subset.load_font(src, opts)
        sub = subset.Subsetter(options=opts)
        sub.populate(unicodes=[ord(c) for c in chars])
        sub.subset(font)
        font["head"].modified = font["head"].created
        path = os.path.join(OUT, name)
        subset.save_font(font, path, opts)
        print(f"{name}: {os.path.getsize(path) / 1e6:.2f} MB", file=sys.stderr)
    for src, dst in LICENCES:
        shutil.copyfile(src, os.path.join(OUT, dst))


if __name__ == "__main__":
    main()
