//! What the servers of one test binary log, captured: a JSON-lines subscriber at debug level
//! installed once (before any server starts) for tests that grep the log for what must never
//! be in it (personal data, credentials, tokens).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn installed() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        tracing_subscriber::fmt()
            .json()
            .with_writer(capture.clone())
            .with_max_level(tracing::Level::DEBUG)
            .init();
        capture
    })
}

/// Starts capturing (idempotent); call before the first server of the binary starts.
pub fn capture() {
    installed();
}

/// Everything logged so far.
#[must_use]
pub fn logged() -> String {
    String::from_utf8_lossy(&installed().0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned()
}
