//! The `api` command line: one clap struct per command, help texts in Russian (the
//! operators who run these commands read Russian). `main.rs` parses it and runs the chosen
//! command; the tools themselves live in [`crate::tools`], the server in [`crate::startup`].
//!
//! clap writes its own headings ("Usage:", "Options:") in English; [`localize`] replaces
//! them, and the `-h/--help` flag's text, on every command.

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::tools::{
    admin::CreateAdminArgs,
    dbcopy::CopyArgs,
    demo::SeedArgs,
    kb::{EvalArgs, FitArgs},
};

/// The whole command line: `api [COMMAND]`; no command runs the server.
#[derive(Debug, Parser)]
#[command(
    name = "api",
    about = "Помощник: сервер REST API, мини-приложения и фоновых задач; без команды — \
             запустить сервис",
    long_about = None
)]
pub struct Cli {
    /// The command; `None` serves.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands of `api`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the service (the same as no command).
    #[command(about = "Запустить сервис (то же, что `api` без команды)")]
    Serve,
    /// Applies the migrations and seeds the reference data, then stops.
    #[command(about = "Применить миграции и записать справочники, затем выйти")]
    Migrate,
    /// Prints (or writes) the OpenAPI document.
    #[command(about = "Вывести документ OpenAPI (или записать его в файл)")]
    Openapi {
        /// Where to write the document; stdout when absent.
        #[arg(
            value_name = "ФАЙЛ",
            help = "куда записать документ (без него — на экран)"
        )]
        file: Option<String>,
    },
    /// Knowledge-base commands.
    #[command(
        subcommand,
        about = "База знаний: загрузить, выгрузить, оценить движок ответов"
    )]
    Kb(KbCommand),
    /// Demo data.
    #[command(subcommand, about = "Демо-данные для дашбордов")]
    Demo(DemoCommand),
    /// Production calendar.
    #[command(subcommand, about = "Производственный календарь")]
    Calendar(CalendarCommand),
    /// The database as a whole.
    #[command(subcommand, about = "База данных целиком")]
    Db(DbCommand),
    /// Administrators.
    #[command(subcommand, about = "Администраторы (первый вход на новом сервере)")]
    Admin(AdminCommand),
    /// The machine's ceiling for scripts/bench-load (hidden).
    #[command(
        hide = true,
        about = "Простой сервер actix-web с постоянным JSON (потолок машины для \
                 scripts/bench-load)"
    )]
    BenchBaseline {
        /// The port to listen on (127.0.0.1).
        #[arg(value_name = "ПОРТ", help = "порт на 127.0.0.1")]
        port: u16,
    },
    /// `api help`: the same as `api --help` (kept from the hand-written parser).
    #[command(hide = true, about = "Показать эту справку")]
    Help,
}

/// `api kb …`.
#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// `api kb import FILE.jsonl`.
    #[command(
        about = "Загрузить статьи из JSONL (опубликованными; обновить по id); всё или ничего"
    )]
    Import {
        /// The JSONL file.
        #[arg(value_name = "ФАЙЛ.jsonl", help = "файл статей, по одной в строке")]
        file: String,
    },
    /// `api kb export FILE.jsonl`.
    #[command(about = "Выгрузить все статьи в JSONL (формат загрузки)")]
    Export {
        /// The JSONL file to write.
        #[arg(value_name = "ФАЙЛ.jsonl", help = "куда записать статьи")]
        file: String,
    },
    // `api kb eval …` (its about text is on `EvalArgs`; a doc comment here would replace it).
    Eval(EvalArgs),
    // `api kb fit …` (its about text is on `FitArgs`).
    Fit(FitArgs),
}

/// `api demo …`.
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    // `api demo seed …` (about text on `SeedArgs`).
    Seed(SeedArgs),
}

/// `api calendar …`.
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// `api calendar import FILE.xml [--region CODE]`.
    #[command(about = "Загрузить год производственного календаря (формат xmlcalendar)")]
    Import {
        /// The xmlcalendar file.
        #[arg(value_name = "ФАЙЛ.xml", help = "файл календаря в формате xmlcalendar")]
        file: String,
        /// A region's overlay instead of the federal calendar.
        #[arg(
            long,
            value_name = "КОД",
            help = "код региона: загрузить региональные отличия, а не федеральный календарь"
        )]
        region: Option<String>,
    },
}

/// `api db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    // `api db copy --from URL --to URL` (about text on `CopyArgs`).
    Copy(CopyArgs),
    /// `api db backup FILE`.
    #[command(
        about = "Резервная копия базы SQLite в файл, без остановки сервера (для PostgreSQL — \
                 pg_dump)"
    )]
    Backup {
        /// The new backup file.
        #[arg(value_name = "ФАЙЛ", help = "новый файл резервной копии")]
        file: String,
    },
    /// `api db restore FILE`.
    #[command(about = "Восстановить резервную копию в пустую базу DATABASE_URL, со сверкой")]
    Restore {
        /// The backup file.
        #[arg(value_name = "ФАЙЛ", help = "файл резервной копии")]
        file: String,
    },
}

/// `api admin …`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    // `api admin create --email … [--name …] [--force]` (about text on `CreateAdminArgs`).
    Create(CreateAdminArgs),
}

impl Cli {
    /// The command line as clap sees it, with the Russian headings.
    #[must_use]
    pub fn localized() -> clap::Command {
        localize(Self::command())
    }

    /// Parses the process's arguments; on `--help` or a wrong argument prints clap's text
    /// and exits (0 or 2), without a backtrace.
    #[must_use]
    pub fn parse_args() -> Self {
        let matches = Self::localized().get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    }
}

/// Parses `words` (the arguments after a command's name) as the command `T` named `name`:
/// the library entry points of the tools (`dbcopy::cli`) take words, as tests call them.
///
/// # Errors
/// clap's error for a wrong or missing argument (or the help text for `--help`).
pub fn parse_words<T: Parser>(name: &'static str, words: &[&str]) -> Result<T, clap::Error> {
    let command = localize(T::command()).name(name).bin_name(name);
    let matches =
        command.try_get_matches_from(std::iter::once(name).chain(words.iter().copied()))?;
    T::from_arg_matches(&matches)
}

/// Russian headings and `--help` text on `command` and all its subcommands.
fn localize(command: clap::Command) -> clap::Command {
    command
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .help_template("{about-with-newline}\nИспользование: {usage}\n\n{all-args}{after-help}")
        .subcommand_help_heading("Команды")
        .subcommand_value_name("КОМАНДА")
        .mut_args(|arg| {
            if arg.get_help_heading().is_some() {
                arg
            } else if arg.is_positional() {
                arg.help_heading("Аргументы")
            } else {
                arg.help_heading("Параметры")
            }
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("показать эту справку")
                .help_heading("Параметры"),
        )
        .mut_subcommands(localize)
}

#[cfg(test)]
mod tests {
    use super::Cli;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::localized().debug_assert();
    }
}
