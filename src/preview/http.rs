//! The preview's HTTP/1.1 on `std::net`, bounded: one request head per
//! connection, read within a size and a time limit (parsed by `httparse`),
//! one response written within a time limit, then the connection is closed.
//! No request body is ever read.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// Largest request head (request line and headers) read, in bytes.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most header fields in one request.
pub const MAX_HEADERS: usize = 48;

/// The parts of a request head the preview looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub host: Option<String>,
    pub origin: Option<String>,
    /// `Sec-Fetch-Site`, lower case.
    pub fetch_site: Option<String>,
}

/// Why no request head was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    /// Longer than [`MAX_HEAD_BYTES`] or more than [`MAX_HEADERS`] fields (431).
    TooLarge,
    /// Not HTTP, or a header twice that must be there once (400).
    Malformed,
    /// The head did not arrive before the deadline (slow or idle client).
    Timeout,
    /// The client closed the connection first.
    Closed,
}

/// Parses a complete head at the start of `buf`; `Ok(None)` while more
/// bytes are needed.
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, HeadError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut fields);
    match request.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD_BYTES => {
            return Err(HeadError::TooLarge);
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(_) => return Err(HeadError::Malformed),
    }
    let once = |name: &str| -> Result<Option<String>, HeadError> {
        let mut values = request
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name));
        let first = values.next();
        if values.next().is_some() {
            return Err(HeadError::Malformed);
        }
        match first {
            None => Ok(None),
            Some(h) => std::str::from_utf8(h.value)
                .map(|v| Some(v.trim().to_string()))
                .map_err(|_| HeadError::Malformed),
        }
    };
    Ok(Some(Head {
        method: request.method.unwrap_or_default().to_string(),
        target: request.path.unwrap_or_default().to_string(),
        host: once("host")?,
        origin: once("origin")?,
        fetch_site: once("sec-fetch-site")?.map(|v| v.to_ascii_lowercase()),
    }))
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Reads one request head; the whole head must arrive before `deadline`
/// (a client that trickles bytes is cut off there, not per read).
pub fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Head, HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HeadError::Timeout);
        }
        if stream.set_read_timeout(Some(left)).is_err() {
            return Err(HeadError::Closed);
        }
        let room = (MAX_HEAD_BYTES + 1 - buf.len()).min(chunk.len());
        let n = match stream.read(&mut chunk[..room]) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if timed_out(&e) => return Err(HeadError::Timeout),
            Err(_) => return Err(HeadError::Closed),
        };
        let from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        // Parse only once a blank line has arrived (or the limit is hit):
        // a client sending one byte at a time costs no re-parsing.
        let ended = buf[from..].windows(2).any(|w| w == b"\n\n")
            || buf[from..].windows(4).any(|w| w == b"\r\n\r\n");
        if ended || buf.len() > MAX_HEAD_BYTES {
            if let Some(head) = parse_head(&buf)? {
                return Ok(head);
            }
            if buf.len() > MAX_HEAD_BYTES {
                return Err(HeadError::TooLarge);
            }
        }
    }
}

/// The reason phrase of the status codes the preview sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// The status line and headers of a response; every response closes its
/// connection and may not be embedded by or shared with other sites.
pub fn response_head(status: u16, content_type: &str, length: Option<usize>) -> String {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCross-Origin-Resource-Policy: same-origin\r\nX-Frame-Options: SAMEORIGIN\r\nConnection: close\r\n",
        reason(status)
    );
    if let Some(n) = length {
        head.push_str(&format!("Content-Length: {n}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Writes all of `bytes` before `deadline` (a client that does not read is
/// cut off there).
pub fn write_within(stream: &mut TcpStream, bytes: &[u8], deadline: Instant) -> io::Result<()> {
    for chunk in bytes.chunks(64 * 1024) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "write deadline"));
        }
        stream.set_write_timeout(Some(left))?;
        stream.write_all(chunk)?;
    }
    stream.flush()
}

/// Writes a whole response (no body for `HEAD`) and closes the connection.
pub fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    head_only: bool,
    deadline: Instant,
) {
    let head = response_head(status, content_type, Some(body.len()));
    let sent = write_within(stream, head.as_bytes(), deadline)
        .and_then(|()| {
            if head_only {
                Ok(())
            } else {
                write_within(stream, body, deadline)
            }
        })
        .is_ok();
    if sent {
        close_gently(stream);
    }
}

/// Longest a closed connection is drained (see [`close_gently`]).
pub const DRAIN: Duration = Duration::from_millis(300);

/// Half-closes, then reads briefly (at most [`DRAIN`] and 64 KiB in all)
/// what the client may still send, so the response is not lost to a reset
/// when unread bytes are left behind.
pub fn close_gently(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + DRAIN;
    let mut sink = [0u8; 4096];
    let mut left: usize = 64 * 1024;
    while left > 0 {
        let wait = until.saturating_duration_since(Instant::now());
        if wait.is_zero() || stream.set_read_timeout(Some(wait)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_fields_the_preview_needs() {
        let head = parse_head(
            b"GET /?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8023\r\nOrigin: http://evil.example\r\nSec-Fetch-Site: Cross-Site\r\n\r\n",
        );
        assert_eq!(
            head,
            Ok(Some(Head {
                method: "GET".into(),
                target: "/?x=1".into(),
                host: Some("127.0.0.1:8023".into()),
                origin: Some("http://evil.example".into()),
                fetch_site: Some("cross-site".into()),
            }))
        );
        assert_eq!(parse_head(b"GET / HTTP/1.1\r\nHost: a"), Ok(None));
    }

    #[test]
    fn refuses_oversize_ambiguous_and_garbage_heads() {
        let long = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(MAX_HEAD_BYTES));
        assert_eq!(parse_head(long.as_bytes()), Err(HeadError::TooLarge));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X{i}: v\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse_head(many.as_bytes()), Err(HeadError::TooLarge));
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            Err(HeadError::Malformed)
        );
        assert_eq!(
            parse_head(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
            Err(HeadError::Malformed)
        );
    }

    #[test]
    fn every_response_closes_and_forbids_embedding() {
        let head = response_head(431, "text/plain", Some(3));
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("Connection: close\r\n"));
        assert!(head.contains("Cross-Origin-Resource-Policy: same-origin\r\n"));
        assert!(head.ends_with("Content-Length: 3\r\n\r\n"));
    }
}
