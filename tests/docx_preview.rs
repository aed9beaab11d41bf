//! The preview links the current `.docx` as it links the PDF: the page's
//! toolbar has a `/report.docx` link, and that path serves the document
//! built from the data as it is now (an edit is followed), within the
//! build deadline; a broken data file gives the error panel, not a stale
//! document.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zongjie::preview::{self, PreviewConfig};
use zongjie::site::PipelineSite;

const DATA: &str = "doc: {title: 预览文档测试}\nparts:\n  - title: 工作总结\n    sections:\n      - lead: 一段\n        text: 正文第一版。\n";

/// One GET: status, Content-Type and body bytes.
fn get(addr: SocketAddr, target: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        addr.port()
    )
    .unwrap();
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&all[..split]).to_string();
    let status = head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    (status, content_type, all[split + 4..].to_vec())
}

fn document_xml(docx: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx");
    let mut s = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn preview_serves_the_current_docx() {
    let dir = common::temp("docx-preview");
    let file = dir.join("r.yaml");
    std::fs::write(&file, DATA).unwrap();
    let site = Arc::new(PipelineSite::new(
        file.clone(),
        None,
        None,
        Default::default(),
    ));
    let server = preview::start(site, &PreviewConfig::default()).expect("preview starts");
    let addr = server.addr();

    let (status, _, page) = get(addr, "/");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("href=\"/report.docx\""));

    let start = Instant::now();
    let (status, content_type, body) = get(addr, "/report.docx");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        content_type,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(document_xml(&body).contains("正文第一版。"));

    // An edit is followed: the next request builds from the new text.
    std::fs::write(&file, DATA.replace("第一版", "第二版")).unwrap();
    let (status, _, body) = get(addr, "/report.docx");
    assert_eq!(status, 200);
    assert!(document_xml(&body).contains("正文第二版。"));

    // Broken data: the error panel, never the last good document.
    std::fs::write(&file, "doc: [\n").unwrap();
    let (status, content_type, body) = get(addr, "/report.docx");
    assert_eq!(status, 500);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(String::from_utf8_lossy(&body).contains("r.yaml"));
    server.stop();
    let _ = std::fs::remove_dir_all(dir);
}
