#!/usr/bin/env python3
"""Builds the bundled fonts in fonts/ reproducibly from Debian packages.

Inputs (Debian bookworm): texlive-lang-chinese (FandolFang, FandolKai:
GPL-3 with the font exception), fonts-noto-cjk (Noto Serif/Sans CJK SC,
OFL-1.1), fonts-noto-cjk-extra (Noto Sans CJK SC Medium) and unicode-data
(Unihan, whose kTGH field lists the 8,105 characters of the 通用规范汉字表,
2013). Tools: fonttools from PyPI. The packages need not be installed:

    apt-get download texlive-lang-chinese fonts-noto-cjk fonts-noto-cjk-extra unicode-data
    for d in *.deb; do dpkg -x "$d" root; done
    pip install fonttools
    FONT_ROOT=$PWD/root python3 scripts/make-fonts.py

Every face is subset to what it has of the 通用规范汉字表 ∪ GB 2312 plus
the punctuation, Latin letters, digits, units and symbols reports use;
hinting and layout tables other than the vertical forms are dropped. The
character list is written to fonts/tgscc-8105.txt (one character a line,
in table order) so the tests can check coverage. Deterministic output
(fixed timestamps).
"""
import bz2
import codecs
import gzip
import os
import sys

from fontTools import subset

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fonts")
SRC = os.environ.get("FONT_ROOT", "/")
NOTO = f"{SRC}/usr/share/fonts/opentype/noto"
FANDOL = f"{SRC}/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
UNIHAN = f"{SRC}/usr/share/unicode/Unihan_OtherMappings.txt.bz2"
GPL = f"{SRC}/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz"

# (output file, source file, collection index; 2 = the SC face of a .ttc)
FACES = [
    ("FandolFang-Regular.otf", f"{FANDOL}/FandolFang-Regular.otf", 0),
    ("FandolKai-Regular.otf", f"{FANDOL}/FandolKai-Regular.otf", 0),
    ("NotoSerifSC-Regular.otf", f"{NOTO}/NotoSerifCJK-Regular.ttc", 2),
    ("NotoSerifSC-Bold.otf", f"{NOTO}/NotoSerifCJK-Bold.ttc", 2),
    ("NotoSansSC-Medium.otf", f"{NOTO}/NotoSansCJK-Medium.ttc", 2),
]

# The exception the Fandol fonts are published under ("GPL + GPL font
# exception", Fandol README), in the FSF's wording.
FONT_EXCEPTION = """\
As a special exception, if you create a document which uses this font, and
embed this font or unaltered portions of this font into the document, this
font does not by itself cause the resulting document to be covered by the
GNU General Public License. This exception does not however invalidate any
other reasons why the document might be covered by the GNU General Public
License. If you modify this font, you may extend this exception to your
version of the font, but you are not obligated to do so. If you do not wish
to do so, delete this exception statement from your version.
"""


def tgscc_chars():
    """The 通用规范汉字表 (2013) in table order, from Unihan's kTGH field."""
    rows = []
    with bz2.open(UNIHAN, "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[1] == "kTGH":
                for v in parts[2].split():
                    rows.append((int(v.split(":")[1]), chr(int(parts[0][2:], 16))))
    rows.sort()
    assert len(rows) == 8105, len(rows)
    return [c for _, c in rows]


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
    """ASCII, Latin-1, general punctuation, letterlike symbols (℃ №), Roman
    numerals, arrows, circled/parenthesised numbers, CJK symbols, units
    (㎡ ㎞ ㎏), full-width forms and the marks reports use."""
    ranges = [
        (0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203B),
        (0x2100, 0x2122), (0x2160, 0x216B), (0x2190, 0x2193), (0x2212, 0x2212),
        (0x2460, 0x249B), (0x25A0, 0x25CF), (0x2605, 0x2606), (0x3000, 0x301F),
        (0x3220, 0x3229), (0x3280, 0x3289), (0x3380, 0x33DF), (0xFF01, 0xFF5E),
        (0xFFE0, 0xFFE5), (0x2236, 0x2236), (0x2264, 0x2265), (0x221E, 0x221E),
    ]
    return {chr(c) for a, b in ranges for c in range(a, b + 1)}


def main():
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1672531200")  # 2023-01-01, fixed
    table = tgscc_chars()
    with open(os.path.join(OUT, "tgscc-8105.txt"), "w", encoding="utf-8") as f:
        f.write("".join(c + "\n" for c in table))
    chars = sorted(set(table) | gb2312_chars() | extra_chars())
    print(f"{len(chars)} characters", file=sys.stderr)
    for name, src, index in FACES:
        opts = subset.Options()
        opts.font_number = index
        opts.hinting = False
        opts.desubroutinize = False
        opts.layout_features = ["vert", "vrt2"]  # the writer shapes itself
        opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14, 16, 17]
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
        have = set(chr(u) for u in font.getBestCmap())
        lacks = sum(1 for c in table if c not in have)
        print(f"{name}: {os.path.getsize(path) / 1e6:.2f} MB, lacks {lacks} of 8105",
              file=sys.stderr)
    with open(os.path.join(OUT, "LICENSE-Fandol.txt"), "w", encoding="utf-8") as out:
        out.write(
            "FandolFang-Regular.otf and FandolKai-Regular.otf are subsets of the\n"
            "Fandol fonts v0.3 (Copyright (c) 2012-2013, the Fandol team: Clerk Ma,\n"
            "Jie Su; https://ctan.org/pkg/fandol, Debian texlive-lang-chinese), made\n"
            "by scripts/make-fonts.py. Their licence is the GNU GPL version 3 with\n"
            "the GPL font exception (Fandol README: \"GPL + GPL font exception\"):\n\n"
        )
        out.write(FONT_EXCEPTION)
        out.write("\n" + "-" * 72 + "\n\n")
        with gzip.open(GPL, "rt", encoding="utf-8") as g:
            out.write(g.read())
    noto = f"{SRC}/usr/share/doc/fonts-noto-cjk/copyright"
    with open(noto, encoding="utf-8") as src, open(
        os.path.join(OUT, "LICENSE-NotoCJK.txt"), "w", encoding="utf-8"
    ) as dst:
        dst.write(src.read())
    with open(os.path.join(OUT, "SOURCE-tgscc-8105.txt"), "w", encoding="utf-8") as out:
        out.write(
            "tgscc-8105.txt: the 8,105 characters of the 通用规范汉字表 (Table of\n"
            "General Standard Chinese Characters, State Council of the PRC, 2013),\n"
            "one a line in table order, taken from the kTGH field of the Unicode\n"
            "Han Database (Unihan_OtherMappings.txt, Unicode 15.0.0, Debian\n"
            "unicode-data 15.0.0-1) by scripts/make-fonts.py.\n"
            "Unihan is (c) 2022 Unicode, Inc., distributed under the Unicode\n"
            "License v3 (https://www.unicode.org/license.txt). The list of\n"
            "characters itself is a government standard, a fact without\n"
            "copyright.\n"
        )


if __name__ == "__main__":
    main()
