//! The `api` binary: parses the command line ([`api::cli`]) and runs the chosen command —
//! the server (no command, or `serve`), `migrate`, `openapi`, or one of the tools
//! ([`api::tools`]). `api --help` lists them all. Only `serve` demands production secrets.

use anyhow::Context;
use api::cli::{AdminCommand, CalendarCommand, Cli, Command, DbCommand, DemoCommand, KbCommand};
use api::{config::Config, startup::Application, telemetry, tools};

/// glibc's malloc gives each thread that allocates under contention its own arena (up to 8 per
/// core) and keeps what was freed there: the index build's helper threads and the blocking
/// pool under load left 45 MiB of freed memory resident at 10,000 articles (BENCHMARKS.md
/// «Memory»). Two arenas keep that bounded; an operator's own `MALLOC_ARENA_MAX` wins.
const ARENA_MAX: &str = "2";

fn main() -> anyhow::Result<()> {
    limit_malloc_arenas();
    run()
}

/// glibc reads `MALLOC_ARENA_MAX` once, before `main`, so the process restarts itself with it
/// set (same pid, arguments and environment; only when the variable is absent, so once). Safe
/// Rust has no `mallopt`, and the workspace forbids `unsafe`.
fn limit_malloc_arenas() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() || cfg!(not(target_env = "gnu")) {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
    let err = std::process::Command::new(&exe)
        .arg0(arg0)
        .args(args)
        .env("MALLOC_ARENA_MAX", ARENA_MAX)
        .exec();
    // Only reached when exec failed: run as we are, with glibc's default arenas.
    eprintln!("MALLOC_ARENA_MAX не применён: {err}");
}

#[actix_web::main]
async fn run() -> anyhow::Result<()> {
    // A wrong argument or `--help` ends here (clap's text, exit code 2 or 0).
    let cli = Cli::parse_args();
    match cli.command {
        None | Some(Command::Serve) => serve().await,
        Some(Command::Migrate) => migrate().await,
        Some(Command::Openapi { file: None }) => {
            print!("{}", api::openapi::to_pretty_json()?);
            Ok(())
        }
        Some(Command::Openapi { file: Some(path) }) => {
            std::fs::write(&path, api::openapi::to_pretty_json()?)
                .with_context(|| format!("не удалось записать {path}"))?;
            eprintln!("записан {path}");
            Ok(())
        }
        Some(Command::Kb(KbCommand::Import { file })) => tools::kb::import(&file).await,
        Some(Command::Kb(KbCommand::Export { file })) => tools::kb::export(&file).await,
        Some(Command::Kb(KbCommand::Eval(args))) => tools::kb::eval(&args),
        Some(Command::Kb(KbCommand::Fit(args))) => tools::kb::fit(&args),
        Some(Command::Demo(DemoCommand::Seed(args))) => tools::demo::run(args).await,
        Some(Command::Calendar(CalendarCommand::Import { file, region })) => {
            tools::calendar::import(&file, region.as_deref()).await
        }
        Some(Command::Db(DbCommand::Copy(args))) => tools::dbcopy::run(&args),
        Some(Command::Db(DbCommand::Backup { file })) => tools::backup::run_backup(&file),
        Some(Command::Db(DbCommand::Restore { file })) => tools::backup::run_restore(&file),
        Some(Command::Admin(AdminCommand::Create(args))) => tools::admin::run(args).await,
        Some(Command::BenchBaseline { port }) => bench_baseline(port).await,
        Some(Command::Help) => {
            Cli::localized().print_help()?;
            Ok(())
        }
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
async fn bench_baseline(port: u16) -> anyhow::Result<()> {
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
