//! Stand-ins for outside services, as real HTTP servers on loopback: they answer like the
//! real thing and record what they were sent, so tests can check both sides.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// One request a stand-in received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Method.
    pub method: String,
    /// Path with query.
    pub uri: String,
    /// `Authorization` header, if any.
    pub authorization: Option<String>,
    /// Body as text.
    pub body: String,
}

/// A running stand-in server.
pub struct StandIn {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Everything received, in order.
    pub log: Arc<Mutex<Vec<Recorded>>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

impl StandIn {
    /// Requests received so far.
    #[must_use]
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("log").clone()
    }
}

type Responder = Arc<dyn Fn(&Recorded) -> HttpResponse + Send + Sync>;

/// Starts a server that records every request and answers with `respond`.
pub fn start(respond: impl Fn(&Recorded) -> HttpResponse + Send + Sync + 'static) -> StandIn {
    let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let respond: Responder = Arc::new(respond);
    let server_log = Arc::clone(&log);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind stand-in");
    let port = listener.local_addr().expect("addr").port();
    let server = HttpServer::new(move || {
        let log = Arc::clone(&server_log);
        let respond = Arc::clone(&respond);
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let log = Arc::clone(&log);
            let respond = Arc::clone(&respond);
            async move {
                let recorded = Recorded {
                    method: req.method().to_string(),
                    uri: req.uri().to_string(),
                    authorization: req
                        .headers()
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned),
                    body: String::from_utf8_lossy(&body).into_owned(),
                };
                log.lock().expect("log").push(recorded.clone());
                respond(&recorded)
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .expect("listen")
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    StandIn {
        base: format!("http://127.0.0.1:{port}"),
        log,
        handle,
    }
}

/// One request a [`start_full`] stand-in received, with every header.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Method.
    pub method: String,
    /// Path with query.
    pub uri: String,
    /// Headers, names lower-case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Body as text.
    pub body: String,
}

impl Exchange {
    /// The first value of a header (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

/// A running [`start_full`] stand-in.
pub struct FullStandIn {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Everything received, in order.
    pub log: Arc<Mutex<Vec<Exchange>>>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for FullStandIn {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

impl FullStandIn {
    /// Requests received so far.
    #[must_use]
    pub fn requests(&self) -> Vec<Exchange> {
        self.log.lock().expect("log").clone()
    }

    /// Waits (up to `secs` seconds) until at least `n` requests arrived; returns them all.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Exchange> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let seen = self.requests();
            if seen.len() >= n || std::time::Instant::now() > deadline {
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

type FullResponder = Arc<dyn Fn(&Exchange) -> HttpResponse + Send + Sync>;

/// Like [`start`], but records every header (webhook receivers check signatures).
pub fn start_full(
    respond: impl Fn(&Exchange) -> HttpResponse + Send + Sync + 'static,
) -> FullStandIn {
    let log: Arc<Mutex<Vec<Exchange>>> = Arc::default();
    let respond: FullResponder = Arc::new(respond);
    let server_log = Arc::clone(&log);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind stand-in");
    let port = listener.local_addr().expect("addr").port();
    let server = HttpServer::new(move || {
        let log = Arc::clone(&server_log);
        let respond = Arc::clone(&respond);
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let log = Arc::clone(&log);
            let respond = Arc::clone(&respond);
            async move {
                let exchange = Exchange {
                    method: req.method().to_string(),
                    uri: req.uri().to_string(),
                    headers: req
                        .headers()
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.as_str().to_ascii_lowercase(),
                                v.to_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect(),
                    body: String::from_utf8_lossy(&body).into_owned(),
                };
                log.lock().expect("log").push(exchange.clone());
                respond(&exchange)
            }
        }))
    })
    .workers(2)
    .listen(listener)
    .expect("listen")
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    FullStandIn {
        base: format!("http://127.0.0.1:{port}"),
        log,
        handle,
    }
}

/// A letter an [`SmtpStandIn`] accepted.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The message as sent after `DATA` (dot-unstuffed).
    pub data: String,
}

fn unfold_headers(block: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in block.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    headers
}

fn decode_qp(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 3 <= bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn decode_body(headers: &[(String, String)], body: &str) -> String {
    let encoding = headers
        .iter()
        .find(|(n, _)| n == "content-transfer-encoding")
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    match encoding.as_str() {
        "base64" => {
            use base64::Engine;
            let joined: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap_or_default(),
            )
            .into_owned()
        }
        "quoted-printable" => String::from_utf8_lossy(&decode_qp(body)).into_owned(),
        _ => body.to_owned(),
    }
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in a header value.
#[must_use]
pub fn decode_header(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !before.trim().is_empty() {
            out.push_str(before);
        }
        let word = &rest[start + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        if parts.len() < 3 {
            out.push_str(&rest[start..]);
            return out;
        }
        let Some(end) = parts[2].find("?=") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let payload = &parts[2][..end];
        let bytes = if parts[1].eq_ignore_ascii_case("b") {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(payload)
                .unwrap_or_default()
        } else {
            decode_qp(&payload.replace('_', " "))
        };
        out.push_str(&String::from_utf8_lossy(&bytes));
        let consumed = start + 2 + parts[0].len() + 1 + parts[1].len() + 1 + end + 2;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    out
}

impl Mail {
    fn split(&self) -> (Vec<(String, String)>, String) {
        let (head, body) = self
            .data
            .split_once("\r\n\r\n")
            .unwrap_or((self.data.as_str(), ""));
        (unfold_headers(head), body.to_owned())
    }

    /// A top-level header, RFC 2047 words decoded.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        self.split()
            .0
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| decode_header(&v))
    }

    /// The decoded subject.
    #[must_use]
    pub fn subject(&self) -> String {
        self.header("subject").unwrap_or_default()
    }

    /// Every leaf part as (content type, decoded text); a single-part letter gives one.
    #[must_use]
    pub fn parts(&self) -> Vec<(String, String)> {
        let (headers, body) = self.split();
        let content_type = headers
            .iter()
            .find(|(n, _)| n == "content-type")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"').to_owned());
        let Some(boundary) = boundary else {
            return vec![(content_type, decode_body(&headers, &body))];
        };
        body.split(&format!("--{boundary}"))
            .skip(1)
            .filter(|chunk| !chunk.starts_with("--"))
            .map(|chunk| {
                let chunk = chunk.trim_start_matches("\r\n");
                let (head, part_body) = chunk.split_once("\r\n\r\n").unwrap_or((chunk, ""));
                let part_headers = unfold_headers(head);
                let part_type = part_headers
                    .iter()
                    .find(|(n, _)| n == "content-type")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                (part_type, decode_body(&part_headers, part_body.trim_end()))
            })
            .collect()
    }

    /// The decoded part of a content type (`text/plain`, `text/html`).
    #[must_use]
    pub fn part(&self, content_type: &str) -> Option<String> {
        self.parts()
            .into_iter()
            .find(|(t, _)| t.starts_with(content_type))
            .map(|(_, body)| body)
    }
}

/// A real SMTP server on loopback that accepts every letter (EHLO/HELO, MAIL, RCPT, DATA,
/// RSET, NOOP, QUIT) and records it.
pub struct SmtpStandIn {
    /// The port to set as `SMTP_PORT` (host `127.0.0.1`).
    pub port: u16,
    /// Letters accepted, in order.
    pub mails: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpStandIn {
    /// Letters accepted so far.
    #[must_use]
    pub fn received(&self) -> Vec<Mail> {
        self.mails.lock().expect("mails").clone()
    }

    /// Waits (up to `secs` seconds) until at least `n` letters arrived.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Mail> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let seen = self.received();
            if seen.len() >= n || std::time::Instant::now() > deadline {
                return seen;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

fn smtp_argument(line: &str) -> String {
    line.split_once(':')
        .map(|(_, rest)| rest.trim())
        .unwrap_or_default()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn serve_smtp(
    socket: tokio::net::TcpStream,
    mails: Arc<Mutex<Vec<Mail>>>,
) -> std::io::Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 standin ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    loop {
        let mut raw = Vec::new();
        if reader.read_until(b'\n', &mut raw).await? == 0 {
            return Ok(());
        }
        let line = String::from_utf8_lossy(&raw).trim_end().to_owned();
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-standin\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") {
            b"250 standin\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = smtp_argument(&line);
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(smtp_argument(&line));
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = String::new();
            loop {
                let mut raw = Vec::new();
                if reader.read_until(b'\n', &mut raw).await? == 0 {
                    return Ok(());
                }
                let text = String::from_utf8_lossy(&raw).into_owned();
                if text == ".\r\n" || text == ".\n" {
                    break;
                }
                data.push_str(text.strip_prefix('.').unwrap_or(&text));
            }
            mails.lock().expect("mails").push(Mail {
                from: std::mem::take(&mut from),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 OK queued\r\n"
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            b"250 OK\r\n"
        } else if upper == "NOOP" {
            b"250 OK\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// Starts an SMTP stand-in on `127.0.0.1` and a free port.
pub async fn start_smtp() -> SmtpStandIn {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind SMTP stand-in");
    let port = listener.local_addr().expect("addr").port();
    let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
    let log = Arc::clone(&mails);
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let _ = serve_smtp(socket, log).await;
            });
        }
    });
    SmtpStandIn { port, mails, task }
}
