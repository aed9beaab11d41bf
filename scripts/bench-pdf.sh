#!/usr/bin/env bash
# Size and time of zongjie's PDF next to typst on the same text and fonts.
# Needs: apt-get install fonts-noto-cjk poppler-utils; pip install typst
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench pdf
tmp=$(mktemp -d)
# typst's anchor takes plain text: the title line, then one paragraph per line.
python3 - "$tmp/report-001.txt" <<'PY'
import re, sys
md = open("tests/fixtures/pdf/report-001.md", encoding="utf-8").read().split("\n---\n", 1)[1]
out = []
for l in md.splitlines():
    l = l.strip()
    if not l or l.startswith("<!--"): continue
    l = re.sub(r"^#+ ", "", l).replace("*", "")
    l = re.sub(r"\\(.)", r"\1", l)
    out.append(l)
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
python3 ../shared/bench/typst_gbt9704.py "$tmp/report-001.txt" "$tmp/typst-report-001.pdf" \
  || python3 /work/shared/bench/typst_gbt9704.py "$tmp/report-001.txt" "$tmp/typst-report-001.pdf"
for f in target/bench-pdf/report-001.pdf "$tmp/typst-report-001.pdf"; do
  echo "$f: $(pdfinfo "$f" 2>/dev/null | awk '/^Pages/ {print $2}') pages"
done
rm -rf "$tmp"
