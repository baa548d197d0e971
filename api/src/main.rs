//! Command line of the server: `api` (or `api serve`) runs it, `api migrate` applies
//! migrations, `api openapi [FILE]` writes the OpenAPI document, `api kb …` imports,
//! exports and evaluates the knowledge base.

use anyhow::Context;
use api::{cli, config::Config, startup::Application, telemetry};

const USAGE: &str = "использование:
  api [serve]                      запустить сервис
  api migrate                      применить миграции
  api openapi [ФАЙЛ]               вывести (записать) документ OpenAPI
  api kb import ФАЙЛ.jsonl         загрузить статьи (опубликованными; обновить по id)
  api kb export ФАЙЛ.jsonl         выгрузить все статьи
  api demo seed --appeals N [--seed S] [--if-empty]   записать демо-историю обращений
  api kb eval --kb ФАЙЛ --questions ФАЙЛ [--json]   оценить движок ответов
  api calendar import ФАЙЛ.xml [--region КОД]       загрузить производственный календарь
  api db copy --from URL --to URL   перенести всю базу (SQLite ⇄ PostgreSQL) в пустую, с проверкой";

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["serve"] => serve().await,
        ["migrate"] => migrate().await,
        ["openapi"] => {
            print!("{}", api::openapi::to_pretty_json()?);
            Ok(())
        }
        ["openapi", path] => {
            std::fs::write(path, api::openapi::to_pretty_json()?)
                .with_context(|| format!("не удалось записать {path}"))?;
            eprintln!("записан {path}");
            Ok(())
        }
        ["kb", "import", path] => cli::kb_import(path).await,
        ["demo", "seed", rest @ ..] => api::demo::seed_cli(rest).await,
        ["calendar", "import", path] => cli::calendar_import(path, None).await,
        ["calendar", "import", path, "--region", region] => {
            cli::calendar_import(path, Some(region)).await
        }
        ["kb", "export", path] => cli::kb_export(path).await,
        ["kb", "eval", rest @ ..] => cli::kb_eval(rest),
        ["db", "copy", rest @ ..] => api::dbcopy::cli(rest),
        // Hidden: the ceiling of the machine for scripts/bench-load.
        ["bench-baseline", port] => bench_baseline(port).await,
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => anyhow::bail!("{USAGE}"),
    }
}

async fn serve() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let app = Application::build(config).await?;
    app.run_until_stopped().await?;
    Ok(())
}

async fn migrate() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    // Building the state applies migrations and seeds reference data, then we stop.
    api::startup::prepare_state(config).await?;
    eprintln!("миграции применены");
    Ok(())
}

/// `api bench-baseline PORT`: a plain actix-web server answering every request with a
/// constant JSON, on the same worker count as the service (`WORKERS`, 0 = one per core).
/// scripts/bench-load reports the service's figures as a ratio to it.
async fn bench_baseline(port: &str) -> anyhow::Result<()> {
    let port: u16 = port.parse().context("PORT")?;
    let workers = std::env::var("WORKERS")
        .ok()
        .and_then(|w| w.parse::<usize>().ok())
        .filter(|w| *w > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    actix_web::HttpServer::new(|| {
        actix_web::App::new().default_service(actix_web::web::to(|| async {
            actix_web::HttpResponse::Ok()
                .content_type("application/json")
                .body(r#"{"status":"ok"}"#)
        }))
    })
    .workers(workers)
    .bind(("127.0.0.1", port))?
    .run()
    .await?;
    Ok(())
}
