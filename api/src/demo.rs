//! Demo data: `api demo seed --appeals N [--seed S] [--if-empty]` writes a plausible history
//! so the dashboards have something to show: all 89 regions weighted by population, from
//! 1 January 2025 to now, more questions on working days and in working hours, fewer in the
//! summer holidays, a slow growth; answers from the knowledge base and from operators,
//! suggestions accepted, withdrawals, ratings and bot grades, escalations, late answers and
//! a few appeals still waiting past their deadline.
//!
//! Every name is invented from common Russian first names, patronymics and surnames picked
//! at random; no real person is described. The same seed, count and hour of the run give
//! the same data. Rows go in by batches inside transactions (the statistics triggers run as
//! for live data); no notifications are queued.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::calendar;
use crate::config::Config;
use crate::db::schema::{
    appeal_answers, appeal_messages, appeals, bot_grades, kb_articles, ratings, regions,
    user_regions, users,
};
use crate::db::{AnyConnection, Db};
use crate::error::ApiError;
use crate::startup;
use crate::workcal::Calendars;

/// Appeals written per transaction.
const BATCH: usize = 2_000;
/// Rows per INSERT statement (SQLite allows 32,766 bound values; appeals have 29 columns).
const ROWS_PER_INSERT: usize = 1_000;

/// `api demo seed …` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedArgs {
    /// Appeals to write.
    pub appeals: usize,
    /// Random seed.
    pub seed: u64,
    /// Do nothing when the database already has appeals.
    pub if_empty: bool,
}

impl SeedArgs {
    /// Parses `--appeals N [--seed S] [--if-empty]`.
    ///
    /// # Errors
    /// A missing or malformed value, or an unknown flag.
    pub fn parse(args: &[&str]) -> anyhow::Result<Self> {
        let mut out = Self {
            appeals: 0,
            seed: 42,
            if_empty: false,
        };
        let mut it = args.iter();
        let mut has_count = false;
        while let Some(arg) = it.next() {
            match *arg {
                "--appeals" => {
                    let v = it.next().context("--appeals: укажите число")?;
                    out.appeals = v
                        .replace('_', "")
                        .parse()
                        .context("--appeals: укажите число")?;
                    has_count = true;
                }
                "--seed" => {
                    let v = it.next().context("--seed: укажите число")?;
                    out.seed = v.parse().context("--seed: укажите число")?;
                }
                "--if-empty" => out.if_empty = true,
                other => anyhow::bail!("неизвестный параметр {other}"),
            }
        }
        anyhow::ensure!(has_count, "укажите --appeals N");
        Ok(out)
    }
}

/// `api demo seed …`.
///
/// # Errors
/// Bad arguments or a database failure.
pub async fn seed_cli(args: &[&str]) -> anyhow::Result<()> {
    let args = SeedArgs::parse(args)?;
    let state = startup::prepare_state(Config::from_env()?).await?;
    let started = std::time::Instant::now();
    let written =
        tokio::task::spawn_blocking(move || seed(&state.db, &state.calendars, &args)).await??;
    match written {
        Some(n) => eprintln!(
            "демо-данные: {n} обращений за {:.1} с",
            started.elapsed().as_secs_f64()
        ),
        None => eprintln!("демо-данные не добавлены: в базе уже есть обращения"),
    }
    Ok(())
}

/// Population of each region in thousands (rounded; the weight of a region in the demo).
const POPULATION: [(&str, u32); 89] = [
    ("01", 497),
    ("02", 4064),
    ("03", 975),
    ("04", 221),
    ("05", 3209),
    ("06", 520),
    ("07", 904),
    ("08", 267),
    ("09", 469),
    ("10", 527),
    ("11", 726),
    ("12", 677),
    ("13", 775),
    ("14", 997),
    ("15", 681),
    ("16", 4004),
    ("17", 337),
    ("18", 1453),
    ("19", 529),
    ("20", 1533),
    ("21", 1166),
    ("22", 2131),
    ("23", 5839),
    ("24", 2846),
    ("25", 1820),
    ("26", 2886),
    ("27", 1284),
    ("28", 756),
    ("29", 978),
    ("30", 949),
    ("31", 1515),
    ("32", 1152),
    ("33", 1324),
    ("34", 2449),
    ("35", 1128),
    ("36", 2285),
    ("37", 915),
    ("38", 2345),
    ("39", 1033),
    ("40", 1072),
    ("41", 289),
    ("42", 2568),
    ("43", 1138),
    ("44", 566),
    ("45", 761),
    ("46", 1083),
    ("47", 2033),
    ("48", 1126),
    ("49", 136),
    ("50", 8652),
    ("51", 658),
    ("52", 3119),
    ("53", 580),
    ("54", 2794),
    ("55", 1833),
    ("56", 1842),
    ("57", 701),
    ("58", 1246),
    ("59", 2508),
    ("60", 588),
    ("61", 4168),
    ("62", 1091),
    ("63", 3133),
    ("64", 2397),
    ("65", 460),
    ("66", 4240),
    ("67", 888),
    ("68", 970),
    ("69", 1211),
    ("70", 1047),
    ("71", 1508),
    ("72", 1601),
    ("73", 1179),
    ("74", 3407),
    ("75", 992),
    ("76", 1201),
    ("77", 13150),
    ("78", 5600),
    ("79", 148),
    ("83", 41),
    ("86", 1730),
    ("87", 47),
    ("89", 546),
    ("90", 500),
    ("91", 1911),
    ("92", 555),
    ("93", 2270),
    ("94", 1360),
    ("95", 380),
];

const FEMALE_NAMES: [&str; 24] = [
    "Анна",
    "Елена",
    "Ольга",
    "Наталья",
    "Ирина",
    "Татьяна",
    "Светлана",
    "Марина",
    "Юлия",
    "Екатерина",
    "Людмила",
    "Галина",
    "Надежда",
    "Оксана",
    "Алсу",
    "Гульнара",
    "Валентина",
    "Вера",
    "Лариса",
    "Дарья",
    "Ксения",
    "Мария",
    "Алина",
    "Зарема",
];
const MALE_NAMES: [&str; 16] = [
    "Алексей",
    "Андрей",
    "Сергей",
    "Дмитрий",
    "Игорь",
    "Павел",
    "Михаил",
    "Николай",
    "Владимир",
    "Рустам",
    "Артём",
    "Евгений",
    "Олег",
    "Тимур",
    "Иван",
    "Виктор",
];
const PATRONYMIC_ROOTS: [&str; 16] = [
    "Александров",
    "Сергеев",
    "Владимиров",
    "Николаев",
    "Петров",
    "Иванов",
    "Михайлов",
    "Андреев",
    "Викторов",
    "Юрьев",
    "Олегов",
    "Борисов",
    "Геннадьев",
    "Анатольев",
    "Ринатов",
    "Павлов",
];
/// Surnames as the masculine form; the feminine adds «а» (all end in -ов/-ев/-ин).
const SURNAMES: [&str; 32] = [
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сафин",
    "Галиев",
];

/// Questions people route to operators (the knowledge base does not answer them at once).
const QUESTIONS: [&str; 24] = [
    "Как оформить возврат денег родителям за сорванную экскурсию в музей?",
    "Нужно ли классному руководителю вести отдельный журнал инструктажей по технике безопасности?",
    "Может ли директор требовать ежедневные отчёты о посещаемости в бумажном виде, если есть электронный журнал?",
    "Кто должен заполнять социальный паспорт класса и в какие сроки?",
    "Обязан ли учитель писать характеристики на всех учеников по запросу комиссии?",
    "Как правильно оформить замену урока, если коллега заболел?",
    "Требуют сдавать рабочие программы и в бумажном, и в электронном виде — это законно?",
    "Можно ли не вести протоколы родительских собраний, если всё есть в чате?",
    "Сколько отчётов в месяц может запросить администрация у классного руководителя?",
    "Кто отвечает за заполнение электронного журнала при дистанционном обучении?",
    "Нужно ли согласовывать с родителями план внеурочной деятельности письменно?",
    "Как оформить документы на экскурсию за пределы города?",
    "Обязан ли учитель составлять индивидуальный образовательный маршрут для каждого ученика с ОВЗ?",
    "Можно ли отказаться от заполнения портфолио учеников, если это не входит в должностную инструкцию?",
    "Какие документы нужны для проведения школьного этапа олимпиады?",
    "Должен ли педагог вести дневник наблюдений за адаптацией первоклассников?",
    "Как оформить акт о несчастном случае на перемене?",
    "Требуется ли отчёт о проверке тетрадей и в какой форме?",
    "Нужно ли учителю физкультуры вести отдельный медицинский журнал?",
    "Может ли школа требовать ежемесячный анализ успеваемости в виде таблиц и графиков?",
    "Как учитывать часы классного руководства при тарификации?",
    "Какие документы заполнять при переводе ученика на семейное образование?",
    "Обязательно ли писать поурочные планы, если есть КТП?",
    "Кто готовит документы для ПМПК — классный руководитель или психолог?",
];

const OPERATOR_ANSWERS: [&str; 8] = [
    "Добрый день! Такой документ не входит в обязательный перечень: по приказу Минпросвещения № 236 учитель ведёт только указанные там документы. Дополнительные отчёты администрация может запросить лишь в пределах должностных обязанностей.",
    "Здравствуйте! Дублировать сведения из электронного журнала на бумаге не требуется. Сошлитесь на ст. 47 Закона об образовании и приказ № 236.",
    "Добрый день! Этот документ оформляет администрация школы; от классного руководителя нужна только информация по своему классу в свободной форме.",
    "Здравствуйте! Порядок описан в локальном акте школы, но он не может расширять перечень документов, утверждённый приказом. Рекомендуем обратиться к директору с письменным запросом.",
    "Добрый день! Да, это входит в обязанности, но форма свободная — достаточно краткой записи в электронном журнале.",
    "Здравствуйте! Согласование с родителями требуется, но отдельный письменный документ не нужен: достаточно уведомления через электронный дневник.",
    "Добрый день! Срок — не реже одного раза в четверть; ежемесячные отчёты в такой форме избыточны.",
    "Здравствуйте! Уточнили в министерстве: документ готовит педагог-психолог, классный руководитель предоставляет только характеристику.",
];

const RATING_COMMENTS: [&str; 6] = [
    "Спасибо, очень помогло!",
    "Коротко и понятно.",
    "Ответ пригодился для разговора с завучем.",
    "Хотелось бы ссылку на документ.",
    "Не совсем мой случай.",
    "Спасибо за быстрый ответ.",
];

/// A region as the seeder needs it.
struct RegionInfo {
    code: String,
    tz: chrono_tz::Tz,
    teachers: Vec<(String, String)>,
    operators: Vec<String>,
}

/// A published knowledge-base article (bot answers and suggestions).
struct Article {
    id: String,
    title: String,
    question: String,
    answer: String,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUser {
    id: String,
    role: String,
    surname: Option<String>,
    name: Option<String>,
    patronymic: Option<String>,
    region_code: Option<String>,
    verification_status: String,
    verification_source: Option<String>,
    verified_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = appeals, treat_none_as_default_value = false)]
struct NewAppeal {
    id: String,
    teacher_id: String,
    region_code: String,
    author_name: Option<String>,
    anonymous: bool,
    text: String,
    channel: String,
    status: String,
    close_reason: Option<String>,
    close_note: Option<String>,
    duplicate_of: Option<String>,
    assignee_id: Option<String>,
    engine_name: Option<String>,
    engine_version: Option<String>,
    engine_article_id: Option<String>,
    engine_score: Option<f64>,
    engine_confident: bool,
    abstain_reason: Option<String>,
    suggestions: String,
    deadline_at: Option<NaiveDateTime>,
    first_answered_at: Option<NaiveDateTime>,
    answered_late: bool,
    escalated_at: Option<NaiveDateTime>,
    opened_by_staff_at: Option<NaiveDateTime>,
    teacher_activity_at: NaiveDateTime,
    staff_activity_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    closed_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = appeal_messages, treat_none_as_default_value = false)]
struct NewMessage {
    id: String,
    appeal_id: String,
    author_id: Option<String>,
    author_role: String,
    kind: String,
    text: String,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = appeal_answers, treat_none_as_default_value = false)]
struct NewAnswer {
    id: String,
    appeal_id: String,
    source: String,
    text: String,
    article_id: Option<String>,
    answered_by: Option<String>,
    answered_at: NaiveDateTime,
    is_late: bool,
    reminder_sent_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = ratings, treat_none_as_default_value = false)]
struct NewRating {
    answer_id: String,
    appeal_id: String,
    score: i32,
    comment: Option<String>,
    rated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = bot_grades, treat_none_as_default_value = false)]
struct NewGrade {
    answer_id: String,
    appeal_id: String,
    grade: String,
    comment: Option<String>,
    graded_by: String,
    graded_at: NaiveDateTime,
}

/// A multi-row INSERT on the concrete backend (diesel's batch insert is not available
/// through the multi-backend connection).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            AnyConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c)?,
            AnyConnection::Postgresql(c) => diesel::insert_into($table).values($rows).execute(c)?,
        }
    };
}

/// One batch of rows, written in one transaction.
#[derive(Default)]
struct Batch {
    appeals: Vec<NewAppeal>,
    messages: Vec<NewMessage>,
    answers: Vec<NewAnswer>,
    ratings: Vec<NewRating>,
    grades: Vec<NewGrade>,
}

impl Batch {
    fn write(&mut self, conn: &mut AnyConnection) -> QueryResult<()> {
        for chunk in self.appeals.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, appeals::table, chunk);
        }
        for chunk in self.answers.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, appeal_answers::table, chunk);
        }
        for chunk in self.ratings.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, ratings::table, chunk);
        }
        for chunk in self.grades.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, bot_grades::table, chunk);
        }
        for chunk in self.messages.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, appeal_messages::table, chunk);
        }
        *self = Self::default();
        Ok(())
    }
}

/// Deterministic ids: UUIDv7 built from the event's time and the seeded generator.
fn id_at(rng: &mut StdRng, at: NaiveDateTime) -> String {
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .simple()
        .to_string()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// An invented full name: (surname, name, patronymic).
fn invent_name(rng: &mut StdRng, female: bool) -> (String, String, String) {
    let surname = pick(rng, &SURNAMES);
    let patronymic = pick(rng, &PATRONYMIC_ROOTS);
    if female {
        (
            format!("{surname}а"),
            (*pick(rng, &FEMALE_NAMES)).to_owned(),
            format!("{patronymic}на"),
        )
    } else {
        (
            (*surname).to_owned(),
            (*pick(rng, &MALE_NAMES)).to_owned(),
            format!("{patronymic}ич"),
        )
    }
}

/// Index of a value in cumulative weights.
fn weighted(rng: &mut StdRng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let x = rng.gen::<f64>() * total;
    cumulative
        .partition_point(|c| *c <= x)
        .min(cumulative.len().saturating_sub(1))
}

fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .into_iter()
        .map(|w| {
            sum += w;
            sum
        })
        .collect()
}

/// Relative volume of a day: growth over time, school holidays, weekends, public holidays.
fn day_weight(date: NaiveDate, first: NaiveDate, days: i64, working: bool) -> f64 {
    #[allow(clippy::cast_precision_loss)] // a few hundred days
    let growth = 1.0 + 0.8 * ((date - first).num_days() as f64 / days.max(1) as f64);
    let season = match date.month() {
        1 => 0.8,
        5 => 0.85,
        6 | 8 => 0.55,
        7 => 0.3,
        9 => 1.3,
        10 => 1.15,
        11 => 1.1,
        _ => 1.0,
    };
    let weekday = match (working, date.weekday().num_days_from_monday()) {
        (false, 5) => 0.25,
        (false, 6) => 0.15,
        (false, _) => 0.3,
        (true, 0) => 1.1,
        (true, _) => 1.0,
    };
    growth * season * weekday
}

/// Hours of the local day, by how often teachers write then.
const HOURS: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.8, 3.6, 3.0, 3.3, 3.6, 3.4, 3.0, 2.6, 2.2,
    1.9, 1.6, 1.2, 0.8, 0.4,
];

fn hours(h: f64) -> Duration {
    #[allow(clippy::cast_possible_truncation)] // at most years in seconds
    Duration::seconds((h * 3600.0) as i64)
}

fn score(rng: &mut StdRng, weights: &[f64; 5]) -> i32 {
    let c = cumulative(weights.iter().copied());
    i32::try_from(weighted(rng, &c) + 1).unwrap_or(5)
}

/// Writes the demo history; `None` when `--if-empty` found appeals already.
///
/// # Errors
/// A database failure.
#[allow(clippy::too_many_lines)] // one story per appeal, told in order
pub fn seed(db: &Db, calendars: &Calendars, args: &SeedArgs) -> anyhow::Result<Option<usize>> {
    let mut conn = db.pool().get().context("нет соединения с базой")?;
    if args.if_empty {
        let existing: i64 = appeals::table.count().get_result(&mut conn)?;
        if existing > 0 {
            return Ok(None);
        }
    }
    let mut rng = StdRng::seed_from_u64(args.seed);
    let now_utc: DateTime<Utc> = Utc::now();
    // The end of the history: the start of the current hour, so a rerun within the hour
    // writes the same data.
    let now = now_utc
        .naive_utc()
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or_else(|| now_utc.naive_utc());
    let stored: Vec<(String, String)> = regions::table
        .select((regions::code, regions::timezone))
        .order(regions::code.asc())
        .load(&mut conn)?;
    let weights: HashMap<&str, u32> = POPULATION.iter().copied().collect();
    let articles: Vec<Article> = kb_articles::table
        .filter(kb_articles::status.eq("published"))
        .select((
            kb_articles::id,
            kb_articles::title,
            kb_articles::question,
            kb_articles::answer,
        ))
        .order(kb_articles::id.asc())
        .load::<(String, String, String, String)>(&mut conn)?
        .into_iter()
        .map(|(id, title, question, answer)| Article {
            id,
            title,
            question,
            answer,
        })
        .collect();
    drop(conn);

    let region_weights: Vec<f64> = stored
        .iter()
        .map(|(code, _)| f64::from(weights.get(code.as_str()).copied().unwrap_or(500)))
        .collect();
    let total_weight: f64 = region_weights.iter().sum();
    let region_cumulative = cumulative(region_weights.iter().copied());

    // People: teachers and operators of each region.
    let teacher_total = (args.appeals / 6).clamp(30, 200_000);
    let joined = NaiveDate::from_ymd_opt(2024, 12, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default();
    let mut people: Vec<NewUser> = Vec::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let mut regions_info: Vec<RegionInfo> = Vec::new();
    for ((code, tz), weight) in stored.iter().zip(&region_weights) {
        let share = weight / total_weight;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // small positive counts
        let teachers_here = ((share * teacher_total as f64).round() as usize).max(3);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let operators_here = (2 + (share * 120.0).round() as usize).min(15);
        let mut info = RegionInfo {
            code: code.clone(),
            tz: tz.parse().unwrap_or(chrono_tz::Europe::Moscow),
            teachers: Vec::with_capacity(teachers_here),
            operators: Vec::with_capacity(operators_here),
        };
        for i in 0..teachers_here + operators_here {
            let is_teacher = i < teachers_here;
            let female = rng.gen_bool(if is_teacher { 0.82 } else { 0.7 });
            let (surname, name, patronymic) = invent_name(&mut rng, female);
            let id = id_at(&mut rng, joined);
            let full = format!("{surname} {name} {patronymic}");
            people.push(NewUser {
                id: id.clone(),
                role: if is_teacher { "teacher" } else { "operator" }.to_owned(),
                surname: Some(surname),
                name: Some(name),
                patronymic: Some(patronymic),
                region_code: Some(code.clone()),
                verification_status: "verified".to_owned(),
                verification_source: Some("demo".to_owned()),
                verified_at: Some(joined),
                created_at: joined,
                updated_at: joined,
            });
            if is_teacher {
                info.teachers.push((id, full));
            } else {
                links.push((id.clone(), code.clone()));
                info.operators.push(id);
            }
        }
        regions_info.push(info);
    }
    db.write_blocking(|conn| {
        for chunk in people.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, users::table, chunk);
        }
        for (user, region) in &links {
            diesel::insert_into(user_regions::table)
                .values((
                    user_regions::user_id.eq(user),
                    user_regions::region_code.eq(region),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(people);

    // When: a day by weight, then an hour of the region's local day.
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let last = calendar::local_date(crate::stats::PERIOD_TZ, now.and_utc());
    let span = (last - first).num_days() + 1;
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let day_cumulative = calendars.with(|cal| {
        cumulative(
            days.iter()
                .map(|d| day_weight(*d, first, span, cal.is_working_day(None, *d))),
        )
    });
    let hour_cumulative = cumulative(HOURS);
    let mut arrivals: Vec<(NaiveDateTime, usize)> = Vec::with_capacity(args.appeals);
    while arrivals.len() < args.appeals {
        let region = weighted(&mut rng, &region_cumulative);
        let day = days[weighted(&mut rng, &day_cumulative)];
        let hour = weighted(&mut rng, &hour_cumulative);
        let second: i64 = rng.gen_range(0..3600);
        let hour = i64::try_from(hour).unwrap_or(0);
        let at = calendar::start_of_local_day(regions_info[region].tz, day).naive_utc()
            + Duration::seconds(hour * 3600 + second);
        if at < now {
            arrivals.push((at, region));
        }
    }
    arrivals.sort_unstable();

    let mut batch = Batch::default();
    let mut written = 0usize;
    let progress_every = (args.appeals / 10 / BATCH).max(1) * BATCH;
    let mut next_report = progress_every;
    for (created, region_index) in arrivals {
        let region = &regions_info[region_index];
        let code = region.code.clone();
        let (teacher_id, teacher_name) = pick(&mut rng, &region.teachers).clone();
        let operator = |rng: &mut StdRng| pick(rng, &region.operators).clone();
        let id = id_at(&mut rng, created);
        let anonymous = rng.gen_bool(0.08);
        let channel = match rng.gen_range(0..100) {
            0..=87 => "mini_app",
            88..=96 => "bot",
            _ => "api",
        };
        let confident = !articles.is_empty() && rng.gen_bool(0.55);
        let article = (!articles.is_empty()).then(|| pick(&mut rng, &articles));
        let text = match (confident, article) {
            (true, Some(a)) => a.question.clone(),
            _ => (*pick(&mut rng, &QUESTIONS)).to_owned(),
        };
        let mut row = NewAppeal {
            id: id.clone(),
            teacher_id: teacher_id.clone(),
            region_code: code.clone(),
            author_name: Some(teacher_name),
            anonymous,
            text: text.clone(),
            channel: channel.to_owned(),
            status: "new".to_owned(),
            close_reason: None,
            close_note: None,
            duplicate_of: None,
            assignee_id: None,
            engine_name: Some("bm25f".to_owned()),
            engine_version: Some("demo".to_owned()),
            engine_article_id: article.map(|a| a.id.clone()),
            engine_score: Some(if confident {
                rng.gen_range(9.0..20.0)
            } else {
                rng.gen_range(1.0..7.0)
            }),
            engine_confident: confident,
            abstain_reason: (!confident).then(|| "low_score".to_owned()),
            suggestions: "[]".to_owned(),
            deadline_at: None,
            first_answered_at: None,
            answered_late: false,
            escalated_at: None,
            opened_by_staff_at: None,
            teacher_activity_at: created,
            staff_activity_at: None,
            created_at: created,
            updated_at: created,
            closed_at: None,
        };
        let message = |rng: &mut StdRng,
                       author: Option<&str>,
                       role: &str,
                       kind: &str,
                       text: &str,
                       at: NaiveDateTime| NewMessage {
            id: id_at(rng, at),
            appeal_id: id.clone(),
            author_id: author.map(str::to_owned),
            author_role: role.to_owned(),
            kind: kind.to_owned(),
            text: text.to_owned(),
            created_at: at,
        };
        batch.messages.push(message(
            &mut rng,
            Some(&teacher_id),
            "teacher",
            "question",
            &text,
            created,
        ));
        let close = |row: &mut NewAppeal, reason: &str, at: NaiveDateTime| {
            row.status = "closed".to_owned();
            row.close_reason = Some(reason.to_owned());
            row.closed_at = Some(at);
            row.updated_at = row.updated_at.max(at);
        };
        // Some(arrival) when the appeal reaches the operators' queue.
        let mut queued: Option<NaiveDateTime> = None;
        if let (true, Some(article)) = (confident, article) {
            let answer_id = id_at(&mut rng, created);
            row.status = "answered_by_bot".to_owned();
            row.first_answered_at = Some(created);
            batch.messages.push(message(
                &mut rng,
                None,
                "bot",
                "answer",
                &article.answer,
                created,
            ));
            let rated = rng.gen_bool(0.55).then(|| {
                let at = created + hours(rng.gen::<f64>().powi(2) * 30.0 + 0.05);
                (at, score(&mut rng, &[0.04, 0.06, 0.12, 0.30, 0.48]))
            });
            let rated = rated.filter(|(at, _)| *at < now);
            if rng.gen_bool(0.25) {
                let at = created + hours(rng.gen_range(0.5..72.0));
                if at < now {
                    let grade = match rng.gen_range(0..100) {
                        0..=77 => "correct",
                        78..=92 => "partly",
                        _ => "wrong",
                    };
                    batch.grades.push(NewGrade {
                        answer_id: answer_id.clone(),
                        appeal_id: id.clone(),
                        grade: grade.to_owned(),
                        comment: None,
                        graded_by: operator(&mut rng),
                        graded_at: at,
                    });
                }
            }
            let unrated_reminder = created + Duration::hours(96);
            batch.answers.push(NewAnswer {
                id: answer_id.clone(),
                appeal_id: id.clone(),
                source: "bot".to_owned(),
                text: article.answer.clone(),
                article_id: Some(article.id.clone()),
                answered_by: None,
                answered_at: created,
                is_late: false,
                reminder_sent_at: (rated.is_none() && unrated_reminder < now)
                    .then_some(unrated_reminder),
            });
            if let Some((at, score)) = rated {
                batch.ratings.push(NewRating {
                    answer_id,
                    appeal_id: id.clone(),
                    score,
                    comment: rng
                        .gen_bool(0.1)
                        .then(|| (*pick(&mut rng, &RATING_COMMENTS)).to_owned()),
                    rated_at: at,
                });
                close(&mut row, "rated", at);
            }
            let escalate = match rated {
                Some((_, s)) if s <= 3 => rng.gen_bool(0.35),
                _ => rng.gen_bool(0.05),
            };
            let escalated_at =
                rated.map_or(created, |(at, _)| at) + hours(rng.gen_range(0.1..24.0));
            if escalate && escalated_at < now {
                row.escalated_at = Some(escalated_at);
                row.status = "new".to_owned();
                row.close_reason = None;
                row.closed_at = None;
                row.teacher_activity_at = escalated_at;
                row.updated_at = escalated_at;
                batch.messages.push(message(
                    &mut rng,
                    Some(&teacher_id),
                    "teacher",
                    "system",
                    "Ответ из базы не помог — вопрос передан специалистам.",
                    escalated_at,
                ));
                queued = Some(escalated_at);
            } else if rated.is_none() && created + Duration::days(14) < now {
                close(&mut row, "expired", created + Duration::days(14));
            }
        } else {
            let suggested: Vec<&Article> = if articles.is_empty() || rng.gen_bool(0.4) {
                Vec::new()
            } else {
                (0..rng.gen_range(1..=3))
                    .map(|_| pick(&mut rng, &articles))
                    .collect()
            };
            row.suggestions = serde_json::to_string(
                &suggested
                    .iter()
                    .map(|a| serde_json::json!({ "article_id": a.id, "title": a.title, "score": 4.2 }))
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_else(|_| "[]".to_owned());
            row.deadline_at = Some(calendars.deadline(&code, created.and_utc()).naive_utc());
            let fate = rng.gen_range(0..1000);
            let soon = created + hours(rng.gen_range(0.02..2.0));
            match (fate, suggested.first()) {
                (0..=179, Some(article)) if soon < now => {
                    batch.answers.push(NewAnswer {
                        id: id_at(&mut rng, soon),
                        appeal_id: id.clone(),
                        source: "self_served".to_owned(),
                        text: article.answer.clone(),
                        article_id: Some(article.id.clone()),
                        answered_by: None,
                        answered_at: soon,
                        is_late: false,
                        reminder_sent_at: None,
                    });
                    batch.messages.push(message(
                        &mut rng,
                        Some(&teacher_id),
                        "teacher",
                        "system",
                        "Учитель нашёл ответ в предложенной статье.",
                        soon,
                    ));
                    close(&mut row, "self_served", soon);
                }
                (180..=209, _) if soon < now => {
                    batch.messages.push(message(
                        &mut rng,
                        Some(&teacher_id),
                        "teacher",
                        "system",
                        "Учитель отозвал вопрос.",
                        soon,
                    ));
                    close(&mut row, "withdrawn", soon);
                }
                (210..=229, _) => {
                    let at = created + hours(rng.gen_range(1.0..48.0));
                    if at < now {
                        let who = operator(&mut rng);
                        row.assignee_id = Some(who);
                        row.opened_by_staff_at = Some(at);
                        row.staff_activity_at = Some(at);
                        let reason = *pick(&mut rng, &["off_topic", "spam", "duplicate"]);
                        row.close_note =
                            Some("Вопрос не относится к документационной нагрузке.".to_owned());
                        close(&mut row, reason, at);
                    } else {
                        queued = Some(created);
                    }
                }
                _ => queued = Some(created),
            }
        }

        if let Some(arrival) = queued {
            let deadline = calendars.deadline(&code, arrival.and_utc()).naive_utc();
            row.deadline_at = Some(deadline);
            let stuck = rng.gen_bool(0.004);
            let answer_at = if rng.gen_bool(0.07) {
                deadline + hours(rng.gen_range(1.0..120.0))
            } else {
                let budget = (deadline - arrival).num_seconds().max(3600);
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                let offset = (rng.gen::<f64>().powf(2.2) * budget as f64) as i64;
                arrival + Duration::seconds(offset.max(600))
            };
            let who = operator(&mut rng);
            if stuck || answer_at >= now {
                if rng.gen_bool(0.6) {
                    row.status = "in_progress".to_owned();
                    row.assignee_id = Some(who);
                    row.opened_by_staff_at =
                        Some(arrival + hours(rng.gen_range(0.1..4.0)).min(now - arrival));
                } else {
                    row.status = "new".to_owned();
                    if rng.gen_bool(0.5) {
                        row.opened_by_staff_at = Some(arrival + (now - arrival) / 2);
                    }
                }
            } else {
                let late = answer_at > deadline;
                let answer_text = *pick(&mut rng, &OPERATOR_ANSWERS);
                let answer_id = id_at(&mut rng, answer_at);
                let rated = rng.gen_bool(0.6).then(|| {
                    let at = answer_at + hours(rng.gen::<f64>().powi(2) * 60.0 + 0.1);
                    (at, score(&mut rng, &[0.03, 0.05, 0.10, 0.32, 0.50]))
                });
                let rated = rated.filter(|(at, _)| *at < now);
                let reminder = answer_at + Duration::hours(96);
                batch.answers.push(NewAnswer {
                    id: answer_id.clone(),
                    appeal_id: id.clone(),
                    source: "operator".to_owned(),
                    text: answer_text.to_owned(),
                    article_id: None,
                    answered_by: Some(who.clone()),
                    answered_at: answer_at,
                    is_late: late,
                    reminder_sent_at: (rated.is_none() && reminder < now).then_some(reminder),
                });
                batch.messages.push(message(
                    &mut rng,
                    Some(&who),
                    "operator",
                    "answer",
                    answer_text,
                    answer_at,
                ));
                row.status = "answered".to_owned();
                row.assignee_id = Some(who);
                row.opened_by_staff_at = Some(arrival + (answer_at - arrival) / 3);
                row.staff_activity_at = Some(answer_at);
                row.updated_at = answer_at;
                if row.first_answered_at.is_none() {
                    row.first_answered_at = Some(answer_at);
                    row.answered_late = late;
                }
                if let Some((at, score)) = rated {
                    batch.ratings.push(NewRating {
                        answer_id,
                        appeal_id: id.clone(),
                        score,
                        comment: rng
                            .gen_bool(0.1)
                            .then(|| (*pick(&mut rng, &RATING_COMMENTS)).to_owned()),
                        rated_at: at,
                    });
                    close(&mut row, "rated", at);
                } else if answer_at + Duration::days(14) < now {
                    close(&mut row, "expired", answer_at + Duration::days(14));
                }
            }
        }
        batch.appeals.push(row);
        written += 1;
        if batch.appeals.len() >= BATCH {
            db.write_blocking(|conn| Ok(batch.write(conn)?))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if written >= next_report {
                next_report += progress_every;
                eprintln!("демо-данные: {written} из {}", args.appeals);
            }
        }
    }
    db.write_blocking(|conn| Ok(batch.write(conn)?))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Times to the first answer in working days, as the statistics read them.
    let filled = db
        .write_blocking(|conn| Ok(crate::stats::fill_pending(conn, calendars)?))
        .map_err(|e: ApiError| anyhow::anyhow!("{e}"))?;
    tracing::debug!(filled, "first-answer times computed");
    // After a bulk load PostgreSQL needs planner statistics and a vacuum (index-only scans
    // read the visibility map): autovacuum would get there later, a dashboard needs it now.
    // The aggregates were rewritten row by row during the load: compact them first.
    let mut conn = db.pool().get().context("нет соединения с базой")?;
    if let AnyConnection::Postgresql(_) = &mut *conn {
        conn.batch_execute("VACUUM FULL stats_daily, stats_first_answers")?;
        conn.batch_execute("VACUUM ANALYZE")?;
    }
    Ok(Some(written))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let a = SeedArgs::parse(&["--appeals", "3_000", "--if-empty"]).unwrap();
        assert_eq!(
            a,
            SeedArgs {
                appeals: 3000,
                seed: 42,
                if_empty: true
            }
        );
        assert!(SeedArgs::parse(&["--seed", "1"]).is_err());
        assert!(SeedArgs::parse(&["--appeals", "x"]).is_err());
        assert!(SeedArgs::parse(&["--appeals", "5", "--loud"]).is_err());
    }

    #[test]
    fn every_region_of_the_reference_list_has_a_weight() {
        let csv = include_str!("../../data/regions.csv");
        let codes: Vec<&str> = csv
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .collect();
        assert_eq!(codes.len(), POPULATION.len());
        for code in codes {
            assert!(POPULATION.iter().any(|(c, _)| *c == code), "{code}");
        }
    }

    #[test]
    fn names_are_assembled_in_the_right_gender() {
        let mut rng = StdRng::seed_from_u64(1);
        let (surname, _, patronymic) = invent_name(&mut rng, true);
        assert!(surname.ends_with('а') && patronymic.ends_with("на"));
        let (surname, _, patronymic) = invent_name(&mut rng, false);
        assert!(!surname.ends_with('а') && patronymic.ends_with("ич"));
    }
}
