//! `api kb import|export|eval`: the knowledge base in and out of the database as JSONL,
//! and the answer engine measured on labelled questions.

use std::io::{IsTerminal, Write};

use anyhow::Context;

use crate::config::Config;
use crate::domain::kb::store as kb;
use crate::matching::{
    evaluate, parse_kb_jsonl, parse_questions_jsonl, AnswerEngine, ArticleDoc, Bm25Engine,
    EngineConfig,
};
use crate::startup;

/// A progress line on a terminal (nothing when output is redirected).
struct Progress {
    total: usize,
    enabled: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Self {
            total,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    fn tick(&self, done: usize) {
        if !self.enabled || self.total == 0 {
            return;
        }
        let width = 30;
        let filled = done * width / self.total;
        eprint!(
            "\r[{}{}] {done}/{}",
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.total
        );
        let _ = std::io::stderr().flush();
        if done == self.total {
            eprintln!();
        }
    }
}

/// `api kb import FILE`: all or nothing; a bad line is reported with its number.
///
/// # Errors
/// Unreadable file, a bad line, or a database failure.
pub async fn import(path: &str) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("не удалось прочитать {path}"))?;
    let records = parse_kb_jsonl(&text).map_err(|(line, reason)| {
        anyhow::anyhow!("{path}, строка {line}: {reason}; ничего не загружено")
    })?;
    let state = startup::prepare_state(Config::from_env()?).await?;
    let progress = Progress::new(records.len());
    let (created, updated, unchanged) = tokio::task::spawn_blocking(move || {
        state
            .db
            .write_blocking(|conn| Ok(kb::import(conn, &records, |n| progress.tick(n))?))
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await??;
    eprintln!("база знаний: добавлено {created}, обновлено {updated}, без изменений {unchanged}");
    Ok(())
}

/// `api kb export FILE`: every article as JSONL (the import format, extra fields kept).
///
/// # Errors
/// A database or file failure.
pub async fn export(path: &str) -> anyhow::Result<()> {
    let state = startup::prepare_state(Config::from_env()?).await?;
    let rows = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<kb::ArticleRow>> {
        let mut conn = state.db.pool().get()?;
        Ok(kb::all(&mut conn)?)
    })
    .await??;
    let mut out = String::new();
    for row in &rows {
        let mut value = serde_json::to_value(row.record())?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("status".to_owned(), row.status.as_str().into());
        }
        out.push_str(&serde_json::to_string(&value)?);
        out.push('\n');
    }
    std::fs::write(path, out).with_context(|| format!("не удалось записать {path}"))?;
    eprintln!("выгружено статей: {}", rows.len());
    Ok(())
}

/// `api kb eval` arguments (a struct, so new options are one field each).
#[derive(Debug, Clone, clap::Parser)]
#[command(
    about = "Оценить движок ответов на размеченных вопросах (точность, доля ответов, отказы)",
    long_about = None
)]
pub struct EvalArgs {
    /// The knowledge base (JSONL, the import format).
    #[arg(
        long,
        value_name = "ФАЙЛ",
        help = "база знаний в JSONL (формат загрузки)"
    )]
    pub kb: String,
    /// Labelled questions (JSONL).
    #[arg(long, value_name = "ФАЙЛ", help = "размеченные вопросы в JSONL")]
    pub questions: String,
    /// Prints the report as JSON.
    #[arg(long, help = "вывести отчёт в JSON")]
    pub json: bool,
}

/// `api kb eval --kb FILE --questions FILE [--json]`: runs the engine on labelled questions.
///
/// # Errors
/// Unreadable or malformed files.
pub fn eval(args: &EvalArgs) -> anyhow::Result<()> {
    let (kb_path, questions_path) = (args.kb.as_str(), args.questions.as_str());
    let records =
        parse_kb_jsonl(&std::fs::read_to_string(kb_path).with_context(|| kb_path.to_owned())?)
            .map_err(|(line, reason)| anyhow::anyhow!("{kb_path}, строка {line}: {reason}"))?;
    let questions = parse_questions_jsonl(
        &std::fs::read_to_string(questions_path).with_context(|| questions_path.to_owned())?,
    )
    .map_err(|(line, reason)| anyhow::anyhow!("{questions_path}, строка {line}: {reason}"))?;
    let engine = Bm25Engine::new(EngineConfig::default());
    engine.replace_all(records.iter().map(ArticleDoc::from).collect());
    let report = evaluate(&engine, &questions);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}
