//! The preview server over raw HTTP (no browser): which interface it listens
//! on, which paths exist, the PDF link and the event stream.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use zongjie::preview::{self, BuildFailure, PreviewConfig, Site};

struct FixedSite;

impl Site for FixedSite {
    fn watched_paths(&self) -> Vec<PathBuf> {
        Vec::new()
    }
    fn build_html(&self) -> Result<String, BuildFailure> {
        Ok("<!DOCTYPE html><html><body><p>报告正文</p></body></html>".into())
    }
    fn build_pdf(&self) -> Result<Vec<u8>, BuildFailure> {
        Ok(b"%PDF-1.7\n%fixed\n".to_vec())
    }
}

/// Sends one raw request (the target is sent exactly as given, no
/// normalisation) and returns the status code and the whole response.
fn raw(addr: SocketAddr, method: &str, target: &str, host: &str) -> (u16, String) {
    let mut s = match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        Ok(s) => s,
        Err(e) => panic!("connect: {e}"),
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let req = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    if let Err(e) = s.write_all(req.as_bytes()) {
        panic!("write: {e}");
    }
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn get(addr: SocketAddr, target: &str) -> (u16, String) {
    raw(addr, "GET", target, &format!("127.0.0.1:{}", addr.port()))
}

/// Local addresses of listening TCP sockets on `port`, from /proc (Linux).
fn listening_on(port: u16) -> Option<Vec<String>> {
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).ok()?;
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (cols.get(1), cols.get(3)) else {
                continue;
            };
            let Some((ip, p)) = local.split_once(':') else {
                continue;
            };
            if *state == "0A" && u16::from_str_radix(p, 16).ok() == Some(port) {
                found.push(ip.to_string());
            }
        }
    }
    Some(found)
}

#[test]
fn listens_on_loopback_only_by_default() {
    let server = match preview::start(Arc::new(FixedSite), &PreviewConfig::default()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let addr = server.addr();
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    assert_ne!(addr.port(), 0);
    if let Some(sockets) = listening_on(addr.port()) {
        // 0100007F is 127.0.0.1 in /proc's byte order; 00000000 would be 0.0.0.0.
        assert_eq!(
            sockets,
            vec!["0100007F".to_string()],
            "listening sockets on the port"
        );
    }
    // A page fetched through another name (DNS rebinding) is refused.
    assert_eq!(raw(addr, "GET", "/", "attacker.example").0, 403);
    assert_eq!(
        raw(addr, "GET", "/", &format!("localhost:{}", addr.port())).0,
        200
    );
    server.stop();
}

#[test]
fn only_the_page_pdf_and_events_exist() {
    let server = match preview::start(Arc::new(FixedSite), &PreviewConfig::default()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let addr = server.addr();
    let (status, page) = get(addr, "/");
    assert_eq!(status, 200);
    assert!(page.contains("报告正文"));
    assert!(
        page.contains("new EventSource(\"/__events\")"),
        "reload script injected"
    );
    assert!(page.contains("href=\"/report.pdf\""), "PDF link injected");
    let (status, pdf) = get(addr, "/report.pdf");
    assert_eq!(status, 200);
    assert!(pdf.contains("application/pdf") && pdf.contains("%PDF-1.7"));
    for target in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/report.pdf/../../../etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "/Cargo.toml",
        "/report.md",
        "/templates/page.html.tera",
        "/favicon.ico",
    ] {
        let (status, body) = get(addr, target);
        assert_eq!(status, 404, "{target}");
        assert!(!body.contains("root:"), "{target} leaked a file");
    }
    assert_eq!(
        raw(addr, "POST", "/", &format!("127.0.0.1:{}", addr.port())).0,
        405
    );
    server.stop();
}

#[test]
fn event_stream_sends_the_build_number() {
    let server = match preview::start(Arc::new(FixedSite), &PreviewConfig::default()) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let addr = server.addr();
    let mut s = match TcpStream::connect(addr) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let req = format!(
        "GET /__events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        addr.port()
    );
    let _ = s.write_all(req.as_bytes());
    let mut reader = BufReader::new(s);
    let mut seen = String::new();
    let mut line = String::new();
    while !seen.contains("data: 1\n") {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => panic!("stream ended; got {seen}"),
            Ok(_) => seen.push_str(&line),
        }
    }
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(seen.contains("text/event-stream"));
    assert!(seen.contains("event: build\n"));
    server.stop();
}

#[test]
fn serve_reports_its_address_then_blocks() {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = preview::serve(Arc::new(FixedSite), PreviewConfig::default(), |addr| {
            let _ = tx.send(addr);
        });
    });
    let addr = match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(a) => a,
        Err(e) => panic!("serve never became ready: {e}"),
    };
    assert!(addr.ip().is_loopback());
    assert_eq!(get(addr, "/").0, 200);
}
