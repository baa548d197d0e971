//! Unit and evaluation tests for the answer engine.

// Tests may panic on broken fixtures; that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use super::normalize::Analyzer;
use super::*;

const KB_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/kb_demo.jsonl");
const DEV_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/questions_dev.jsonl");

fn analyzer() -> Analyzer {
    Analyzer::new(&default_synonyms())
}

fn stems(a: &Analyzer, text: &str) -> Vec<String> {
    a.analyze(text).tokens.into_iter().map(|t| t.stem).collect()
}

fn doc(id: &str, question: &str, variants: &[&str]) -> ArticleDoc {
    ArticleDoc {
        id: id.to_string(),
        title: String::new(),
        question: question.to_string(),
        variants: variants.iter().map(ToString::to_string).collect(),
        tags: Vec::new(),
        answer: String::new(),
    }
}

fn demo_docs() -> Vec<ArticleDoc> {
    let text = std::fs::read_to_string(KB_PATH).expect("kb_demo.jsonl");
    parse_kb_jsonl(&text)
        .expect("valid KB")
        .iter()
        .map(ArticleDoc::from)
        .collect()
}

fn demo_engine() -> Bm25Engine {
    let e = Bm25Engine::new(EngineConfig::default());
    e.replace_all(demo_docs());
    e
}

fn best(e: &dyn AnswerEngine, q: &str) -> Option<String> {
    e.decide(q, 5).best.map(|h| h.article_id)
}

// ---------------------------------------------------------------- normaliser

#[test]
fn lower_case_yo_punctuation_and_emoji() {
    assert_eq!(
        tokenize("ЁЛКА, Ёжик!!! 😀 Учёт—КТП?"),
        vec!["елка", "ежик", "учет", "ктп"]
    );
    // Decomposed й and ё (combining marks) fold like the composed letters.
    assert_eq!(tokenize("и\u{306}од е\u{308}ж"), vec!["йод", "еж"]);
    // Latin look-alikes inside a Cyrillic word (mixed keyboard layouts).
    assert_eq!(tokenize("жypнал"), vec!["журнал"]);
}

#[test]
fn stemming_unifies_cases() {
    let a = analyzer();
    assert_eq!(
        stems(&a, "рабочей программы"),
        stems(&a, "рабочая программа")
    );
    assert_eq!(
        stems(&a, "аттестации учителей"),
        stems(&a, "аттестация учителю")
    );
}

/// Forms the Snowball stemmer splits ("журнал" → "журна", "журналов" →
/// "журнал") still match through related stems, without a hand list of nouns.
#[test]
fn forms_the_stemmer_splits_still_match() {
    let e = Bm25Engine::new(EngineConfig::default());
    e.replace_all(vec![
        doc("a", "Где хранятся журналы учёта посещаемости?", &[]),
        doc("b", "Сколько часов длится рабочая неделя?", &[]),
    ]);
    assert_eq!(best(&e, "журнал учета"), Some("a".into()));
    assert_eq!(best(&e, "журналов учёта"), Some("a".into()));
}

#[test]
fn stop_words_are_removed() {
    let a = analyzer();
    assert_eq!(stems(&a, "а я и мы в этом"), Vec::<String>::new());
    // Modal and question words stay: they carry the intent.
    assert!(stems(&a, "кто должен").len() == 2);
}

#[test]
fn abbreviations_expand_to_full_terms() {
    let a = analyzer();
    let full = stems(&a, "календарно-тематическое планирование");
    assert_eq!(stems(&a, "КТП"), full);
    let kl = stems(&a, "классный руководитель");
    assert_eq!(stems(&a, "кл. рук"), kl);
    assert_eq!(stems(&a, "кл рука"), kl);
    assert_eq!(stems(&a, "кл. руку"), kl);
    assert_eq!(stems(&a, "ЭЖ"), stems(&a, "электронный журнал"));
    assert_eq!(stems(&a, "РП"), stems(&a, "рабочая программа"));
    // Short abbreviations are not stemmed, so "уо" does not swallow "у".
    assert!(!stems(&a, "у нас").iter().any(|s| s.starts_with("управлен")));
}

#[test]
fn quoted_terms_match_exact_forms_only() {
    let a = analyzer();
    let doc_stem = a.stem("документы");
    assert!(stems(&a, "лишние бумаги").contains(&doc_stem));
    assert!(!stems(&a, "на бумаге").contains(&doc_stem));
}

#[test]
fn greetings_are_dropped() {
    let a = analyzer();
    assert!(stems(&a, "Добрый день! Здравствуйте").is_empty());
    // "день" alone stays (e.g. "методический день").
    assert_eq!(stems(&a, "методический день").len(), 2);
}

#[test]
fn default_dictionary_parses() {
    let parsed = parse_synonyms(synonyms::DEFAULT_TEXT);
    assert!(parsed.is_ok(), "{parsed:?}");
    let entries = default_synonyms();
    for abbr in [
        "ктп",
        "эж",
        "фоп",
        "фгос",
        "кл рук",
        "ооп",
        "впр",
        "огэ",
        "егэ",
        "санпин",
        "пмпк",
        "иоп",
        "аооп",
        "овз",
    ] {
        assert!(entries.iter().any(|s| s.term == abbr), "missing {abbr}");
    }
    // Round trip through the text format.
    assert_eq!(
        parse_synonyms(&format_synonyms(&entries)).ok(),
        Some(entries)
    );
    assert_eq!(
        parse_synonyms("нет знака равенства").err().map(|e| e.0),
        Some(1)
    );
}

#[test]
fn typos_are_corrected_against_the_vocabulary() {
    let e = Bm25Engine::new(EngineConfig::default());
    e.replace_all(vec![
        doc("a", "Обязательно ли писать конспекты уроков?", &[]),
        doc("b", "Сколько часов длится рабочая неделя?", &[]),
    ]);
    assert_eq!(best(&e, "обязатльно писать конспекты"), Some("a".into()));
    assert_eq!(best(&e, "канспекты уроков"), Some("a".into()));
    let terms = e.explain("обязатльно");
    assert!(
        terms.iter().any(|t| t.starts_with("обязательн")),
        "{terms:?}"
    );
    // Unknown words that are not near any vocabulary word stay unknown.
    assert!(e.explain("борща").iter().any(|t| t == "?борща"));
    // Explanations show the repair as typed → repaired.
    let why = e.explain_hits("обязатльно писать конспекты", 1);
    assert!(
        why[0]
            .matched
            .iter()
            .any(|w| w == "обязатльно → обязательно"),
        "{why:?}"
    );
}

// ------------------------------------------------------------------- engine

#[test]
fn empty_and_unknown_queries_abstain() {
    let e = demo_engine();
    let d = e.decide("?!! 😀", 5);
    assert!(!d.confident);
    assert_eq!(d.abstain_reason.as_deref(), Some("empty_query"));
    assert_eq!(
        e.decide("и а в", 5).abstain_reason.as_deref(),
        Some("empty_query")
    );
    let d = e.decide("рецепт борща", 5);
    assert!(!d.confident);
    assert_eq!(d.abstain_reason.as_deref(), Some("no_match"));
    assert!(d.best.is_none());
}

#[test]
fn answers_clear_questions_and_names_the_engine() {
    let e = demo_engine();
    let d = e.decide("Нужно ли отдельно писать КТП?", 3);
    assert!(d.confident, "{d:?}");
    assert_eq!(
        d.best.as_ref().map(|h| h.article_id.as_str()),
        Some("kb-005")
    );
    assert_eq!(d.engine, "bm25");
    assert_eq!(d.version, e.version());
    assert!(d.hits.len() <= 3);
    assert!(d.hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(d.abstain_reason.is_none());
    // The best hit is reported even when no hits are asked for.
    let d = e.decide("Нужно ли отдельно писать КТП?", 0);
    assert!(d.hits.is_empty());
    assert_eq!(d.best.map(|h| h.article_id), Some("kb-005".into()));
    // Very long input is cut, not rejected.
    let long = "КТП ".repeat(5000);
    assert!(e.decide(&long, 1).best.is_some());
}

#[test]
fn upsert_and_remove_are_visible_to_the_next_call() {
    let e = Bm25Engine::new(EngineConfig::default());
    e.upsert(doc("a", "Нужно ли вести бумажный журнал?", &[]));
    e.upsert(doc("b", "Сколько длится аттестация?", &[]));
    assert_eq!(best(&e, "бумажный журнал"), Some("a".into()));
    // Editing replaces the old wording.
    e.upsert(doc("a", "Положен ли учителю методический день?", &[]));
    assert_eq!(e.len(), 2);
    assert_ne!(best(&e, "бумажный журнал"), Some("a".into()));
    assert_eq!(best(&e, "методический день"), Some("a".into()));
    // A confirmed variant is searchable at once.
    e.upsert(doc(
        "b",
        "Сколько длится аттестация?",
        &["Когда подавать заявление на категорию?"],
    ));
    assert_eq!(best(&e, "заявление на категорию"), Some("b".into()));
    e.remove("a");
    assert_eq!(e.len(), 1);
    assert_eq!(best(&e, "методический день"), None);
    e.remove("missing");
    assert_eq!(e.len(), 1);
}

#[test]
fn incremental_index_matches_a_full_rebuild() {
    let docs = demo_docs();
    let built = Bm25Engine::new(EngineConfig::default());
    built.replace_all(docs.clone());
    let incremental = Bm25Engine::new(EngineConfig::default());
    for d in docs.iter().rev() {
        incremental.upsert(d.clone());
    }
    incremental.upsert(doc("tmp", "временная статья", &[]));
    incremental.remove("tmp");
    for q in [
        "КТП отдельно сдавать?",
        "куда жаловаться на завуча",
        "окна в расписании",
    ] {
        let a = built.decide(q, 3);
        let b = incremental.decide(q, 3);
        assert_eq!(
            a.best.map(|h| h.article_id),
            b.best.map(|h| h.article_id),
            "{q}"
        );
        assert_eq!(a.confident, b.confident, "{q}");
    }
}

#[test]
fn set_synonyms_reindexes_at_once() {
    let e = Bm25Engine::new(EngineConfig::default());
    let docs = vec![
        doc("j", "Нужно ли вести электронный журнал?", &[]),
        doc("k", "Сколько длится аттестация?", &[]),
    ];
    e.replace_all(docs.clone());
    let v1 = e.version();
    assert_ne!(best(&e, "зюзя"), Some("j".into()));
    let mut syns = default_synonyms();
    syns.push(Synonym {
        term: "зюзя".into(),
        expansions: vec!["электронный журнал".into()],
    });
    e.set_synonyms(syns.clone(), docs);
    assert_eq!(best(&e, "зюзя"), Some("j".into()));
    assert_ne!(e.version(), v1);
    assert_eq!(e.synonyms(), syns);
    assert_eq!(e.len(), 2);
}

#[test]
fn concurrent_reads_and_writes() {
    let e = Arc::new(demo_engine());
    let mut handles = Vec::new();
    for t in 0..3 {
        let e = Arc::clone(&e);
        handles.push(std::thread::spawn(move || {
            for i in 0..200 {
                let q = if (i + t) % 2 == 0 {
                    "КТП отдельно сдавать?"
                } else {
                    "окна в расписании"
                };
                let d = e.decide(q, 5);
                assert!(d.best.is_some());
            }
        }));
    }
    let writer = {
        let e = Arc::clone(&e);
        std::thread::spawn(move || {
            for i in 0..100 {
                e.upsert(doc(&format!("tmp-{i}"), "временная статья о погоде", &[]));
                if i % 2 == 0 {
                    e.remove(&format!("tmp-{i}"));
                }
            }
        })
    };
    for h in handles {
        h.join().expect("reader");
    }
    writer.join().expect("writer");
    assert_eq!(e.len(), 56 + 50);
    assert_eq!(best(&*e, "КТП отдельно сдавать?"), Some("kb-005".into()));
}

// --------------------------------------------------------------- formats

#[test]
fn kb_jsonl_loader_keeps_extra_fields_and_reports_bad_lines() {
    let good = r#"{"id":"kb-1","title":"T","question":"Q?","variants":["V"],"answer":"A","legal_refs":[],"tags":["t"],"verified_facts":true}"#;
    let recs = parse_kb_jsonl(&format!("{good}\n\n")).expect("valid");
    assert_eq!(recs.len(), 1);
    assert_eq!(
        recs[0].extra.get("verified_facts"),
        Some(&serde_json::Value::Bool(true))
    );
    let round = serde_json::to_value(&recs[0]).expect("serialise");
    assert_eq!(
        round.get("verified_facts"),
        Some(&serde_json::Value::Bool(true))
    );
    let bad = format!("{good}\n{{\"id\": 5}}\n");
    assert_eq!(parse_kb_jsonl(&bad).err().map(|e| e.0), Some(2));
    let dup = format!("{good}\n{good}\n");
    assert_eq!(parse_kb_jsonl(&dup).err().map(|e| e.0), Some(2));
    assert_eq!(demo_docs().len(), 56);
}

// -------------------------------------------------------------- evaluation

#[test]
fn dev_set_meets_targets() {
    let questions =
        parse_questions_jsonl(&std::fs::read_to_string(DEV_PATH).expect("dev set")).expect("valid");
    let e = demo_engine();
    let report = evaluate(&e, &questions);
    println!("{}", report.to_text());
    println!("{}", report.errors_text());
    assert_eq!(report.questions, 120);
    assert!(
        report.top1_accuracy >= 0.90,
        "top-1 accuracy {}",
        report.top1_accuracy
    );
    assert!(
        report.wrong_answer_rate <= 0.05,
        "wrong-answer rate {}",
        report.wrong_answer_rate
    );
    let json = report.to_json();
    for key in [
        "questions",
        "answerable",
        "answered_share",
        "top1_accuracy",
        "wrong_answer_rate",
        "abstain_precision",
    ] {
        assert!(
            json.get(key).is_some_and(serde_json::Value::is_number),
            "{key}"
        );
    }
    assert!(json.get("sweep").is_some_and(serde_json::Value::is_array));
    // The sweep row at the configured threshold reproduces the headline figures.
    let t = e.config().confident_threshold;
    if let Some(row) = report.sweep.iter().find(|r| (r.threshold - t).abs() < 1e-9) {
        assert!((row.top1_accuracy - report.top1_accuracy).abs() < 1e-9);
        assert!((row.wrong_answer_rate - report.wrong_answer_rate).abs() < 1e-9);
    }
}

#[test]
fn leave_one_variant_out_restores_the_corpus() {
    let docs = demo_docs();
    let e = demo_engine();
    let before = e.decide("КТП отдельно сдавать?", 3);
    let report = leave_one_variant_out(&e, &docs);
    assert_eq!(
        report.questions,
        docs.iter().map(|d| d.variants.len()).sum::<usize>()
    );
    assert!(report.top3_ranking > 0.6, "{}", report.top3_ranking);
    assert_eq!(e.len(), docs.len());
    assert_eq!(e.decide("КТП отдельно сдавать?", 3), before);
}

#[test]
fn naive_baseline_ranks_by_string_similarity() {
    let n = NaiveEngine::default();
    n.replace_all(demo_docs());
    let d = n.decide(
        "Нужно ли отдельно писать календарно-тематическое планирование?",
        3,
    );
    assert_eq!(d.best.map(|h| h.article_id), Some("kb-005".into()));
    n.remove("kb-005");
    assert_ne!(
        best(
            &n,
            "Нужно ли отдельно писать календарно-тематическое планирование?"
        ),
        Some("kb-005".into())
    );
}

// ------------------------------------------------------- cross-validation

const HARD_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/questions_hard.jsonl");

fn questions(path: &str) -> Vec<LabelledQuestion> {
    parse_questions_jsonl(&std::fs::read_to_string(path).expect("questions")).expect("valid")
}

/// The headline figure: 5-fold cross-validation of the abstain model on the
/// dev set (model and threshold fitted on four folds, scored on the fifth).
#[test]
fn cross_validated_dev_set_meets_targets() {
    let report = cross_validate(
        &demo_docs(),
        &questions(DEV_PATH),
        5,
        15,
        0.05,
        Method::Model,
    );
    println!("{report}");
    assert_eq!(report.pooled.questions, 120);
    assert!(report.pooled.top1 >= 0.85, "top-1 {}", report.pooled.top1);
    assert!(report.pooled.wrong <= 0.06, "wrong {}", report.pooled.wrong);
    assert!(report.to_json().get("pooled").is_some());
}

#[test]
fn courtesy_is_not_answered() {
    let e = demo_engine();
    for q in ["спасибо", "Добрый день!", "ок, понятно"] {
        let d = e.decide(q, 5);
        assert!(!d.confident, "{q}");
        assert_eq!(d.abstain_reason.as_deref(), Some("courtesy"), "{q}");
    }
}

/// Before/after figures for BENCHMARKS.md («Answer engine quality, cross-validated»):
/// `cargo test -p api --lib matching::tests::print_figures -- --ignored --nocapture`.
#[test]
#[ignore = "prints the benchmark figures"]
fn print_figures() {
    let docs = demo_docs();
    let dev = questions(DEV_PATH);
    let hard = questions(HARD_PATH);
    for method in [Method::Legacy, Method::Model] {
        for seed in [15, 16, 17] {
            println!("{}", cross_validate(&docs, &dev, 5, seed, 0.05, method));
        }
        let h = train_test(&docs, &dev, &hard, 15, 0.05, method);
        println!("{method:?} fitted on dev, scored on hard: {h:?}\n");
        // The hard set repeats a few dev wordings by accident; score it
        // also without any question close to a dev question.
        let unseen: Vec<LabelledQuestion> = hard
            .iter()
            .filter(|h| {
                dev.iter().all(|d| {
                    strsim::normalized_levenshtein(&d.q.to_lowercase(), &h.q.to_lowercase()) < 0.8
                })
            })
            .cloned()
            .collect();
        let h = train_test(&docs, &dev, &unseen, 15, 0.05, method);
        println!("{method:?} fitted on dev, scored on hard without near-dev questions: {h:?}\n");
    }
    let legacy = Bm25Engine::new(EngineConfig {
        abstain_model: false,
        ..EngineConfig::default()
    });
    legacy.replace_all(docs.clone());
    let r = evaluate(&legacy, &hard);
    println!(
        "Legacy as shipped (hand-set gates) on hard:\n{}",
        r.to_text()
    );
    println!("{}", r.errors_text());
    let e = demo_engine();
    let r = evaluate(&e, &hard);
    println!("Shipped model on hard:\n{}", r.to_text());
    println!("{}", r.errors_text());
}

/// Prints the decision for each line of `$PROBE` (diagnostics).
#[test]
#[ignore = "diagnostics"]
fn probe_queries() {
    let e = demo_engine();
    let legacy = Bm25Engine::new(EngineConfig {
        abstain_model: false,
        ..EngineConfig::default()
    });
    legacy.replace_all(demo_docs());
    for q in std::env::var("PROBE").unwrap_or_default().lines() {
        let d = e.decide(q, 3);
        let l = legacy.decide(q, 3);
        println!(
            "{q}\n  model: {} p={:.3} t={:.3} best={:?}\n  gates: {} conf={:.3} best={:?} {:?}",
            d.confident,
            d.confidence,
            e.answer_threshold().unwrap_or(f64::NAN),
            d.best.map(|h| h.article_id),
            l.confident,
            l.confidence,
            l.best.map(|h| h.article_id),
            l.abstain_reason
        );
    }
}

#[test]
fn a_model_file_is_loaded_at_run_time_and_a_foreign_one_refused() {
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/abstain_model.json");
    let model = AbstainModel::from_file(shipped).unwrap();
    assert_eq!(Some(&model), AbstainModel::embedded());
    let dir = std::env::temp_dir().join(format!("kb-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let other = dir.join("other.json");
    let mut foreign = model.clone();
    foreign.features[0] = "something_else".into();
    std::fs::write(&other, serde_json::to_string(&foreign).unwrap()).unwrap();
    assert!(AbstainModel::from_file(other.to_str().unwrap()).is_err());
    assert!(AbstainModel::from_file(dir.join("missing.json").to_str().unwrap()).is_err());
    // A loaded model decides, and the version says which model it is.
    let mut shifted = model.clone();
    shifted.bias += 1.0;
    let a = Bm25Engine::new(EngineConfig::default());
    let b = Bm25Engine::new(EngineConfig::default()).with_abstain_model(Some(shifted));
    assert_ne!(a.version(), b.version());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn replayed_history_teaches_variants_that_help_the_later_half() {
    let docs = demo_docs();
    let dev = questions(DEV_PATH);
    let (history, later) = split_half(&dev);
    let curve = replay(&docs, history, later, 20, 7, 0.05);
    let (first, last) = (curve.first().unwrap(), curve.last().unwrap());
    assert_eq!((first.seen, first.learned), (0, 0));
    assert_eq!(last.seen, history.len());
    assert!(last.learned > 0, "{curve:?}");
    assert!(
        last.later.ranking_top1 >= first.later.ranking_top1,
        "{curve:?}"
    );
    assert!(last.later.wrong <= 0.06, "{curve:?}");
}

#[test]
fn the_shipped_model_reranks_only_close_neighbours() {
    let model = AbstainModel::embedded().unwrap();
    assert_eq!(
        model.reranker.len(),
        6,
        "the shipped model carries a re-ranker"
    );
    let ranker = super::rerank::Reranker {
        weights: model.reranker.clone(),
    };
    // A candidate far below the first is never promoted, whatever its other features.
    let first = [0.0; 6];
    let far = [-0.5, 1.0, 1.0, 1.0, 1.0, 1.0];
    assert_eq!(ranker.choose(&[&first, &far]), 0);
    // The engine's hits and explanations agree on the order.
    let engine = Bm25Engine::new(EngineConfig::default());
    engine.replace_all(demo_docs());
    for q in questions(DEV_PATH).iter().take(30) {
        let d = engine.decide(&q.q, 5);
        let e = engine.explain_hits(&q.q, 5);
        let ids: Vec<&str> = d.hits.iter().map(|h| h.article_id.as_str()).collect();
        let eids: Vec<&str> = e.iter().map(|h| h.article_id.as_str()).collect();
        if !d.is_courtesy() {
            assert_eq!(ids, eids, "{}", q.q);
        }
    }
}
