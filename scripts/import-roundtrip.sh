#!/bin/sh
# The importer's round-trip figures: paragraphs matched / total for every
# input the import tests use (the examples in data/ rendered to text, the
# two seeds, and their transforms: other encodings, lines wrapped mid-word,
# web-page chrome, mojibake, a .docx written by LibreOffice, theme headings
# without labels, --metrics). Each test prints `round trip NAME: m/n`.
#
#   scripts/import-roundtrip.sh            # all of them
set -eu
cd "$(dirname "$0")/.."
cargo test --locked \
    --test import_roundtrip --test import_docx --test import_damage \
    --test import_outline --test import_metrics -- --nocapture --test-threads=1 2>&1 |
    grep -oE '(round trip .*|first unmatched: .*|skipped: .*)'
