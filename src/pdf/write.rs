//! Writes laid-out pages with krilla: glyph runs with explicit advances
//! (subset, compressed CID fonts), bold as a stroke, table rules, metadata,
//! bookmarks and a tag tree (paragraphs, headings, table cells; page numbers
//! and rules as artifacts).

use std::collections::BTreeMap;
use std::num::NonZeroU16;

use krilla::Document as PdfDocument;
use krilla::SerializeSettings;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, Tag, TagGroup, TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};

use super::layout::{Layout, Line, LineKind, OutlineEntry, Watermark};
use super::{PdfError, PdfOptions};
use crate::doc::{Block, Document};
use crate::fonts::FontSet;

pub(super) fn write(
    doc: &Document,
    laid: &Layout,
    fonts: &FontSet,
    bold_em: f32,
    options: &PdfOptions,
) -> Result<Vec<u8>, PdfError> {
    let settings = SerializeSettings {
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut pdf = PdfDocument::new_with(settings);
    let kfonts: Vec<Option<Font>> = fonts
        .faces
        .iter()
        .map(|f| Font::new(krilla::Data::from(f.data.clone()), f.index))
        .collect();
    // Block index → (row, col) → identifiers, in document order.
    let mut tags: BTreeMap<usize, BTreeMap<(usize, usize), Vec<Identifier>>> = BTreeMap::new();
    for page in &laid.pages {
        let settings = PageSettings::from_wh(page.width, page.height).ok_or_else(|| {
            PdfError::Write(crate::tr!(
                "bad page size {}×{}",
                "页面尺寸无效：{}×{}",
                page.width,
                page.height
            ))
        })?;
        let mut p = pdf.start_page_with(settings);
        let mut s = p.surface();
        if let Some(w) = &page.watermark {
            // Behind everything, as a watermark artifact of outlines.
            s.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                ArtifactType::Watermark,
            )));
            draw_watermark(&mut s, w, fonts);
            s.end_tagged();
        }
        if !page.rules.is_empty() {
            let id = s.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                ArtifactType::Layout,
            )));
            let _ = id;
            for r in &page.rules {
                let mut pb = PathBuilder::new();
                pb.move_to(r.x1, r.y1);
                pb.line_to(r.x2, r.y2);
                if let Some(path) = pb.finish() {
                    s.set_fill(None);
                    s.set_stroke(Some(Stroke {
                        width: r.width,
                        ..Stroke::default()
                    }));
                    s.draw_path(&path);
                }
            }
            s.set_stroke(None);
            s.end_tagged();
        }
        // One marked-content section per block (or table cell) per page.
        let mut i = 0;
        while i < page.lines.len() {
            let line = &page.lines[i];
            let key = section_key(line);
            let mut j = i + 1;
            while j < page.lines.len() && section_key(&page.lines[j]) == key {
                j += 1;
            }
            let artifact = matches!(
                line.kind,
                LineKind::PageNumber
                    | LineKind::TableCell {
                        repeated_header: true,
                        ..
                    }
            );
            let tag = if artifact {
                let kind = if line.kind == LineKind::PageNumber {
                    ArtifactType::Footer
                } else {
                    ArtifactType::Header
                };
                s.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)))
            } else {
                s.start_tagged(ContentTag::Span(SpanTag::empty()))
            };
            for l in &page.lines[i..j] {
                if l.portrait_frame {
                    // Portrait coordinates onto the page turned a quarter
                    // clockwise: (x, y) → (width − y, x).
                    s.push_transform(&Transform::from_row(0.0, 1.0, -1.0, 0.0, page.width, 0.0));
                    draw_line(&mut s, l, &kfonts, bold_em);
                    s.pop();
                } else {
                    draw_line(&mut s, l, &kfonts, bold_em);
                }
            }
            s.end_tagged();
            if !artifact {
                let cell = match line.kind {
                    LineKind::TableCell { row, col, .. } => (row, col),
                    _ => (0, 0),
                };
                tags.entry(line.block)
                    .or_default()
                    .entry(cell)
                    .or_default()
                    .push(tag);
            }
            i = j;
        }
        s.finish();
        p.finish();
    }
    pdf.set_tag_tree(tag_tree(doc, tags));
    pdf.set_outline(outline(&laid.outline));
    pdf.set_metadata(metadata(doc, options));
    pdf.finish().map_err(|e| match e {
        // Which of our faces it is: a damaged or hostile font (e.g.
        // subroutines that would grow a glyph past the format's limit) is
        // told by its name and file (`write::pdf`), not dumped.
        krilla::error::KrillaError::Font(font, reason)
            if let Some(face) = kfonts.iter().position(|k| k.as_ref() == Some(&font)) =>
        {
            let reason = reason
                .strip_prefix("failed to subset font: ")
                .unwrap_or(&reason);
            PdfError::Font {
                face,
                reason: reason.to_string(),
            }
        }
        other => PdfError::Write(format!("{other:?}")),
    })
}

/// Lines with the same key share one tagged section.
fn section_key(l: &Line) -> (usize, usize, usize, bool) {
    match l.kind {
        LineKind::TableCell {
            row,
            col,
            repeated_header,
        } => (l.block, row, col, repeated_header),
        LineKind::PageNumber => (usize::MAX, 0, 0, true),
        _ => (l.block, 0, 0, false),
    }
}

fn draw_line(s: &mut Surface<'_>, line: &Line, fonts: &[Option<Font>], bold_em: f32) {
    let gs = &line.glyphs;
    let mut i = 0;
    while i < gs.len() {
        let (face, size, bold, hs) = (gs[i].face, gs[i].size, gs[i].bold, gs[i].hscale);
        let mut j = i + 1;
        while j < gs.len()
            && gs[j].face == face
            && gs[j].size == size
            && gs[j].bold == bold
            && gs[j].hscale == hs
        {
            j += 1;
        }
        let Some(Some(font)) = fonts.get(face) else {
            i = j;
            continue;
        };
        // Drawn in a horizontally scaled space, so a full-width glyph's own
        // advance is exactly one grid cell and needs no adjustment.
        let hs = if hs > 0.0 { hs } else { 1.0 };
        let mut text = String::new();
        let mut glyphs = Vec::with_capacity(j - i);
        for k in i..j {
            let g = &gs[k];
            let start = text.len();
            text.push(g.ch);
            let next_x = if k + 1 < j {
                gs[k + 1].x
            } else {
                g.box_x + g.box_w
            };
            let adv = (next_x - g.x) / hs / size;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(u32::from(g.gid)),
                adv,
                0.0,
                0.0,
                0.0,
                start..text.len(),
                None,
            ));
        }
        let scaled = (hs - 1.0).abs() > 1e-6;
        if scaled {
            s.push_transform(&Transform::from_scale(hs, 1.0));
        }
        s.set_fill(Some(Fill {
            paint: rgb::Color::black().into(),
            ..Fill::default()
        }));
        if bold {
            s.set_stroke(Some(Stroke {
                width: size * bold_em,
                paint: rgb::Color::black().into(),
                ..Stroke::default()
            }));
        } else {
            s.set_stroke(None);
        }
        s.draw_glyphs(
            Point::from_xy(gs[i].x / hs, line.baseline),
            &glyphs,
            font.clone(),
            &text,
            size,
            false,
        );
        s.set_stroke(None);
        if scaled {
            s.pop();
        }
        i = j;
    }
}

/// Draws a draft's mark as filled glyph outlines (not text).
fn draw_watermark(s: &mut Surface<'_>, w: &Watermark, fonts: &FontSet) {
    let mut faces: BTreeMap<usize, Option<ttf_parser::Face<'_>>> = BTreeMap::new();
    let mut pb = PathBuilder::new();
    for g in &w.glyphs {
        let face = faces.entry(g.face).or_insert_with(|| {
            let f = fonts.faces.get(g.face)?;
            ttf_parser::Face::parse(f.bytes(), f.index).ok()
        });
        let Some(face) = face else { continue };
        let scale = g.size / f32::from(face.units_per_em().max(1));
        let mut outline = GlyphPath {
            pb: &mut pb,
            x: g.x,
            y: w.baseline,
            scale,
        };
        face.outline_glyph(ttf_parser::GlyphId(g.gid), &mut outline);
    }
    let Some(path) = pb.finish() else { return };
    s.push_transform(&Transform::from_translate(w.cx, w.cy));
    s.push_transform(&Transform::from_rotate(-w.angle));
    s.set_stroke(None);
    s.set_fill(Some(Fill {
        paint: rgb::Color::new(gray(w.gray), gray(w.gray), gray(w.gray)).into(),
        ..Fill::default()
    }));
    s.draw_path(&path);
    s.set_fill(None);
    s.pop();
    s.pop();
}

fn gray(level: f32) -> u8 {
    (level.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// A glyph outline in font units onto the page: scaled, y turned down.
struct GlyphPath<'a> {
    pb: &'a mut PathBuilder,
    x: f32,
    y: f32,
    scale: f32,
}

impl GlyphPath<'_> {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl ttf_parser::OutlineBuilder for GlyphPath<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.pb.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.pb.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x, y) = self.at(x, y);
        self.pb.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x2, y2) = self.at(x2, y2);
        let (x, y) = self.at(x, y);
        self.pb.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.pb.close();
    }
}

fn tag_tree(
    doc: &Document,
    tags: BTreeMap<usize, BTreeMap<(usize, usize), Vec<Identifier>>>,
) -> TagTree {
    let mut tree = TagTree::new().with_lang(Some("zh-CN".to_string()));
    for (block, cells) in tags {
        let Some(b) = doc.blocks.get(block) else {
            // Lines outside blocks (the metadata block).
            let mut g = TagGroup::new(Tag::P);
            for id in cells.into_values().flatten() {
                g.push(id);
            }
            tree.push(g);
            continue;
        };
        let group = match b {
            Block::Table(_) => {
                let mut table = TagGroup::new(Tag::Table);
                let mut rows: BTreeMap<usize, Vec<Node>> = BTreeMap::new();
                for ((row, _col), ids) in cells {
                    let mut cell = if row == 0 {
                        TagGroup::new(Tag::TH(krilla::tagging::TableHeaderScope::Column))
                    } else {
                        TagGroup::new(Tag::TD)
                    };
                    for id in ids {
                        cell.push(id);
                    }
                    rows.entry(row).or_default().push(cell.into());
                }
                for (_, cells) in rows {
                    table.push(TagGroup::with_children(Tag::TR, cells));
                }
                table
            }
            other => {
                let mut g = match other {
                    Block::Title(t) => TagGroup::new(Tag::Hn(NonZeroU16::MIN, Some(t.clone()))),
                    Block::Heading { level, text } => {
                        let l = NonZeroU16::new(u16::from(*level) + 1).unwrap_or(NonZeroU16::MIN);
                        TagGroup::new(Tag::Hn(l, Some(text.clone())))
                    }
                    _ => TagGroup::new(Tag::P),
                };
                for id in cells.into_values().flatten() {
                    g.push(id);
                }
                g
            }
        };
        tree.push(group);
    }
    tree
}

fn outline(entries: &[OutlineEntry]) -> Outline {
    let mut out = Outline::new();
    // Build a tree by level with a stack of open nodes.
    let mut stack: Vec<(u8, OutlineNode)> = Vec::new();
    let mut roots: Vec<OutlineNode> = Vec::new();
    fn close(stack: &mut Vec<(u8, OutlineNode)>, roots: &mut Vec<OutlineNode>, level: u8) {
        while let Some((l, _)) = stack.last() {
            if *l < level {
                break;
            }
            let Some((_, node)) = stack.pop() else { break };
            match stack.last_mut() {
                Some((_, parent)) => parent.push_child(node),
                None => roots.push(node),
            }
        }
    }
    for e in entries {
        close(&mut stack, &mut roots, e.level);
        let dest =
            krilla::destination::XyzDestination::new(e.page, Point::from_xy(e.x, e.y.max(0.0)));
        stack.push((e.level, OutlineNode::new(e.text.clone(), dest)));
    }
    close(&mut stack, &mut roots, 0);
    for r in roots {
        out.push_child(r);
    }
    out
}

fn metadata(doc: &Document, options: &PdfOptions) -> Metadata {
    let m = &doc.meta;
    let title = m.title.clone().or_else(|| {
        doc.blocks.iter().find_map(|b| match b {
            Block::Title(t) => Some(t.clone()),
            _ => None,
        })
    });
    let mut md = Metadata::new()
        .language("zh-CN".to_string())
        .creator("zongjie".to_string());
    if let Some(t) = title {
        md = md.title(t);
    }
    if let Some(a) = &m.issuer {
        md = md.authors(vec![a.clone()]);
    }
    let subject = m.genre.clone().or_else(|| m.doc_no.clone());
    if let Some(s) = subject {
        md = md.description(s);
    }
    if let Some((y, mo, d)) = options.created
        && let Ok(y) = u16::try_from(y)
    {
        md = md.creation_date(DateTime::new(y).month(mo).day(d));
    }
    md
}
