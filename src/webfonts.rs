//! Web fonts for the HTML page: every face the page's text needs, taken
//! from the same `FontSet` as the PDF (so the same profile, `--font-path`
//! and `--ignore-system-fonts` choose them), subset to the characters set
//! in it and embedded as `@font-face` rules with WOFF data URIs. A
//! character goes to the first face of its role's fallback order that has
//! it, as in the PDF; each role's `font-family` lists those faces in that
//! order, so the browser makes the same choice.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;

use base64::Engine as _;

use crate::fonts::{FontSet, Role};

/// The `@font-face` rules and, per role, the embedded families to list
/// first in its `font-family` (most wanted first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebFonts {
    pub rules: String,
    pub families: BTreeMap<Role, Vec<String>>,
    /// Faces that could not be embedded (the page falls back to installed
    /// fonts for their characters), in plain words.
    pub warnings: Vec<String>,
}

/// The CSS family name of the `FontSet` face at `index`.
pub fn family_name(index: usize) -> String {
    format!("zongjie-face-{index}")
}

/// Characters that need no glyph: spaces and format characters.
fn needs_glyph(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{feff}')
}

/// Which face sets which characters: per role, each character of its texts
/// goes to the first face of the role's fallback order that has it.
/// Characters no face has are left out (the PDF reports them).
pub fn assign(fonts: &FontSet, texts: &[(Role, &str)]) -> BTreeMap<usize, BTreeSet<char>> {
    let parsed: Vec<Option<ttf_parser::Face<'_>>> = fonts
        .faces
        .iter()
        .map(|f| ttf_parser::Face::parse(f.bytes(), f.index).ok())
        .collect();
    let mut wanted: BTreeMap<Role, BTreeSet<char>> = BTreeMap::new();
    for (role, text) in texts {
        wanted
            .entry(*role)
            .or_default()
            .extend(text.chars().filter(|&c| needs_glyph(c)));
    }
    let mut out: BTreeMap<usize, BTreeSet<char>> = BTreeMap::new();
    for (role, chars) in wanted {
        for c in chars {
            let hit = fonts.fallback_order(role).find(|&i| {
                parsed
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_some_and(|f| f.glyph_index(c).is_some())
            });
            if let Some(i) = hit {
                out.entry(i).or_default().insert(c);
            }
        }
    }
    out
}

/// Embeds the faces the texts need. Deterministic: the same fonts and
/// texts give the same bytes.
pub fn embed(fonts: &FontSet, texts: &[(Role, &str)]) -> WebFonts {
    let plan = assign(fonts, texts);
    let mut web = WebFonts::default();
    let mut embedded: BTreeSet<usize> = BTreeSet::new();
    for (&index, chars) in &plan {
        let Some(face) = fonts.faces.get(index) else {
            continue;
        };
        match font_face_rule(face, &family_name(index), chars) {
            Ok(rule) => {
                let _ = writeln!(web.rules, "{rule}");
                embedded.insert(index);
            }
            Err(e) => web.warnings.push(crate::tr!(
                "HTML fonts: {} cannot be embedded ({e}); the page uses installed fonts for its characters",
                "网页字体：{} 无法嵌入网页（{e}）；这些字将用电脑上已安装的字体显示",
                face.name
            )),
        }
    }
    for role in Role::ALL {
        let families = fonts
            .fallback_order(role)
            .filter(|i| embedded.contains(i))
            .map(family_name)
            .collect();
        web.families.insert(role, families);
    }
    web
}

/// An `@font-face` rule naming `family` for `face` subset to `chars`, as
/// a WOFF data URI.
pub fn font_face_rule(
    face: &crate::fonts::Face,
    family: &str,
    chars: &BTreeSet<char>,
) -> Result<String, String> {
    let data = subset_encoded(face, chars)?;
    Ok(format!(
        "@font-face {{ font-family: \"{family}\"; src: url(data:font/woff;base64,{data}) format(\"woff\"); font-weight: 400; font-style: normal; font-display: block; }}"
    ))
}

/// One face's subset made earlier in this process (see [`subset_encoded`]).
struct Made {
    /// Where the face's bytes were, and how many.
    at: (usize, usize),
    /// The face's bytes while they live: a kept subset counts only while
    /// they do, since freed bytes' address can be another font's. `None`
    /// for a bundled face, whose bytes are in the binary for good. Never
    /// the bytes themselves: a font file read again at every build would
    /// otherwise be kept once per build.
    alive: Option<std::sync::Weak<dyn AsRef<[u8]> + Send + Sync>>,
    index: u32,
    chars: BTreeSet<char>,
    base64: std::sync::Arc<str>,
}

impl Made {
    fn is_alive(&self) -> bool {
        self.alive.as_ref().is_none_or(|w| w.strong_count() > 0)
    }
}

/// How many subsets a process keeps (a page uses up to about six faces).
const KEPT_SUBSETS: usize = 12;

static MADE: std::sync::Mutex<Vec<Made>> = std::sync::Mutex::new(Vec::new());

/// `face` subset to `chars` as base64 WOFF. The last few subsets made are
/// kept and reused for the same face and characters: a page rebuilt with
/// the same characters (the preview's case after most edits) takes no
/// subsetting. The result is the same bytes either way.
fn subset_encoded(
    face: &crate::fonts::Face,
    chars: &BTreeSet<char>,
) -> Result<std::sync::Arc<str>, String> {
    subset_kept_in(&MADE, face, chars).map(|(data, _)| data)
}

/// [`subset_encoded`] with the kept subsets in `kept`; also says whether
/// the subset was one kept.
fn subset_kept_in(
    kept: &std::sync::Mutex<Vec<Made>>,
    face: &crate::fonts::Face,
    chars: &BTreeSet<char>,
) -> Result<(std::sync::Arc<str>, bool), String> {
    let bytes = face.bytes();
    let at = (bytes.as_ptr() as usize, bytes.len());
    let same = |m: &Made| m.at == at && m.is_alive() && m.index == face.index && m.chars == *chars;
    if let Ok(made) = kept.lock()
        && let Some(m) = made.iter().find(|m| same(m))
    {
        return Ok((m.base64.clone(), true));
    }
    let woff = subset_woff(face.bytes(), face.index, chars)?;
    let base64: std::sync::Arc<str> = base64::engine::general_purpose::STANDARD
        .encode(woff)
        .into();
    if let Ok(mut made) = kept.lock() {
        made.retain(Made::is_alive);
        if made.len() >= KEPT_SUBSETS {
            made.remove(0);
        }
        let bundled = face.source == crate::fonts::FontSource::Bundled;
        made.push(Made {
            at,
            alive: (!bundled).then(|| std::sync::Arc::downgrade(&face.data)),
            index: face.index,
            chars: chars.clone(),
            base64: base64.clone(),
        });
    }
    Ok((base64, false))
}

/// One face subset to `chars` as a WOFF 1.0 file: the `subsetter` crate
/// (krilla's) keeps the outlines and metrics; a `cmap` and the face's `OS/2`
/// are added so that browsers accept it; tables are zlib-compressed.
pub fn subset_woff(data: &[u8], index: u32, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let face = ttf_parser::Face::parse(data, index).map_err(|e| e.to_string())?;
    let mut remapper = subsetter::GlyphRemapper::new();
    remapper.remap(0);
    let mut cmap: Vec<(u32, u16)> = Vec::new();
    for &c in chars {
        if let Some(gid) = face.glyph_index(c) {
            cmap.push((u32::from(c), remapper.remap(gid.0)));
        }
    }
    let sub = subsetter::subset(data, index, &remapper).map_err(|e| e.to_string())?;
    let mut tables = read_tables(&sub).ok_or_else(|| {
        crate::tr!(
            "the subset is no OpenType font",
            "取出的子集不是 OpenType 字体"
        )
    })?;
    tables.insert(*b"cmap", cmap_table(&cmap));
    if let Some(os2) = face.raw_face().table(ttf_parser::Tag::from_bytes(b"OS/2")) {
        tables.insert(*b"OS/2", os2.to_vec());
    }
    let flavor = sub
        .get(..4)
        .ok_or_else(|| crate::tr!("empty subset", "取出的子集是空的"))?;
    let flavor = u32::from_be_bytes([flavor[0], flavor[1], flavor[2], flavor[3]]);
    Ok(woff(flavor, tables))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// The tables of an sfnt file, by tag.
fn read_tables(font: &[u8]) -> Option<BTreeMap<[u8; 4], Vec<u8>>> {
    let count = usize::from(be16(font, 4)?);
    let mut out = BTreeMap::new();
    for k in 0..count {
        let rec = 12 + 16 * k;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let offset = be32(font, rec + 8)? as usize;
        let len = be32(font, rec + 12)? as usize;
        out.insert(tag, font.get(offset..offset.checked_add(len)?)?.to_vec());
    }
    Some(out)
}

/// A `cmap` with a format 4 subtable (Windows BMP) and a format 12 one
/// (Windows full repertoire); `pairs` sorted by code point.
fn cmap_table(pairs: &[(u32, u16)]) -> Vec<u8> {
    // Format 4: one segment per run of consecutive code points whose glyph
    // ids are consecutive too, then the closing 0xFFFF segment.
    let mut segs: Vec<(u16, u16, u16)> = Vec::new(); // start, end, first gid
    for &(c, g) in pairs.iter().filter(|(c, _)| *c < 0xFFFF) {
        let c = c as u16;
        match segs.last_mut() {
            Some((s, e, g0)) if c == *e + 1 && g == g0.wrapping_add(c - *s) => *e = c,
            _ => segs.push((c, c, g)),
        }
    }
    segs.push((0xFFFF, 0xFFFF, 0));
    let n = segs.len() as u16;
    let entry_selector = 15 - n.leading_zeros() as u16; // floor(log2 n)
    let search_range = 2 * (1u16 << entry_selector);
    let mut f4: Vec<u8> = Vec::new();
    let len4 = 16 + 8 * segs.len();
    for v in [
        4u16,
        len4 as u16,
        0,
        2 * n,
        search_range,
        entry_selector,
        2 * n - search_range,
    ] {
        f4.extend(v.to_be_bytes());
    }
    segs.iter().for_each(|s| f4.extend(s.1.to_be_bytes()));
    f4.extend(0u16.to_be_bytes());
    segs.iter().for_each(|s| f4.extend(s.0.to_be_bytes()));
    for s in &segs {
        let delta = if s.0 == 0xFFFF {
            1u16
        } else {
            s.2.wrapping_sub(s.0)
        };
        f4.extend(delta.to_be_bytes());
    }
    segs.iter().for_each(|_| f4.extend(0u16.to_be_bytes()));
    // Format 12: one group per character (small subsets; simple and exact).
    let mut f12: Vec<u8> = Vec::new();
    f12.extend(12u16.to_be_bytes());
    f12.extend(0u16.to_be_bytes());
    f12.extend((16 + 12 * pairs.len() as u32).to_be_bytes());
    f12.extend(0u32.to_be_bytes());
    f12.extend((pairs.len() as u32).to_be_bytes());
    for &(c, g) in pairs {
        f12.extend(c.to_be_bytes());
        f12.extend(c.to_be_bytes());
        f12.extend(u32::from(g).to_be_bytes());
    }
    let mut out: Vec<u8> = Vec::new();
    out.extend(0u16.to_be_bytes());
    out.extend(2u16.to_be_bytes());
    let first = 4 + 2 * 8u32;
    for (enc, off) in [(1u16, first), (10u16, first + f4.len() as u32)] {
        out.extend(3u16.to_be_bytes());
        out.extend(enc.to_be_bytes());
        out.extend(off.to_be_bytes());
    }
    out.extend(f4);
    out.extend(f12);
    out
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        sum.wrapping_add(u32::from_be_bytes(w))
    })
}

fn padded(len: usize) -> usize {
    len.div_ceil(4) * 4
}

/// The tables as a WOFF 1.0 file (each table zlib-compressed where that is
/// smaller), with `head.checkSumAdjustment` computed over the sfnt they
/// make up.
fn woff(flavor: u32, mut tables: BTreeMap<[u8; 4], Vec<u8>>) -> Vec<u8> {
    let n = tables.len();
    // The checksum adjustment of the equivalent sfnt.
    if let Some(head) = tables.get_mut(b"head")
        && head.len() >= 12
    {
        head[8..12].fill(0);
    }
    let dir_len = 12 + 16 * n;
    let entry_selector = (usize::BITS - 1 - n.max(1).leading_zeros()) as u16;
    let search_range = (1u16 << entry_selector) * 16;
    let mut header: Vec<u8> = Vec::new();
    header.extend(flavor.to_be_bytes());
    for v in [
        n as u16,
        search_range,
        entry_selector,
        (n as u16) * 16 - search_range,
    ] {
        header.extend(v.to_be_bytes());
    }
    let mut offset = dir_len;
    for (tag, data) in &tables {
        header.extend(tag);
        header.extend(checksum(data).to_be_bytes());
        header.extend((offset as u32).to_be_bytes());
        header.extend((data.len() as u32).to_be_bytes());
        offset += padded(data.len());
    }
    let total_sfnt = offset;
    let mut sum = checksum(&header);
    for data in tables.values() {
        sum = sum.wrapping_add(checksum(data));
    }
    if let Some(head) = tables.get_mut(b"head")
        && head.len() >= 12
    {
        head[8..12].copy_from_slice(&0xB1B0_AFBAu32.wrapping_sub(sum).to_be_bytes());
    }
    // WOFF: header, directory, then the (compressed) tables.
    let mut body: Vec<u8> = Vec::new();
    let mut dir: Vec<u8> = Vec::new();
    let mut at = 44 + 20 * n;
    for (tag, data) in &tables {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        let packed = match z.write_all(data).and_then(|()| z.finish()) {
            Ok(p) if p.len() < data.len() => p,
            _ => data.clone(),
        };
        dir.extend(tag);
        dir.extend((at as u32).to_be_bytes());
        dir.extend((packed.len() as u32).to_be_bytes());
        dir.extend((data.len() as u32).to_be_bytes());
        dir.extend(checksum(data).to_be_bytes());
        at += padded(packed.len());
        body.extend(&packed);
        body.resize(padded(body.len()), 0);
    }
    let mut out: Vec<u8> = Vec::with_capacity(at);
    out.extend(b"wOFF");
    out.extend(flavor.to_be_bytes());
    out.extend((at as u32).to_be_bytes());
    out.extend((n as u16).to_be_bytes());
    out.extend(0u16.to_be_bytes());
    out.extend((total_sfnt as u32).to_be_bytes());
    out.extend(1u16.to_be_bytes());
    out.extend(0u16.to_be_bytes());
    out.extend([0u8; 20]);
    out.extend(dir);
    out.extend(body);
    out
}

/// The sfnt inside a WOFF 1.0 file (for checks: parse it with ttf-parser).
pub fn unwrap_woff(woff: &[u8]) -> Option<Vec<u8>> {
    if woff.get(..4)? != b"wOFF" {
        return None;
    }
    let flavor = be32(woff, 4)?;
    let n = usize::from(be16(woff, 12)?);
    let mut tables = BTreeMap::new();
    for k in 0..n {
        let rec = 44 + 20 * k;
        let tag: [u8; 4] = woff.get(rec..rec + 4)?.try_into().ok()?;
        let off = be32(woff, rec + 4)? as usize;
        let comp = be32(woff, rec + 8)? as usize;
        let orig = be32(woff, rec + 12)? as usize;
        let raw = woff.get(off..off.checked_add(comp)?)?;
        let data = if comp < orig {
            let mut d = flate2::read::ZlibDecoder::new(raw);
            let mut out = Vec::with_capacity(orig);
            std::io::Read::read_to_end(&mut d, &mut out).ok()?;
            out
        } else {
            raw.to_vec()
        };
        tables.insert(tag, data);
    }
    let mut out: Vec<u8> = Vec::new();
    out.extend(flavor.to_be_bytes());
    out.extend((n as u16).to_be_bytes());
    out.extend([0u8; 6]);
    let mut offset = 12 + 16 * n;
    for (tag, data) in &tables {
        out.extend(tag);
        out.extend(checksum(data).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        offset += padded(data.len());
    }
    for data in tables.values() {
        out.extend(data);
        out.resize(padded(out.len()), 0);
    }
    Some(out)
}

/// The fonts embedded in a page: (family, sfnt bytes) of every
/// `@font-face` with a WOFF data URI.
pub fn embedded_fonts(page: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for rule in page.split("@font-face").skip(1) {
        let family = rule
            .split("font-family: \"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string();
        let Some(data) = rule
            .split("data:font/woff;base64,")
            .nth(1)
            .and_then(|r| r.split(')').next())
        else {
            continue;
        };
        if let Ok(woff) = base64::engine::general_purpose::STANDARD.decode(data)
            && let Some(sfnt) = unwrap_woff(&woff)
        {
            out.push((family, sfnt));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> BTreeSet<char> {
        text.chars().collect()
    }

    #[test]
    fn a_kept_subset_is_reused_only_for_the_same_face_and_characters() {
        let fonts = FontSet::bundled();
        let body = &fonts.faces[fonts.role(Role::Body)];
        let title = &fonts.faces[fonts.role(Role::Title)];
        let kept = std::sync::Mutex::new(Vec::new());
        let (first, hit) = subset_kept_in(&kept, body, &set("卫生健康")).expect("subset");
        assert!(!hit);
        let (again, hit) = subset_kept_in(&kept, body, &set("卫生健康")).expect("subset");
        assert!(hit, "the same face and characters are kept");
        assert_eq!(first, again);
        // A font set resolved again (each preview build resolves one) has
        // the same bundled bytes.
        let resolved_again = FontSet::bundled();
        let body_again = &resolved_again.faces[resolved_again.role(Role::Body)];
        let (_, hit) = subset_kept_in(&kept, body_again, &set("卫生健康")).expect("subset");
        assert!(hit, "the same bytes in another font set are the same face");
        let (_, hit) = subset_kept_in(&kept, body, &set("卫生健康委")).expect("subset");
        assert!(!hit, "another character set is subset anew");
        let (other, hit) = subset_kept_in(&kept, title, &set("卫生健康")).expect("subset");
        assert!(!hit, "another face is subset anew");
        assert_ne!(first, other);
        // What is kept is what subsetting gives.
        let fresh = base64::engine::general_purpose::STANDARD
            .encode(subset_woff(body.bytes(), body.index, &set("卫生健康")).expect("subset"));
        assert_eq!(&*first, fresh.as_str());
        // A font read from a file is not kept alive by its subset, and a
        // subset of bytes that are gone is never reused.
        let read: crate::fonts::FontBytes = std::sync::Arc::new(body.bytes().to_vec());
        let from_file = crate::fonts::Face {
            source: crate::fonts::FontSource::Profile,
            data: read.clone(),
            ..body.clone()
        };
        let (_, hit) = subset_kept_in(&kept, &from_file, &set("卫生")).expect("subset");
        assert!(!hit);
        assert_eq!(
            std::sync::Arc::strong_count(&read),
            2,
            "only the face and `read` hold it"
        );
        let (_, hit) = subset_kept_in(&kept, &from_file, &set("卫生")).expect("subset");
        assert!(hit, "kept while its bytes live");
        drop(from_file);
        drop(read);
        assert!(
            kept.lock().expect("lock").iter().any(|m| !m.is_alive()),
            "the entry is dead once the bytes are"
        );
        // Only the last few are kept.
        for n in 0..KEPT_SUBSETS {
            let chars: BTreeSet<char> = [char::from_u32(0x4e00 + n as u32).expect("han")].into();
            subset_kept_in(&kept, body, &chars).expect("subset");
        }
        assert_eq!(kept.lock().expect("lock").len(), KEPT_SUBSETS);
        let (_, hit) = subset_kept_in(&kept, body, &set("卫生健康")).expect("subset");
        assert!(!hit, "the oldest was dropped");
    }

    #[test]
    fn subset_keeps_exactly_the_characters_with_their_advances() {
        let fonts = FontSet::bundled();
        let face = &fonts.faces[fonts.role(Role::Body)];
        let chars = set("丽水市卫生健康委员会2022年，。A%");
        let woff = subset_woff(face.bytes(), face.index, &chars).unwrap();
        assert_eq!(&woff[..4], b"wOFF");
        let sfnt = unwrap_woff(&woff).unwrap();
        let sub = ttf_parser::Face::parse(&sfnt, 0).unwrap();
        let orig = ttf_parser::Face::parse(face.bytes(), face.index).unwrap();
        for c in chars {
            let g = sub.glyph_index(c).unwrap_or_else(|| panic!("{c} lost"));
            let o = orig.glyph_index(c).unwrap();
            assert_eq!(sub.glyph_hor_advance(g), orig.glyph_hor_advance(o), "{c}");
            assert!(sub.outline_glyph(g, &mut Sink).is_some() || c == ' ', "{c}");
        }
        assert!(sub.glyph_index('草').is_none());
        assert!(sub.tables().os2.is_some());
        assert!(woff.len() < 20_000, "{}", woff.len());
    }

    struct Sink;
    impl ttf_parser::OutlineBuilder for Sink {
        fn move_to(&mut self, _: f32, _: f32) {}
        fn line_to(&mut self, _: f32, _: f32) {}
        fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
        fn close(&mut self) {}
    }

    #[test]
    fn truetype_face_subsets_too() {
        let fonts = FontSet::bundled();
        let face = &fonts.faces[fonts.role(Role::Heading2)];
        let woff = subset_woff(face.bytes(), face.index, &set("（一）落实落细")).unwrap();
        let sfnt = unwrap_woff(&woff).unwrap();
        let sub = ttf_parser::Face::parse(&sfnt, 0).unwrap();
        assert!(sub.glyph_index('落').is_some());
    }

    #[test]
    fn characters_go_to_the_first_face_that_has_them_and_output_is_stable() {
        let fonts = FontSet::bundled();
        let texts = [(Role::Body, "正文"), (Role::Heading2, "（一）楷")];
        let plan = assign(&fonts, &texts);
        assert_eq!(plan[&fonts.role(Role::Body)], set("正文"));
        assert_eq!(plan[&fonts.role(Role::Heading2)], set("（一）楷"));
        let a = embed(&fonts, &texts);
        assert_eq!(a, embed(&fonts, &texts));
        assert_eq!(embedded_fonts(&a.rules).len(), 2);
        assert_eq!(
            a.families[&Role::Body].first(),
            Some(&family_name(fonts.role(Role::Body)))
        );
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn cmap_segments_map_every_pair() {
        let pairs = [(0x41, 1), (0x42, 2), (0x44, 3), (0x4E00, 9), (0x2A6D6, 10)];
        let mut font: Vec<u8> = Vec::new();
        let _ = font.write_all(&cmap_table(&pairs));
        let table = ttf_parser::cmap::Table::parse(&font).unwrap();
        for (c, g) in pairs {
            let hit = table
                .subtables
                .into_iter()
                .find_map(|s| s.glyph_index(c))
                .map(|g| g.0);
            assert_eq!(hit, Some(g), "{c:x}");
        }
    }
}
