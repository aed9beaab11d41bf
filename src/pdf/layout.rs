//! The layout engine: doc tree + profile + fonts → pages of positioned
//! glyphs and table rules. Owns glyph lookup with font fallback, the 22-line
//! grid, pagination (headings kept with what follows, attachments on new
//! pages, signature and date per GB/T 9704), tables with repeated headers
//! and split rows, and page numbers. `render` writes these pages with krilla;
//! tests read them directly.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::linebreak::{self, LineBox, LineSpec};
use super::table::{self, ColumnText};
use super::title;
use crate::doc::{Block, Document, RunKind, Table};
use crate::fonts::{FontSet, Role};
use crate::profile::{PT_PER_MM, PageNumberPlacement, Profile};

/// One glyph placed on a page (points, origin top-left).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    pub ch: char,
    /// Index into `FontSet::faces`.
    pub face: usize,
    pub gid: u16,
    pub size: f32,
    /// Where the glyph is drawn (its box's left edge plus any compression shift).
    pub x: f32,
    /// The glyph's box on the line (for grid measurements).
    pub box_x: f32,
    pub box_w: f32,
    pub bold: bool,
    /// Horizontal scale of the glyph (the character grid compresses 3号
    /// glyphs slightly, as Word's document grid does).
    pub hscale: f32,
}

/// What a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Metadata,
    Title,
    Heading(u8),
    Body,
    AttachmentLabel,
    Signature,
    Date,
    /// A line inside a table cell; `row` 0 is the header.
    TableCell {
        row: usize,
        col: usize,
        repeated_header: bool,
    },
    PageNumber,
}

/// One line of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub kind: LineKind,
    /// Index of the block in `Document::blocks` (page numbers: `usize::MAX`).
    pub block: usize,
    /// Grid line on the page (0-based) for text on the grid.
    pub grid: Option<u32>,
    pub baseline: f32,
    pub glyphs: Vec<PlacedGlyph>,
    /// Stretched or squeezed to the full measure.
    pub justified: bool,
    /// The last line of its paragraph.
    pub last_of_block: bool,
    /// Placed in the portrait page's coordinates on a landscape page: the
    /// writer turns it a quarter counter-clockwise onto the portrait page's
    /// edge (page numbers of landscape tables).
    pub portrait_frame: bool,
}

impl Line {
    /// The line's text.
    pub fn text(&self) -> String {
        self.glyphs.iter().map(|g| g.ch).collect()
    }
    /// Left edge of the first box and right edge of the last.
    pub fn extent(&self) -> (f32, f32) {
        let l = self.glyphs.first().map(|g| g.box_x).unwrap_or(0.0);
        let r = self
            .glyphs
            .iter()
            .map(|g| g.box_x + g.box_w)
            .fold(l, f32::max);
        (l, r)
    }
    /// Width in grid cells of `cell` points that the glyph boxes occupy, as
    /// set: a full-width mark compressed to half width counts ½, an ASCII
    /// mark widened to a full cell counts 1; space spread between
    /// characters is not counted. A justified line is solid when this plus
    /// its indent is the full line.
    pub fn set_cells(&self, cell: f32) -> f32 {
        let w: f32 = self.glyphs.iter().map(|g| g.box_w).sum();
        w / cell.max(f32::EPSILON)
    }
    /// Width in grid characters: CJK 1, half-width ½.
    pub fn grid_chars(&self) -> f32 {
        self.glyphs
            .iter()
            .filter(|g| !g.ch.is_whitespace())
            .map(|g| {
                if linebreak::is_half_width(g.ch) {
                    0.5
                } else {
                    1.0
                }
            })
            .sum()
    }
}

/// A ruled line (table borders).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
    pub width: f32,
}

/// One page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    pub width: f32,
    pub height: f32,
    /// The portrait page turned a quarter clockwise (landscape tables).
    pub landscape: bool,
    pub lines: Vec<Line>,
    pub rules: Vec<Rule>,
    /// The diagonal 草稿 of a draft (`draft: true`), drawn behind the text.
    pub watermark: Option<Watermark>,
}

/// A draft's mark: glyphs set on a horizontal line, their `x` and the
/// `baseline` relative to the mark's centre, then turned `angle` degrees
/// anticlockwise about it and set at the page's centre `(cx, cy)`. Drawn
/// as outlines in light grey, not as text, so text extraction (`pdftotext`,
/// copy and paste) never sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Watermark {
    pub glyphs: Vec<PlacedGlyph>,
    pub baseline: f32,
    pub cx: f32,
    pub cy: f32,
    pub angle: f32,
    /// Grey level of the fill: 0 black, 1 white.
    pub gray: f32,
}

/// The text of a draft's watermark, as on the HTML page.
pub const DRAFT_MARK: &str = "草稿";

impl Page {
    /// Grid lines used by text on the grid.
    pub fn grid_lines(&self) -> BTreeSet<u32> {
        self.lines.iter().filter_map(|l| l.grid).collect()
    }
}

/// A bookmark.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// 1 = top level.
    pub level: u8,
    pub text: String,
    /// 0-based page index.
    pub page: usize,
    pub x: f32,
    pub y: f32,
}

/// The laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub pages: Vec<Page>,
    pub outline: Vec<OutlineEntry>,
    /// Notices: which bundled face printed the characters a role's face
    /// lacks (`FontSet::stand_in_notes`), once per role and face.
    pub notes: Vec<String>,
    /// Characters of the document no face in the chain can print (each
    /// once, in code point order): they would print as empty boxes.
    pub missing: Vec<char>,
}

/// Glyph lookup with per-role fallback and a cache.
struct Shaper<'a> {
    fonts: &'a FontSet,
    faces: Vec<Option<ttf_parser::Face<'a>>>,
    cache: HashMap<(usize, char), (usize, u16, f64)>,
    missing: BTreeSet<char>,
    /// Characters a role's face lacked, by role and the face that printed them.
    stood_in: BTreeMap<(Role, usize), BTreeSet<char>>,
}

impl<'a> Shaper<'a> {
    fn new(fonts: &'a FontSet) -> Self {
        let faces = fonts
            .faces
            .iter()
            .map(|f| ttf_parser::Face::parse(f.bytes(), f.index).ok())
            .collect();
        Shaper {
            fonts,
            faces,
            cache: HashMap::new(),
            missing: BTreeSet::new(),
            stood_in: BTreeMap::new(),
        }
    }

    /// Face, glyph id and advance in em for a character in a role.
    fn glyph(&mut self, role: Role, c: char) -> (usize, u16, f64) {
        let c = if c.is_control() { ' ' } else { c };
        let first = self.fonts.role(role);
        if let Some(&hit) = self.cache.get(&(first, c)) {
            if hit.0 != first && hit.1 != 0 {
                self.stood_in.entry((role, hit.0)).or_default().insert(c);
            }
            return hit;
        }
        let mut found = None;
        for i in self.fonts.fallback_order(role) {
            let Some(Some(face)) = self.faces.get(i) else {
                continue;
            };
            if let Some(gid) = face.glyph_index(c) {
                let upem = f64::from(face.units_per_em().max(1));
                let adv = face
                    .glyph_hor_advance(gid)
                    .map(|a| f64::from(a) / upem)
                    .unwrap_or(1.0);
                found = Some((i, gid.0, adv));
                if i != first {
                    self.stood_in.entry((role, i)).or_default().insert(c);
                }
                break;
            }
        }
        let hit = found.unwrap_or_else(|| {
            if !c.is_whitespace() && !is_invisible(c) {
                self.missing.insert(c);
            }
            let adv = if c.is_whitespace() || linebreak::is_half_width(c) {
                0.5
            } else {
                1.0
            };
            (first, 0, adv)
        });
        self.cache.insert((first, c), hit);
        hit
    }
}

impl Shaper<'_> {
    /// Left and right edge of a glyph's ink in em, when the face has it.
    fn ink(&self, face: usize, gid: u16) -> Option<(f64, f64)> {
        let f = self.faces.get(face)?.as_ref()?;
        let b = f.glyph_bounding_box(ttf_parser::GlyphId(gid))?;
        let upem = f64::from(f.units_per_em().max(1));
        Some((f64::from(b.x_min) / upem, f64::from(b.x_max) / upem))
    }
}

/// Format characters that print nothing in any face (zero-width space and
/// joiners, direction marks, variation selectors, the BOM): a face without
/// them loses nothing.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{180b}'..='\u{180f}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}'
        | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{e0000}'..='\u{e0fff}')
}

/// The style of a stretch of text.
#[derive(Debug, Clone, Copy)]
struct Style {
    role: Role,
    size: f32,
    bold: bool,
    /// Horizontal factor of the character grid (pitch / 3号 size).
    squeeze: f64,
    /// The grid cell for text set on the character grid: full-width
    /// characters take one cell, half-width ones half a cell.
    cell: Option<f64>,
}

/// Box width and ink offset of a character on the character grid: a
/// full-width character fills a cell, a half-width one half a cell (a wide
/// Latin capital or `%` takes as many half cells as it needs). Opening
/// marks sit at the right of their box, letters and digits in the middle.
fn grid_box(c: char, natural: f64, cell: f64) -> (f64, f64) {
    let half = cell / 2.0;
    let b = if linebreak::is_half_width(c) {
        if c.is_whitespace() || natural <= 0.62 * cell {
            half
        } else {
            (natural / half - 0.15).ceil().max(1.0) * half
        }
    } else {
        (natural / cell - 0.15).ceil().max(1.0) * cell
    };
    let ink = if "（【「『《〈〔［｛〖“‘([{".contains(c) {
        b - natural
    } else if c.is_alphanumeric() || "·・%‰+-=&@#".contains(c) {
        (b - natural) / 2.0
    } else {
        0.0
    };
    (b, ink)
}

/// A shaped stretch: characters, box widths and glyph data.
#[derive(Default)]
struct Shaped {
    chars: Vec<char>,
    widths: Vec<f64>,
    /// Offset of the glyph's ink inside its box.
    ink: Vec<f64>,
    glyphs: Vec<(usize, u16, f32, bool, f32)>,
}

impl Shaped {
    fn push(&mut self, shaper: &mut Shaper<'_>, text: &str, style: Style) {
        let first = self.chars.len();
        let mut naturals = Vec::new();
        for c in text.chars() {
            let c = if c.is_control() { ' ' } else { c };
            let (face, gid, adv) = shaper.glyph(style.role, c);
            self.chars.push(c);
            let natural = adv * f64::from(style.size) * style.squeeze;
            naturals.push(natural);
            let (w, ink) = match style.cell {
                Some(cell) => grid_box(c, natural, cell),
                None => (natural, 0.0),
            };
            self.widths.push(w);
            self.ink.push(ink);
            self.glyphs
                .push((face, gid, style.size, style.bold, style.squeeze as f32));
        }
        if let Some(cell) = style.cell {
            self.share_half_cells(first, &naturals, cell);
        }
        self.join_dashes(shaper, first, style.size);
    }

    /// The halves of `——` and `……` drawn as one mark: each glyph's ink
    /// stretched to fill its box edge to edge (faces give the em dash side
    /// bearings and often less than an em of advance), so the two touch.
    fn join_dashes(&mut self, shaper: &Shaper<'_>, first: usize, size: f32) {
        let n = self.chars.len();
        for k in first..n {
            let c = self.chars[k];
            if !matches!(c, '—' | '―' | '─') {
                continue;
            }
            let paired =
                (k > first && self.chars[k - 1] == c) || (k + 1 < n && self.chars[k + 1] == c);
            let (face, gid, ..) = self.glyphs[k];
            let Some((x0, x1)) = shaper.ink(face, gid) else {
                continue;
            };
            let ink = (x1 - x0) * f64::from(size);
            if !paired || ink <= 1e-6 {
                continue;
            }
            // A hair of overlap so no seam shows between the halves.
            let hs = (self.widths[k] + 0.02 * f64::from(size)) / ink;
            self.glyphs[k].4 = hs as f32;
            self.ink[k] = -x0 * f64::from(size) * hs - 0.01 * f64::from(size);
        }
    }

    /// The letters and digits of one word or number share their half
    /// cells: the run's box is the whole number of half cells nearest its
    /// natural width, and its glyphs keep their natural spacing inside it, so
    /// `91.59%` and `CMI` read as one word, not as letters on a grid.
    fn share_half_cells(&mut self, first: usize, naturals: &[f64], cell: f64) {
        let half = cell / 2.0;
        let in_word = |c: char| linebreak::is_word_char(c) || c == '%';
        let mut k = first;
        while k < self.chars.len() {
            if !in_word(self.chars[k]) {
                k += 1;
                continue;
            }
            let start = k;
            while k < self.chars.len() && in_word(self.chars[k]) {
                k += 1;
            }
            if k - start < 2 {
                continue;
            }
            let natural: f64 = naturals[start - first..k - first].iter().sum();
            // The nearest whole number of half cells: digits a little wider
            // than half a cell close up rather than open a gap.
            let boxes = (natural / half).round().max(1.0) * half;
            let extra = (boxes - natural) / (k - start) as f64;
            for i in start..k {
                self.widths[i] = naturals[i - first] + extra;
                self.ink[i] = extra / 2.0;
            }
        }
    }

    fn width(&self, range: std::ops::Range<usize>) -> f64 {
        self.widths[range].iter().sum()
    }

    /// Glyphs of a broken line, placed from `origin_x`.
    fn placed(&self, lb: &LineBox, origin_x: f64) -> Vec<PlacedGlyph> {
        let mut out = Vec::new();
        for k in lb.start..lb.end {
            let i = k - lb.start;
            let (w, x, shift) = (lb.w[i], lb.x[i], lb.shift[i]);
            if w <= 0.0 && self.chars[k].is_whitespace() {
                continue;
            }
            let (face, gid, size, bold, hscale) = self.glyphs[k];
            out.push(PlacedGlyph {
                ch: self.chars[k],
                face,
                gid,
                size,
                x: (origin_x + x + shift + self.ink[k]) as f32,
                box_x: (origin_x + x) as f32,
                box_w: w as f32,
                bold,
                hscale,
            });
        }
        out
    }

    /// Glyphs of `range` set at natural width from `x`.
    fn natural(&self, range: std::ops::Range<usize>, x: f64) -> Vec<PlacedGlyph> {
        let n = range.len();
        let lb = LineBox {
            start: range.start,
            end: range.end,
            x: self.widths[range.clone()]
                .iter()
                .scan(0.0, |s, w| {
                    let x0 = *s;
                    *s += w;
                    Some(x0)
                })
                .collect(),
            w: self.widths[range].to_vec(),
            shift: vec![0.0; n],
            justified: false,
        };
        self.placed(&lb, x)
    }
}

/// Page geometry and the pagination cursor.
struct Pager<'p> {
    profile: &'p Profile,
    pages: Vec<Page>,
    cursor: u32,
    left: f64,
    top: f64,
    width: f64,
    bottom: f64,
    pitch: f64,
    lines: u32,
    /// New pages are landscape.
    landscape: bool,
}

/// The text block of a page: left, top, width, height in points. A
/// landscape page is the portrait page turned a quarter clockwise: the
/// portrait bottom margin is on its left, the binding margin on top.
fn text_block(profile: &Profile, landscape: bool) -> (f64, f64, f64, f64) {
    let ml = f64::from(profile.page.margin_left_mm * PT_PER_MM);
    let mt = f64::from(profile.page.margin_top_mm * PT_PER_MM);
    let (tw, th) = (
        f64::from(profile.text_width()),
        f64::from(profile.text_height()),
    );
    if landscape {
        let page_h = f64::from(profile.page.height_mm * PT_PER_MM);
        (page_h - mt - th, ml, th, tw)
    } else {
        (ml, mt, tw, th)
    }
}

impl<'p> Pager<'p> {
    fn new(profile: &'p Profile) -> Self {
        let mut p = Pager {
            profile,
            pages: Vec::new(),
            cursor: 0,
            left: 0.0,
            top: 0.0,
            width: 0.0,
            bottom: 0.0,
            pitch: f64::from(profile.grid.line_pitch_pt),
            lines: profile.grid.lines_per_page,
            landscape: false,
        };
        p.geometry();
        p
    }

    fn geometry(&mut self) {
        let (left, top, width, height) = text_block(self.profile, self.landscape);
        self.left = left;
        self.top = top;
        self.width = width;
        self.bottom = top + height;
        self.lines = if self.landscape {
            ((height / self.pitch.max(1.0)) + 1e-6).floor().max(1.0) as u32
        } else {
            self.profile.grid.lines_per_page
        };
    }

    /// Turns the following pages to landscape or back to portrait: an empty
    /// current page turns, otherwise a new page starts.
    fn orient(&mut self, landscape: bool) {
        if self.landscape == landscape {
            return;
        }
        let empty = self.page_is_empty();
        self.landscape = landscape;
        self.geometry();
        let (w, h) = self.page_size();
        match self.pages.last_mut() {
            Some(p) if empty => {
                p.width = w;
                p.height = h;
                p.landscape = landscape;
            }
            Some(_) => self.new_page(),
            None => {}
        }
    }

    fn page_size(&self) -> (f32, f32) {
        let (w, h) = (
            self.profile.page.width_mm * PT_PER_MM,
            self.profile.page.height_mm * PT_PER_MM,
        );
        if self.landscape { (h, w) } else { (w, h) }
    }

    fn new_page(&mut self) {
        let number = self.pages.len() as u32 + 1;
        let (width, height) = self.page_size();
        self.pages.push(Page {
            number,
            width,
            height,
            landscape: self.landscape,
            lines: Vec::new(),
            rules: Vec::new(),
            watermark: None,
        });
        self.cursor = 0;
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() || self.cursor >= self.lines {
            self.new_page();
        }
        let i = self.pages.len() - 1;
        &mut self.pages[i]
    }

    fn page_is_empty(&self) -> bool {
        self.pages
            .last()
            .is_none_or(|p| p.lines.is_empty() && p.rules.is_empty())
            && self.cursor == 0
    }

    fn remaining(&self) -> u32 {
        if self.pages.is_empty() {
            self.lines
        } else {
            self.lines.saturating_sub(self.cursor)
        }
    }

    /// Skips blank grid lines (never at the top of a page).
    fn blank(&mut self, n: u32) {
        if !self.page_is_empty() {
            self.cursor += n;
        }
    }

    /// Baseline of a glyph of `size` centred in grid line `g`.
    fn baseline(&self, g: u32, size: f32) -> f32 {
        let top = self.top + f64::from(g) * self.pitch;
        let size = f64::from(size);
        (top + (self.pitch - size) / 2.0 + 0.88 * size) as f32
    }

    /// Places a line on the next grid line.
    fn place(&mut self, mut line: Line, size: f32) -> (usize, f32) {
        self.page();
        let g = self.cursor;
        line.grid = Some(g);
        line.baseline = self.baseline(g, size);
        let y = (self.top + f64::from(g) * self.pitch) as f32;
        let idx = self.pages.len() - 1;
        self.pages[idx].lines.push(line);
        self.cursor += 1;
        (idx, y)
    }

    /// The top of the current grid line in points (for tables).
    fn y(&mut self) -> f64 {
        self.page();
        self.top + f64::from(self.cursor) * self.pitch
    }
}

struct Engine<'a, 'p> {
    doc: &'a Document,
    profile: &'p Profile,
    shaper: Shaper<'a>,
    pager: Pager<'p>,
    outline: Vec<OutlineEntry>,
    pitch: f64,
    indent: f64,
}

/// The characters of `text` no face of `fonts` can print, by the same
/// lookup the layout uses (every face is in each role's fallback chain, so
/// the role does not matter); without laying anything out.
pub fn missing_chars(text: &str, fonts: &FontSet) -> Vec<char> {
    let mut shaper = Shaper::new(fonts);
    let distinct: BTreeSet<char> = text.chars().collect();
    for c in distinct {
        shaper.glyph(Role::Body, c);
    }
    shaper.missing.into_iter().collect()
}

/// Lays out a document: the pages `render` writes, with their outline and notices.
pub fn layout(
    doc: &Document,
    profile: &Profile,
    fonts: &FontSet,
) -> Result<Layout, super::PdfError> {
    profile
        .validate()
        .map_err(|e| super::PdfError::Profile(e.to_string()))?;
    if fonts.faces.is_empty() {
        return Err(super::PdfError::Fonts(crate::tr!(
            "no font faces",
            "没有可用的字体"
        )));
    }
    let pitch = f64::from(profile.text_width()) / f64::from(profile.grid.chars_per_line.max(1));
    let mut e = Engine {
        doc,
        profile,
        shaper: Shaper::new(fonts),
        pager: Pager::new(profile),
        outline: Vec::new(),
        pitch,
        indent: pitch * f64::from(profile.grid.indent_chars),
    };
    e.run();
    let Engine {
        shaper,
        mut pager,
        outline,
        ..
    } = e;
    let notes = fonts.stand_in_notes(&shaper.stood_in);
    let missing: Vec<char> = shaper.missing.iter().copied().collect();
    if pager.pages.is_empty() {
        pager.new_page();
    }
    let mut shaper = Shaper::new(fonts);
    add_page_numbers(&mut pager, &mut shaper, profile);
    if doc.meta.draft {
        add_watermarks(&mut pager.pages, &mut shaper);
    }
    Ok(Layout {
        pages: pager.pages,
        outline,
        notes,
        missing,
    })
}

impl Engine<'_, '_> {
    fn style(&self, role: Role, bold: bool) -> Style {
        let size = match role {
            Role::Title => self.profile.fonts.title.size_pt,
            Role::Body => self.profile.fonts.body.size_pt,
            Role::Heading1 => self.profile.fonts.heading1.size_pt,
            Role::Heading2 => self.profile.fonts.heading2.size_pt,
            Role::PageNumber => self.profile.fonts.page_number.size_pt,
            Role::Table => self.profile.fonts.table.size_pt,
        };
        let body = f64::from(self.profile.fonts.body.size_pt.max(1.0));
        let squeeze = if matches!(role, Role::Table | Role::PageNumber) {
            1.0
        } else {
            (self.pitch / body).min(1.0)
        };
        let cell = match role {
            Role::Body | Role::Heading1 | Role::Heading2 => {
                Some(self.pitch * f64::from(size) / body)
            }
            _ => None,
        };
        Style {
            role,
            size,
            bold,
            squeeze,
            cell,
        }
    }

    fn run(&mut self) {
        let blocks = &self.doc.blocks;
        if self.profile.metadata.print {
            self.metadata();
        }
        let turned = self.doc.turned_blocks();
        let mut i = 0;
        while i < blocks.len() {
            if self.profile.table.landscape {
                // Tables, and attachments holding one, on landscape pages.
                self.pager.orient(turned[i]);
            }
            match &blocks[i] {
                Block::Title(t) => self.title(i, t),
                Block::Heading { level, text } => self.heading(i, *level, text),
                Block::Paragraph(runs) => {
                    let parts: Vec<(String, Style)> = runs
                        .iter()
                        .map(|r| {
                            let st = match r.kind {
                                RunKind::Body => self.style(Role::Body, false),
                                RunKind::Lead => self.style(Role::Heading2, false),
                                RunKind::Strong => {
                                    self.style(Role::Body, self.profile.headings.strong_bold)
                                }
                            };
                            (r.text.clone(), st)
                        })
                        .collect();
                    if let Some(first) = runs.first().filter(|r| r.kind == RunKind::Lead) {
                        let text = first
                            .text
                            .trim_end_matches(['。', '.', '，', ','])
                            .to_string();
                        self.pager.page();
                        let y = self.pager.baseline(self.pager.cursor, 16.0) - 20.0;
                        self.outline.push(OutlineEntry {
                            level: 2,
                            text,
                            page: self.pager.pages.len() - 1,
                            x: self.pager.left as f32,
                            y,
                        });
                    }
                    self.paragraph(i, LineKind::Body, &parts, self.indent, false);
                }
                Block::Table(t) => self.table(i, t),
                Block::AttachmentLabel(t) => {
                    if !self.pager.page_is_empty() {
                        self.pager.new_page();
                    }
                    let st = self.style(Role::Heading1, false);
                    let mut s = Shaped::default();
                    s.push(&mut self.shaper, t, st);
                    let glyphs = s.natural(0..s.chars.len(), self.pager.left);
                    let (page, _) = self
                        .pager
                        .place(line(LineKind::AttachmentLabel, i, glyphs), st.size);
                    let next_title = blocks.get(i + 1).and_then(|b| match b {
                        Block::Title(t) => Some(t.as_str()),
                        _ => None,
                    });
                    let text = match next_title {
                        Some(tt) => format!("{t} {tt}"),
                        None => t.clone(),
                    };
                    self.outline.push(OutlineEntry {
                        level: 1,
                        text,
                        page,
                        x: self.pager.left as f32,
                        y: self.pager.top as f32,
                    });
                    self.pager.cursor += 1;
                    if let Some(tt) = next_title {
                        self.title_lines(i + 1, tt);
                        i += 1;
                    }
                }
                Block::PageBreak => {
                    if !self.pager.page_is_empty() {
                        self.pager.new_page();
                    }
                }
                Block::Signature(sig) => {
                    let date = blocks.get(i + 1).and_then(|b| match b {
                        Block::Date(d) => Some(d.as_str()),
                        _ => None,
                    });
                    self.signature(i, Some(sig), date);
                    if date.is_some() {
                        i += 1;
                    }
                }
                Block::Date(d) => self.signature(i, None, Some(d)),
                Block::AttachmentNote(note) => self.attachment_note(i, note),
            }
            i += 1;
        }
    }

    fn metadata(&mut self) {
        let fields = self.doc.meta.printed_fields();
        let st = self.style(Role::Body, false);
        for (label, v) in &fields {
            let parts = vec![(format!("{label}：{v}"), st)];
            self.paragraph(usize::MAX, LineKind::Metadata, &parts, 0.0, false);
        }
        if !fields.is_empty() {
            self.pager.blank(1);
        }
    }

    fn title(&mut self, block: usize, text: &str) {
        let y = self.pager.y() as f32;
        self.outline.push(OutlineEntry {
            level: 1,
            text: text.to_string(),
            page: self.pager.pages.len().saturating_sub(1),
            x: self.pager.left as f32,
            y,
        });
        self.title_lines(block, text);
    }

    fn title_lines(&mut self, block: usize, text: &str) {
        let st = self.style(Role::Title, false);
        let mut s = Shaped::default();
        s.push(&mut self.shaper, text, st);
        let max =
            self.pager.width * f64::from(self.profile.title.max_width_fraction.clamp(0.2, 1.0));
        let pitch = f64::from(st.size) * st.squeeze;
        let ranges = title::break_title(
            &s.chars,
            &s.widths,
            pitch,
            max,
            self.profile.title.min_last_line_chars as usize,
        );
        let n = ranges.len();
        if self.pager.remaining() < n as u32 + 1 && !self.pager.page_is_empty() {
            self.pager.new_page();
        }
        for (k, r) in ranges.into_iter().enumerate() {
            let w = s.width(r.clone());
            let x = self.pager.left + (self.pager.width - w) / 2.0;
            let mut l = line(LineKind::Title, block, s.natural(r, x));
            l.last_of_block = k + 1 == n;
            self.pager.place(l, st.size);
        }
        self.pager.blank(self.profile.title.blank_lines_after);
    }

    fn heading(&mut self, block: usize, level: u8, text: &str) {
        let (role, bold) = match level {
            1 => (Role::Heading1, false),
            2 => (Role::Heading2, false),
            3 => (Role::Body, self.profile.headings.heading3_bold),
            _ => (Role::Body, self.profile.headings.heading4_bold),
        };
        let st = self.style(role, bold);
        let y = self.pager.y() as f32;
        self.outline.push(OutlineEntry {
            level: level.clamp(1, 3),
            text: text.to_string(),
            page: self.pager.pages.len().saturating_sub(1),
            x: self.pager.left as f32,
            y,
        });
        let parts = vec![(text.to_string(), st)];
        self.paragraph(block, LineKind::Heading(level), &parts, self.indent, true);
        // The outline entry points at where the heading landed.
        if let (Some(last), Some(page)) = (
            self.outline.last_mut(),
            self.pager.pages.len().checked_sub(1),
        ) && let Some(l) = self.pager.pages[page]
            .lines
            .iter()
            .find(|l| l.block == block)
        {
            last.page = page;
            last.y = l.baseline - 24.0;
        }
    }

    /// Breaks and places a paragraph on the grid. `keep_with_next` moves it
    /// to a new page when the page cannot also hold one line after it.
    fn paragraph(
        &mut self,
        block: usize,
        kind: LineKind,
        parts: &[(String, Style)],
        indent: f64,
        keep_with_next: bool,
    ) {
        let mut s = Shaped::default();
        let mut size = 0.0f32;
        for (t, st) in parts {
            s.push(&mut self.shaper, t, *st);
            size = size.max(st.size);
        }
        let spec = LineSpec {
            width: self.pager.width,
            first_indent: indent,
            rest_indent: 0.0,
            justify: true,
        };
        let boxes = linebreak::break_paragraph(&s.chars, &s.widths, &spec);
        if boxes.is_empty() {
            return;
        }
        let need = boxes.len() as u32 + u32::from(keep_with_next);
        if keep_with_next
            && self.pager.remaining() < need
            && need <= self.pager.lines
            && !self.pager.page_is_empty()
        {
            self.pager.new_page();
        }
        let n = boxes.len();
        for (k, lb) in boxes.iter().enumerate() {
            let mut l = line(kind, block, s.placed(lb, self.pager.left));
            l.justified = lb.justified;
            l.last_of_block = k + 1 == n;
            self.pager.place(l, size);
        }
    }

    /// The 附件说明 (GB/T 9704 7.3.4): one blank line under the body, 2
    /// characters in, `附件：` and the first title; further entries under
    /// the first one's number, a title's wrapped lines under its first
    /// character. Ragged right, so the alignment holds exactly.
    fn attachment_note(&mut self, block: usize, note: &crate::doc::AttachmentNote) {
        let st = self.style(Role::Body, false);
        self.pager.blank(1);
        let mut lead_width = 0.0;
        for (k, entry) in note.entries.iter().enumerate() {
            let lead = if k == 0 { note.lead.as_str() } else { "" };
            let mut s = Shaped::default();
            s.push(&mut self.shaper, lead, st);
            let lead_chars = s.chars.len();
            s.push(&mut self.shaper, &entry.number, st);
            let number_end = s.chars.len();
            s.push(&mut self.shaper, &entry.title, st);
            let first_indent = self.indent + if k == 0 { 0.0 } else { lead_width };
            let mut spec = LineSpec {
                width: self.pager.width,
                first_indent,
                rest_indent: first_indent,
                justify: false,
            };
            // Where the number and the title start on the first line, as
            // placed (the grid gives digits and spaces their own boxes).
            let trial = linebreak::break_paragraph(&s.chars, &s.widths, &spec);
            let x_of = |i: usize, fallback: f64| {
                trial
                    .first()
                    .filter(|lb| (lb.start..lb.end).contains(&i))
                    .map_or(fallback, |lb| lb.x[i - lb.start])
            };
            if k == 0 {
                lead_width = x_of(lead_chars, first_indent + s.width(0..lead_chars)) - self.indent;
            }
            spec.rest_indent = x_of(number_end, first_indent + s.width(0..number_end));
            let boxes = linebreak::break_paragraph(&s.chars, &s.widths, &spec);
            let n = boxes.len();
            for (j, lb) in boxes.iter().enumerate() {
                let mut l = line(LineKind::Body, block, s.placed(lb, self.pager.left));
                l.last_of_block = k + 1 == note.entries.len() && j + 1 == n;
                self.pager.place(l, st.size);
            }
        }
    }

    fn signature(&mut self, block: usize, sig: Option<&str>, date: Option<&str>) {
        let p = &self.profile.signature;
        let st = self.style(Role::Body, false);
        let mut ss = Shaped::default();
        let mut ds = Shaped::default();
        if let Some(t) = sig {
            ss.push(&mut self.shaper, t, st);
        }
        if let Some(t) = date {
            ds.push(&mut self.shaper, t, st);
        }
        let right = self.pager.left + self.pager.width;
        let r = f64::from(p.right_indent_chars) * self.pitch;
        let shift = f64::from(p.date_shift_chars) * self.pitch;
        let sw = ss.width(0..ss.chars.len());
        let dw = ds.width(0..ds.chars.len());
        let (sx, dx) = signature_columns(right - r, shift, sig.map(|_| sw), date.map(|_| dw));
        let rows = u32::from(sig.is_some()) + u32::from(date.is_some());
        self.pager.blank(p.blank_lines_before);
        if self.pager.remaining() < rows {
            self.pager.new_page();
        }
        if sig.is_some() {
            let l = line(
                LineKind::Signature,
                block,
                ss.natural(0..ss.chars.len(), sx),
            );
            self.pager.place(l, st.size);
        }
        if date.is_some() {
            let b = if sig.is_some() { block + 1 } else { block };
            let l = line(LineKind::Date, b, ds.natural(0..ds.chars.len(), dx));
            self.pager.place(l, st.size);
        }
    }

    fn table(&mut self, block: usize, t: &Table) {
        let tp = &self.profile.table;
        let body = self.style(Role::Table, false);
        let head = if tp.header_bold_face {
            Style {
                role: Role::Heading1,
                ..body
            }
        } else {
            body
        };
        let pad = f64::from(tp.padding_pt);
        let lp = f64::from(tp.line_pitch_pt.max(body.size));
        let ncols = std::iter::once(&t.header)
            .chain(t.rows.iter())
            .map(|r| r.len())
            .max()
            .unwrap_or(0);
        if ncols == 0 {
            return;
        }
        // Shape every cell line once.
        let empty: Vec<String> = Vec::new();
        let rows: Vec<Vec<Vec<Shaped>>> = std::iter::once(&t.header)
            .chain(t.rows.iter())
            .enumerate()
            .map(|(ri, row)| {
                (0..ncols)
                    .map(|c| {
                        let cell = row.get(c).unwrap_or(&empty);
                        cell.iter()
                            .map(|text| {
                                let mut s = Shaped::default();
                                s.push(&mut self.shaper, text, if ri == 0 { head } else { body });
                                s
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        // What each column holds, in characters of the table's size; the
        // columns get whole characters, the odd points go to the margins.
        let em = f64::from(body.size).max(1.0);
        let margin = f64::from(tp.cell_margin_pt);
        let cols: Vec<ColumnText> = (0..ncols)
            .map(|c| {
                let mut min: f64 = 0.0;
                let mut max: f64 = 0.0;
                let mut texts = Vec::with_capacity(rows.len());
                for row in &rows {
                    let mut paras = Vec::with_capacity(row[c].len());
                    for s in &row[c] {
                        let glue = linebreak::glue(&s.chars);
                        let mut run = 0.0;
                        for (k, w) in s.widths.iter().enumerate() {
                            if k > 0 && !glue[k] {
                                run = 0.0;
                            }
                            run += w;
                            min = min.max(run);
                        }
                        let w = s.width(0..s.chars.len());
                        max = max.max(w);
                        paras.push(w / em);
                    }
                    texts.push(paras);
                }
                let chars = |w: f64| (w / em - 1e-6).ceil().clamp(0.0, 10_000.0) as u32;
                ColumnText {
                    min: chars(min).max(chars(max).min(4)),
                    max: chars(max),
                    rows: texts,
                }
            })
            .collect();
        let room = self.pager.width - 2.0 * margin * ncols as f64;
        let total = (room / em + 1e-6).floor().clamp(0.0, 10_000.0) as u32;
        let chars = table::column_chars(&cols, total);
        let used: f64 = chars.iter().map(|&k| f64::from(k) * em).sum();
        let pad_x = (margin
            + (self.pager.width - used - 2.0 * margin * ncols as f64) / (2.0 * ncols as f64))
            .max(0.0);
        let widths: Vec<f64> = chars
            .iter()
            .map(|&k| f64::from(k) * em + 2.0 * pad_x)
            .collect();
        let mut edges = vec![self.pager.left];
        for w in &widths {
            let last = edges.last().copied().unwrap_or(self.pager.left);
            edges.push(last + w);
        }
        let centred: Vec<bool> = cols.iter().map(|c| c.max <= 4).collect();
        // Break every cell into lines of glyphs relative to the cell's content box.
        let broken: Vec<Vec<Vec<Vec<PlacedGlyph>>>> = rows
            .iter()
            .enumerate()
            .map(|(ri, row)| {
                row.iter()
                    .enumerate()
                    .map(|(c, cell)| {
                        let inner = (widths[c] - 2.0 * pad_x).max(1.0);
                        let mut out = Vec::new();
                        for s in cell {
                            let spec = LineSpec {
                                width: inner,
                                first_indent: 0.0,
                                rest_indent: 0.0,
                                justify: true,
                            };
                            for lb in
                                linebreak::break_cell(&s.chars, &s.widths, &spec, MAX_CELL_SPREAD)
                            {
                                let mut g = s.placed(&lb, 0.0);
                                if ri == 0 || centred[c] {
                                    let (l, r) = (lb.left(), lb.right());
                                    let dx = ((inner - (r - l)) / 2.0 - l) as f32;
                                    if !lb.justified {
                                        for x in &mut g {
                                            x.x += dx;
                                            x.box_x += dx;
                                        }
                                    }
                                }
                                out.push(g);
                            }
                            if s.chars.is_empty() {
                                out.push(Vec::new());
                            }
                        }
                        out
                    })
                    .collect()
            })
            .collect();
        let rule = tp.rule_width_pt;
        let mut y = self.pager.y();
        let bottom = self.pager.bottom;
        let header_h = |b: &Vec<Vec<Vec<PlacedGlyph>>>| {
            b.iter().map(|c| c.len()).max().unwrap_or(1).max(1) as f64 * lp + 2.0 * pad
        };
        let hh = header_h(&broken[0]);
        let place_cells = |pager: &mut Pager<'_>,
                           cells: &[Vec<Vec<PlacedGlyph>>],
                           ri: usize,
                           from: usize,
                           take: usize,
                           top: f64,
                           h: f64,
                           repeated: bool| {
            let page = pager.pages.len() - 1;
            for (c, lines) in cells.iter().enumerate() {
                let shown = lines.len().saturating_sub(from).min(take);
                let voff = if (ri == 0 || centred[c]) && from == 0 && take >= lines.len() {
                    (h - 2.0 * pad - shown as f64 * lp) / 2.0
                } else {
                    0.0
                };
                for (k, g) in lines.iter().skip(from).take(take).enumerate() {
                    let base = top
                        + pad
                        + voff
                        + k as f64 * lp
                        + (lp - f64::from(body.size)) / 2.0
                        + 0.88 * f64::from(body.size);
                    let dx = (edges[c] + pad_x) as f32;
                    let glyphs = g
                        .iter()
                        .map(|pg| PlacedGlyph {
                            x: pg.x + dx,
                            box_x: pg.box_x + dx,
                            ..pg.clone()
                        })
                        .collect();
                    let mut l = line(
                        LineKind::TableCell {
                            row: ri,
                            col: c,
                            repeated_header: repeated,
                        },
                        block,
                        glyphs,
                    );
                    l.baseline = base as f32;
                    pager.pages[page].lines.push(l);
                }
            }
            // Rules: top of the row and the column edges.
            let r = &mut pager.pages[page].rules;
            let (x0, x1) = (edges[0] as f32, edges[edges.len() - 1] as f32);
            r.push(Rule {
                x1: x0,
                y1: top as f32,
                x2: x1,
                y2: top as f32,
                width: rule,
            });
            for &e in &edges {
                r.push(Rule {
                    x1: e as f32,
                    y1: top as f32,
                    x2: e as f32,
                    y2: (top + h) as f32,
                    width: rule,
                });
            }
        };
        let close = |pager: &mut Pager<'_>, y: f64| {
            let page = pager.pages.len() - 1;
            let (x0, x1) = (edges[0] as f32, edges[edges.len() - 1] as f32);
            pager.pages[page].rules.push(Rule {
                x1: x0,
                y1: y as f32,
                x2: x1,
                y2: y as f32,
                width: rule,
            });
        };
        // A fresh page when not even the header and one line fit.
        if y + hh + lp + 2.0 * pad > bottom && !self.pager.page_is_empty() {
            self.pager.new_page();
            y = self.pager.y();
        }
        place_cells(&mut self.pager, &broken[0], 0, 0, usize::MAX, y, hh, false);
        y += hh;
        for (ri, cells) in broken.iter().enumerate().skip(1) {
            let total = cells.iter().map(|c| c.len()).max().unwrap_or(1).max(1);
            let mut done = 0;
            while done < total {
                let fits = ((bottom - y - 2.0 * pad) / lp + 1e-6).floor().max(0.0) as usize;
                let left = total - done;
                let take = left.min(fits);
                let fresh = (y - (self.pager.top + hh)).abs() < 1e-6;
                if take == 0
                    || (take < left && take < 2 && !fresh)
                    || (done == 0 && take < left && take < 3 && !fresh && total <= 6)
                {
                    close(&mut self.pager, y);
                    self.pager.new_page();
                    y = self.pager.y();
                    place_cells(&mut self.pager, &broken[0], 0, 0, usize::MAX, y, hh, true);
                    y += hh;
                    if take == 0 && fresh {
                        break; // a page cannot hold one line: give up on this row
                    }
                    continue;
                }
                let h = take as f64 * lp + 2.0 * pad;
                place_cells(&mut self.pager, cells, ri, done, take, y, h, false);
                y += h;
                done += take;
            }
        }
        close(&mut self.pager, y);
        // The grid continues below the table.
        let used = ((y - self.pager.top) / self.pager.pitch - 1e-6)
            .ceil()
            .max(0.0) as u32;
        self.pager.cursor = used;
    }
}

/// The most space a justified table-cell line spreads into one gap, in
/// em: a line that would need more is set ragged right.
const MAX_CELL_SPREAD: f64 = 0.15;

fn line(kind: LineKind, block: usize, glyphs: Vec<PlacedGlyph>) -> Line {
    Line {
        kind,
        block,
        grid: None,
        baseline: 0.0,
        glyphs,
        justified: false,
        last_of_block: true,
        portrait_frame: false,
    }
}

/// Marks every page of a draft with a diagonal 草稿 in the level-1 face
/// (黑体), as the HTML page does: 150 pt, letters 0.2 em apart, turned 30°
/// about the page's centre, light grey.
fn add_watermarks(pages: &mut [Page], shaper: &mut Shaper<'_>) {
    const SIZE: f32 = 150.0;
    let st = Style {
        role: Role::Heading1,
        size: SIZE,
        bold: false,
        squeeze: 1.0,
        cell: None,
    };
    let mut s = Shaped::default();
    s.push(shaper, DRAFT_MARK, st);
    let n = s.chars.len();
    let gap = 0.2 * f64::from(SIZE);
    let width = s.width(0..n) + gap * n.saturating_sub(1) as f64;
    let mut glyphs = s.natural(0..n, -width / 2.0);
    for (k, g) in glyphs.iter_mut().enumerate() {
        let dx = (gap * k as f64) as f32;
        g.x += dx;
        g.box_x += dx;
    }
    // CJK ink spans about 0.84 em above the baseline to 0.08 em below it:
    // a baseline 0.38 em below the centre centres it.
    for page in pages {
        page.watermark = Some(Watermark {
            glyphs: glyphs.clone(),
            baseline: 0.38 * SIZE,
            cx: page.width / 2.0,
            cy: page.height / 2.0,
            angle: 30.0,
            gray: 0.85,
        });
    }
}

/// `— N —` under the text block, placed per the profile.
fn add_page_numbers(pager: &mut Pager<'_>, shaper: &mut Shaper<'_>, profile: &Profile) {
    let pn = &profile.page_number;
    if !pn.show {
        return;
    }
    let size = profile.fonts.page_number.size_pt;
    let st = Style {
        role: Role::PageNumber,
        size,
        bold: false,
        squeeze: 1.0,
        cell: None,
    };
    // Where portrait pages have it; a landscape page carries it turned, on
    // the same edge of the sheet.
    let (left, top, width, height) = text_block(profile, false);
    let baseline =
        (top + height + f64::from(pn.offset_mm * PT_PER_MM) + 0.88 * f64::from(size)) as f32;
    let indent = f64::from(pn.indent_chars * size);
    for page in &mut pager.pages {
        let text = pn.format.replace("{n}", &page.number.to_string());
        let mut s = Shaped::default();
        s.push(shaper, &text, st);
        let w = s.width(0..s.chars.len());
        let right = left + width - indent - w;
        let x = match pn.placement {
            PageNumberPlacement::Centred => left + (width - w) / 2.0,
            PageNumberPlacement::Right => right,
            PageNumberPlacement::Alternate if page.number % 2 == 1 => right,
            PageNumberPlacement::Alternate => left + indent,
        };
        let mut l = line(
            LineKind::PageNumber,
            usize::MAX,
            s.natural(0..s.chars.len(), x),
        );
        l.baseline = baseline;
        l.portrait_frame = page.landscape;
        page.lines.push(l);
    }
}

/// Where the signature and the date start, given the line they end at
/// (`end`: the right edge less the right indent), the date's shift to the
/// right of the signature, and each one's width when present: the
/// signature ends at `end` and the date starts `shift` after it — unless
/// the date would then pass `end`, when the date ends at `end` and the
/// signature moves left with it. Shared by the PDF and the DOCX writers.
pub(crate) fn signature_columns(
    end: f64,
    shift: f64,
    signature: Option<f64>,
    date: Option<f64>,
) -> (f64, f64) {
    match (signature, date) {
        (Some(sw), Some(dw)) => {
            let sx = end - sw;
            if sx + shift + dw > end + 1e-6 {
                let dx = end - dw;
                (dx - shift, dx)
            } else {
                (sx, sx + shift)
            }
        }
        (Some(sw), None) => (end - sw, 0.0),
        (None, dw) => (0.0, end - shift - dw.unwrap_or(0.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::signature_columns;

    #[test]
    fn the_date_follows_the_signature_unless_it_would_pass_the_end() {
        // Signature 4 wide ends at 20; the date 2 after its start fits.
        assert_eq!(
            signature_columns(20.0, 2.0, Some(4.0), Some(2.0)),
            (16.0, 18.0)
        );
        // A longer date would pass the end: it ends there, the signature
        // moves left with it.
        assert_eq!(
            signature_columns(20.0, 2.0, Some(4.0), Some(10.0)),
            (8.0, 10.0)
        );
        assert_eq!(signature_columns(20.0, 2.0, Some(4.0), None), (16.0, 0.0));
        assert_eq!(signature_columns(20.0, 2.0, None, Some(6.0)), (0.0, 12.0));
    }
}
