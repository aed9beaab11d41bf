//! Chinese line breaking and justification: break opportunities between
//! CJK characters, 避头尾 (GB/T 15834) with punctuation compression or a
//! character pushed down, unbreakable numbers with units, Latin words, `——`
//! and `……`, and exact justification of every line but a paragraph's last.
//! Breaks are chosen per paragraph at the least total cost (each line a
//! fixed cost, so few lines): lines filling the measure with their own
//! boxes — an ASCII mark between Chinese characters widened to a full
//! cell, a quarter cell opened beside a Latin word or number, a
//! full-width mark set in half width (标点挤压, at most two per line; at a
//! line's end or beside another mark, a lone mid-line mark only to save a
//! line) —, else slack spread evenly with a badness cubic in the space per
//! gap; `——` takes no space between its halves; never a lone character on
//! the last line. Table cells may be set ragged right (`break_cell`).
//!
//! Works on characters and their box widths only (no fonts), so it is unit
//! tested with synthetic widths: CJK 1.0, half-width 0.5.

/// Characters that must not start a line (GB/T 15834 and their ASCII forms).
pub fn is_no_start(c: char) -> bool {
    matches!(
        c,
        '。' | '，'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '】'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '〕'
            | '］'
            | '｝'
            | '〗'
            | '”'
            | '’'
            | '…'
            | '—'
            | '‥'
            | '%'
            | '‰'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '·'
            | '・'
            | '～'
    )
}

/// Characters that must not end a line.
pub fn is_no_end(c: char) -> bool {
    matches!(
        c,
        '（' | '【'
            | '「'
            | '『'
            | '《'
            | '〈'
            | '〔'
            | '［'
            | '｛'
            | '〖'
            | '“'
            | '‘'
            | '('
            | '['
            | '{'
            | '①'..='⑳'
    )
}

/// Half-width characters: they count ½ on the character grid.
pub fn is_half_width(c: char) -> bool {
    c.is_ascii() || ('\u{00a0}'..='\u{02ff}').contains(&c)
}

/// Letters, digits and the joiners inside Latin words and numbers.
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '.' | '-' | '_' | '/' | '+' | '&' | '\'' | '@' | '#' | '=' | '~' | '*' | '^'
        )
        || (('\u{00c0}'..='\u{024f}').contains(&c) && c.is_alphabetic())
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Units that stay with the number before them (`14.02亿元`, `1658名`, `2022年`).
fn is_unit(c: char) -> bool {
    matches!(
        c,
        '亿' | '万'
            | '千'
            | '百'
            | '元'
            | '角'
            | '个'
            | '家'
            | '人'
            | '次'
            | '例'
            | '名'
            | '张'
            | '床'
            | '辆'
            | '台'
            | '项'
            | '所'
            | '批'
            | '件'
            | '篇'
            | '本'
            | '岁'
            | '年'
            | '月'
            | '日'
            | '号'
            | '时'
            | '天'
            | '周'
            | '米'
            | '吨'
            | '倍'
            | '户'
            | '处'
            | '座'
            | '条'
            | '种'
            | '类'
            | '期'
            | '亩'
            | '余'
            | '多'
            | '位'
            | '间'
            | '级'
            | '班'
            | '支'
            | '套'
            | '册'
            | '份'
            | '毫'
            | '克'
            | '公'
            | '里'
            | '秒'
            | '分'
            | '钟'
            | '%'
            | '‰'
            | '％'
    )
}

/// How a compressed punctuation mark keeps its ink: opening marks lose
/// their left half, closing ones their right half, middle dots both sides.
/// In Simplified Chinese faces `：；？！` sit in the left half of the em,
/// as `，。` do, so they lose their right half.
fn compress_shift(c: char) -> f64 {
    if matches!(
        c,
        '（' | '【' | '「' | '『' | '《' | '〈' | '〔' | '［' | '｛' | '〖' | '“' | '‘'
    ) {
        1.0
    } else if matches!(c, '·' | '・') {
        0.5
    } else {
        0.0
    }
}

/// Full-width punctuation that may be set in half its width.
fn is_compressible(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '（'
            | '）'
            | '【'
            | '】'
            | '「'
            | '」'
            | '『'
            | '』'
            | '《'
            | '》'
            | '〈'
            | '〉'
            | '〔'
            | '〕'
            | '“'
            | '”'
            | '‘'
            | '’'
    )
}

/// `glue[i]` is true when no line may break between `chars[i-1]` and `chars[i]`.
pub fn glue(chars: &[char]) -> Vec<bool> {
    let mut glue = vec![false; chars.len()];
    let mut unit_run = 0u32; // units taken after the last digit
    let mut after_digit = false;
    for i in 1..chars.len() {
        let (a, b) = (chars[i - 1], chars[i]);
        if is_digit(a) {
            after_digit = true;
            unit_run = 0;
        } else if !(is_word_char(a) || after_digit && is_unit(a)) {
            after_digit = false;
        }
        let unit_glue = after_digit && is_unit(b) && unit_run < 3;
        if unit_glue {
            unit_run += 1;
        }
        glue[i] = if b.is_whitespace() {
            true
        } else if a.is_whitespace() {
            false
        } else {
            is_no_start(b)
                || is_no_end(a)
                || (a == b && matches!(a, '—' | '…' | '⋯' | '－' | '-'))
                || (is_word_char(a) && is_word_char(b))
                || unit_glue
                || matches!(a, '*' | '＊' | '※')
        };
    }
    glue
}

/// Whether a line may break before index `i` (0 < i < len).
pub fn can_break_before(chars: &[char], i: usize) -> bool {
    i > 0 && i < chars.len() && !glue(chars).get(i).copied().unwrap_or(true)
}

/// The geometry of one paragraph's lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineSpec {
    /// The full measure.
    pub width: f64,
    /// Indent of the first line.
    pub first_indent: f64,
    /// Indent of the other lines.
    pub rest_indent: f64,
    /// Justify every line but the last to the full measure.
    pub justify: bool,
}

/// One broken line: items `start..end` of the paragraph with their boxes.
#[derive(Debug, Clone, PartialEq)]
pub struct LineBox {
    pub start: usize,
    /// Exclusive; trailing spaces are inside but have zero width.
    pub end: usize,
    /// Left edge of each item's box, from the measure's left edge.
    pub x: Vec<f64>,
    /// Width of each item's box after compression (0 for hidden spaces).
    pub w: Vec<f64>,
    /// Shift of the glyph inside its box (compressed opening marks move left).
    pub shift: Vec<f64>,
    /// Stretched or squeezed to the full measure.
    pub justified: bool,
}

impl LineBox {
    /// Right edge of the last visible box.
    pub fn right(&self) -> f64 {
        self.x
            .iter()
            .zip(&self.w)
            .filter(|(_, w)| **w > 0.0)
            .map(|(x, w)| x + w)
            .fold(0.0, f64::max)
    }
    /// Left edge of the first box.
    pub fn left(&self) -> f64 {
        self.x.first().copied().unwrap_or(0.0)
    }
}

/// Tolerance for "fits": well below any visible width, above float noise.
const EPS: f64 = 1e-4;

/// At most this many full-width marks are set in half width on one line.
const MAX_COMPRESSED: usize = 2;

/// Up to `MAX_COMPRESSED` indices, in order, without allocating.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Marks {
    idx: [usize; MAX_COMPRESSED],
    len: usize,
}

impl Marks {
    fn full(&self) -> bool {
        self.len == MAX_COMPRESSED
    }
    fn push(&mut self, i: usize) {
        if !self.full() {
            self.idx[self.len] = i;
            self.len += 1;
        }
    }
    fn contains(&self, i: usize) -> bool {
        self.idx[..self.len].contains(&i)
    }
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.idx[..self.len].iter().copied()
    }
}

/// The full-width marks of `chars[start..end]` that may be set in half
/// width, best first: the marks ending the line, then a mark touching
/// another mark (`。”`, `”，`, `）、`), then the others from the line's end.
/// At most `MAX_COMPRESSED`; the scans stop as soon as that many are found.
fn compress_candidates(chars: &[char], start: usize, end: usize) -> Marks {
    let mut out = Marks::default();
    let mut k = end;
    while k > start && end - k < 2 && is_compressible(chars[k - 1]) {
        k -= 1;
        out.push(k);
    }
    let punct = |i: usize| i >= start && i < end && is_compressible(chars[i]);
    let paired = |i: usize| punct(i + 1) || i > start && punct(i - 1);
    for want_paired in [true, false] {
        let mut i = end;
        while i > start && !out.full() {
            i -= 1;
            if punct(i) && !out.contains(i) && paired(i) == want_paired {
                out.push(i);
            }
        }
    }
    out
}

/// A half-width ASCII mark set between Chinese characters (`2022年,在`,
/// `服务(社区`): justification may widen it to a full cell, as the
/// full-width mark it stands for. Opening brackets grow to the left.
fn widenable(chars: &[char], k: usize, start: usize, end: usize) -> bool {
    let wide =
        |i: usize| i >= start && i < end && !chars[i].is_ascii() && !chars[i].is_whitespace();
    match chars[k] {
        ',' | ';' | ':' | '!' | '?' | ')' => {
            wide(k + 1) || (chars[k] == ')' && k > 0 && wide(k - 1))
        }
        '(' => k > 0 && wide(k - 1) || wide(k + 1),
        _ => false,
    }
}

/// The Latin words and numbers of `chars[start..end]` that touch a Chinese
/// character (`投资27.87亿元`, `新建ICU床位`): as `(first, last, before,
/// after)`, where `before`/`after` say on which sides a quarter cell of
/// space may open (中西文间距, as Word sets between Chinese and Latin
/// text). Justification may widen each by up to half a cell, so a line
/// with an odd half cell of digits still fills the grid with its own boxes.
fn widenable_runs(chars: &[char], start: usize, end: usize) -> Vec<(usize, usize, bool, bool)> {
    let mut out = Vec::new();
    for_each_widenable_run(chars, start, end, |run| out.push(run));
    out
}

/// `widenable_runs` without the vector: `f` is called with each run.
fn for_each_widenable_run(
    chars: &[char],
    start: usize,
    end: usize,
    mut f: impl FnMut((usize, usize, bool, bool)),
) {
    let in_run = |c: char| is_word_char(c) || c == '%';
    let cjk = |c: char| !c.is_ascii() && !c.is_whitespace() && !is_half_width(c);
    let mut k = start;
    while k < end {
        if !in_run(chars[k]) {
            k += 1;
            continue;
        }
        let first = k;
        while k < end && in_run(chars[k]) {
            k += 1;
        }
        let last = k - 1;
        if !chars[first..=last]
            .iter()
            .any(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        let before = first > start && cjk(chars[first - 1]);
        let after = k < end && cjk(chars[k]);
        if before || after {
            f((first, last, before, after));
        }
    }
}

/// What a candidate line `chars[start..end]` needs to fill `avail`.
#[derive(Debug, Clone, Copy)]
struct Fit {
    /// Natural width of the visible content (trailing spaces aside).
    natural: f64,
    /// How much compressing marks can take away, in the order they are
    /// compressed: marks ending the line, marks touching another mark,
    /// lone marks in mid line.
    squeeze: [f64; 3],
    /// How much widening ASCII marks can add.
    widen: f64,
    /// How much the space around Latin words and numbers can add.
    runs: f64,
    /// Gaps between visible items that may take spread space.
    gaps: usize,
}

fn content_end(chars: &[char], start: usize, end: usize) -> usize {
    let mut e = end;
    while e > start && chars[e - 1].is_whitespace() {
        e -= 1;
    }
    e
}

/// Which kind of compression a candidate mark is (index into `Fit::squeeze`).
fn squeeze_kind(chars: &[char], k: usize, start: usize, ce: usize) -> usize {
    let punct = |i: usize| i >= start && i < ce && is_compressible(chars[i]);
    if (k + 1..ce).all(&punct) {
        0
    } else if punct(k + 1) || k > start && punct(k - 1) {
        1
    } else {
        2
    }
}

/// Gaps of `chars[start..ce]` that take spread space: not inside Latin
/// words or numbers, never between the halves of `——` or `……`.
fn spread_gaps(chars: &[char], start: usize, ce: usize) -> Vec<usize> {
    let joined = |k: usize| {
        let (a, b) = (chars[k], chars[k + 1]);
        a == b && matches!(a, '—' | '…' | '⋯')
    };
    let ok = |k: usize| !(joined(k) || is_word_char(chars[k]) && is_word_char(chars[k + 1]));
    let gaps: Vec<usize> = (start..ce.saturating_sub(1)).filter(|&k| ok(k)).collect();
    if gaps.is_empty() {
        (start..ce.saturating_sub(1))
            .filter(|&k| !joined(k))
            .collect()
    } else {
        gaps
    }
}

/// How many gaps `spread_gaps` would list, without listing them.
fn count_spread_gaps(chars: &[char], start: usize, ce: usize) -> usize {
    let joined = |k: usize| {
        let (a, b) = (chars[k], chars[k + 1]);
        a == b && matches!(a, '—' | '…' | '⋯')
    };
    let ok = |k: usize| !(joined(k) || is_word_char(chars[k]) && is_word_char(chars[k + 1]));
    let range = start..ce.saturating_sub(1);
    match range.clone().filter(|&k| ok(k)).count() {
        0 => range.filter(|&k| !joined(k)).count(),
        n => n,
    }
}

/// Tables of one paragraph that let `Tables::fit` measure a candidate line
/// without scanning it character by character: where the next mark, ASCII
/// mark or Latin run is, and counts of gaps before each index. Built once
/// per paragraph in linear time.
struct Tables<'a> {
    chars: &'a [char],
    widths: &'a [f64],
    /// The last full-width compressible mark before `i` (`NONE` if none).
    prev_mark: Vec<usize>,
    /// The first ASCII mark `widenable` may widen at or after `i` (`n` if none).
    next_ascii: Vec<usize>,
    /// The first start of a maximal Latin/number run at or after `i`.
    next_run: Vec<usize>,
    /// The end (exclusive) of the maximal run holding `i`.
    run_end: Vec<usize>,
    /// ASCII letters and digits before `i`.
    alnum: Vec<u32>,
    /// Gaps `k < i` that take spread space / that are not inside `——`.
    gaps_ok: Vec<u32>,
    gaps_unjoined: Vec<u32>,
}

const NONE: usize = usize::MAX;

fn in_run(c: char) -> bool {
    is_word_char(c) || c == '%'
}

impl<'a> Tables<'a> {
    fn new(chars: &'a [char], widths: &'a [f64]) -> Self {
        let n = chars.len();
        let mut prev_mark = vec![NONE; n + 1];
        for i in 1..=n {
            prev_mark[i] = if is_compressible(chars[i - 1]) {
                i - 1
            } else {
                prev_mark[i - 1]
            };
        }
        let mut next_ascii = vec![n; n + 1];
        let mut next_run = vec![n; n + 1];
        let mut run_end = vec![0; n];
        for i in (0..n).rev() {
            next_ascii[i] = if matches!(chars[i], ',' | ';' | ':' | '!' | '?' | ')' | '(') {
                i
            } else {
                next_ascii[i + 1]
            };
            let runs_on = in_run(chars[i]);
            next_run[i] = if runs_on && (i == 0 || !in_run(chars[i - 1])) {
                i
            } else {
                next_run[i + 1]
            };
            run_end[i] = if runs_on && i + 1 < n && in_run(chars[i + 1]) {
                run_end[i + 1]
            } else {
                i + 1
            };
        }
        let mut alnum = vec![0u32; n + 1];
        let mut gaps_ok = vec![0u32; n + 1];
        let mut gaps_unjoined = vec![0u32; n + 1];
        for i in 0..n {
            alnum[i + 1] = alnum[i] + u32::from(chars[i].is_ascii_alphanumeric());
            let (ok, unjoined) = if i + 1 < n {
                let (a, b) = (chars[i], chars[i + 1]);
                let joined = a == b && matches!(a, '—' | '…' | '⋯');
                (!(joined || is_word_char(a) && is_word_char(b)), !joined)
            } else {
                (false, false)
            };
            gaps_ok[i + 1] = gaps_ok[i] + u32::from(ok);
            gaps_unjoined[i + 1] = gaps_unjoined[i] + u32::from(unjoined);
        }
        Tables {
            chars,
            widths,
            prev_mark,
            next_ascii,
            next_run,
            run_end,
            alnum,
            gaps_ok,
            gaps_unjoined,
        }
    }

    /// `compress_candidates`, jumping from mark to mark.
    fn compress_candidates(&self, start: usize, end: usize) -> Marks {
        let chars = self.chars;
        let mut out = Marks::default();
        let mut k = end;
        while k > start && end - k < 2 && is_compressible(chars[k - 1]) {
            k -= 1;
            out.push(k);
        }
        let punct = |i: usize| i >= start && i < end && is_compressible(chars[i]);
        let paired = |i: usize| punct(i + 1) || i > start && punct(i - 1);
        for want_paired in [true, false] {
            let mut i = self.prev_mark[end];
            while i != NONE && i >= start && !out.full() {
                if !out.contains(i) && paired(i) == want_paired {
                    out.push(i);
                }
                i = self.prev_mark[i];
            }
        }
        out
    }

    /// `fit` of `chars[start..end]`, equal to it field for field.
    fn fit(&self, start: usize, end: usize, unit: f64, runs: bool) -> Fit {
        let (chars, widths) = (self.chars, self.widths);
        let ce = content_end(chars, start, end);
        let natural: f64 = widths[start..ce].iter().sum();
        let mut squeeze = [0.0; 3];
        for k in self.compress_candidates(start, ce).iter() {
            squeeze[squeeze_kind(chars, k, start, ce)] += widths[k] / 2.0;
        }
        // The ASCII marks in order, as `fit` sums them.
        let widen = std::iter::successors(Some(self.next_ascii[start]), |&k| {
            self.next_ascii.get(k + 1).copied()
        })
        .take_while(|&k| k < ce)
        .filter(|&k| widenable(chars, k, start, ce))
        .map(|k| widths[k])
        .sum();
        let runs = if runs {
            let cjk = |c: char| !c.is_ascii() && !c.is_whitespace() && !is_half_width(c);
            let mut count = 0usize;
            let mut k = if start < ce && in_run(chars[start]) {
                start
            } else {
                self.next_run[start]
            };
            while k < ce {
                let stop = self.run_end[k].min(ce);
                let latin = self.alnum[stop] > self.alnum[k];
                let before = k > start && cjk(chars[k - 1]);
                let after = stop < ce && cjk(chars[stop]);
                if latin && (before || after) {
                    count += 1;
                }
                k = self.next_run[stop];
            }
            count as f64 * unit / 2.0
        } else {
            0.0
        };
        let gaps = if ce > start + 1 {
            match self.gaps_ok[ce - 1] - self.gaps_ok[start] {
                0 => self.gaps_unjoined[ce - 1] - self.gaps_unjoined[start],
                n => n,
            }
        } else {
            0
        } as usize;
        Fit {
            natural,
            squeeze,
            widen,
            runs,
            gaps,
        }
    }
}

/// `runs`: whether space may open beside Latin words and numbers (on the
/// character grid; not in table cells).
fn fit(chars: &[char], widths: &[f64], start: usize, end: usize, unit: f64, runs: bool) -> Fit {
    let ce = content_end(chars, start, end);
    let natural: f64 = widths[start..ce].iter().sum();
    let mut squeeze = [0.0; 3];
    for k in compress_candidates(chars, start, ce).iter() {
        squeeze[squeeze_kind(chars, k, start, ce)] += widths[k] / 2.0;
    }
    let widen = (start..ce)
        .filter(|&k| widenable(chars, k, start, ce))
        .map(|k| widths[k])
        .sum();
    let runs = if runs {
        let mut count = 0usize;
        for_each_widenable_run(chars, start, ce, |_| count += 1);
        count as f64 * unit / 2.0
    } else {
        0.0
    };
    Fit {
        natural,
        squeeze,
        widen,
        runs,
        gaps: count_spread_gaps(chars, start, ce),
    }
}

/// Fewer than two characters on a paragraph's last line, punctuation aside.
fn is_lone(chars: &[char], start: usize, end: usize) -> bool {
    chars[start..end]
        .iter()
        .filter(|c| !c.is_whitespace() && !is_no_start(**c))
        .count()
        < 2
}

/// Cost of each half cell taken by compression, per kind of mark: a mark
/// ending the line is nearly free, two marks together cost a little, a
/// lone mark in mid line (which would look like an ASCII comma beside
/// full-width ones) costs more than spreading a cell over a line's gaps.
const SQUEEZE_COST: [f64; 3] = [1.0, 3.0, 20.0];

/// What one more line costs: more than a lone mark squeezed in mid line,
/// so a squeeze that saves a line is still taken, but a paragraph may take
/// a line more rather than squeeze several marks or spread a loose line.
const LINE_COST: f64 = 30.0;

/// How bad a line is: 0 when it fills the measure with its own widths,
/// a little for each mark compressed or widened and for space opened
/// beside a Latin word or number, and for slack spread between characters
/// a fixed 5 plus a badness cubic in the space per gap (as TeX's), so
/// slack is shared evenly between lines instead of piling into one.
fn line_cost(f: &Fit, avail: f64, unit: f64, justify: bool) -> f64 {
    if !justify {
        return 0.0;
    }
    let half = unit / 2.0;
    let over = f.natural - avail;
    if over > EPS {
        let mut left = over;
        let mut cost = 0.0;
        for (take, price) in f.squeeze.iter().zip(SQUEEZE_COST) {
            let t = take.min(left);
            cost += price * (t / half - EPS).ceil().max(0.0);
            left -= t;
        }
        if left > EPS {
            cost += 1000.0 + 100.0 * left / unit;
        }
        return cost;
    }
    let mut slack = -over;
    if slack <= EPS {
        return 0.0;
    }
    let w = f.widen.min(slack);
    let mut cost = 0.1 * (w / half - EPS).ceil().max(0.0);
    slack -= w;
    let r = f.runs.min(slack);
    cost += 0.3 * (r / half - EPS).ceil().max(0.0);
    slack -= r;
    if slack > EPS {
        cost += 5.0 + spread_badness(slack, f.gaps, unit);
    }
    cost
}

/// Cubic badness of `slack` spread over `gaps` gaps: 100 at 12 % of a
/// cell per gap, where the spacing starts to show.
fn spread_badness(slack: f64, gaps: usize, unit: f64) -> f64 {
    let per = slack / (gaps.max(1) as f64 * unit) / 0.12;
    100.0 * per * per * per
}

/// Breaks a paragraph into lines and places every item. Total: any input
/// gives lines covering every non-space item exactly once.
///
/// Takes the breaks of least total cost (`line_cost` per line plus
/// `LINE_COST` each): lines that fill the measure exactly with their own
/// boxes where that is possible, and never a lone character on the last
/// line.
pub fn break_paragraph(chars: &[char], widths: &[f64], spec: &LineSpec) -> Vec<LineBox> {
    break_lines(chars, widths, spec, None)
}

/// Breaks the text of a table cell: as `break_paragraph`, but a line that
/// would need more than `max_spread` cells of space per gap to fill the
/// cell is set ragged right instead of letter-spaced.
pub fn break_cell(
    chars: &[char],
    widths: &[f64],
    spec: &LineSpec,
    max_spread: f64,
) -> Vec<LineBox> {
    break_lines(chars, widths, spec, Some(max_spread))
}

fn break_lines(
    chars: &[char],
    widths: &[f64],
    spec: &LineSpec,
    max_spread: Option<f64>,
) -> Vec<LineBox> {
    let n = chars.len().min(widths.len());
    let chars = &chars[..n];
    let widths = &widths[..n];
    let glue = glue(chars);
    let skip_space = |mut i: usize| {
        while i < n && chars[i].is_whitespace() {
            i += 1;
        }
        i
    };
    let first_start = skip_space(0);
    if first_start >= n {
        return Vec::new();
    }
    let unit = widths.iter().copied().fold(0.0, f64::max).max(EPS);
    let tables = Tables::new(chars, widths);
    // best[s]: (lines, cost, end of the first line) for a line starting at s.
    let avail_at = |s: usize| {
        let indent = if s == first_start {
            spec.first_indent
        } else {
            spec.rest_indent
        };
        (spec.width - indent).max(0.0)
    };
    // The line ends possible from every start reachable from the first:
    // `pool[a..b]` for `ends_at[s] == Some((a, b))` (one vector for all).
    let mut ends_at: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut pool: Vec<usize> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    let mut todo = vec![first_start];
    while let Some(s) = todo.pop() {
        if s >= n || ends_at[s].is_some() {
            continue;
        }
        let avail = avail_at(s);
        candidate_ends(&tables, &glue, s, avail, unit, &mut ends);
        if ends.is_empty() {
            ends.push(forced_end(widths, s, avail));
        }
        todo.extend(ends.iter().map(|&e| skip_space(e)));
        ends_at[s] = Some((pool.len(), pool.len() + ends.len()));
        pool.extend_from_slice(&ends);
    }
    let mut best: Vec<Option<(u32, f64, usize)>> = vec![None; n + 1];
    best[n] = Some((0, 0.0, n));
    for s in (first_start..n).rev() {
        let Some((a, b)) = ends_at[s] else {
            continue;
        };
        let ends = &pool[a..b];
        let avail = avail_at(s);
        let mut choice: Option<(u32, f64, usize)> = None;
        for &e in ends.iter().rev() {
            let next = skip_space(e);
            let Some((lines, cost, _)) = best[next] else {
                continue;
            };
            let last = next >= n;
            let f = tables.fit(s, e, unit, max_spread.is_none());
            let own = if last {
                if s > first_start && is_lone(chars, s, e) {
                    10_000.0
                } else {
                    0.0
                }
            } else {
                line_cost(&f, avail, unit, spec.justify)
            };
            let c = (lines + 1, cost + own, e);
            // Least cost, a line counting `LINE_COST`; then the longer line.
            let better = match choice {
                None => true,
                Some((l, k, _)) => {
                    c.1 + LINE_COST * f64::from(c.0) < k + LINE_COST * f64::from(l) - 1e-9
                }
            };
            if better {
                choice = Some(c);
            }
        }
        best[s] = choice;
    }
    let mut lines = Vec::new();
    let mut s = first_start;
    while s < n {
        let Some((_, _, e)) = best[s] else {
            break;
        };
        let e = e.max(s + 1);
        let indent = if s == first_start {
            spec.first_indent
        } else {
            spec.rest_indent
        };
        let avail = avail_at(s);
        let next = skip_space(e);
        lines.push(place_line(
            chars,
            widths,
            s,
            e,
            indent,
            avail,
            spec.justify && next < n,
            unit,
            max_spread,
        ));
        s = next;
    }
    lines
}

/// The ends of the lines that may start at `start`, into `ends`: after
/// each cluster, as long as the line fits with its marks compressed; the
/// last few only (shorter lines would cost more than a line break saves).
fn candidate_ends(
    tables: &Tables,
    glue: &[bool],
    start: usize,
    avail: f64,
    unit: f64,
    ends: &mut Vec<usize>,
) {
    const KEEP: usize = 6;
    let (chars, widths) = (tables.chars, tables.widths);
    let n = chars.len();
    ends.clear();
    let mut nat = 0.0;
    let mut i = start;
    while i < n {
        let mut j = i + 1;
        nat += widths[i];
        while j < n && glue[j] {
            nat += widths[j];
            j += 1;
            if nat - 2.0 * unit > avail {
                break;
            }
        }
        if nat - 2.0 * unit > avail {
            break;
        }
        if nat > avail + EPS {
            let f = tables.fit(start, j, unit, true);
            if f.natural - f.squeeze.iter().sum::<f64>() > avail + EPS {
                break;
            }
        }
        ends.push(j);
        i = j;
    }
    let from = ends.len().saturating_sub(KEEP);
    ends.drain(..from);
}

/// A cluster longer than the line: break it where it overflows.
fn forced_end(widths: &[f64], start: usize, avail: f64) -> usize {
    let n = widths.len();
    let mut k = start;
    let mut w = 0.0;
    while k < n && (k == start || w + widths[k] <= avail + EPS) {
        w += widths[k];
        k += 1;
    }
    k
}

#[allow(clippy::too_many_arguments)]
fn place_line(
    chars: &[char],
    widths: &[f64],
    start: usize,
    end: usize,
    indent: f64,
    avail: f64,
    mut justify: bool,
    unit: f64,
    max_spread: Option<f64>,
) -> LineBox {
    let content_end = content_end(chars, start, end);
    let mut w: Vec<f64> = (start..end)
        .map(|k| if k < content_end { widths[k] } else { 0.0 })
        .collect();
    let mut shift = vec![0.0; w.len()];
    let natural: f64 = w.iter().sum();
    // Squeeze marks (the line's last ones first) when the line is over-full.
    let mut over = natural - avail;
    for k in compress_candidates(chars, start, content_end).iter() {
        if over <= EPS {
            break;
        }
        let idx = k - start;
        let s = (widths[k] / 2.0).min(over);
        w[idx] -= s;
        shift[idx] = -s * compress_shift(chars[k]);
        over -= s;
    }
    let mut slack = avail - w.iter().sum::<f64>();
    if let Some(max) = max_spread
        && justify
    {
        // Ragged right: a narrow line that cannot be filled evenly.
        let f = fit(chars, widths, start, end, unit, false);
        let left = slack - f.widen - f.runs;
        let gaps = count_spread_gaps(chars, start, content_end).max(1);
        if left > EPS && left / gaps as f64 > max * unit + EPS {
            justify = false;
        }
    }
    // A half-width mark between Chinese characters (`2022年,在`) first
    // takes up to half a cell more, as a full-width mark would have.
    if justify && slack > EPS {
        for k in start..content_end {
            if slack <= EPS {
                break;
            }
            if widenable(chars, k, start, content_end) {
                let idx = k - start;
                let add = widths[k].min(slack);
                w[idx] += add;
                if chars[k] == '(' {
                    shift[idx] += add;
                }
                slack -= add;
            }
        }
    }
    // Then a quarter cell each side of a Latin word or number beside
    // Chinese characters (all of it on the inner side at a line's edge).
    if justify && slack > EPS && max_spread.is_none() {
        for (first, last, before, after) in widenable_runs(chars, start, content_end) {
            if slack <= EPS {
                break;
            }
            let add = (unit / 2.0).min(slack);
            let (l, r) = match (before, after) {
                (true, true) => (add / 2.0, add / 2.0),
                (true, false) => (add, 0.0),
                _ => (0.0, add),
            };
            w[first - start] += l;
            shift[first - start] += l;
            w[last - start] += r;
            slack -= add;
        }
    }
    let gaps = spread_gaps(chars, start, content_end);
    let do_justify = (justify || slack < -EPS) && (!gaps.is_empty() || slack.abs() <= EPS);
    let extra = if do_justify && !gaps.is_empty() {
        slack / gaps.len() as f64
    } else {
        0.0
    };
    let mut x = Vec::with_capacity(w.len());
    let mut pos = indent;
    let mut g = 0;
    for k in start..end {
        x.push(pos);
        pos += w[k - start];
        if do_justify && g < gaps.len() && gaps[g] == k {
            pos += extra;
            g += 1;
        }
    }
    if do_justify {
        // Land the last visible box exactly on the measure.
        if let Some(last) = (start..content_end).last() {
            let idx = last - start;
            x[idx] = indent + avail - w[idx];
        }
    }
    LineBox {
        start,
        end,
        x,
        w,
        shift,
        justified: do_justify,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former candidate marks: three vectors per line, then truncated.
    fn reference_candidates(chars: &[char], start: usize, end: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let mut k = end;
        while k > start && end - k < 2 && is_compressible(chars[k - 1]) {
            k -= 1;
            out.push(k);
        }
        let punct = |i: usize| i >= start && i < end && is_compressible(chars[i]);
        let mut paired: Vec<usize> = (start..end)
            .rev()
            .filter(|&i| {
                punct(i) && !out.contains(&i) && (punct(i + 1) || i > start && punct(i - 1))
            })
            .collect();
        let mut single: Vec<usize> = (start..end)
            .rev()
            .filter(|&i| punct(i) && !out.contains(&i) && !paired.contains(&i))
            .collect();
        out.append(&mut paired);
        out.append(&mut single);
        out.truncate(MAX_COMPRESSED);
        out
    }

    /// The allocation-free measures of a candidate line equal the former
    /// ones (vectors of marks, runs and gaps), and the table-driven `fit`
    /// the direct one to the last bit, on every line of every start in text
    /// full of marks, numbers, Latin words and dashes.
    #[test]
    fn candidate_measures_equal_the_former_vector_based_ones() {
        let text: Vec<char> = concat!(
            include_str!("../../tests/fixtures/pdf/report-001.md"),
            "。”，“（【ABC】）、；：？！2022年,在(社区)服务——……⋯⋯1658名 ICU床位 27.87亿元 a-b_c",
            "。。，，”“）（x,y;z:!?()——————",
        )
        .chars()
        .collect();
        let widths: Vec<f64> = text
            .iter()
            .enumerate()
            .map(|(i, &c)| if is_half_width(c) { 0.5 } else { 1.0 } + (i % 7) as f64 * 0.013)
            .collect();
        let tables = Tables::new(&text, &widths);
        let mut lines = 0;
        for start in 0..text.len() {
            for end in start + 1..(start + 40).min(text.len()) {
                for runs in [true, false] {
                    let direct = fit(&text, &widths, start, end, 1.0, runs);
                    let fast = tables.fit(start, end, 1.0, runs);
                    assert_eq!(format!("{fast:?}"), format!("{direct:?}"), "{start}..{end}");
                }
                let ce = content_end(&text, start, end);
                let got: Vec<usize> = compress_candidates(&text, start, ce).iter().collect();
                assert_eq!(
                    got,
                    reference_candidates(&text, start, ce),
                    "{start}..{end}"
                );
                assert_eq!(
                    count_spread_gaps(&text, start, ce),
                    spread_gaps(&text, start, ce).len()
                );
                let mut runs = 0;
                for_each_widenable_run(&text, start, ce, |_| runs += 1);
                assert_eq!(runs, widenable_runs(&text, start, ce).len());
                lines += 1;
            }
        }
        assert!(lines > 100_000, "{lines}");
    }

    /// The character classes as the former string scans had them.
    #[test]
    fn character_classes_equal_the_former_string_scans() {
        let no_start = "。，、；：？！）】」』》〉〕］｝〗”’…—‥%‰％,.;:?!)]}·・～";
        let no_end = "（【「『《〈〔［｛〖“‘([{";
        let unit = "亿万千百元角个家人次例名张床辆台项所批件篇本岁年月日号时天周米吨倍户处座条种类期亩余多位间级班支套册份份毫克公里秒分钟万%‰％";
        for c in (0..0x3_0000u32).filter_map(char::from_u32) {
            assert_eq!(is_no_start(c), no_start.contains(c), "{c}");
            assert_eq!(
                is_no_end(c),
                no_end.contains(c) || ('①'..='⑳').contains(&c),
                "{c}"
            );
            assert_eq!(is_unit(c), unit.contains(c), "{c}");
            let shift = if "（【「『《〈〔［｛〖“‘".contains(c) {
                1.0
            } else if "·・".contains(c) {
                0.5
            } else {
                0.0
            };
            assert_eq!(compress_shift(c), shift, "{c}");
        }
    }

    /// Synthetic widths: CJK 1, half-width ½; measure of 10 characters.
    fn widths(s: &[char]) -> Vec<f64> {
        s.iter()
            .map(|&c| if is_half_width(c) { 0.5 } else { 1.0 })
            .collect()
    }

    fn lines(text: &str, width: f64, indent: f64) -> (Vec<char>, Vec<LineBox>) {
        let chars: Vec<char> = text.chars().collect();
        let w = widths(&chars);
        let spec = LineSpec {
            width,
            first_indent: indent,
            rest_indent: 0.0,
            justify: true,
        };
        let l = break_paragraph(&chars, &w, &spec);
        (chars, l)
    }

    fn texts(chars: &[char], ls: &[LineBox]) -> Vec<String> {
        ls.iter()
            .map(|l| {
                chars[l.start..l.end]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    fn check_invariants(text: &str, width: f64, indent: f64) {
        let (chars, ls) = lines(text, width, indent);
        let joined: String = texts(&chars, &ls).concat();
        let expect: String = text.trim().to_string();
        assert_eq!(
            joined.replace(' ', ""),
            expect.replace(' ', ""),
            "all text kept in order"
        );
        for (i, l) in ls.iter().enumerate() {
            let first = chars[l.start];
            let lastc = chars[l.start..l.end]
                .iter()
                .rev()
                .find(|c| !c.is_whitespace())
                .copied();
            if i > 0 {
                assert!(
                    !is_no_start(first),
                    "line {i} starts with {first}: {:?}",
                    texts(&chars, &ls)
                );
            }
            if i + 1 < ls.len() {
                let lc = lastc.unwrap_or(' ');
                assert!(
                    !is_no_end(lc),
                    "line {i} ends with {lc}: {:?}",
                    texts(&chars, &ls)
                );
                assert!(
                    (l.right() - width).abs() < 1e-9,
                    "line {i} right {} != {width}",
                    l.right()
                );
                assert!(l.justified);
            } else {
                assert!(l.right() <= width + 1e-9);
            }
            for k in 1..l.x.len() {
                assert!(
                    l.x[k] + 1e-9 >= l.x[k - 1] + l.w[k - 1] - 1e-9 || l.w[k] == 0.0,
                    "boxes overlap"
                );
            }
        }
    }

    #[test]
    fn breaks_between_any_two_cjk_characters_and_justifies() {
        let (chars, ls) = lines("一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑", 10.0, 2.0);
        assert_eq!(
            texts(&chars, &ls),
            ["一二三四五六七八", "九十甲乙丙丁戊己庚辛", "壬癸子丑"]
        );
        assert_eq!(ls[0].x[0], 2.0);
        assert!((ls[0].right() - 10.0).abs() < 1e-12);
        assert!(!ls[2].justified);
        assert_eq!(ls[2].x, vec![0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn no_start_characters_never_begin_a_line() {
        // Every forbidden start, put exactly where a break would fall.
        for c in "。，、；：？！）】」』》”’%‰,.;:?!)".chars() {
            let text = format!("一二三四五六七八九十{c}一二三四");
            let (chars, ls) = lines(&text, 10.0, 0.0);
            let t = texts(&chars, &ls);
            assert!(!t[1].starts_with(c), "{c}: {t:?}");
            check_invariants(&text, 10.0, 0.0);
        }
    }

    #[test]
    fn compression_keeps_a_closing_mark_on_the_full_line() {
        // 九。 would push 九 down; squeezing the final 。 to half width keeps it.
        let (chars, ls) = lines("一二三四五六七八九十。一二", 10.5, 0.0);
        let t = texts(&chars, &ls);
        assert_eq!(t[0], "一二三四五六七八九十。");
        assert!((ls[0].w[10] - 0.5).abs() < 1e-12);
        assert!((ls[0].right() - 10.5).abs() < 1e-12);
        // A mid-line mark is squeezed too when that keeps 九 with its 。.
        let (chars, ls) = lines("一二三四五六七八，九。十一", 10.0, 0.0);
        assert_eq!(texts(&chars, &ls)[0], "一二三四五六七八，九。");
        assert!((ls[0].w[8] - 0.5).abs() < 1e-12);
        assert!((ls[0].w[10] - 0.5).abs() < 1e-12);
        assert!((ls[0].right() - 10.0).abs() < 1e-12);
        // A line that fits is never squeezed.
        let (chars, ls) = lines("一二三四五六七八，九十一二", 10.0, 0.0);
        assert_eq!(texts(&chars, &ls)[0], "一二三四五六七八，九");
        assert!((ls[0].w[8] - 1.0).abs() < 1e-12);
        // Two closing marks at the end may both be squeezed.
        let (chars, ls) = lines("一二三四五六七八九。”一二", 10.0, 0.0);
        assert_eq!(texts(&chars, &ls)[0], "一二三四五六七八九。”");
        assert!((ls[0].right() - 10.0).abs() < 1e-12);
    }

    #[test]
    fn pushes_a_character_down_when_squeezing_is_not_enough() {
        // 十 and the unsqueezable % cannot both stay: 十% goes down together.
        let (chars, ls) = lines("一二三四五六七八九十%一二", 10.0, 0.0);
        let t = texts(&chars, &ls);
        assert_eq!(t[0], "一二三四五六七八九");
        assert_eq!(t[1], "十%一二");
        assert!((ls[0].right() - 10.0).abs() < 1e-12);
    }

    #[test]
    fn no_end_characters_never_finish_a_line() {
        for c in "（【「『《“‘([".chars() {
            let text = format!("一二三四五六七八九{c}十一二三");
            check_invariants(&text, 10.0, 0.0);
            let (chars, ls) = lines(&text, 10.0, 0.0);
            let t = texts(&chars, &ls);
            assert!(!t[0].ends_with(c), "{c}: {t:?}");
        }
    }

    #[test]
    fn numbers_with_units_stay_whole() {
        for unit in [
            "14.02亿元",
            "87.11%",
            "50.3%",
            "1658名",
            "2022年",
            "27000万元",
        ] {
            for pad in 0..12 {
                let text = format!("{}{unit}的任务完成", "一".repeat(pad));
                let (chars, ls) = lines(&text, 10.0, 0.0);
                let t = texts(&chars, &ls);
                assert!(t.iter().any(|l| l.contains(unit)), "{unit} split: {t:?}");
                check_invariants(&text, 10.0, 0.0);
            }
        }
    }

    #[test]
    fn latin_words_stay_whole() {
        for word in ["CMI", "MDT", "DRG", "ICU", "A+"] {
            for pad in 0..12 {
                let text = format!("{}推进{word}改革和建设", "一".repeat(pad));
                let (chars, ls) = lines(&text, 10.0, 0.0);
                let t = texts(&chars, &ls);
                assert!(t.iter().any(|l| l.contains(word)), "{word} split: {t:?}");
                check_invariants(&text, 10.0, 0.0);
            }
        }
    }

    #[test]
    fn dashes_and_ellipses_stay_whole() {
        for mark in ["——", "……"] {
            for pad in 0..12 {
                let text = format!("{}甲{mark}乙丙丁戊己", "一".repeat(pad));
                let (chars, ls) = lines(&text, 10.0, 0.0);
                let t = texts(&chars, &ls);
                assert!(t.iter().any(|l| l.contains(mark)), "{mark} split: {t:?}");
                assert!(
                    t.iter()
                        .skip(1)
                        .all(|l| !l.starts_with(mark.chars().next().unwrap_or(' ')))
                );
            }
        }
    }

    #[test]
    fn justification_sums_to_the_measure_with_mixed_widths() {
        let text = "2022年,在市委、市政府的坚强领导下,我市继续遵循“1341”发展思路,CMI值提升到0.95,同比增加0.41个百分点,完成率达50.3%。";
        for width in [9.0, 10.0, 13.5, 28.0] {
            check_invariants(text, width, 2.0);
        }
    }

    #[test]
    fn half_width_marks_between_chinese_take_the_slack_first() {
        // 一,二 … : the ASCII comma widens to a full cell, nothing else moves.
        let (chars, ls) = lines("一二三四五六七八,九十一二三", 10.0, 0.0);
        let t = texts(&chars, &ls);
        assert_eq!(t[0], "一二三四五六七八,九");
        assert!((ls[0].w[8] - 1.0).abs() < 1e-12);
        assert_eq!(ls[0].x[..9], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert!((ls[0].right() - 10.0).abs() < 1e-12);
    }

    /// Sum of the boxes of a line: the measure when the line is solid
    /// (nothing spread between its characters).
    fn boxes(l: &LineBox) -> f64 {
        l.w.iter().sum()
    }

    #[test]
    fn squeezed_marks_keep_their_ink_clear_of_the_next_character() {
        // ；and ：sit left in a GB face: they lose their right half and stay
        // put; an opening quote loses its left half and moves left.
        let (_, ls) = lines("一二三四五六七八九；一二", 9.5, 0.0);
        assert!((ls[0].w[9] - 0.5).abs() < 1e-12);
        assert_eq!(ls[0].shift[9], 0.0);
        for c in "，。、；：？！”’）》".chars() {
            assert_eq!(compress_shift(c), 0.0, "{c}");
        }
        for c in "“‘（《".chars() {
            assert_eq!(compress_shift(c), 1.0, "{c}");
        }
        assert_eq!(compress_shift('·'), 0.5);
    }

    #[test]
    fn a_lone_mid_line_mark_stays_full_width_and_a_number_takes_the_half_cell() {
        // 9½ cells: squeezing 、 would take 十 up (the old way, 11 % of such
        // marks); instead `a` opens a quarter cell each side (中西文间距),
        // the line is solid and 、 keeps its full cell.
        let (chars, ls) = lines("一二三、四五六七a八十一二三", 10.0, 0.0);
        let t = texts(&chars, &ls);
        assert_eq!(t[0], "一二三、四五六七a八");
        assert!((ls[0].w[3] - 1.0).abs() < 1e-12, "、 in a full cell");
        assert!((ls[0].w[8] - 1.0).abs() < 1e-12, "a with its spaces");
        assert!((ls[0].shift[8] - 0.25).abs() < 1e-12, "a centred");
        assert!((boxes(&ls[0]) - 10.0).abs() < 1e-12, "no space spread");
        check_invariants("一二三、四五六七a八十一二三", 10.0, 0.0);
        // At the line's end the space opens on the inner side only.
        let (chars, ls) = lines("一二三四五六七八九a十一二三", 10.0, 0.0);
        assert_eq!(texts(&chars, &ls)[0], "一二三四五六七八九a");
        assert!((ls[0].shift[9] - 0.5).abs() < 1e-12);
        assert!((boxes(&ls[0]) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn without_anything_to_widen_small_slack_is_spread_not_squeezed() {
        // Nine cells and a lone 、: taking 十 would squeeze 、 in mid line;
        // a cell spread over eight gaps is cheaper.
        let (chars, ls) = lines("一二三、四五六七八十一二三四", 9.5, 0.0);
        let t = texts(&chars, &ls);
        assert_eq!(t[0], "一二三、四五六七八");
        assert!((ls[0].w[3] - 1.0).abs() < 1e-12);
        assert!((ls[0].right() - 9.5).abs() < 1e-12);
        assert!(ls[0].justified);
    }

    #[test]
    fn loose_lines_share_their_slack_instead_of_piling_it_into_one() {
        // The old cost (100 + 100 × slack) was linear: one line 2 cells
        // loose cost less than two lines 1 cell loose each, so all slack
        // piled into one line (`*  市  卫`). The cubic badness evens it.
        let line = |natural: f64| Fit {
            natural,
            squeeze: [0.0; 3],
            widen: 0.0,
            runs: 0.0,
            gaps: 5,
        };
        let cost = |n: f64| line_cost(&line(n), 6.0, 1.0, true);
        assert!(cost(4.0) + cost(6.0) > 2.0 * cost(5.0));
        assert_eq!(cost(6.0), 0.0);
        assert!(cost(5.5) < cost(5.0) && cost(5.0) < cost(4.0));
        // A lone mark squeezed in mid line costs more than a small spread.
        let squeezed = Fit {
            squeeze: [0.0, 0.0, 0.5],
            gaps: 27,
            ..line(28.5)
        };
        let loose = Fit {
            gaps: 27,
            ..line(27.5)
        };
        assert!(line_cost(&squeezed, 28.0, 1.0, true) > line_cost(&loose, 28.0, 1.0, true));
    }

    #[test]
    fn a_two_em_dash_takes_no_spread_space_between_its_halves() {
        let text = "一二三——四五六七八九十甲乙";
        let (chars, ls) = lines(text, 9.5, 0.0);
        let l = &ls[0];
        let d = chars[l.start..l.end].iter().position(|&c| c == '—');
        let d = d.expect("dash on the first line");
        assert_eq!(chars[l.start + d + 1], '—');
        assert!((l.x[d + 1] - (l.x[d] + l.w[d])).abs() < 1e-12, "{:?}", l.x);
    }

    #[test]
    fn cells_that_cannot_be_filled_evenly_are_ragged() {
        let chars: Vec<char> = "一二三四五六七八九1234567万元".chars().collect();
        let w = widths(&chars);
        let spec = LineSpec {
            width: 5.0,
            first_indent: 0.0,
            rest_indent: 0.0,
            justify: true,
        };
        let ls = break_cell(&chars, &w, &spec, 0.2);
        let t = texts(&chars, &ls);
        for l in &ls {
            let boxes_right = l.x.first().copied().unwrap_or(0.0) + boxes(l);
            if l.justified {
                assert!((l.right() - 5.0).abs() < 1e-9, "{t:?}");
            } else {
                assert!(
                    (l.right() - boxes_right).abs() < 1e-9,
                    "set at natural width: {t:?}"
                );
            }
        }
        assert!(
            ls.iter().any(|l| !l.justified && l.end < chars.len()),
            "{t:?}"
        );
    }

    #[test]
    fn an_opening_ascii_bracket_between_chinese_widens_to_the_left() {
        // 一…八(九 is 9½ cells; ( takes a full cell, its glyph at the right.
        let (chars, ls) = lines("一二三四五六七八(九十甲", 10.0, 0.0);
        assert_eq!(texts(&chars, &ls)[0], "一二三四五六七八(九");
        assert!((ls[0].w[8] - 1.0).abs() < 1e-12);
        assert!((ls[0].shift[8] - 0.5).abs() < 1e-12);
        assert!((ls[0].x[9] - 9.0).abs() < 1e-12);
        assert!((boxes(&ls[0]) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn earlier_breaks_move_so_that_a_number_with_its_unit_lands_on_the_measure() {
        // Longest-fit: line 1 full, line 2 甲…庚 (7) loose because 1234万元
        // (4) goes down. Taking 甲 onto line 1 (。 and ， in half width)
        // makes line 2 乙…庚1234万元 exactly 10.
        let text = "一二三，五六七八九。甲乙丙丁戊己庚1234万元的任务完成";
        let (chars, ls) = lines(text, 10.0, 0.0);
        let t = texts(&chars, &ls);
        assert_eq!(
            t,
            [
                "一二三，五六七八九。甲",
                "乙丙丁戊己庚1234万元",
                "的任务完成"
            ]
        );
        for l in &ls[..2] {
            assert!((boxes(l) - 10.0).abs() < 1e-12, "{t:?}");
        }
        check_invariants(text, 10.0, 0.0);
    }

    #[test]
    fn no_lone_character_on_a_paragraphs_last_line() {
        let text = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子。";
        let (chars, ls) = lines(text, 10.0, 0.0);
        let t = texts(&chars, &ls);
        assert_eq!(ls.len(), 3, "{t:?}");
        assert_eq!(t[2], "癸子。");
        check_invariants(text, 10.0, 0.0);
        // With a mark to squeeze, the pulled-down character costs no spacing.
        let text = "一二三四五六七八九十甲乙丙丁、戊己庚辛壬癸子。";
        let (chars, ls) = lines(text, 10.0, 0.0);
        let t = texts(&chars, &ls);
        assert!(
            t[2].chars().filter(|c| !is_no_start(*c)).count() >= 2,
            "{t:?}"
        );
        check_invariants(text, 10.0, 0.0);
        // A one-line paragraph may be short.
        let (chars, ls) = lines("务。", 10.0, 2.0);
        assert_eq!(texts(&chars, &ls), ["务。"]);
        // Lone last lines never appear for any length.
        for len in 11..60 {
            let text: String = "一二三四五六七八九十"
                .chars()
                .cycle()
                .take(len)
                .chain(['。'])
                .collect();
            let (chars, ls) = lines(&text, 10.0, 2.0);
            let t = texts(&chars, &ls);
            let last = t
                .last()
                .map(|l| l.chars().filter(|c| !is_no_start(*c)).count());
            assert!(last >= Some(2), "{t:?}");
            check_invariants(&text, 10.0, 2.0);
        }
    }

    #[test]
    fn spaces_between_latin_words_break_and_vanish_at_line_ends() {
        let (chars, ls) = lines("aaaa bbbb cccc dddd eeee", 5.0, 0.0);
        let t = texts(&chars, &ls);
        assert_eq!(t, ["aaaa bbbb", "cccc dddd", "eeee"]);
        // The slack goes into the space, not between letters.
        assert!((ls[0].right() - 5.0).abs() < 1e-9);
        assert_eq!(ls[0].x[..4], [0.0, 0.5, 1.0, 1.5]);
        assert!((ls[0].x[5] - 3.0).abs() < 1e-9);
    }

    #[test]
    fn overlong_unbreakable_run_is_split_not_lost() {
        let text = "https://example.org/a/very/long/path/that/never/ends";
        let (chars, ls) = lines(text, 5.0, 0.0);
        assert_eq!(texts(&chars, &ls).concat(), text);
        assert!(ls.len() > 1);
    }

    #[test]
    fn empty_and_space_only_input() {
        let spec = LineSpec {
            width: 10.0,
            first_indent: 2.0,
            rest_indent: 0.0,
            justify: true,
        };
        assert!(break_paragraph(&[], &[], &spec).is_empty());
        assert!(break_paragraph(&[' ', ' '], &[0.5, 0.5], &spec).is_empty());
        // Zero measure still terminates and keeps every character.
        let zero = LineSpec { width: 0.0, ..spec };
        assert_eq!(break_paragraph(&['一', '二'], &[1.0, 1.0], &zero).len(), 2);
    }
}
