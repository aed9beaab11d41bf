//! Arbitrary text as a title: `pdf::title::break_title` must return lines
//! in order, each non-empty, that hold every character but the spaces at a
//! break (they vanish there, as in the body), in bounded time (no
//! exhaustive search, no deep recursion). The first byte sets the
//! measure (1–64 full-width characters), the second the fewest characters
//! of the last line; the rest is the title (UTF-8, lossy). Widths: ASCII
//! and Latin ½, zero-width characters 0, everything else 1.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn width(c: char) -> f64 {
    if matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}') || c.is_control() {
        0.0
    } else if zongjie::pdf::linebreak::is_half_width(c) {
        0.5
    } else {
        1.0
    }
}

fuzz_target!(|data: &[u8]| {
    let (max, min_last, text) = match data {
        [a, b, rest @ ..] => (f64::from(a % 64 + 1), usize::from(b % 8), rest),
        _ => return,
    };
    let chars: Vec<char> = String::from_utf8_lossy(text).chars().collect();
    let widths: Vec<f64> = chars.iter().map(|&c| width(c)).collect();
    let lines = zongjie::pdf::title::break_title(&chars, &widths, 1.0, max, min_last);
    check_lines(&chars, &lines);
});

/// The invariant (`tests/fuzz_regressions.rs` checks the same).
fn check_lines(chars: &[char], lines: &[std::ops::Range<usize>]) {
    let mut at = 0;
    for r in lines {
        assert!(r.start >= at && r.end <= chars.len(), "lines out of order: {lines:?}");
        assert!(
            chars[at..r.start].iter().all(|c| c.is_whitespace()),
            "a character between lines is lost: {lines:?}"
        );
        assert!(r.end > r.start || chars.is_empty(), "empty line: {lines:?}");
        at = r.end;
    }
    assert!(
        chars[at..].iter().all(|c| c.is_whitespace()),
        "the title's end is lost: {lines:?}"
    );
}
