//! Damage in a source and its repair. Text that was GBK but decoded as
//! Latin-1 (mojibake runs such as `ËêÒÔÉÏ`) is re-encoded and decoded as GBK,
//! with a note; spaces between Chinese characters, ASCII punctuation between
//! them and stray characters are listed for the author, never changed.

use super::{Line, Note};
use crate::diag::Severity;
use crate::text::is_han;

/// Characters that Latin-1 decoding makes of GBK's high bytes.
fn is_latin1_high(c: char) -> bool {
    ('\u{80}'..='\u{FF}').contains(&c)
}

/// Re-reads a Latin-1 run as the GBK bytes it was: the text when every
/// byte pair decodes to Chinese text.
fn regbk(run: &str) -> Option<String> {
    let bytes: Vec<u8> = run.chars().map(|c| c as u32 as u8).collect();
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(&bytes);
    let cjk = text.chars().filter(|c| crate::text::is_cjk(*c)).count();
    (!had_errors && cjk * 2 >= text.chars().count() && cjk > 0).then(|| text.into_owned())
}

/// Repairs mojibake runs in each line; every repair is a note at its place.
pub fn repair(lines: Vec<Line>) -> (Vec<Line>, Vec<Note>) {
    let mut notes = Vec::new();
    let lines = lines
        .into_iter()
        .map(|line| {
            if !line.text.chars().any(is_latin1_high) {
                return line;
            }
            let (text, found) = repair_line(&line.text);
            for (col, run, fixed) in found {
                notes.push(Note::new(
                    Severity::Warning,
                    line.no,
                    col,
                    format!("`{}` is GBK text misread as Latin-1; repaired as `{}`", short(&run), short(&fixed)),
                    "check the repaired text against the original; a lost byte can spoil the character next to it",
                ));
            }
            Line { text, no: line.no }
        })
        .collect();
    (lines, notes)
}

fn short(s: &str) -> String {
    if s.chars().count() <= 12 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(12).collect::<String>())
    }
}

/// One line's repairs: the new text and (column, run, repaired) per run.
/// ASCII bytes inside GBK text stay as they are, so a run ends at them.
pub fn repair_line(text: &str) -> (String, Vec<(usize, String, String)>) {
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut run = String::new();
    let mut run_col = 0;
    let flush = |run: &mut String,
                 col: usize,
                 out: &mut String,
                 found: &mut Vec<(usize, String, String)>| {
        if run.chars().count() >= 4 {
            // A lone byte left over from a lost one: keep it as it was.
            let (body, tail) = if run.chars().count() % 2 == 1 {
                let cut = run.char_indices().last().map_or(0, |(i, _)| i);
                (run[..cut].to_string(), run[cut..].to_string())
            } else {
                (run.clone(), String::new())
            };
            if let Some(fixed) = regbk(&body) {
                found.push((col, run.clone(), fixed.clone()));
                out.push_str(&fixed);
                out.push_str(&tail);
                run.clear();
                return;
            }
        }
        out.push_str(run);
        run.clear();
    };
    for (i, c) in text.chars().enumerate() {
        if is_latin1_high(c) {
            if run.is_empty() {
                run_col = i + 1;
            }
            run.push(c);
        } else {
            flush(&mut run, run_col, &mut out, &mut found);
            out.push(c);
        }
    }
    flush(&mut run, run_col, &mut out, &mut found);
    (out, found)
}

/// ASCII punctuation that Chinese text writes full-width.
const ASCII_PUNCT: &str = ",;:?!()";

/// Damage listed for the author: one note per kind and line.
pub fn findings(lines: &[Line]) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut ascii_lines = 0usize;
    let mut first_ascii: Option<(usize, usize, char)> = None;
    for line in lines {
        let chars: Vec<char> = line.text.chars().collect();
        let mut spaced = None;
        let mut stray = None;
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let next = chars.get(i + 1).copied();
            if (c == ' ' || c == '\u{3000}')
                && prev.is_some_and(is_han)
                && next.is_some_and(is_han)
                && spaced.is_none()
            {
                spaced = Some(i + 1);
            }
            if ASCII_PUNCT.contains(c)
                && (prev.is_some_and(is_han) || next.is_some_and(is_han))
                && first_ascii.is_none()
            {
                first_ascii = Some((line.no, i + 1, c));
            }
            if stray.is_none() && is_stray(c) {
                stray = Some((i + 1, c));
            }
        }
        if chars.iter().enumerate().any(|(i, c)| {
            ASCII_PUNCT.contains(*c)
                && (i
                    .checked_sub(1)
                    .and_then(|j| chars.get(j))
                    .is_some_and(|p| is_han(*p))
                    || chars.get(i + 1).is_some_and(|n| is_han(*n)))
        }) {
            ascii_lines += 1;
        }
        if let Some(col) = spaced {
            notes.push(Note::new(
                Severity::Note,
                line.no,
                col,
                "a space between two Chinese characters (OCR or column-wrap damage?); kept as it is",
                "delete the space in the draft if it is not meant to be there",
            ));
        }
        if let Some((col, c)) = stray {
            notes.push(Note::new(
                Severity::Warning,
                line.no,
                col,
                format!(
                    "stray character U+{:04X} `{}`; kept as it is",
                    c as u32,
                    c.escape_default()
                ),
                "delete it in the draft, or put back the character it stands for",
            ));
        }
    }
    if let Some((line, col, c)) = first_ascii {
        notes.push(Note::new(
            Severity::Note,
            line,
            col,
            format!("ASCII punctuation `{c}` next to Chinese text (on {ascii_lines} lines in all); kept as published"),
            "use full-width ，；：（） in the new report",
        ));
    }
    notes
}

/// A character that has no business in a report: replacement characters,
/// controls, private-use code points, lone Latin-1 symbols.
fn is_stray(c: char) -> bool {
    matches!(c, '\u{FFFD}' | '\u{E000}'..='\u{F8FF}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}')
        || (c.is_control() && c != '\t')
        || is_latin1_high(c) && !"°±×÷·¹²³µ§©®".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latin1_of_gbk(s: &str) -> String {
        let (bytes, _, _) = encoding_rs::GBK.encode(s);
        bytes.iter().map(|&b| b as char).collect()
    }

    #[test]
    fn mojibake_run_is_repaired() {
        let damaged = format!("全年完成{}，增长3%。", latin1_of_gbk("万以上的投资"));
        let (fixed, found) = repair_line(&damaged);
        assert_eq!(fixed, "全年完成万以上的投资，增长3%。");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 5);
    }

    #[test]
    fn latin_text_is_left_alone() {
        let (fixed, found) = repair_line("Café déjà vu");
        assert_eq!(fixed, "Café déjà vu");
        assert!(found.is_empty());
    }

    #[test]
    fn damage_is_listed_at_its_line() {
        let lines = vec![
            Line {
                text: "全市 卫生健康".into(),
                no: 1,
            },
            Line {
                text: "推进,落实\u{FFFD}".into(),
                no: 2,
            },
        ];
        let notes = findings(&lines);
        let at: Vec<(usize, usize)> = notes.iter().map(|n| (n.line, n.col)).collect();
        assert_eq!(at, [(1, 3), (2, 6), (2, 3)], "{notes:#?}");
    }
}
