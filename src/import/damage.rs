//! Damage in a source and its repair. Text that was GBK but decoded as
//! Latin-1 (mojibake runs such as `ËêÒÔÉÏ`) is re-encoded and decoded as GBK,
//! with a note; spaces between Chinese characters, ASCII punctuation between
//! them and stray characters are listed for the author, never changed.

use super::{Line, Note};
use crate::diag::Severity;
use crate::i18n;
use crate::text::is_han;
use crate::tr;

/// Characters that Latin-1 decoding makes of GBK's high bytes.
fn is_latin1_high(c: char) -> bool {
    ('\u{80}'..='\u{FF}').contains(&c)
}

/// Windows-1252's letters for the bytes 0x80–0x9F (a "Latin-1" decoder is
/// often really 1252), less the quotes and dashes Chinese text uses itself.
const CP1252: [(char, u8); 19] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

/// The byte a mojibake character stands for.
fn byte_of(c: char) -> Option<u8> {
    if is_latin1_high(c) {
        return Some(c as u32 as u8);
    }
    CP1252.iter().find(|(k, _)| *k == c).map(|(_, b)| *b)
}

/// How likely a byte pair is a GBK character: the common 汉字 and
/// punctuation rows count for, anything not GBK counts against.
fn pair_score(lead: u8, trail: u8) -> i64 {
    match (lead, trail) {
        (0xB0..=0xD7, 0xA1..=0xFE) | (0xA1..=0xA3, 0xA1..=0xFE) => 2,
        (0x81..=0xFE, 0x40..=0xFE) if trail != 0x7F => 0,
        _ => -3,
    }
}

/// Decoded GBK when it reads as Chinese text.
fn gbk_text(bytes: &[u8]) -> Option<String> {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    let cjk = text.chars().filter(|c| crate::text::is_cjk(*c)).count();
    (!had_errors && cjk * 2 >= text.chars().count() && cjk > 0).then(|| text.into_owned())
}

/// Re-reads a mojibake run as the GBK bytes it was, when it decodes to
/// Chinese. A run of odd length lost a byte: the place that leaves the most
/// likely text is taken, and the broken character is put back as U+FFFD.
fn regbk(run: &str) -> Option<String> {
    let bytes: Vec<u8> = run.chars().map(byte_of).collect::<Option<_>>()?;
    if bytes.len().is_multiple_of(2) {
        return gbk_text(&bytes);
    }
    // The orphan byte of the broken character is at 2i: the pairs before
    // it are aligned at even offsets, the pairs after it at odd ones. One
    // pass sums both alignments, so every place is weighed in O(n).
    let h = bytes.len() / 2;
    let even: Vec<i64> = (0..h)
        .map(|j| pair_score(bytes[2 * j], bytes[2 * j + 1]))
        .collect();
    let odd: Vec<i64> = (0..h)
        .map(|j| pair_score(bytes[2 * j + 1], bytes[2 * j + 2]))
        .collect();
    let mut after: i64 = odd.iter().sum();
    let mut before = 0i64;
    let mut best = (i64::MIN, 0usize);
    for i in 0..=h {
        if before + after > best.0 {
            best = (before + after, i);
        }
        if i < h {
            before += even[i];
            after -= odd[i];
        }
    }
    let at = 2 * best.1;
    let before = if at == 0 {
        String::new()
    } else {
        gbk_text(&bytes[..at])?
    };
    let after = if at + 1 < bytes.len() {
        gbk_text(&bytes[at + 1..])?
    } else {
        String::new()
    };
    Some(format!("{before}\u{FFFD}{after}"))
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
                let lost = fixed.contains('\u{FFFD}');
                let (run, fixed) = (short(&run), short(&fixed));
                let lost_byte = match lost {
                    true => i18n::pick(
                        " (one byte was lost: its character is marked \u{FFFD})",
                        "（丢失了一个字节，那个字已标记为 \u{FFFD}）",
                    ),
                    false => "",
                };
                let message = tr!(
                    "`{run}` is GBK text misread as Latin-1; repaired as `{fixed}`{lost_byte}",
                    "`{run}` 是被误读为 Latin-1 的 GBK 文字，已修复为 `{fixed}`{lost_byte}"
                );
                let hint = if lost {
                    i18n::pick(
                        "type the character marked \u{FFFD} from the original",
                        "请对照原文，补上标记为 \u{FFFD} 的字",
                    )
                } else {
                    i18n::pick(
                        "check the repaired text against the original",
                        "请对照原文核对修复后的文字",
                    )
                };
                notes.push(Note::new(Severity::Warning, line.no, col, message, hint));
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
        match regbk(run).filter(|_| run.chars().count() >= 4) {
            Some(fixed) => {
                found.push((col, run.clone(), fixed.clone()));
                out.push_str(&fixed);
            }
            None => out.push_str(run),
        }
        run.clear();
    };
    for (i, c) in text.chars().enumerate() {
        if is_latin1_high(c) || (!run.is_empty() && byte_of(c).is_some()) {
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
                i18n::pick(
                    "a space between two Chinese characters (OCR or column-wrap damage?); kept as it is",
                    "两个汉字之间有空格（可能是文字识别或分栏换行造成的），已原样保留",
                ),
                i18n::pick(
                    "delete the space in the draft if it is not meant to be there",
                    "如果这里本不该有空格，请在草稿中删去",
                ),
            ));
        }
        if let Some((col, c)) = stray {
            notes.push(Note::new(
                Severity::Warning,
                line.no,
                col,
                {
                    let (code, shown) = (c as u32, c.escape_default());
                    tr!(
                        "stray character U+{code:04X} `{shown}`; kept as it is",
                        "多余的字符 U+{code:04X} `{shown}`，已原样保留"
                    )
                },
                i18n::pick(
                    "delete it in the draft, or put back the character it stands for",
                    "请在草稿中删去它，或换回它原本代表的字",
                ),
            ));
        }
    }
    if let Some((line, col, c)) = first_ascii {
        notes.push(Note::new(
            Severity::Note,
            line,
            col,
            tr!(
                "ASCII punctuation `{c}` next to Chinese text (on {ascii_lines} lines in all); kept as published",
                "中文旁边用了半角标点 `{c}`（共 {ascii_lines} 行），已按原文保留"
            ),
            i18n::pick(
                "use full-width ，；：（） in the new report",
                "新报告中请使用全角标点 ，；：（）",
            ),
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
    fn a_lost_byte_is_marked_where_it_was() {
        let moji = latin1_of_gbk("卫生健康委员会");
        // The second byte of 健 is lost: 卫生 stay whole, 健 is broken.
        let mut chars: Vec<char> = moji.chars().collect();
        chars.remove(5);
        let damaged: String = chars.into_iter().collect();
        let (fixed, found) = repair_line(&damaged);
        assert_eq!(fixed, "卫生\u{FFFD}康委员会", "{found:?}");
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
