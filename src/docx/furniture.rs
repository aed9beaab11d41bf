//! The DOCX page furniture: each section's properties, the footers with the
//! page number `— N —` (upright on portrait pages; on a landscape page
//! turned onto the edge where the portrait pages have it, in a text box,
//! as the PDF does) and the draft's 草稿 header.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{Geometry, Names, R_NS, W_NS, XML_HEAD, esc, needs_east_asian_hint, tw};
use crate::profile::{PT_PER_MM, PageNumberPlacement, Profile};

pub(super) const RID_FOOTER_ODD: &str = "rIdFooterOdd";
pub(super) const RID_FOOTER_EVEN: &str = "rIdFooterEven";
pub(super) const RID_FOOTER_ODD_TURNED: &str = "rIdFooterOddTurned";
pub(super) const RID_FOOTER_EVEN_TURNED: &str = "rIdFooterEvenTurned";
pub(super) const RID_HEADER: &str = "rIdHeader";

const WP_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const A_NS: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const WPS_NS: &str = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// EMU (DrawingML's unit) per millimetre.
const EMU_PER_MM: f32 = 36_000.0;

/// A section's properties: footers, paper, margins, grid. A turned
/// section (`Geometry::turned`) takes the turned footers.
pub(super) fn section(g: &Geometry, profile: &Profile, draft: bool) -> String {
    let mut s = String::from("<w:sectPr>");
    if draft {
        let _ = write!(
            s,
            "<w:headerReference w:type=\"default\" r:id=\"{RID_HEADER}\"/><w:headerReference w:type=\"even\" r:id=\"{RID_HEADER}\"/>"
        );
    }
    if profile.page_number.show {
        let (odd, even) = if g.turned {
            (RID_FOOTER_ODD_TURNED, RID_FOOTER_EVEN_TURNED)
        } else {
            (RID_FOOTER_ODD, RID_FOOTER_EVEN)
        };
        let _ = write!(s, "<w:footerReference w:type=\"default\" r:id=\"{odd}\"/>");
        if profile.page_number.placement == PageNumberPlacement::Alternate {
            let _ = write!(s, "<w:footerReference w:type=\"even\" r:id=\"{even}\"/>");
        }
    }
    let orient = if g.page_w > g.page_h {
        " w:orient=\"landscape\""
    } else {
        ""
    };
    let _ = write!(
        s,
        "<w:type w:val=\"nextPage\"/><w:pgSz w:w=\"{}\" w:h=\"{}\"{orient}/><w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"851\" w:footer=\"{}\" w:gutter=\"0\"/><w:cols w:space=\"425\"/><w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{}\" w:charSpace=\"{}\"/></w:sectPr>",
        g.page_w, g.page_h, g.top, g.right, g.bottom, g.left, g.footer, g.line_pitch, g.char_space
    );
    s
}

/// The paragraph of the page number `— N —` (a PAGE field), aligned `jc`
/// and indented one character of the number's size on that side.
fn number_paragraph(
    profile: &Profile,
    names: &Names,
    jc: &str,
    dropped: &mut BTreeSet<char>,
) -> String {
    let pn = &profile.page_number;
    let size = profile.fonts.page_number.size_pt;
    let indent = tw(f64::from(pn.indent_chars) * f64::from(size));
    let ind = match jc {
        "right" => format!("<w:ind w:right=\"{indent}\"/>"),
        "left" => format!("<w:ind w:left=\"{indent}\"/>"),
        _ => String::new(),
    };
    let font = esc(&names.page_number, dropped);
    let half = (size * 2.0).round() as i64;
    let rpr = |text: &str| {
        let hint = if needs_east_asian_hint(text) {
            " w:hint=\"eastAsia\""
        } else {
            ""
        };
        format!(
            "<w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"{hint}/><w:sz w:val=\"{half}\"/><w:szCs w:val=\"{half}\"/></w:rPr>"
        )
    };
    let text_run = |t: &str, dropped: &mut BTreeSet<char>| {
        if t.is_empty() {
            String::new()
        } else {
            format!(
                "<w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                rpr(t),
                esc(t, dropped)
            )
        }
    };
    let mut s =
        format!("<w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>");
    let (before, after) = pn.format.split_once("{n}").unwrap_or((&pn.format, ""));
    s.push_str(&text_run(before, dropped));
    if pn.format.contains("{n}") {
        let r = rpr("1");
        let _ = write!(
            s,
            "<w:r>{r}<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r>{r}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r>{r}<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r>{r}<w:t>1</w:t></w:r><w:r>{r}<w:fldChar w:fldCharType=\"end\"/></w:r>"
        );
    }
    s.push_str(&text_run(after, dropped));
    s.push_str("</w:p>");
    s
}

/// A portrait footer: the page number's paragraph.
pub(super) fn footer(
    profile: &Profile,
    names: &Names,
    jc: &str,
    dropped: &mut BTreeSet<char>,
) -> String {
    format!(
        "{XML_HEAD}<w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">{}</w:ftr>",
        number_paragraph(profile, names, jc, dropped)
    )
}

/// A landscape section's footer. Its page is the portrait page turned a
/// quarter clockwise (`Geometry::of`), so the portrait page's foot is its
/// left edge: the page number stands there in a text box whose text is
/// turned a quarter clockwise (`vert="vert"`), along the portrait text
/// block and as far below it as on portrait pages. Turned back, the sheet
/// shows the number where every other page has it. `id`: the text box's
/// drawing id, unique in the document.
pub(super) fn turned_footer(
    profile: &Profile,
    names: &Names,
    jc: &str,
    id: u32,
    dropped: &mut BTreeSet<char>,
) -> String {
    let p = &profile.page;
    let number_mm = profile.fonts.page_number.size_pt / PT_PER_MM;
    // The portrait foot of the text block, seen from the portrait page's
    // bottom edge: the left edge of the turned page.
    let below_text_mm = p.margin_bottom_mm();
    // The line's top (towards the text block) where the portrait footer
    // puts it; the box reaches one more line towards the edge.
    let inner_mm = (below_text_mm - profile.page_number.offset_mm).max(0.0);
    let outer_mm = (inner_mm - 2.0 * number_mm).max(0.0);
    let emu = |mm: f32| (mm * EMU_PER_MM).round() as i64;
    let (x, cx) = (emu(outer_mm), emu(inner_mm - outer_mm));
    let (y, cy) = (emu(p.margin_left_mm), emu(p.text_width_mm));
    let paragraph = number_paragraph(profile, names, jc, dropped);
    format!(
        "{XML_HEAD}<w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\" xmlns:wp=\"{WP_NS}\" xmlns:a=\"{A_NS}\" xmlns:wps=\"{WPS_NS}\" xmlns:mc=\"{MC_NS}\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\" simplePos=\"0\" relativeHeight=\"{id}\" behindDoc=\"0\" locked=\"1\" layoutInCell=\"1\" allowOverlap=\"1\"><wp:simplePos x=\"0\" y=\"0\"/><wp:positionH relativeFrom=\"page\"><wp:posOffset>{x}</wp:posOffset></wp:positionH><wp:positionV relativeFrom=\"page\"><wp:posOffset>{y}</wp:posOffset></wp:positionV><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:wrapNone/><wp:docPr id=\"{id}\" name=\"Page number {id}\"/><wp:cNvGraphicFramePr/><a:graphic><a:graphicData uri=\"{WPS_NS}\"><wps:wsp><wps:cNvSpPr txBox=\"1\"/><wps:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr><wps:txbx><w:txbxContent>{paragraph}</w:txbxContent></wps:txbx><wps:bodyPr rot=\"0\" vert=\"vert\" wrap=\"square\" lIns=\"0\" tIns=\"0\" rIns=\"0\" bIns=\"0\" anchor=\"t\" anchorCtr=\"0\"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice></mc:AlternateContent></w:r></w:p></w:ftr>"
    )
}

/// The draft's header: 草稿 at the right of every page.
pub(super) fn draft_header(names: &Names, profile: &Profile) -> String {
    let font = &names.heading1;
    let half = (profile.fonts.body.size_pt * 2.0).round() as i64;
    format!(
        "{XML_HEAD}<w:hdr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:p><w:pPr><w:pStyle w:val=\"Header\"/><w:jc w:val=\"right\"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"/><w:color w:val=\"B3261E\"/><w:sz w:val=\"{half}\"/><w:szCs w:val=\"{half}\"/></w:rPr><w:t>{}</w:t></w:r></w:p></w:hdr>",
        crate::pdf::DRAFT_MARK
    )
}
