//! The font subsets the PDF and the HTML page embed keep every glyph's
//! outline exactly, and a damaged font cannot crash or hang subsetting.
//!
//! zongjie builds `subsetter` and `krilla` from patched copies
//! (`vendor/README.md`): the CFF desubroutinizer copies bytes instead of
//! re-encoding instructions, and the PDF's `FontBBox` is the font's `head`
//! box instead of one drawn from every glyph. These tests are what those
//! patches answer to.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::Duration;

use ttf_parser::{Face, GlyphId, OutlineBuilder, Rect};

const FACES: [&str; 5] = [
    "FandolFang-Regular.otf",
    "FandolKai-Regular.otf",
    "NotoSansSC-Medium.otf",
    "NotoSerifSC-Bold.otf",
    "NotoSerifSC-Regular.otf",
];

/// An outline as text, one command a line, so two outlines compare exactly.
#[derive(Default)]
struct Recorder(String);

impl OutlineBuilder for Recorder {
    fn move_to(&mut self, x: f32, y: f32) {
        let _ = writeln!(self.0, "M {x} {y}");
    }
    fn line_to(&mut self, x: f32, y: f32) {
        let _ = writeln!(self.0, "L {x} {y}");
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let _ = writeln!(self.0, "Q {x1} {y1} {x} {y}");
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let _ = writeln!(self.0, "C {x1} {y1} {x2} {y2} {x} {y}");
    }
    fn close(&mut self) {
        self.0.push_str("Z\n");
    }
}

fn outline(face: &Face, glyph: GlyphId) -> (String, Option<Rect>) {
    let mut recorder = Recorder::default();
    let bbox = face.outline_glyph(glyph, &mut recorder);
    (recorder.0, bbox)
}

/// The glyphs of every character of the bundled examples, plus ASCII.
fn sample_glyphs(face: &Face) -> BTreeSet<u16> {
    let mut text: String = (' '..='~').collect();
    for name in ["data/lishui-2022.yaml", "data/wenzhou-2023-tasks.yaml"] {
        if let Ok(t) = std::fs::read_to_string(common::root().join(name)) {
            text.push_str(&t);
        }
    }
    let mut glyphs: BTreeSet<u16> = text
        .chars()
        .filter_map(|c| face.glyph_index(c))
        .map(|g| g.0)
        .collect();
    glyphs.insert(0);
    glyphs
}

/// A remapper keeping `glyphs`, in order.
fn remapper<'a>(glyphs: impl IntoIterator<Item = &'a u16>) -> subsetter::GlyphRemapper {
    let mut remapper = subsetter::GlyphRemapper::new();
    for &g in glyphs {
        remapper.remap(g);
    }
    remapper
}

fn subset(data: &[u8], glyphs: &BTreeSet<u16>) -> (Vec<u8>, subsetter::GlyphRemapper) {
    let remapper = remapper(glyphs);
    let out = subsetter::subset(data, 0, &remapper).expect("a bundled face subsets");
    (out, remapper)
}

#[test]
fn every_subset_glyph_has_the_original_outline() {
    for name in FACES {
        let data = std::fs::read(common::root().join("fonts").join(name)).unwrap();
        let original = Face::parse(&data, 0).unwrap();
        let glyphs = sample_glyphs(&original);
        assert!(
            glyphs.len() > 90,
            "{name}: only {} glyphs sampled",
            glyphs.len()
        );
        let (bytes, remapper) = subset(&data, &glyphs);
        let sub =
            Face::parse(&bytes, 0).unwrap_or_else(|e| panic!("{name}: subset unreadable: {e}"));
        assert_eq!(sub.number_of_glyphs() as usize, glyphs.len(), "{name}");
        let mut drawn = 0;
        for &old in &glyphs {
            let new = remapper.get(old).expect("every sampled glyph is kept");
            let (want, _) = outline(&original, GlyphId(old));
            let (got, _) = outline(&sub, GlyphId(new));
            assert_eq!(
                got, want,
                "{name}: glyph {old} (now {new}) changed its outline"
            );
            drawn += usize::from(!want.is_empty());
        }
        assert!(
            drawn * 10 > glyphs.len() * 9,
            "{name}: most sampled glyphs have outlines"
        );
    }
}

/// The PDF's `FontBBox` is the face's `head` box: it has to enclose every
/// glyph that can be embedded.
#[test]
fn the_head_box_encloses_every_glyph_of_each_bundled_face() {
    for name in FACES {
        let data = std::fs::read(common::root().join("fonts").join(name)).unwrap();
        let face = Face::parse(&data, 0).unwrap();
        let head = face.global_bounding_box();
        let mut outside = Vec::new();
        for g in 0..face.number_of_glyphs() {
            if let Some(b) = face.glyph_bounding_box(GlyphId(g))
                && (b.x_min < head.x_min
                    || b.y_min < head.y_min
                    || b.x_max > head.x_max
                    || b.y_max > head.y_max)
            {
                outside.push(g);
            }
        }
        assert!(
            outside.is_empty(),
            "{name}: glyphs outside the head box: {outside:?}"
        );
    }
}

/// Damaged charstrings (every byte of a small face's CFF table, one at a
/// time, set to values that mean "operator", "number" and "call") make
/// subsetting fail or succeed, never panic or loop, within a minute.
#[test]
fn damaged_charstrings_cannot_crash_or_hang_subsetting() {
    let data = std::fs::read(common::root().join("fonts/NotoSansSC-Medium.otf")).unwrap();
    let face = Face::parse(&data, 0).unwrap();
    let glyphs: BTreeSet<u16> = "一二三国家卫生健康委员会，。0A"
        .chars()
        .filter_map(|c| face.glyph_index(c))
        .map(|g| g.0)
        .chain([0])
        .collect();
    let (small, _) = subset(&data, &glyphs);
    let small_face = Face::parse(&small, 0).unwrap();
    let cff = small_face
        .raw_face()
        .table(ttf_parser::Tag::from_bytes(b"CFF "))
        .unwrap();
    let start = cff.as_ptr() as usize - small.as_ptr() as usize;
    let range = start..start + cff.len();
    let all: BTreeSet<u16> = (0..small_face.number_of_glyphs()).collect();
    let keep = remapper(&all);

    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let (mut ok, mut failed) = (0, 0);
        // Every 7th byte, so the whole table is covered in a few thousand runs.
        for at in range.step_by(7) {
            for value in [0u8, 10, 11, 12, 14, 19, 28, 29, 139, 255] {
                let mut damaged = small.clone();
                damaged[at] = value;
                match subsetter::subset(&damaged, 0, &keep) {
                    Ok(_) => ok += 1,
                    Err(_) => failed += 1,
                }
            }
        }
        let _ = done.send((ok, failed));
    });
    let (ok, failed) = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("subsetting damaged fonts finished within a minute without a panic");
    assert!(
        ok > 0 && failed > 0,
        "both outcomes seen: {ok} subset, {failed} refused"
    );
}

/// `tests/fixtures/fonts/subr-bomb.otf` (made by the script beside it):
/// its 正 calls subroutines that call each other twice at every level, 28
/// levels deep — 400 MB of outline once desubroutinized, minutes and
/// gigabytes before the limit. 文 and 。 are sound.
fn subr_bomb() -> Vec<u8> {
    std::fs::read(common::root().join("tests/fixtures/fonts/subr-bomb.otf")).unwrap()
}

#[test]
fn subroutines_that_double_at_every_level_are_refused_at_once() {
    let data = subr_bomb();
    let face = Face::parse(&data, 0).unwrap();
    let gid = |c: char| face.glyph_index(c).unwrap().0;
    let sound: BTreeSet<u16> = [0, gid('文'), gid('。')].into();
    subset(&data, &sound); // the rest of the font is sound
    let (done, finished) = mpsc::channel();
    let bomb = [0, gid('正')];
    std::thread::spawn(move || {
        let _ = done.send(subsetter::subset(&data, 0, &remapper(&bomb)).map(|b| b.len()));
    });
    let result = finished
        .recv_timeout(Duration::from_secs(20))
        .expect("refused within seconds, not after minutes");
    assert!(result.is_err(), "subset to {result:?} bytes");
}

/// The same font named in a profile: the PDF build fails at once, under a
/// memory limit, naming the font and its file; the HTML page falls back to
/// installed fonts with a warning.
#[test]
fn a_hostile_font_in_the_profile_fails_the_pdf_clearly() {
    let dir = common::temp("subr-bomb");
    std::fs::write(dir.join("subr-bomb.otf"), subr_bomb()).unwrap();
    std::fs::write(
        dir.join("r.yaml"),
        "doc: {title: 测试, year: 2022, issuer: 某局}\nintro: 正文。\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("p.yaml"),
        "fonts:\n  body: {file: subr-bomb.otf}\n",
    )
    .unwrap();
    let run = |format: &str| {
        let (out, _) = common::bounded(
            &dir,
            &[
                "build",
                "r.yaml",
                "--profile",
                "p.yaml",
                "--ignore-system-fonts",
                "--format",
                format,
                "--out",
                "o",
            ],
            &[],
            1024 * 1024,
            Duration::from_secs(60),
        );
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = run("pdf");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("the font Subr Bomb Test (subr-bomb.otf) cannot be embedded"),
        "{stderr}"
    );
    // At the profile's `file:` that names it.
    assert!(stderr.contains("--> p.yaml:2:16\n"), "{stderr}");
    assert!(!dir.join("o/r.pdf").exists());
    let (code, stderr) = run("html");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("HTML fonts: Subr Bomb Test cannot be embedded"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
