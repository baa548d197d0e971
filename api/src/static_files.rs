//! The mini-app's files, loaded into memory at start-up from `STATIC_DIR` (a few hundred
//! kilobytes). Only files that exist there are ever served, so a path cannot escape the
//! folder. Precompressed `.br`/`.gz` siblings are sent to clients that accept them; hashed
//! assets are cached for a year, `index.html` is revalidated every time.

use std::collections::HashMap;
use std::path::Path;

use actix_web::http::header::{self, AcceptEncoding, Encoding, Header};
use actix_web::{HttpRequest, HttpResponse};

/// One file and its precompressed forms.
#[derive(Debug)]
struct Asset {
    content_type: String,
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
        // A malformed header counts as none: the file goes out uncompressed.
        let accepts = AcceptEncoding::parse(req).unwrap_or(AcceptEncoding(Vec::new()));
        let (body, encoding) = match (&asset.brotli, &asset.gzip) {
            (Some(br), _) if accepts_coding(&accepts, &Encoding::brotli()) => {
                (br.clone(), Some("br"))
            }
            (_, Some(gz)) if accepts_coding(&accepts, &Encoding::gzip()) => {
                (gz.clone(), Some("gzip"))
            }
            _ => (asset.raw.clone(), None),
        };
        let mut response = HttpResponse::Ok();
        response
            .insert_header((header::CONTENT_TYPE, asset.content_type.as_str()))
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

/// Whether the client takes `coding` rather than the plain file: actix's negotiation
/// between that coding and `identity` (q-values, `*` and `q=0` as RFC 9110 reads them).
fn accepts_coding(accepts: &AcceptEncoding, coding: &Encoding) -> bool {
    let offered = [coding.clone(), Encoding::identity()];
    accepts.negotiate(offered.iter()).as_ref() == Some(coding)
}

#[cfg(test)]
/// [`accepts_coding`] for a raw `Accept-Encoding` value and a coding's name.
fn accepts_encoding(header_value: &str, coding: &str) -> bool {
    let Ok(value) = header::HeaderValue::from_str(header_value) else {
        return false;
    };
    let Ok(items) = header::from_comma_delimited(std::iter::once(&value)) else {
        return false;
    };
    let Ok(coding) = coding.parse::<Encoding>() else {
        return false;
    };
    accepts_coding(&AcceptEncoding(items), &coding)
}

/// The `Content-Type` of a file, guessed from its extension (`mime_guess`); text goes
/// out as UTF-8, which is what the build writes.
fn content_type(path: &str) -> String {
    let guessed = mime_guess::from_path(path).first_or_octet_stream();
    // RFC 9239: JavaScript is `text/javascript`, whatever the extension (`.mjs`).
    let essence = match guessed.essence_str() {
        "application/javascript" => "text/javascript",
        other => other,
    };
    if essence.starts_with("text/") {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
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

    #[test]
    fn types_of_the_built_mini_app_and_coding_preference() {
        assert_eq!(
            content_type("/assets/app-1.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("/assets/app.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("/icon.svg"), "image/svg+xml");
        assert_eq!(content_type("/favicon.ico"), "image/x-icon");
        assert_eq!(content_type("/no-extension"), "application/octet-stream");
        // A browser's usual header takes brotli; `*` names no coding (the plain file);
        // q=0 refuses.
        assert!(accepts_encoding("gzip, deflate, br, zstd", "br"));
        assert!(!accepts_encoding("*", "gzip"));
        assert!(!accepts_encoding("gzip;q=0, identity", "gzip"));
        assert!(!accepts_encoding("", "gzip"));
    }
}
