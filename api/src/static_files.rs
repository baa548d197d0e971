//! The mini-app's files, loaded into memory at start-up from `STATIC_DIR` (a few hundred
//! kilobytes). Only files that exist there are ever served, so a path cannot escape the
//! folder. Precompressed `.br`/`.gz` siblings are sent to clients that accept them; hashed
//! assets are cached for a year, `index.html` is revalidated every time.

use std::collections::HashMap;
use std::path::Path;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// One file and its precompressed forms.
#[derive(Debug)]
struct Asset {
    content_type: &'static str,
    raw: Vec<u8>,
    gzip: Option<Vec<u8>>,
    brotli: Option<Vec<u8>>,
    immutable: bool,
}

/// The mini-app's files keyed by URL path (`/index.html`, `/assets/app-1a2b.js`).
#[derive(Debug, Default)]
pub struct StaticFiles {
    files: HashMap<String, Asset>,
    csp: String,
}

impl StaticFiles {
    /// Reads every file below `dir`; a missing folder gives an empty set (the api still runs).
    #[must_use]
    pub fn load(dir: &Path, frame_ancestors: &str) -> Self {
        let mut files = HashMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = path.to_string_lossy();
                if name.ends_with(".gz") || name.ends_with(".br") {
                    continue;
                }
                let Ok(rel) = path.strip_prefix(dir) else {
                    continue;
                };
                let url = format!("/{}", rel.to_string_lossy().replace('\\', "/"));
                let Ok(raw) = std::fs::read(&path) else {
                    continue;
                };
                let sibling = |ext: &str| std::fs::read(format!("{name}.{ext}")).ok();
                files.insert(
                    url.clone(),
                    Asset {
                        content_type: content_type(&url),
                        gzip: sibling("gz"),
                        brotli: sibling("br"),
                        immutable: url.starts_with("/assets/"),
                        raw,
                    },
                );
            }
        }
        if files.is_empty() {
            tracing::warn!(dir = %dir.display(), "mini-app is not built: run scripts/build-mini-app");
        }
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval' https://st.max.ru; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
             form-action 'self'; object-src 'none'; frame-ancestors 'self' {frame_ancestors}"
        );
        Self { files, csp }
    }

    /// True when the mini-app was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Answers a request for `path`, or `None` when there is no such file.
    #[must_use]
    pub fn respond(&self, req: &HttpRequest, path: &str) -> Option<HttpResponse> {
        let key = if path == "/" { "/index.html" } else { path };
        let asset = self.files.get(key)?;
        let accepts = req
            .headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let (body, encoding) = match (&asset.brotli, &asset.gzip) {
            (Some(br), _) if accepts_encoding(accepts, "br") => (br.clone(), Some("br")),
            (_, Some(gz)) if accepts_encoding(accepts, "gzip") => (gz.clone(), Some("gzip")),
            _ => (asset.raw.clone(), None),
        };
        let mut response = HttpResponse::Ok();
        response
            .insert_header((header::CONTENT_TYPE, asset.content_type))
            .insert_header((header::VARY, "Accept-Encoding"))
            .insert_header((
                header::CACHE_CONTROL,
                if asset.immutable {
                    "public, max-age=31536000, immutable"
                } else {
                    "no-cache"
                },
            ));
        if let Some(encoding) = encoding {
            response.insert_header((header::CONTENT_ENCODING, encoding));
        }
        if asset.content_type.starts_with("text/html") {
            response.insert_header((header::CONTENT_SECURITY_POLICY, self.csp.as_str()));
        }
        Some(response.body(body))
    }
}

fn accepts_encoding(header_value: &str, coding: &str) -> bool {
    header_value.split(',').any(|part| {
        let mut pieces = part.split(';');
        let name = pieces.next().unwrap_or("").trim();
        let refused = pieces.any(|p| p.trim().replace(' ', "") == "q=0");
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::{accepts_encoding, content_type};

    #[test]
    fn encodings_and_types() {
        assert!(accepts_encoding("gzip, deflate, br", "br"));
        assert!(!accepts_encoding("gzip, br;q=0", "br"));
        assert!(!accepts_encoding("identity", "gzip"));
        assert_eq!(content_type("/assets/app-1.wasm"), "application/wasm");
        assert_eq!(content_type("/index.html"), "text/html; charset=utf-8");
    }
}
