//! The command line answers `--help` for every command (in Russian, exit code 0) and a
//! wrong argument with clap's message and exit code 2, never a backtrace.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn api(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_api"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("api runs")
}

#[test]
fn every_command_answers_help_in_russian() {
    for (args, expected) in [
        (&["--help"][..], "db"),
        (&["help"][..], "kb"),
        (&["kb", "eval", "--help"][..], "--questions"),
        (&["kb", "import", "--help"][..], "ФАЙЛ.jsonl"),
        (&["db", "copy", "--help"][..], "--from"),
        (&["demo", "seed", "--help"][..], "--appeals"),
        (&["calendar", "import", "--help"][..], "--region"),
        (&["openapi", "-h"][..], "ФАЙЛ"),
    ] {
        let out = api(args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {stdout}");
        assert!(stdout.contains("Использование:"), "{args:?}: {stdout}");
        assert!(stdout.contains(expected), "{args:?}: {stdout}");
    }
}

#[test]
fn a_wrong_argument_is_clap_error_without_a_backtrace() {
    for args in [
        &["kb", "eval", "--kb"][..],
        &["kb", "eval", "--loud"][..],
        &["db", "copy", "--from", "a.db"][..],
        &["demo", "seed", "--appeals", "x"][..],
        &["no-such-command"][..],
    ] {
        let out = api(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("error:"), "{args:?}: {stderr}");
        assert!(!stderr.contains("backtrace"), "{args:?}: {stderr}");
    }
}
