//! The `api` command line: knowledge-base import (all or nothing, line numbers on errors),
//! export, and the evaluation harness on the shipped dev set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn api(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_api"))
        .args(args)
        .env("DATABASE_URL", db)
        .env("APP_ENV", "dev")
        .env("RUST_LOG", "warn")
        .env_remove("LOG_FORMAT")
        .output()
        .expect("api runs")
}

fn data(file: &str) -> String {
    format!("{}/../data/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn exported_ids(db: &Path, dir: &Path) -> Vec<String> {
    let out = dir.join("export.jsonl");
    let result = api(db, &["kb", "export", out.to_str().unwrap()]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn import_is_all_or_nothing_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");

    // A file whose third line is broken: nothing may be imported.
    let good = std::fs::read_to_string(data("kb_demo.jsonl")).unwrap();
    let mut lines: Vec<&str> = good.lines().take(5).collect();
    lines[2] = "{\"id\": \"kb-broken\", \"title\": ";
    let broken = dir.path().join("broken.jsonl");
    std::fs::write(&broken, lines.join("\n")).unwrap();
    let result = api(&db, &["kb", "import", broken.to_str().unwrap()]);
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("строка 3"), "{stderr}");
    assert!(
        exported_ids(&db, dir.path()).is_empty(),
        "nothing half-imported"
    );

    let result = api(&db, &["kb", "import", &data("kb_demo.jsonl")]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(String::from_utf8_lossy(&result.stderr).contains("добавлено 56"));
    // Importing again changes nothing (upsert by id).
    let again = api(&db, &["kb", "import", &data("kb_demo.jsonl")]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("без изменений 56"));

    let ids = exported_ids(&db, dir.path());
    assert_eq!(ids.len(), 56);
    let exported = std::fs::read_to_string(dir.path().join("export.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(exported.lines().next().unwrap()).unwrap();
    assert_eq!(first["status"], "published");
    assert!(
        first.get("sources").is_some(),
        "extra fields survive the round trip"
    );
}

#[test]
fn eval_reports_the_dev_set_figures_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("eval.db");
    let result = api(
        &db,
        &[
            "kb",
            "eval",
            "--kb",
            &data("kb_demo.jsonl"),
            "--questions",
            &data("questions_dev.jsonl"),
            "--json",
        ],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&result.stdout).unwrap();
    for key in [
        "questions",
        "answerable",
        "answered_share",
        "top1_accuracy",
        "wrong_answer_rate",
        "abstain_precision",
    ] {
        assert!(report[key].is_number(), "{key} is a number");
    }
    assert_eq!(report["questions"], 120);
    assert!(report["top1_accuracy"].as_f64().unwrap() >= 0.90);
    assert!(report["wrong_answer_rate"].as_f64().unwrap() <= 0.05);
}
