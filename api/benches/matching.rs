//! Benchmark of the answer engine (`api::matching`).
//!
//! Builds synthetic knowledge bases of 10,000 and 100,000 articles from the
//! demo articles' vocabulary (each synthetic article is a demo article with a
//! third of its words swapped for random vocabulary words), then reports:
//! index build time, approximate resident memory of the index, query latency
//! (p50/p99 over many timed queries, plus criterion's estimates), incremental
//! upsert latency, and the naive strsim linear-scan baseline on the same data
//! and queries with the ratio of times, plus the dev-set accuracy of both.
//!
//! `cargo bench --bench matching` runs everything; without `--bench` (as under
//! `cargo test --all-targets`) it runs a quick smoke version.

use std::hint::black_box;
use std::time::{Duration, Instant};

use api::matching::{
    evaluate, parse_kb_jsonl, parse_questions_jsonl, AnswerEngine, ArticleDoc, Bm25Engine,
    EngineConfig, LabelledQuestion, NaiveEngine,
};
use criterion::Criterion;

const KB: &str = include_str!("../../data/kb_demo.jsonl");
const QUESTIONS: &str = include_str!("../../data/questions_dev.jsonl");

/// xorshift64*: deterministic data without a `rand` dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
}

fn demo() -> (Vec<ArticleDoc>, Vec<LabelledQuestion>) {
    let recs = match parse_kb_jsonl(KB) {
        Ok(r) => r,
        Err((line, e)) => panic!("kb_demo.jsonl line {line}: {e}"),
    };
    let qs = match parse_questions_jsonl(QUESTIONS) {
        Ok(q) => q,
        Err((line, e)) => panic!("questions_dev.jsonl line {line}: {e}"),
    };
    (recs.iter().map(ArticleDoc::from).collect(), qs)
}

/// `n` synthetic articles built from the demo articles' vocabulary.
fn synthetic(demo: &[ArticleDoc], n: usize, seed: u64) -> Vec<ArticleDoc> {
    let mut pool: Vec<&str> = Vec::new();
    for d in demo {
        for t in [&d.title, &d.question, &d.answer]
            .into_iter()
            .chain(d.variants.iter())
        {
            pool.extend(t.split_whitespace());
        }
    }
    let mut rng = Rng(seed | 1);
    let mutate = |text: &str, rng: &mut Rng| -> String {
        let mut out: Vec<&str> = Vec::new();
        for w in text.split_whitespace() {
            if rng.chance(0.33) {
                out.push(pool[rng.below(pool.len())]);
            } else {
                out.push(w);
            }
            if rng.chance(0.05) {
                out.push(pool[rng.below(pool.len())]);
            }
        }
        out.join(" ")
    };
    (0..n)
        .map(|i| {
            let base = &demo[i % demo.len()];
            ArticleDoc {
                id: format!("syn-{i:06}"),
                title: mutate(&base.title, &mut rng),
                question: mutate(&base.question, &mut rng),
                variants: base.variants.iter().map(|v| mutate(v, &mut rng)).collect(),
                tags: base.tags.clone(),
                answer: mutate(&base.answer, &mut rng),
            }
        })
        .collect()
}

/// Resident set size in bytes (Linux), 0 elsewhere.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn time_queries(
    engine: &dyn AnswerEngine,
    queries: &[LabelledQuestion],
    rounds: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(queries.len() * rounds);
    for _ in 0..rounds {
        for q in queries {
            let t = Instant::now();
            black_box(engine.decide(black_box(&q.q), 5));
            times.push(t.elapsed());
        }
    }
    times.sort();
    times
}

fn fmt_us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Timed report printed before criterion's own measurements.
fn report(full: bool) {
    let (docs, questions) = demo();
    println!("== answer engine benchmark ==");

    // Dev-set quality of both engines on the demo knowledge base.
    let bm25 = Bm25Engine::new(EngineConfig::default());
    bm25.replace_all(docs.clone());
    let naive = NaiveEngine::default();
    naive.replace_all(docs.clone());
    for (name, rep) in [
        ("bm25", evaluate(&bm25, &questions)),
        ("naive", evaluate(&naive, &questions)),
    ] {
        println!(
            "dev set [{name:>5}]: top-1 accuracy {:.3}, wrong-answer rate {:.3}, answered {:.3}, ranking top-1 {:.3}",
            rep.top1_accuracy, rep.wrong_answer_rate, rep.answered_share, rep.top1_ranking
        );
    }

    // `MATCHING_BENCH_SIZES=10000` limits the run to the sizes given (the
    // 100,000-article run takes minutes on a busy machine).
    let sizes: Vec<usize> = std::env::var("MATCHING_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| {
            if full {
                vec![10_000, 100_000]
            } else {
                vec![2_000]
            }
        });
    for n in sizes {
        let synth = synthetic(&docs, n, 42);
        let rss0 = rss_bytes();
        let t = Instant::now();
        let engine = Bm25Engine::new(EngineConfig::default());
        engine.replace_all(synth.clone());
        let build = t.elapsed();
        let rss1 = rss_bytes();
        let (heap, terms) = engine.memory_estimate();
        let mib = |b: f64| b / (1024.0 * 1024.0);
        println!(
            "[{n} articles] index build {:.3} s; resident memory of the index ≈ {:.1} MiB (RSS growth), \
             {:.1} MiB by the index's own accounting ({terms} terms; no article texts: the database holds them)",
            build.as_secs_f64(),
            mib(rss1.saturating_sub(rss0) as f64),
            mib(heap as f64),
        );
        let parts: Vec<String> = engine
            .memory_breakdown()
            .iter()
            .map(|(k, b)| format!("{k} {:.1}", mib(*b as f64)))
            .collect();
        println!(
            "[{n} articles] index memory by structure (MiB): {}",
            parts.join(", ")
        );

        let rounds = if full { 20 } else { 1 };
        let times = time_queries(&engine, &questions, rounds);
        let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
        println!(
            "[{n} articles] bm25 decide over {} queries: p50 {}, p99 {}, mean {}, max {}",
            times.len(),
            fmt_us(percentile(&times, 0.5)),
            fmt_us(percentile(&times, 0.99)),
            fmt_us(mean),
            fmt_us(percentile(&times, 1.0)),
        );

        // The previous decision rule (hand-set gates) on the same index and
        // queries, so that the cost of the abstain model is a ratio from
        // one run on a shared machine.
        let gates = Bm25Engine::new(EngineConfig {
            abstain_model: false,
            ..EngineConfig::default()
        });
        gates.replace_all(synth.clone());
        let gate_times = time_queries(&gates, &questions, rounds);
        drop(gates);
        let gate_mean = gate_times.iter().sum::<Duration>() / gate_times.len().max(1) as u32;
        println!(
            "[{n} articles] hand-set gates (before) over {} queries: p50 {}, p99 {}, mean {}; \
             abstain model / gates mean ratio {:.2}",
            gate_times.len(),
            fmt_us(percentile(&gate_times, 0.5)),
            fmt_us(percentile(&gate_times, 0.99)),
            fmt_us(gate_mean),
            mean.as_secs_f64() / gate_mean.as_secs_f64().max(1e-12),
        );

        let t = Instant::now();
        let upserts = 100.min(n);
        for doc in synth.iter().take(upserts) {
            let mut d = doc.clone();
            d.variants
                .push("дополнительная формулировка вопроса".to_string());
            engine.upsert(d);
        }
        println!(
            "[{n} articles] incremental upsert: {} per article",
            fmt_us(t.elapsed() / upserts as u32)
        );

        // The baseline is linear in the corpus: time a sample of the queries.
        let naive = NaiveEngine::default();
        naive.replace_all(synth);
        let sample: Vec<LabelledQuestion> = questions
            .iter()
            .step_by(if n > 10_000 { 24 } else { 6 })
            .cloned()
            .collect();
        let ntimes = time_queries(&naive, &sample, 1);
        let nmean = ntimes.iter().sum::<Duration>() / ntimes.len().max(1) as u32;
        let bm_same = time_queries(&engine, &sample, rounds);
        let bmean = bm_same.iter().sum::<Duration>() / bm_same.len().max(1) as u32;
        println!(
            "[{n} articles] naive strsim scan over {} queries: p50 {}, mean {} — {:.0}× the bm25 mean ({})",
            ntimes.len(),
            fmt_us(percentile(&ntimes, 0.5)),
            fmt_us(nmean),
            nmean.as_secs_f64() / bmean.as_secs_f64().max(1e-12),
            fmt_us(bmean),
        );
    }
}

fn benches(c: &mut Criterion, full: bool) {
    let (docs, questions) = demo();
    let n = if full { 10_000 } else { 2_000 };
    let synth = synthetic(&docs, n, 42);
    let engine = Bm25Engine::new(EngineConfig::default());
    engine.replace_all(synth.clone());

    let mut i = 0usize;
    c.bench_function(&format!("bm25_decide_{n}"), |b| {
        b.iter(|| {
            i = (i + 1) % questions.len();
            black_box(engine.decide(black_box(&questions[i].q), 5))
        });
    });

    let mut group = c.benchmark_group("slow");
    group.sample_size(10);
    group.bench_function(format!("bm25_build_{n}"), |b| {
        b.iter(|| {
            let e = Bm25Engine::new(EngineConfig::default());
            e.replace_all(black_box(synth.clone()));
            e
        });
    });
    let naive = NaiveEngine::default();
    naive.replace_all(synth);
    let mut j = 0usize;
    group.bench_function(format!("naive_decide_{n}"), |b| {
        b.iter(|| {
            j = (j + 1) % questions.len();
            black_box(naive.decide(black_box(&questions[j].q), 5))
        });
    });
    group.finish();
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    report(full);
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c, full);
    c.final_summary();
}
