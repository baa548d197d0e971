//! `api kb import|export|eval`: the knowledge base in and out of the database as JSONL,
//! and the answer engine measured on labelled questions.

use std::io::{IsTerminal, Write};

use anyhow::Context;

use crate::config::Config;
use crate::domain::kb::store as kb;
use crate::matching::{
    cross_validate, evaluate, format_curve, parse_kb_jsonl, parse_questions_jsonl, replay,
    split_half, train_test, AnswerEngine, ArticleDoc, Bm25Engine, EngineConfig, LabelledQuestion,
    Method,
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
    long_about = "Оценить движок ответов на размеченных вопросах.\n\n\
Без --cv движок с поставляемой моделью отказа отвечает на все вопросы файла (если модель \
подбиралась на этих же вопросах, цифры завышены). С --cv K — перекрёстная проверка: всё, \
что подбирается по размеченным вопросам (модель отказа, порог), подбирается на K−1 частях \
и оценивается на оставшейся. С --hard ФАЙЛ — подбор на всём --questions и оценка на \
отдельном файле."
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
    /// K-fold cross-validation (`--cv` alone means 5 folds).
    #[arg(
        long,
        value_name = "K",
        num_args = 0..=1,
        default_missing_value = "5",
        help = "перекрёстная проверка на K частях (без числа — 5)"
    )]
    pub cv: Option<usize>,
    /// A second labelled file scored by the rule fitted on all of `--questions`.
    #[arg(
        long,
        value_name = "ФАЙЛ",
        help = "подобрать на --questions и оценить на этом файле"
    )]
    pub hard: Option<String>,
    /// Seed of the fold split and of the fit.
    #[arg(long, default_value_t = 7, help = "зерно разбиения на части и подбора")]
    pub seed: u64,
    /// Target wrong-answer rate the threshold is chosen for.
    #[arg(
        long,
        value_name = "ДОЛЯ",
        env = "ANSWER_MAX_WRONG",
        default_value_t = 0.05,
        help = "целевая доля неверных ответов (ANSWER_MAX_WRONG)"
    )]
    pub max_wrong: f64,
    /// Prints one line per question (expected, first, answered, analysed words): for
    /// looking into misses, never for fitting.
    #[arg(
        long,
        help = "по строке на вопрос: ожидалась, первая, ответ дан, разобранные слова"
    )]
    pub each: bool,
    /// Replays `--questions` in file order: the first half teaches (operators' answers
    /// become confirmed variants), the later half is scored every N history questions;
    /// with `--hard`, all of `--questions` teaches and the hard file is scored.
    #[arg(
        long,
        value_name = "N",
        num_args = 0..=1,
        default_missing_value = "10",
        help = "обучение на истории: первая половина вопросов становится вариантами, \
                вторая оценивается каждые N вопросов (без числа — 10); с --hard учит весь \
                --questions, оценивается --hard"
    )]
    pub replay: Option<usize>,
    /// Scores the previous engine (hand-set gates, refitted threshold) for comparison.
    #[arg(long, help = "оценить прежнее правило отказа (для сравнения)")]
    pub legacy: bool,
}

fn read_kb(path: &str) -> anyhow::Result<Vec<ArticleDoc>> {
    let text = std::fs::read_to_string(path).with_context(|| path.to_owned())?;
    let records = parse_kb_jsonl(&text)
        .map_err(|(line, reason)| anyhow::anyhow!("{path}, строка {line}: {reason}"))?;
    Ok(records.iter().map(ArticleDoc::from).collect())
}

fn read_questions(path: &str) -> anyhow::Result<Vec<LabelledQuestion>> {
    let text = std::fs::read_to_string(path).with_context(|| path.to_owned())?;
    parse_questions_jsonl(&text)
        .map_err(|(line, reason)| anyhow::anyhow!("{path}, строка {line}: {reason}"))
}

/// `api kb eval --kb FILE --questions FILE [--cv K] [--hard FILE] [--json]`: measures the
/// engine on labelled questions, honestly when asked (`--cv`, `--hard`).
///
/// # Errors
/// Unreadable or malformed files.
pub fn eval(args: &EvalArgs) -> anyhow::Result<()> {
    let docs = read_kb(&args.kb)?;
    let questions = read_questions(&args.questions)?;
    let method = if args.legacy {
        Method::Legacy
    } else {
        Method::Model
    };
    if let Some(k) = args.cv {
        let report = cross_validate(&docs, &questions, k, args.seed, args.max_wrong, method);
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report.to_json())?);
        } else {
            print!("{report}");
        }
    }
    if let (Some(hard), None) = (&args.hard, args.replay) {
        let test = read_questions(hard)?;
        let figures = train_test(&docs, &questions, &test, args.seed, args.max_wrong, method);
        if args.json {
            println!("{}", serde_json::to_string_pretty(&figures)?);
        } else {
            println!(
                "подобрано на {}, оценено на {hard}: вопросов {}, верно с первого раза {:.3}, \
                 неверных ответов {:.3}, доля ответов {:.3}; ранжирование: первой верная {:.3}, \
                 в первых трёх {:.3}",
                args.questions,
                figures.questions,
                figures.top1,
                figures.wrong,
                figures.answered,
                figures.ranking_top1,
                figures.ranking_top3
            );
        }
    }
    if let Some(step) = args.replay {
        let hard = args.hard.as_deref().map(read_questions).transpose()?;
        let (history, later) = match &hard {
            Some(h) => (questions.as_slice(), h.as_slice()),
            None => split_half(&questions),
        };
        let points = replay(&docs, history, later, step, args.seed, args.max_wrong);
        if args.json {
            println!("{}", serde_json::to_string_pretty(&points)?);
        } else {
            print!("{}", format_curve(&points));
        }
    }
    if args.cv.is_some() || args.hard.is_some() || args.replay.is_some() {
        return Ok(());
    }
    let engine = Bm25Engine::new(EngineConfig::default());
    engine.replace_all(docs);
    let report = evaluate(&engine, &questions);
    if args.each {
        for o in &report.outcomes {
            println!(
                "{}\t{}\t{}\t{:.2}\t{}\t{}",
                o.expect.as_deref().unwrap_or("-"),
                o.best.as_deref().unwrap_or("-"),
                if o.confident {
                    "ответ"
                } else {
                    "отказ"
                },
                o.confidence,
                o.q,
                engine.explain(&o.q).join(" ")
            );
        }
        return Ok(());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}

/// `api kb fit` arguments.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    about = "Подобрать модель отказа по размеченным вопросам и свидетельствам сервиса и записать её в файл (JSON)",
    long_about = None
)]
pub struct FitArgs {
    /// The knowledge base (JSONL); without it, the published articles of the database.
    #[arg(
        long,
        value_name = "ФАЙЛ",
        help = "база знаний в JSONL (без него — опубликованные статьи из базы данных)"
    )]
    pub kb: Option<String>,
    /// Labelled questions (JSONL).
    #[arg(long, value_name = "ФАЙЛ", help = "размеченные вопросы в JSONL")]
    pub questions: Option<String>,
    /// The service's database: its evidence (operators' grades of bot answers, «Помогло»
    /// and «Не помогло», escalations, accepted suggestions) is added to the questions.
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "URL",
        help = "база данных сервиса: её оценки, отметки «Помогло»/«Не помогло», эскалации и принятые подсказки добавляются к вопросам"
    )]
    pub database_url: Option<String>,
    /// Where to write the model.
    #[arg(
        long,
        value_name = "ФАЙЛ",
        default_value = "data/abstain_model.json",
        help = "куда записать модель"
    )]
    pub out: String,
    /// Seed of the fit.
    #[arg(long, default_value_t = 15, help = "зерно подбора")]
    pub seed: u64,
}

/// What [`fit_model`] fitted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FitCounts {
    /// Questions from the labelled file.
    pub labelled: usize,
    /// Questions from the service's evidence.
    pub evidence: usize,
}

/// `api kb fit [--kb FILE] [--questions FILE] [--database-url URL] [--out FILE]`: fits
/// the abstain model.
///
/// # Errors
/// Unreadable files, a database failure, nothing to fit on, or an unwritable output.
pub fn fit(args: &FitArgs) -> anyhow::Result<()> {
    fit_model(args).map(|_| ())
}

/// [`fit`], returning how many questions of each source it used.
///
/// # Errors
/// As [`fit`].
pub fn fit_model(args: &FitArgs) -> anyhow::Result<FitCounts> {
    let mut questions = match &args.questions {
        Some(path) => read_questions(path)?,
        None => Vec::new(),
    };
    let labelled = questions.len();
    let (docs, evidence) = match &args.database_url {
        Some(url) if !url.trim().is_empty() => {
            let pool = crate::db::connect(url.trim(), 1)?;
            let mut conn = pool.get()?;
            let evidence = crate::domain::kb::evidence::labelled(&mut conn)?;
            let docs = match &args.kb {
                Some(path) => read_kb(path)?,
                None => crate::domain::kb::engine::published_docs(&mut conn)?,
            };
            (docs, evidence)
        }
        _ => match &args.kb {
            Some(path) => (read_kb(path)?, Vec::new()),
            None => anyhow::bail!("нужна база знаний: --kb ФАЙЛ или --database-url"),
        },
    };
    let counts = FitCounts {
        labelled,
        evidence: evidence.len(),
    };
    questions.extend(evidence);
    if questions.is_empty() {
        anyhow::bail!("не на чем подбирать: нет ни размеченных вопросов, ни свидетельств сервиса");
    }
    let model = crate::matching::fit::fit(&docs, &questions, args.seed);
    let text = serde_json::to_string_pretty(&model)? + "\n";
    std::fs::write(&args.out, text).with_context(|| format!("не удалось записать {}", args.out))?;
    eprintln!(
        "модель отказа подобрана на {} вопросах ({} из файла, {} из свидетельств сервиса), записана в {}",
        questions.len(),
        counts.labelled,
        counts.evidence,
        args.out
    );
    Ok(counts)
}
