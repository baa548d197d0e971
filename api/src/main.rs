//! The `api` binary: parses the command line ([`api::cli`]) and runs the chosen command —
//! the server (no command, or `serve`), `migrate`, `openapi`, or one of the tools
//! ([`api::tools`]). `api --help` lists them all. Only `serve` demands production secrets.

use anyhow::Context;
use api::cli::{AdminCommand, CalendarCommand, Cli, Command, DbCommand, DemoCommand, KbCommand};
use api::{config::Config, startup::Application, telemetry, tools};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
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
