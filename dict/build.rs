//! Build script: turns jieba's word list (`dict/jieba-words.txt.gz`, one
//! `word frequency` a line) into an fst map, word → frequency, written to
//! `$OUT_DIR/jieba-words.fst` and embedded by `pdf::title`, together with
//! the sum of all frequencies (`$OUT_DIR/jieba-total.rs`). The title
//! segmenter then looks up only the words that occur in a title, in
//! microseconds, instead of loading the whole dictionary at run time.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;

fn main() {
    let source = "dict/jieba-words.txt.gz";
    println!("cargo::rerun-if-changed={source}");
    println!("cargo::rerun-if-changed=dict/build.rs");
    let file = std::fs::File::open(source).expect("dict/jieba-words.txt.gz is part of the source");
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut words: Vec<(String, u64)> = Vec::new();
    let mut total: u64 = 0;
    for line in reader.lines() {
        let line = line.expect("the word list is UTF-8");
        let mut fields = line.split_ascii_whitespace();
        let Some(word) = fields.next() else { continue };
        let freq: u64 = fields
            .next()
            .map_or(0, |f| f.parse().expect("a frequency is a whole number"));
        total += freq;
        words.push((word.to_owned(), freq));
    }
    // jieba keeps the last frequency of a word listed twice (and counts
    // both in the total): a stable sort then keeping the last does the same.
    words.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut unique: Vec<(String, u64)> = Vec::with_capacity(words.len());
    for (w, f) in words {
        match unique.last_mut() {
            Some(last) if last.0 == w => last.1 = f,
            _ => unique.push((w, f)),
        }
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut builder = fst::MapBuilder::memory();
    for (w, f) in &unique {
        builder.insert(w, *f).expect("sorted, unique words");
    }
    let bytes = builder.into_inner().expect("the fst is built in memory");
    std::fs::write(out.join("jieba-words.fst"), bytes).expect("OUT_DIR is writable");
    std::fs::write(
        out.join("jieba-total.rs"),
        format!("/// The sum of every word's frequency in jieba's dictionary.\npub const JIEBA_TOTAL: u64 = {total};\n"),
    )
    .expect("OUT_DIR is writable");
}
