//! Reading a source file: bytes → text. UTF-8 (with or without BOM) and
//! UTF-16 (with BOM) are taken as they are; anything else is handed to
//! chardetng, and GBK/GB18030 or Big5 text is decoded with encoding_rs. A
//! binary file (NUL bytes, a PDF, an old Word file) is refused by name.

use encoding_rs::{Encoding, GB18030, UTF_8};

use crate::i18n;
use crate::tr;

/// Decoded text and the name of the encoding it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Why a file could not be read as text: the message and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText {
    pub message: String,
    pub hint: String,
}

fn not_text(message: impl Into<String>, hint: impl Into<String>) -> NotText {
    NotText {
        message: message.into(),
        hint: hint.into(),
    }
}

/// What a binary file's first bytes say it is, if they say anything (in
/// the current language).
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    let magic: [(&[u8], &str, &str); 6] = [
        (b"%PDF", "a PDF file", "一个 PDF 文件"),
        (
            b"\xD0\xCF\x11\xE0",
            "an old Word/WPS (.doc/.wps) file",
            "一个旧版 Word/WPS 文件（.doc/.wps）",
        ),
        (b"\x89PNG", "a PNG image", "一张 PNG 图片"),
        (b"\xFF\xD8\xFF", "a JPEG image", "一张 JPEG 图片"),
        (b"{\\rtf", "an RTF file", "一个 RTF 文件"),
        (b"PK\x03\x04", "a zip archive", "一个 zip 压缩包"),
    ];
    magic
        .iter()
        .find(|(m, _, _)| bytes.starts_with(m))
        .map(|(_, en, zh)| i18n::pick(en, zh))
}

/// Decodes `bytes` as text, detecting the encoding.
pub fn decode(bytes: &[u8]) -> Result<Decoded, NotText> {
    let save_as = i18n::pick(
        "save the report as plain text (.txt, UTF-8) or as .docx and import that",
        "请把报告另存为纯文本（.txt，UTF-8 编码）或 .docx，再导入",
    );
    if bytes.is_empty() {
        return Err(not_text(
            i18n::pick("the file is empty", "文件是空的"),
            i18n::pick(
                "import the file that holds the report's text",
                "请导入存有报告文字的文件",
            ),
        ));
    }
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            let name = enc.name();
            return Err(not_text(
                tr!(
                    "the file starts with a {name} byte-order mark but is not valid {name}",
                    "文件开头有 {name} 字节顺序标记（BOM），内容却不是有效的 {name} 文本"
                ),
                save_as,
            ));
        }
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
        });
    }
    if let Some(kind) = binary_kind(bytes) {
        return Err(not_text(
            tr!(
                "this is {kind}, not a text file",
                "这是{kind}，不是文本文件"
            ),
            save_as,
        ));
    }
    if bytes.contains(&0) {
        return Err(not_text(
            i18n::pick(
                "this is a binary file (it holds NUL bytes), not text",
                "这是二进制文件（含有 NUL 字节），不是文本",
            ),
            save_as,
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_string(),
            encoding: UTF_8.name(),
        });
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    // GB18030 is a superset of GBK and GB2312: decode any of them with it.
    let enc = match guess.name() {
        "GBK" | "gb18030" => GB18030,
        "Big5" => guess,
        other => {
            return Err(not_text(
                tr!(
                    "the text is in no encoding a Chinese report uses (it looks like {other})",
                    "文字不是中文报告所用的编码（看起来像 {other}）"
                ),
                save_as,
            ));
        }
    };
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        let name = enc.name();
        return Err(not_text(
            tr!(
                "the text looks like {name} but has bytes that are not {name}",
                "文字看起来是 {name} 编码，但其中有不属于 {name} 的字节"
            ),
            save_as,
        ));
    }
    let text = text.into_owned();
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    if controls * 20 > text.chars().count() {
        return Err(not_text(
            i18n::pick(
                "this is a binary file, not text",
                "这是二进制文件，不是文本",
            ),
            save_as,
        ));
    }
    Ok(Decoded {
        text,
        encoding: enc.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "丽水市卫生健康委员会2022年工作总结和2023年工作要点\n一、2022年卫生健康工作总结\n（一）落实落细疫情防控，牢牢守住底线。";

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode(SAMPLE.as_bytes()).unwrap().text, SAMPLE);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(SAMPLE.as_bytes());
        assert_eq!(decode(&bom).unwrap().text, SAMPLE);
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(SAMPLE.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-16LE"));
        let mut be = vec![0xFE, 0xFF];
        be.extend(SAMPLE.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap().text, SAMPLE);
    }

    #[test]
    fn gbk_is_detected() {
        let (gbk, _, _) = encoding_rs::GBK.encode(SAMPLE);
        let d = decode(&gbk).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "gb18030"));
    }

    #[test]
    fn binary_and_empty_are_refused() {
        assert!(decode(b"").unwrap_err().message.contains("empty"));
        assert!(
            decode(b"%PDF-1.7\n...")
                .unwrap_err()
                .message
                .contains("PDF")
        );
        assert!(decode(b"abc\0def").unwrap_err().message.contains("binary"));
        assert!(
            decode(b"\xD0\xCF\x11\xE0\xA1\xB1")
                .unwrap_err()
                .message
                .contains("Word")
        );
        let noise: Vec<u8> = (0..4000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 | 1)
            .collect();
        assert!(decode(&noise).is_err());
    }
}
