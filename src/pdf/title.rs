//! Title line breaking: a title too long for one line is broken between
//! whole words (jieba-rs segmentation, filtered by the 避头尾 rules) into a
//! balanced trapezoid or diamond, never with one or two characters alone on
//! the last line.

use std::sync::OnceLock;

use super::linebreak;

/// The segmenter's dictionary is large: load it once, only when a title
/// needs more than one line.
fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// Word boundaries (char indices, exclusive of 0 and len) where a title may break.
pub fn word_boundaries(chars: &[char]) -> Vec<usize> {
    let text: String = chars.iter().collect();
    let glue = linebreak::glue(chars);
    let mut out: Vec<usize> = jieba()
        .cut(&text, true)
        .iter()
        .map(|t| t.end)
        .filter(|&e| e > 0 && e < chars.len() && !glue.get(e).copied().unwrap_or(true))
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

/// Splits a title into lines (char ranges). `width(c)` is a character's
/// box width; `pitch` one full-width character; `max` the widest line.
pub fn break_title(
    chars: &[char],
    width: &dyn Fn(char) -> f64,
    pitch: f64,
    max: f64,
    min_last_chars: usize,
) -> Vec<std::ops::Range<usize>> {
    let n = chars.len();
    let total: f64 = chars.iter().map(|&c| width(c)).sum();
    if total <= max + 1e-6 || n < 2 {
        return std::iter::once(0..n).collect();
    }
    let bounds = word_boundaries(chars);
    let prefix: Vec<f64> = std::iter::once(0.0)
        .chain(chars.iter().scan(0.0, |s, &c| {
            *s += width(c);
            Some(*s)
        }))
        .collect();
    let line_w = |a: usize, b: usize| prefix[b] - prefix[a];
    let min_k = ((total / max).ceil() as usize).max(2);
    for k in min_k..=min_k + 3 {
        let mut best: Option<(f64, Vec<usize>)> = None;
        let mut cuts = Vec::with_capacity(k - 1);
        search(&bounds, 0, k - 1, &mut cuts, &mut |cuts: &[usize]| {
            let edges: Vec<usize> = std::iter::once(0)
                .chain(cuts.iter().copied())
                .chain([n])
                .collect();
            let ws: Vec<f64> = edges.windows(2).map(|e| line_w(e[0], e[1])).collect();
            let counts: Vec<usize> = edges.windows(2).map(|e| e[1] - e[0]).collect();
            if ws.iter().any(|&w| w > max + 1e-6) {
                return;
            }
            if counts.last().copied().unwrap_or(0) < min_last_chars.max(3).min(n)
                || counts.iter().any(|&c| c < 2)
            {
                return;
            }
            let cost =
                shape_cost(&ws, pitch) + cuts.iter().map(|&i| boundary_cost(chars, i)).sum::<f64>();
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, cuts.to_vec()));
            }
        });
        if let Some((_, cuts)) = best {
            let edges: Vec<usize> = std::iter::once(0).chain(cuts).chain([n]).collect();
            return edges.windows(2).map(|e| e[0]..e[1]).collect();
        }
    }
    // No word boundaries fit: fall back to the body line breaker.
    let widths: Vec<f64> = chars.iter().map(|&c| width(c)).collect();
    let spec = linebreak::LineSpec {
        width: max,
        first_indent: 0.0,
        rest_indent: 0.0,
        justify: false,
    };
    linebreak::break_paragraph(chars, &widths, &spec)
        .into_iter()
        .map(|l| l.start..l.end)
        .collect()
}

/// Every choice of `left` increasing cut positions from `bounds[from..]`.
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

/// Balanced lines cost little; a trapezoid (short over long) or a diamond
/// is fine, an inverted trapezoid or an hourglass is not.
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
        break_title(&chars, &w, 1.0, max, 3)
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
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
