//! Title line breaking: a title too long for one line is broken between
//! whole words (jieba-rs segmentation, filtered by the 避头尾 rules) into a
//! balanced trapezoid or diamond, never with one or two characters alone on
//! the last line.
//!
//! jieba's dictionary (349,045 words) is prepared at build time into an fst
//! map (`dict/build.rs`); a title is cut by a segmenter holding only the
//! dictionary words that occur in it, which cuts exactly as the whole
//! dictionary would, in microseconds instead of loading 5 MB per process.

use std::sync::OnceLock;

use super::linebreak;

include!(concat!(env!("OUT_DIR"), "/jieba-total.rs"));

/// jieba's dictionary, word → frequency, as built by `dict/build.rs`.
fn dictionary() -> &'static fst::Map<&'static [u8]> {
    static BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jieba-words.fst"));
    static MAP: OnceLock<fst::Map<&'static [u8]>> = OnceLock::new();
    MAP.get_or_init(|| fst::Map::new(BYTES).expect("dict/build.rs writes a valid fst"))
}

/// Every dictionary word that occurs in `text` (each once, sorted) with its
/// frequency: from each character, the fst is walked along the text for as
/// long as some word starts that way (at most the longest word).
fn words_in(text: &str) -> Vec<(&str, u64)> {
    let fst = dictionary().as_fst();
    let mut found = Vec::new();
    for (start, _) in text.char_indices() {
        let mut node = fst.root();
        let mut out = fst::raw::Output::zero();
        for (i, &b) in text.as_bytes()[start..].iter().enumerate() {
            let Some(t) = node.find_input(b) else { break };
            let t = node.transition(t);
            out = out.cat(t.out);
            node = fst.node(t.addr);
            if node.is_final() {
                // A key is a whole UTF-8 string, so `start + i + 1` is a
                // character boundary.
                let freq = out.cat(node.final_output()).value();
                found.push((&text[start..start + i + 1], freq));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// A segmenter for `text` alone: the dictionary words that occur in it,
/// with jieba's frequencies, plus one filler word that cannot occur in it
/// carrying the rest of the dictionary's total frequency. jieba looks up
/// only substrings of the text it cuts and rates a word by its frequency
/// over the total, so this segmenter cuts `text` exactly as one holding the
/// whole dictionary.
fn segmenter_for(text: &str) -> jieba_rs::Jieba {
    let mut jieba = jieba_rs::Jieba::empty();
    let mut sum: u64 = 0;
    for (word, freq) in words_in(text) {
        jieba.add_word(word, Some(freq as usize), Some(""));
        sum += freq;
    }
    if let Some(rest) = JIEBA_TOTAL.checked_sub(sum).filter(|&r| r > 0) {
        // Private-use characters no dictionary word has; a title that holds
        // this pair gets a run of them longer than the title itself.
        let mut filler = String::from("\u{E000}\u{E001}");
        if text.contains(&filler) {
            filler = "\u{E000}".repeat(text.chars().count() + 1);
        }
        jieba.add_word(&filler, Some(rest as usize), Some(""));
    }
    jieba
}

/// Word boundaries (char indices, exclusive of 0 and len) where a title may
/// break: between jieba-rs tokens, where the 避头尾 rules allow, and never
/// inside a range of numbers (`2023—2025年`).
pub fn word_boundaries(chars: &[char]) -> Vec<usize> {
    let text: String = chars.iter().collect();
    let glue = linebreak::glue(chars);
    let in_range = |e: usize| {
        e >= 2
            && "—–-～~".contains(chars[e - 1])
            && chars[e - 2].is_ascii_digit()
            && chars[e].is_ascii_digit()
    };
    let mut out: Vec<usize> = segmenter_for(&text)
        .cut(&text, true)
        .iter()
        .map(|t| t.end)
        .filter(|&e| e > 0 && e < chars.len() && !glue.get(e).copied().unwrap_or(true))
        .filter(|&e| !in_range(e))
        .collect();
    out.dedup();
    out
}

/// How good a break before `chars[i]` reads: after an organisation's name,
/// before a year or a conjunction is natural; elsewhere it costs a little.
fn boundary_cost(chars: &[char], i: usize) -> f64 {
    let before = chars[i - 1];
    let after = chars[i];
    if "会局委院厅府部办室处所站".contains(before) {
        0.0
    } else if after.is_ascii_digit() || "关于的".contains(after) {
        0.5
    } else if "和及与".contains(after) {
        1.0
    } else if "的和及与".contains(before) {
        4.0
    } else {
        2.0
    }
}

/// Titles that need more lines than this are set by the body line breaker:
/// a title that long has no shape left to balance.
pub const MAX_BALANCED_LINES: usize = 8;

/// The most line-pair transitions the balancing search may try for one
/// title (a 133-character, seven-line title takes about 30,000); past it
/// the body line breaker sets the title. Bounds the time of titles full of
/// zero-width or very narrow characters.
const WORK_BUDGET: usize = 250_000;

/// Splits a title into lines (char ranges). `widths[i]` is `chars[i]`'s box
/// width; `pitch` one full-width character; `max` the widest line.
///
/// Tries 2–3 more lines than the fewest that fit, and for each count picks
/// the cuts between words of least cost (shape plus boundary costs) by
/// dynamic programming over pairs of consecutive lines: time polynomial in
/// the number of word boundaries, no recursion. A title needing more than
/// `MAX_BALANCED_LINES` lines, or one with no fitting word cuts, is set by
/// the body line breaker.
pub fn break_title(
    chars: &[char],
    widths: &[f64],
    pitch: f64,
    max: f64,
    min_last_chars: usize,
) -> Vec<std::ops::Range<usize>> {
    let n = chars.len().min(widths.len());
    let chars = &chars[..n];
    let widths = &widths[..n];
    let total: f64 = widths.iter().sum();
    if n < 2 || total <= max + 1e-6 || !(max > 0.0 && total.is_finite()) {
        return std::iter::once(0..n).collect();
    }
    let min_k = ((total / max).ceil() as usize).max(2);
    if min_k <= MAX_BALANCED_LINES {
        let problem = Problem::new(chars, widths, pitch, max, min_last_chars);
        let mut budget = WORK_BUDGET;
        for k in min_k..=min_k + 3 {
            match problem.best_cuts(k, &mut budget) {
                Search::Found(cuts) => {
                    let edges: Vec<usize> = std::iter::once(0).chain(cuts).chain([n]).collect();
                    return edges.windows(2).map(|e| e[0]..e[1]).collect();
                }
                Search::NoFit => {}
                Search::OverBudget => break,
            }
        }
    }
    // No word boundaries fit, or the title is too long to balance: the body
    // line breaker (linear in the title's length).
    let spec = linebreak::LineSpec {
        width: max,
        first_indent: 0.0,
        rest_indent: 0.0,
        justify: false,
    };
    linebreak::break_paragraph(chars, widths, &spec)
        .into_iter()
        .map(|l| l.start..l.end)
        .collect()
}

/// The outcome of the search for one line count.
enum Search {
    Found(Vec<usize>),
    NoFit,
    OverBudget,
}

/// One title to balance: where it may break and what lines cost.
struct Problem<'a> {
    chars: &'a [char],
    /// 0, the word boundaries, then `n`.
    positions: Vec<usize>,
    /// `prefix[i]` is the width of `chars[..i]`.
    prefix: Vec<f64>,
    pitch: f64,
    max: f64,
    min_last: usize,
}

/// A partial solution: the last two lines are `positions[a]..positions[b]`
/// (`a` is unused for the first line) and `parent` the state before.
struct State {
    a: usize,
    b: usize,
    cost: f64,
    parent: usize,
}

impl<'a> Problem<'a> {
    fn new(chars: &'a [char], widths: &[f64], pitch: f64, max: f64, min_last: usize) -> Self {
        let n = chars.len();
        let positions: Vec<usize> = std::iter::once(0)
            .chain(word_boundaries(chars))
            .chain([n])
            .collect();
        let prefix: Vec<f64> = std::iter::once(0.0)
            .chain(widths.iter().scan(0.0, |s, &w| {
                *s += w;
                Some(*s)
            }))
            .collect();
        Problem {
            chars,
            positions,
            prefix,
            pitch: if pitch > 0.0 { pitch } else { 1.0 },
            max,
            min_last: min_last.max(3).min(n),
        }
    }

    /// Width of the line between positions `a` and `b` (indices).
    fn width(&self, a: usize, b: usize) -> f64 {
        self.prefix[self.positions[b]] - self.prefix[self.positions[a]]
    }

    /// Whether `positions[a]..positions[b]` may be a line (the last one when `last`).
    fn fits(&self, a: usize, b: usize, last: bool) -> bool {
        let count = self.positions[b] - self.positions[a];
        self.width(a, b) <= self.max + 1e-6 && count >= 2 && (!last || count >= self.min_last)
    }

    /// The cuts of `k` lines of least cost, as `shape_cost` plus the
    /// boundary costs would rate every choice. The shape cost's spread
    /// term is a sum over lines (the mean width is the total over `k`),
    /// its growth term a sum over consecutive pairs, and its diamond
    /// exception needs the first line's width: so the search runs once per
    /// first line over states (previous cut, last cut).
    fn best_cuts(&self, k: usize, budget: &mut usize) -> Search {
        let last = self.positions.len() - 1;
        let total = self.prefix[self.prefix.len() - 1];
        let mean = total / k as f64;
        let spread = |w: f64| ((w - mean) / self.pitch).powi(2) * 0.05;
        let mut best: Option<(f64, Vec<usize>)> = None;
        for first in 1..last {
            if !self.fits(0, first, false) {
                if self.width(0, first) > self.max + 1e-6 {
                    break;
                }
                continue;
            }
            let w0 = self.width(0, first);
            let mut layers: Vec<Vec<State>> = vec![vec![State {
                a: 0,
                b: first,
                cost: spread(w0) + boundary_cost(self.chars, self.positions[first]),
                parent: 0,
            }]];
            for m in 1..k {
                let is_last = m + 1 == k;
                let mut next: Vec<State> = Vec::new();
                let mut index: std::collections::HashMap<(usize, usize), usize> =
                    std::collections::HashMap::new();
                let prev = layers.last().map(Vec::as_slice).unwrap_or(&[]);
                for (si, s) in prev.iter().enumerate() {
                    let wp = self.width(s.a, s.b);
                    for c in s.b + 1..=last {
                        if self.width(s.b, c) > self.max + 1e-6 {
                            break;
                        }
                        if *budget == 0 {
                            return Search::OverBudget;
                        }
                        *budget -= 1;
                        if (c == last) != is_last || !self.fits(s.b, c, is_last) {
                            continue;
                        }
                        let w = self.width(s.b, c);
                        let grow = (w - wp) / self.pitch;
                        let diamond_tail = k >= 3 && is_last && wp >= w0;
                        let shape = if grow < -0.5 && !diamond_tail {
                            1.0 + grow.abs() * 0.3
                        } else {
                            0.0
                        };
                        let cut = if is_last {
                            0.0
                        } else {
                            boundary_cost(self.chars, self.positions[c])
                        };
                        let cost = s.cost + spread(w) + shape + cut;
                        match index.get(&(s.b, c)) {
                            Some(&j) if next[j].cost <= cost => {}
                            Some(&j) => {
                                next[j].cost = cost;
                                next[j].parent = si;
                            }
                            None => {
                                index.insert((s.b, c), next.len());
                                next.push(State {
                                    a: s.b,
                                    b: c,
                                    cost,
                                    parent: si,
                                });
                            }
                        }
                    }
                }
                if next.is_empty() {
                    break;
                }
                layers.push(next);
            }
            if layers.len() < k {
                continue;
            }
            let Some(end) = layers[k - 1]
                .iter()
                .enumerate()
                .min_by(|x, y| x.1.cost.total_cmp(&y.1.cost).then(x.0.cmp(&y.0)))
                .map(|(i, s)| (i, s.cost))
            else {
                continue;
            };
            if best.as_ref().is_none_or(|(b, _)| end.1 < *b) {
                // Walk back from the last line to the first cut.
                let mut cuts = Vec::with_capacity(k - 1);
                let mut at = end.0;
                for m in (1..k).rev() {
                    let s = &layers[m][at];
                    cuts.push(self.positions[s.a]);
                    at = s.parent;
                }
                cuts.reverse();
                best = Some((end.1, cuts));
            }
        }
        match best {
            Some((_, cuts)) => Search::Found(cuts),
            None => Search::NoFit,
        }
    }
}

/// Balanced lines cost little; a trapezoid (short over long) or a diamond
/// is fine, an inverted trapezoid or an hourglass is not. The cost written
/// whole, as `Problem::best_cuts` evaluates it line by line (the tests
/// compare the two).
#[cfg(test)]
fn shape_cost(ws: &[f64], pitch: f64) -> f64 {
    let k = ws.len() as f64;
    let mean = ws.iter().sum::<f64>() / k;
    let spread: f64 = ws.iter().map(|w| ((w - mean) / pitch).powi(2)).sum::<f64>() * 0.05;
    let mut shape = 0.0;
    for i in 1..ws.len() {
        let grow = (ws[i] - ws[i - 1]) / pitch;
        let is_last = i + 1 == ws.len();
        // Lines may shrink only towards the bottom of a diamond.
        let diamond_tail = ws.len() >= 3 && is_last && ws[i - 1] >= ws[0];
        if grow < -0.5 && !diamond_tail {
            shape += 1.0 + grow.abs() * 0.3;
        }
    }
    spread + shape
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(c: char) -> f64 {
        if c.is_ascii() { 0.5 } else { 1.0 }
    }

    fn split(title: &str, max: f64) -> Vec<String> {
        let chars: Vec<char> = title.chars().collect();
        let widths: Vec<f64> = chars.iter().map(|&c| w(c)).collect();
        break_title(&chars, &widths, 1.0, max, 3)
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
    }

    /// The cost the balancing search minimises, for given cuts.
    fn cost_of(chars: &[char], cuts: &[usize]) -> f64 {
        let edges: Vec<usize> = std::iter::once(0)
            .chain(cuts.iter().copied())
            .chain([chars.len()])
            .collect();
        let ws: Vec<f64> = edges
            .windows(2)
            .map(|e| chars[e[0]..e[1]].iter().map(|&c| w(c)).sum())
            .collect();
        shape_cost(&ws, 1.0) + cuts.iter().map(|&i| boundary_cost(chars, i)).sum::<f64>()
    }

    /// The former search: every choice of cuts among the word boundaries
    /// (exponential; a reference for the dynamic programme on short titles).
    fn exhaustive(chars: &[char], max: f64, k: usize) -> Option<(f64, Vec<usize>)> {
        fn search(
            bounds: &[usize],
            from: usize,
            left: usize,
            cuts: &mut Vec<usize>,
            visit: &mut dyn FnMut(&[usize]),
        ) {
            if left == 0 {
                visit(cuts);
                return;
            }
            for i in from..bounds.len() {
                if bounds.len() - i < left {
                    break;
                }
                cuts.push(bounds[i]);
                search(bounds, i + 1, left - 1, cuts, visit);
                cuts.pop();
            }
        }
        let n = chars.len();
        let bounds = word_boundaries(chars);
        let mut best: Option<(f64, Vec<usize>)> = None;
        search(
            &bounds,
            0,
            k - 1,
            &mut Vec::new(),
            &mut |cuts: &[usize]| {
                let edges: Vec<usize> = std::iter::once(0)
                    .chain(cuts.iter().copied())
                    .chain([n])
                    .collect();
                let ok = edges.windows(2).all(|e| {
                    chars[e[0]..e[1]].iter().map(|&c| w(c)).sum::<f64>() <= max + 1e-6
                        && e[1] - e[0] >= 2
                }) && n - edges[edges.len() - 2] >= 3.min(n);
                if !ok {
                    return;
                }
                let cost = cost_of(chars, cuts);
                if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                    best = Some((cost, cuts.to_vec()));
                }
            },
        );
        best
    }

    #[test]
    fn the_dynamic_programme_finds_the_cuts_the_exhaustive_search_found() {
        let titles = [
            "丽水市卫生健康委员会2022年工作总结和2023年工作要点",
            "温州市卫生健康委员会关于印发2023年卫生健康工作要点的通知",
            "某某县人民政府办公室2022年上半年工作总结和下半年工作思路",
            "关于进一步加强和改进新时代基层医疗卫生机构建设的若干意见",
            "丽水市卫生健康委员会关于进一步加强和改进基层医疗卫生服务体系建设的工作总结",
            "中共某某市委办公室某某市人民政府办公室关于印发《某某市深化医药卫生体制改革2023年重点工作任务》的通知",
        ];
        for title in titles {
            let chars: Vec<char> = title.chars().collect();
            let widths: Vec<f64> = chars.iter().map(|&c| w(c)).collect();
            for max in [11.0, 14.0, 20.0] {
                let total: f64 = widths.iter().sum();
                let k = ((total / max).ceil() as usize).max(2);
                let problem = Problem::new(&chars, &widths, 1.0, max, 3);
                let mut budget = WORK_BUDGET;
                let dp = match problem.best_cuts(k, &mut budget) {
                    Search::Found(c) => Some(c),
                    _ => None,
                };
                let ex = exhaustive(&chars, max, k);
                match (dp, ex) {
                    (Some(d), Some((ec, e))) => {
                        let dc = cost_of(&chars, &d);
                        assert!(
                            (dc - ec).abs() < 1e-9,
                            "{title} {max}: {d:?} {dc} vs {e:?} {ec}"
                        );
                        assert_eq!(d, e, "{title} {max}");
                    }
                    (None, None) => {}
                    other => panic!("{title} {max}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_realistic_140_character_title_breaks_quickly() {
        let title = "中共某某市委办公室某某市人民政府办公室关于印发《某某市深化医药卫生体制改革2023年重点工作任务》《某某市基层医疗卫生服务能力提升三年行动方案（2023—2025年）》《某某市公立医院高质量发展实施方案》和《某某市卫生健康事业发展第十四个五年规划中期评估报告》的通知";
        let n = title.chars().count();
        assert!(n > 130, "{n}");
        let start = std::time::Instant::now();
        let lines = split(title, 20.0);
        // It took over 40 s (release build) before; the machine is shared.
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(lines.concat(), title);
        assert_eq!(lines.len(), 7, "{lines:?}");
        let chars: Vec<char> = title.chars().collect();
        let words = word_boundaries(&chars);
        let mut at = 0;
        for l in &lines[..lines.len() - 1] {
            assert!(l.chars().map(w).sum::<f64>() <= 20.0, "{lines:?}");
            at += l.chars().count();
            assert!(
                words.contains(&at),
                "break at {at} inside a word: {lines:?}"
            );
        }
    }

    #[test]
    fn a_100000_character_title_breaks_in_linear_time_without_deep_recursion() {
        // (tests/bad_pdf_inputs.rs builds a 300,000-character one.)
        let title = "进一步加强和改进基层医疗卫生服务体系建设".repeat(5_000);
        let start = std::time::Instant::now();
        // On a small stack: no recursion that grows with the title.
        let lines = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || split(&title, 20.0).len())
            .expect("thread")
            .join()
            .expect("no stack overflow");
        assert_eq!(lines, 5_000);
        // Generous (a debug build on a shared machine): it never ended before.
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn zero_width_characters_cannot_exhaust_the_search() {
        // Narrow characters make every line reach far: the budget ends
        // the search and the body breaker sets the title.
        let chars: Vec<char> = "卫生健康委员会工作总结".repeat(60).chars().collect();
        let widths: Vec<f64> = (0..chars.len())
            .map(|i| if i % 11 == 0 { 1.0 } else { 1e-3 })
            .collect();
        let start = std::time::Instant::now();
        let lines = break_title(&chars, &widths, 1.0, 10.0, 3);
        // Generous: the first segmentation loads the dictionary (debug build).
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(lines.first().map(|r| r.start), Some(0));
        assert_eq!(lines.last().map(|r| r.end), Some(chars.len()));
    }

    /// The word boundaries of 953 titles and title-sized pieces of the
    /// example reports, recorded with jieba-rs's whole embedded dictionary
    /// (`Jieba::new()`) before the dictionary moved to the build-time fst.
    #[test]
    fn word_boundaries_are_those_the_whole_dictionary_gave() {
        let recorded = include_str!("../../tests/fixtures/titles/cuts.txt");
        let mut checked = 0;
        for line in recorded.lines() {
            let (title, cuts) = line.split_once('\t').expect("title TAB cuts");
            let chars: Vec<char> = title.chars().collect();
            let got: Vec<String> = word_boundaries(&chars)
                .iter()
                .map(|b| b.to_string())
                .collect();
            assert_eq!(got.join(" "), cuts, "{title}");
            checked += 1;
        }
        assert_eq!(checked, 953);
    }

    /// jieba-rs holding the whole word list, loaded the slow way.
    fn whole_dictionary() -> jieba_rs::Jieba {
        use std::io::Read;
        let gz = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/dict/jieba-words.txt.gz"
        ))
        .expect("dict/jieba-words.txt.gz");
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("gzip");
        jieba_rs::Jieba::with_dict(&mut text.as_bytes()).expect("word list")
    }

    #[test]
    fn the_title_segmenter_cuts_as_the_whole_dictionary_does() {
        let whole = whole_dictionary();
        let report = include_str!("../../tests/fixtures/pdf/report-001.md");
        let chars: Vec<char> = report.chars().filter(|c| !c.is_whitespace()).collect();
        // Pieces of every length from 2 to 120 characters, at many offsets,
        // and texts holding the filler's private-use characters.
        let mut texts: Vec<String> = Vec::new();
        let mut at = 0;
        for len in (2..120).cycle().take(600) {
            if at + len > chars.len() {
                at = 0;
            }
            texts.push(chars[at..at + len].iter().collect());
            at += len / 2 + 1;
        }
        texts.push("卫生\u{E000}\u{E001}健康".into());
        texts.push("\u{E000}\u{E001}\u{E000}".into());
        for t in &texts {
            let want: Vec<&str> = whole.cut(t, true).iter().map(|w| w.word).collect();
            let got: Vec<&str> = segmenter_for(t)
                .cut(t, true)
                .iter()
                .map(|w| w.word)
                .collect();
            assert_eq!(got, want, "{t}");
        }
    }

    #[test]
    fn only_the_words_of_the_title_are_looked_up() {
        let words = words_in("工作总结");
        let list: Vec<&str> = words.iter().map(|w| w.0).collect();
        assert_eq!(list, ["作", "工", "工作", "总", "总结", "结"]);
        // Frequencies straight from jieba's list.
        assert!(
            words.contains(&("工作", 66367)) && words.contains(&("总结", 3346)),
            "{words:?}"
        );
        assert!(words_in("").is_empty());
        assert!(words_in("\u{E000}").is_empty());
    }

    #[test]
    fn short_title_stays_on_one_line() {
        assert_eq!(split("2022年工作总结", 20.0), ["2022年工作总结"]);
    }

    #[test]
    fn long_title_breaks_between_words_into_a_trapezoid() {
        let lines = split("丽水市卫生健康委员会2022年工作总结和2023年工作要点", 20.0);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines.concat(),
            "丽水市卫生健康委员会2022年工作总结和2023年工作要点"
        );
        // Break after the issuer: short line over the long one.
        assert_eq!(lines[0], "丽水市卫生健康委员会", "{lines:?}");
    }

    #[test]
    fn never_leaves_one_or_two_characters_alone() {
        for title in [
            "温州市卫生健康委员会关于印发2023年卫生健康工作要点的通知",
            "某某县人民政府办公室2022年上半年工作总结和下半年工作思路",
            "关于进一步加强和改进新时代基层医疗卫生机构建设的若干意见",
        ] {
            let lines = split(title, 20.0);
            assert_eq!(lines.concat(), title);
            let last = lines.last().map(|l| l.chars().count()).unwrap_or(0);
            assert!(last >= 3, "{lines:?}");
            for l in &lines {
                assert!(l.chars().map(w).sum::<f64>() <= 20.0, "{lines:?}");
            }
        }
    }

    #[test]
    fn words_are_not_split() {
        let lines = split(
            "温州市卫生健康委员会关于印发2023年卫生健康工作要点的通知",
            20.0,
        );
        let all_bounds: Vec<usize> = lines
            .iter()
            .scan(0, |s, l| {
                *s += l.chars().count();
                Some(*s)
            })
            .collect();
        let chars: Vec<char> = lines.concat().chars().collect();
        let words = word_boundaries(&chars);
        for b in &all_bounds[..all_bounds.len() - 1] {
            assert!(
                words.contains(b),
                "break at {b} is not a word boundary: {lines:?}"
            );
        }
    }

    #[test]
    fn a_range_of_years_stays_on_one_line() {
        let chars: Vec<char> = "三年行动方案（2023—2025年）".chars().collect();
        let at = chars.iter().position(|&c| c == '—').expect("dash") + 1;
        assert!(!word_boundaries(&chars).contains(&at));
    }

    #[test]
    fn three_lines_do_not_form_an_hourglass() {
        let t = "关于进一步加强和改进新时代基层医疗卫生机构建设的若干意见";
        let lines = split(t, 11.0);
        assert!(lines.len() >= 3, "{lines:?}");
        let ws: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        if ws.len() == 3 {
            assert!(!(ws[1] < ws[0] && ws[1] < ws[2]), "{lines:?}");
        }
    }
}
