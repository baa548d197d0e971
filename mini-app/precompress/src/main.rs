//! `precompress FILE…`: writes `FILE.gz` next to each file with Zopfli.
//!
//! The output is ordinary gzip (any browser inflates it) but a few per cent smaller than
//! `gzip -9`, which matters to the phones on slow networks that do not take brotli; the
//! build script calls it for every asset of the mini-app and the budgets are checked on
//! what it writes, that is on the bytes the service sends.

use std::fs;
use std::io::Write;
use std::num::NonZeroU64;
use std::path::Path;
use std::process::ExitCode;

/// Zopfli's iterations: 15 is its default; more gains a few bytes for much more time.
const ITERATIONS: u64 = 15;

fn compress(path: &Path) -> Result<(), String> {
    let data = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let options = zopfli::Options {
        iteration_count: NonZeroU64::new(ITERATIONS).unwrap_or(NonZeroU64::MIN),
        ..zopfli::Options::default()
    };
    let mut out = Vec::with_capacity(data.len() / 2);
    zopfli::compress(options, zopfli::Format::Gzip, &data[..], &mut out)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut target = path.as_os_str().to_owned();
    target.push(".gz");
    let mut file = fs::File::create(&target).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(&out)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let mut failed = false;
    for arg in std::env::args_os().skip(1) {
        if let Err(e) = compress(Path::new(&arg)) {
            eprintln!("precompress: {e}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
