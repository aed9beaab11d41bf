//! Text rules for Chinese prose written in YAML: undoing YAML's line
//! folding, joining wrapped lines, splitting a lead from its final
//! punctuation, and the checks that find ASCII punctuation, stray spaces and
//! gaps in typed enumerations.

/// Whether `c` is a Chinese character or full-width CJK punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
}

/// Whether `c` is a Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Joins the lines of one paragraph: a line break between two ASCII
/// characters becomes a space, any other line break disappears (so authors
/// can wrap Chinese text in their editor). Line edges are trimmed.
pub fn join_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let (Some(a), Some(b)) = (out.chars().last(), line.chars().next())
            && !crate::doc::joins_without_space(a, b)
        {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

/// Undoes YAML's line folding: `value` is what YAML made of `raw`, the
/// scalar as written in the source (a plain, quoted, `>` or `|` scalar,
/// quotes included). Plain, quoted and `>` scalars turn each line break into
/// a space and drop one blank line of every run; here every line break of
/// the source is put back, so that [`paragraphs`] and [`one_paragraph`]
/// treat all scalars like a `|` block. Typed spaces are kept as they are.
///
/// `None` when the value cannot be matched to the source character by
/// character (an escaped space next to a line break, an alias): then a
/// space in the value may be a typed one or a folded line break.
pub fn refold(value: &str, raw: &str) -> Option<String> {
    let single_quoted = raw.starts_with('\'');
    let unescaped;
    let raw = match raw.chars().next() {
        Some('"') if raw.len() >= 2 && raw.ends_with('"') => {
            unescaped = unescape(&raw[1..raw.len() - 1])?;
            unescaped.as_str()
        }
        Some('\'') if raw.len() >= 2 && raw.ends_with('\'') => &raw[1..raw.len() - 1],
        _ => raw,
    };
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n');
    let (mut v, mut r) = (value, raw);
    let mut out = String::with_capacity(value.len() + 16);
    loop {
        let v_ws = v.len() - v.trim_start_matches(is_space).len();
        let r_ws = r.len() - r.trim_start_matches(is_space).len();
        if v_ws > 0 || r_ws > 0 {
            let (v_run, r_run) = (&v[..v_ws], &r[..r_ws]);
            (v, r) = (&v[v_ws..], &r[r_ws..]);
            let (v_breaks, r_breaks) = (v_run.matches('\n').count(), r_run.matches('\n').count());
            if r.is_empty() || (r_breaks == v_breaks && (r_breaks > 0 || v_run == r_run)) {
                // Typed spaces, kept line breaks (`|`, more-indented `>`
                // lines) or the chomped end of a block scalar.
                out.push_str(v_run);
            } else if r_breaks == v_breaks + 1 && (v_breaks > 0 || v_run == " ") {
                out.extend(std::iter::repeat_n('\n', r_breaks));
            } else {
                return None;
            }
            continue;
        }
        let (Some(vc), Some(rc)) = (v.chars().next(), r.chars().next()) else {
            return (v.is_empty() && r.is_empty()).then_some(out);
        };
        if vc != rc {
            return None;
        }
        out.push(vc);
        v = &v[vc.len_utf8()..];
        r = &r[rc.len_utf8()..];
        if single_quoted && vc == '\'' {
            // `''` in a single-quoted scalar is one quote.
            r = r.strip_prefix('\'')?;
        }
    }
}

/// The inside of a double-quoted scalar with its escapes decoded and its
/// escaped line breaks (`\` at a line's end) joined, its real line breaks
/// kept: what [`refold`] aligns the value with. `None` for an unknown escape.
fn unescape(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        let hex = |chars: &mut std::str::Chars, n: usize| {
            let digits: String = chars.by_ref().take(n).collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
        };
        let decoded = match e {
            '\n' => {
                // An escaped line break: the break and the next line's
                // indentation are not part of the value.
                let rest = chars.as_str().trim_start_matches([' ', '\t']);
                chars = rest.chars();
                continue;
            }
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' | '\t' => '\t',
            'n' => '\n',
            'v' => '\u{b}',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            ' ' | '"' | '/' | '\\' => e,
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            'U' => hex(&mut chars, 8)?,
            _ => return None,
        };
        out.push(decoded);
    }
    Some(out)
}

/// A `|` block → paragraphs: a blank line starts a new paragraph.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(join_lines(current.drain(..)));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(join_lines(current));
    }
    out
}

/// Text that must stay one paragraph (a lead, an item, a cell line): all
/// lines joined, blank lines included.
pub fn one_paragraph(text: &str) -> String {
    join_lines(text.lines())
}

/// Characters that end a sentence: a lead ending in one of them gets no
/// added `。`.
fn is_final(c: char) -> bool {
    "。？！；：….?!;:".contains(c)
}

/// Closing punctuation that may follow the sentence end (`。”`, `）`).
fn is_closing(c: char) -> bool {
    "。，、；：？！）】」』》”’….,;:?!)".contains(c)
}

/// Splits a lead into its core and its final punctuation, adding `。` when
/// the lead has none: `牢牢守住底线` → (`牢牢守住底线`, `。`);
/// `推进“健康60”` → (`推进“健康60`, `”。`); `怎么干？` → (`怎么干`, `？`).
pub fn split_lead(lead: &str) -> (String, String) {
    let lead = lead.trim();
    let core_len = lead.trim_end_matches(is_closing).len();
    let (core, end) = lead.split_at(core_len);
    let has_final = end.chars().any(is_final);
    let mut end = end.to_string();
    if !has_final {
        end.push('。');
    }
    (core.to_string(), end)
}

/// What a text check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// ASCII punctuation between two Chinese characters (`2022年,在`).
    AsciiPunctuation(char),
    /// A space between two Chinese characters, or after or before a
    /// full-width mark next to one.
    SpaceBetweenChinese,
}

/// Byte offsets of ASCII punctuation or spaces between Chinese characters.
pub fn findings(text: &str) -> Vec<(usize, Finding)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    for i in 1..chars.len().saturating_sub(1) {
        let (offset, c) = chars[i];
        let (before, after) = (chars[i - 1].1, chars[i + 1].1);
        if !(is_cjk(before) && is_cjk(after)) {
            continue;
        }
        // Two Chinese characters, or one and a full-width mark (`领导下， 区`).
        if c == ' ' && (is_han(before) || is_han(after)) {
            out.push((offset, Finding::SpaceBetweenChinese));
        } else if ",;:?!()".contains(c) {
            out.push((offset, Finding::AsciiPunctuation(c)));
        }
    }
    out
}

/// Whether `c` reads as part of Chinese text for [`full_width_punctuation`]:
/// a Chinese character, full-width punctuation, or the quotes, ellipsis and
/// dashes Chinese text shares with Western text.
fn is_chinese_context(c: char) -> bool {
    is_cjk(c) || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// The full-width form of an ASCII mark `full_width_punctuation` converts.
fn full_width_of(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        _ => return None,
    })
}

/// Marks of URLs (`https://a.cn/x?a=1,b`) in `chars`: from the scheme to the
/// first space or non-ASCII character, without trailing punctuation.
fn url_marks(chars: &[char]) -> Vec<bool> {
    let mut inside = vec![false; chars.len()];
    let mut i = 0;
    while i + 2 < chars.len() {
        if chars[i] == ':' && chars[i + 1] == '/' && chars[i + 2] == '/' {
            let is_scheme = |c: char| c.is_ascii_alphanumeric() || "+-.".contains(c);
            let mut start = i;
            while start > 0 && is_scheme(chars[start - 1]) {
                start -= 1;
            }
            let mut end = i + 3;
            while end < chars.len() && chars[end].is_ascii_graphic() {
                end += 1;
            }
            let next = end;
            while end > i + 3 && ",;:?!.".contains(chars[end - 1]) {
                end -= 1;
            }
            if start < i {
                inside[start..end].fill(true);
            }
            i = next;
        } else {
            i += 1;
        }
    }
    inside
}

/// Turns the ASCII marks `, ; : ? ! ( )` next to Chinese text into their
/// full-width forms `， ； ： ？ ！ （ ）` (the profile's
/// `text.ascii_punctuation: full-width`). A mark is converted when the
/// character just before or after it on its line is Chinese (see
/// `is_chinese_context`); a bracket pair is converted as a whole when
/// either bracket is, so `(一)` becomes `（一）`. Numbers (`3,000`, `1:2`,
/// `12:30`), Latin text (`ICU, CMI`) and URLs stay as they are; a
/// Markdown-escaped mark (`\!`) converts without its backslash. Spaces
/// between a converted mark and Chinese text are dropped (`年, 在` → `年，在`), spaces at a line's edge or before
/// Markdown markup (`### (一)`) kept. Linear in the length of `text`.
pub fn full_width_punctuation(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let in_url = url_marks(&chars);
    // A mark after an odd run of backslashes is Markdown-escaped (`\!`):
    // still text, its backslash going with it when it is converted.
    let mut escaped = vec![false; chars.len()];
    let mut backslashes = 0;
    for (i, &c) in chars.iter().enumerate() {
        escaped[i] = backslashes % 2 == 1;
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
    }
    let chinese_at = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|&c| is_chinese_context(c))
    };
    // Where the text before the mark at `i` starts (before its escape).
    let start = |i: usize| if escaped[i] { i - 1 } else { i };
    let candidate = |i: usize| full_width_of(chars[i]).is_some() && !in_url[i];
    let mut convert: Vec<bool> = (0..chars.len())
        .map(|i| candidate(i) && (chinese_at(start(i).checked_sub(1)) || chinese_at(Some(i + 1))))
        .collect();
    // Brackets pair up within a line: a pair is converted when either is.
    let mut open: Vec<usize> = Vec::new();
    for i in 0..chars.len() {
        match chars[i] {
            '\n' => open.clear(),
            '(' if candidate(i) => open.push(i),
            ')' if candidate(i) => {
                if let Some(o) = open.pop()
                    && (convert[o] || convert[i])
                {
                    convert[o] = true;
                    convert[i] = true;
                }
            }
            _ => {}
        }
    }
    let out_char = |i: usize| {
        if convert[i] {
            full_width_of(chars[i]).unwrap_or(chars[i])
        } else {
            chars[i]
        }
    };
    // Spaces next to a converted mark go when Chinese lies beyond them, and
    // so does the backslash that escaped it.
    let mut drop = vec![false; chars.len()];
    for i in (0..chars.len()).filter(|&i| convert[i]) {
        let mut j = i + 1;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j > i + 1 && j < chars.len() && is_chinese_context(out_char(j)) {
            drop[i + 1..j].fill(true);
        }
        let from = start(i);
        drop[from..i].fill(true);
        let mut k = from;
        while k > 0 && chars[k - 1] == ' ' {
            k -= 1;
        }
        if k < from && k > 0 && is_chinese_context(out_char(k - 1)) {
            drop[k..from].fill(true);
        }
    }
    (0..chars.len())
        .filter(|&i| !drop[i])
        .map(out_char)
        .collect()
}

/// Typed enumerations in prose (`一是…二是…四是`): the byte offset and
/// numbers of each gap, as (offset, expected, found). The first enumeration
/// word of a text starts the count wherever it is (`二是` may continue the
/// previous paragraph or item), so only a jump *after* it is a gap.
pub fn enumeration_gaps(text: &str) -> Vec<(usize, u64, u64)> {
    let mut out = Vec::new();
    // The number the next enumeration word should have; 0 before the first.
    let mut expected = 0;
    let mut prev: Option<char> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let at_start = prev.is_none_or(|p| "。；;：:".contains(p));
        if at_start {
            let digits: String = chars[i..]
                .iter()
                .map(|&(_, c)| c)
                .take_while(|c| "一二三四五六七八九十".contains(*c))
                .collect();
            let n = digits.chars().count();
            if n > 0
                && n <= 3
                && chars.get(i + n).is_some_and(|&(_, c)| c == '是')
                && let Some(value) = parse_chinese_numeral(&digits)
            {
                if value == 1 || expected == 0 {
                    expected = value + 1;
                } else if value != expected {
                    out.push((chars[i].0, expected, value));
                    expected = value + 1;
                } else {
                    expected += 1;
                }
            }
        }
        prev = Some(chars[i].1);
        i += 1;
    }
    out
}

fn parse_chinese_numeral(s: &str) -> Option<u64> {
    let digit = |c: char| "一二三四五六七八九".find(c).map(|i| i as u64 / 3 + 1);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', d] => digit(*d).map(|d| 10 + d),
        [d, '十'] => digit(*d).map(|d| d * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        [d] => digit(*d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_joining_rule() {
        assert_eq!(
            paragraphs("中文\n续写\n\nLatin\ntext\n"),
            vec!["中文续写", "Latin text"]
        );
        assert_eq!(one_paragraph("甲\n\n乙 CMI\n值"), "甲乙 CMI值");
        assert_eq!(paragraphs("  缩进行\n  接续  \n"), vec!["缩进行接续"]);
    }

    #[test]
    fn folded_line_breaks_are_put_back() {
        // Plain: the fold's space becomes the source's line break again.
        let raw = "在市委的坚强领导下，\n    区卫生健康 工作";
        let back = refold("在市委的坚强领导下， 区卫生健康 工作", raw).unwrap();
        assert_eq!(back, "在市委的坚强领导下，\n区卫生健康 工作");
        assert_eq!(one_paragraph(&back), "在市委的坚强领导下，区卫生健康 工作");
        // `>`: a blank line is a paragraph break, as in a `|` block.
        let raw = "甲乙\n    丙丁\n\n    ICU\n    床位\n  ";
        let back = refold("甲乙 丙丁\nICU 床位\n", raw).unwrap();
        assert_eq!(paragraphs(&back), vec!["甲乙丙丁", "ICU床位"]);
        // `|`: nothing changes.
        let raw = "甲 乙\n    丙\n      缩进\n";
        assert_eq!(
            refold("甲 乙\n丙\n  缩进\n", raw).unwrap(),
            "甲 乙\n丙\n  缩进\n"
        );
        // Quoted, with a typed space kept and `''` read as one quote.
        assert_eq!(refold("甲 乙 丙", "\"甲\n  乙 丙\"").unwrap(), "甲\n乙 丙");
        assert_eq!(refold("它's 乙", "'它''s\n  乙'").unwrap(), "它's\n乙");
        // ASCII words keep their space when joined.
        assert_eq!(
            one_paragraph(&refold("ICU bed", "ICU\n  bed").unwrap()),
            "ICU bed"
        );
    }

    #[test]
    fn double_quoted_escapes_are_read() {
        // `\t` and `\u4e59` decoded, the real line break put back.
        let back = refold(
            "坚持\t人民至上， 生命乙",
            "\"坚持\\t人民至上，\n    生命\\u4e59\"",
        )
        .unwrap();
        assert_eq!(back, "坚持\t人民至上，\n生命乙");
        // An escaped line break joins without a space: nothing to put back.
        assert_eq!(refold("甲乙", "\"甲\\\n    乙\"").unwrap(), "甲乙");
        assert_eq!(refold("甲\n乙", "\"甲\\n乙\"").unwrap(), "甲\n乙");
    }

    #[test]
    fn unmatched_sources_are_reported_as_unknown() {
        assert_eq!(refold("甲 乙", "\"甲\\\n  乙\""), None);
        assert_eq!(refold("锚", "*x"), None);
        assert_eq!(refold("甲\t 乙", "\"甲\\t\n  乙\""), None);
        assert_eq!(refold("甲", "\"\\q\""), None);
        assert_eq!(refold("", ""), Some(String::new()));
        assert_eq!(refold("a", "ab"), None);
    }

    #[test]
    fn leads_get_a_full_stop_only_when_needed() {
        assert_eq!(
            split_lead("牢牢守住底线"),
            ("牢牢守住底线".into(), "。".into())
        );
        assert_eq!(
            split_lead("牢牢守住底线。"),
            ("牢牢守住底线".into(), "。".into())
        );
        assert_eq!(
            split_lead("推进“健康60”"),
            ("推进“健康60".into(), "”。".into())
        );
        assert_eq!(split_lead("怎么干？"), ("怎么干".into(), "？".into()));
        assert_eq!(split_lead("“保健康”。”"), ("“保健康".into(), "”。”".into()));
    }

    #[test]
    fn findings_locate_ascii_punctuation_and_spaces() {
        let f = findings("2022年,在市委 领导下(一)");
        assert_eq!(f[0], ("2022年".len(), Finding::AsciiPunctuation(',')));
        assert_eq!(f[1], ("2022年,在市委".len(), Finding::SpaceBetweenChinese));
        assert!(findings("新建 ICU 床位, CMI").is_empty());
        assert_eq!(
            findings("领导下， 区卫生"),
            vec![("领导下，".len(), Finding::SpaceBetweenChinese)]
        );
        assert!(findings("） （").is_empty());
    }

    #[test]
    fn gaps_in_typed_enumerations() {
        assert!(enumeration_gaps("一是甲。二是乙。三是丙。").is_empty());
        let gaps = enumeration_gaps("一是甲。二是乙。四是丁。");
        assert_eq!(gaps, vec![("一是甲。二是乙。".len(), 3, 4)]);
        assert!(enumeration_gaps("十一是甲").is_empty());
        assert!(enumeration_gaps("这是一是").is_empty());
        // A text of its own starting at 二是 (a typed item) is no gap.
        assert!(enumeration_gaps("二是乙。").is_empty());
        assert!(enumeration_gaps("二是乙。三是丙。").is_empty());
        assert_eq!(
            enumeration_gaps("二是乙。五是戊。"),
            vec![("二是乙。".len(), 3, 5)]
        );
    }

    #[test]
    fn full_width_punctuation_next_to_chinese() {
        let f = full_width_punctuation;
        assert_eq!(
            f("2022年,在市委领导下;成效明显:"),
            "2022年，在市委领导下；成效明显："
        );
        assert_eq!(f("怎么干?干得好!"), "怎么干？干得好！");
        // Brackets pair: `(一)` at a line's start, `(ICU)` inside Chinese.
        assert_eq!(f("(一)落实"), "（一）落实");
        assert_eq!(f("建设(ICU)病房"), "建设（ICU）病房");
        assert_eq!(f("方案(2022-2025年)"), "方案（2022-2025年）");
        // Numbers, Latin text and URLs stay.
        assert_eq!(
            f("共3,000人,比例1:2,12:30开会"),
            "共3,000人，比例1:2,12:30开会"
        );
        assert_eq!(f("ICU, CMI (case mix)"), "ICU, CMI (case mix)");
        assert_eq!(
            f("见https://a.cn/x?a=1,b:c(d),详见"),
            "见https://a.cn/x?a=1,b:c(d)，详见"
        );
        // Spaces between a converted mark and Chinese text go; Markdown
        // markup, line edges and escaped marks stay.
        assert_eq!(f("年, 在 (一期)"), "年，在（一期）");
        assert_eq!(
            f("### (一)标题\n| (二)甲 |"),
            "### （一）标题\n| （二）甲 |"
        );
        assert_eq!(f("甲,  \n乙"), "甲，  \n乙");
        // Markdown-escaped marks (`\!`, `1\)`) lose their backslash when
        // converted; after an escaped backslash (`\\`) the mark is next to it.
        assert_eq!(f("显\\!"), "显！");
        assert_eq!(f("第1\\)项"), "第1）项");
        assert_eq!(f("a\\!b"), "a\\!b");
        assert_eq!(f("甲\\\\!"), "甲\\\\!");
        // Quotes and full-width marks count as Chinese text.
        assert_eq!(f("“丽水”,持续"), "“丽水”，持续");
        assert_eq!(f("【总额】,全市"), "【总额】，全市");
        // Brackets pair within a line only; a lone bracket by its neighbours.
        assert_eq!(f("(a\n中)"), "(a\n中）");
        assert_eq!(f("甲(a"), "甲（a");
        assert_eq!(f(""), "");
        assert_eq!(f("plain, text: (yes)!"), "plain, text: (yes)!");
    }

    #[test]
    fn full_width_punctuation_is_linear_and_total() {
        let long = "甲,(".repeat(100_000) + "甲";
        let out = full_width_punctuation(&long);
        assert_eq!(out.chars().count(), 300_001);
        assert!(!out.contains([',', '(']));
        let latin = "a(".repeat(150_000) + &")b".repeat(150_000);
        assert_eq!(full_width_punctuation(&latin), latin);
    }
}
