//! The scoped reads: the list, the staff's board and one appeal. Every query starts from
//! [`scoped`], so the caller's scope is applied in one place, and a scope that names
//! nothing yields nothing.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::appeals::{Appeal, AppealStatus, Board, BoardColumn};
use shared::users::Role;
use shared::Page;

mod explain;
mod search;

use self::explain::Explain;
use self::search::TextMatch;
pub use self::search::{set_rare_limit, TextSearch};
use super::row::{AppealRow, Viewer};
use super::view::views;
use crate::auth::{Caller, Scope};
use crate::db::literal_limit::LiteralLimitDsl;
use crate::db::schema::{appeal_controls, appeal_reads as reads, appeals as ap, bot_grades};
use crate::db::{self, AnyConnection};
use crate::domain::pagination::{self, Cursor};
use crate::domain::validate;
use crate::error::ApiError;

/// A boxed query over `appeals` already restricted to a scope.
pub type ScopedAppeals = ap::BoxedQuery<'static, db::MultiBackend>;

/// The appeals `scope` may see: a teacher's own, the regions' of staff and integrators, all
/// for federal users, none for a scope without appeals. The match is exhaustive, so a new
/// kind of scope cannot fall through to "everything".
#[must_use]
pub fn scoped(scope: &Scope) -> ScopedAppeals {
    scoped_by(scope, Lead::Scope)
}

/// Which terms of a list may choose the index the database walks. Without statistics
/// SQLite prefers any index that gives the page's order, even when it walks every appeal
/// of a region to find the few a search names; so when a narrow term is present (a word
/// search, «На контроле», overdue or due today, a teacher's own appeals) the broad terms (region, status) are
/// written so that no index matches them (`region_code || ''`): they only filter the rows
/// the narrow term found. The query-plan test reads the resulting plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// The scope and the filters may all lead (no narrow term).
    Scope,
    /// A narrow filter leads; region and status only filter.
    Narrow,
}

/// [`scoped`], with the region terms led or not.
fn scoped_by(scope: &Scope, lead: Lead) -> ScopedAppeals {
    let query = ap::table.into_boxed();
    match scope {
        Scope::Own(user) => query.filter(ap::teacher_id.eq(user.clone())),
        Scope::Regions(codes) if lead == Lead::Narrow => {
            query.filter(ap::region_code.concat("").eq_any(codes.clone()))
        }
        Scope::Regions(codes) => query.filter(ap::region_code.eq_any(codes.clone())),
        Scope::All => query,
        // `id` is the primary key and never null: no rows.
        Scope::Nothing => query.filter(ap::id.is_null()),
    }
}

/// Loads an appeal if the caller's scope includes it; 404 otherwise (ids cannot be probed),
/// 403 for administrators (no access to appeal content).
///
/// # Errors
/// As above, or a database failure.
pub fn find_in_scope(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<AppealRow, ApiError> {
    if caller.scope() == Scope::Nothing {
        return Err(ApiError::Forbidden);
    }
    // `get_result`, not `first`: the primary key names one row, and `first`'s `LIMIT ?`
    // would make SQLite prepare the statement again on every call (`db::literal_limit`).
    let row: Option<AppealRow> = ap::table
        .find(id)
        .select(AppealRow::as_select())
        .get_result(conn)
        .optional()?;
    let row = row.ok_or(ApiError::NotFound)?;
    let visible = match caller.scope() {
        Scope::Own(user) => row.teacher_id == user,
        Scope::Regions(codes) => codes.contains(&row.region_code),
        Scope::All => true,
        Scope::Nothing => return Err(ApiError::Forbidden),
    };
    if visible {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

/// One appeal with its thread, as the caller may see it.
///
/// # Errors
/// 404 outside the scope, 403 without access to appeals, or a database failure.
pub fn get(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Appeal, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    Ok(super::view(conn, &row, &Viewer::of(caller), true)?)
}

/// A `region` filter of a list or the board: a known code inside the caller's regions.
/// Teachers see only their own appeals and may not filter by region.
///
/// # Errors
/// 422 for a malformed code, 403 `region_out_of_scope` outside the caller's regions.
pub fn region_filter(caller: &Caller, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let region = raw.map(|r| validate::region("region", r)).transpose()?;
    if let Some(code) = &region {
        if caller.role == Role::Teacher {
            return Err(ApiError::RegionOutOfScope);
        }
        caller.check_region_filter(code)?;
    }
    Ok(region)
}

/// How the list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Newest first.
    #[default]
    Created,
    /// Soonest deadline first (only appeals with a deadline).
    Deadline,
}

impl Sort {
    /// `created` (or nothing) or `deadline`.
    ///
    /// # Errors
    /// 422 `invalid_sort` for anything else.
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        match raw {
            None | Some("created") => Ok(Self::Created),
            Some("deadline") => Ok(Self::Deadline),
            Some(_) => Err(ApiError::field(
                "sort",
                "invalid_sort",
                "Порядок — created или deadline.",
            )),
        }
    }
}

/// The checked filters of the list; all must hold.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Only this status.
    pub status: Option<AppealStatus>,
    /// Only this region (checked against the caller's by [`region_filter`]).
    pub region: Option<String>,
    /// `me`, `none`, or an operator's id.
    pub assignee: Option<String>,
    /// Only open appeals past their deadline.
    pub overdue: bool,
    /// Only open appeals due within the next 24 hours.
    pub due_today: bool,
    /// Only appeals with something the caller has not read yet.
    pub unread: bool,
    /// Only appeals «На контроле» still waiting for an operator's answer.
    pub controlled: bool,
    /// Words of the question, an appeal's number or its id (checked, not empty).
    pub q: Option<String>,
    /// Created on or after this Moscow day.
    pub from: Option<NaiveDate>,
    /// Created on or before this Moscow day.
    pub to: Option<NaiveDate>,
    /// The order.
    pub sort: Sort,
}

/// Checks the `q` filter: trimmed, at most 200 characters; empty means no filter.
///
/// # Errors
/// 422 for a bad text.
pub fn search_text(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    Ok(raw
        .map(|q| validate::text("q", q, 200, false))
        .transpose()?
        .flatten()
        .filter(|q| !q.is_empty()))
}

/// Moscow midnight of `date` in UTC, plus `days` (the statistics' days, see
/// [`crate::domain::stats::PERIOD_TZ`]).
fn moscow_day_start(date: NaiveDate, days: u64) -> NaiveDateTime {
    let date = date
        .checked_add_days(chrono::Days::new(days))
        .unwrap_or(date);
    crate::calendar::start_of_local_day(crate::domain::stats::PERIOD_TZ, date).naive_utc()
}

/// `LIKE` patterns for `q`: as typed, lower-case, capitalised and upper-case (SQLite's and
/// a C-locale PostgreSQL's case folding stop at ASCII, Russian text needs the variants).
pub(crate) fn like_patterns(q: &str) -> Vec<String> {
    let escaped: String = q
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let lower = escaped.to_lowercase();
    let mut chars = lower.chars();
    let capitalised = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect::<String>())
        .unwrap_or_default();
    let mut patterns: Vec<String> = [
        escaped.clone(),
        lower.clone(),
        capitalised,
        escaped.to_uppercase(),
    ]
    .into_iter()
    .map(|p| format!("%{p}%"))
    .collect();
    patterns.dedup();
    patterns
}

/// Unread for `me`: the other side did something after this person last read the appeal.
fn filter_unread(query: ScopedAppeals, me: &str, teacher_view: bool) -> ScopedAppeals {
    let read_at = reads::table
        .filter(reads::appeal_id.eq(ap::id))
        .filter(reads::user_id.eq(me.to_owned()))
        .select(reads::read_at)
        .single_value();
    let never_read = diesel::dsl::not(diesel::dsl::exists(
        reads::table
            .filter(reads::appeal_id.eq(ap::id))
            .filter(reads::user_id.eq(me.to_owned())),
    ));
    if teacher_view {
        query.filter(
            ap::staff_activity_at
                .gt(read_at)
                .or(ap::staff_activity_at.is_not_null().and(never_read)),
        )
    } else {
        query.filter(
            ap::teacher_activity_at
                .nullable()
                .gt(read_at)
                .or(never_read),
        )
    }
}

/// An appeal's number as people type it: «№ 16-000123», «16-123» or «16-000123» all name
/// «16-000123»; `None` when `q` does not look like a number.
#[must_use]
pub fn number_of(q: &str) -> Option<String> {
    let q = q.trim().trim_start_matches('№').trim();
    let (region, seq) = q.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(region) || !digits(seq) || region.len() > 3 {
        return None;
    }
    let seq: u64 = seq.parse().ok()?;
    Some(format!("{region}-{seq:06}"))
}

/// The question's words (and those of the answers and clarifications), the appeal's number
/// or its id.
/// `lead`: [`Lead::Narrow`] when the search's matches lead (few of them), otherwise the
/// terms are written so that no index serves them and only test the rows walked in order.
fn filter_text(query: ScopedAppeals, q: &str, lead: Lead) -> ScopedAppeals {
    query.filter(TextMatch::new(q, number_of(q), lead == Lead::Narrow))
}

/// Applies the filters of `filter` for the caller `me`.
pub(super) fn apply_filters(
    query: ScopedAppeals,
    filter: &ListQuery,
    me: &str,
    teacher_view: bool,
) -> ScopedAppeals {
    apply_filters_led(query, filter, me, teacher_view, Lead::Scope, Lead::Scope)
}

/// [`apply_filters`], with the region and status terms led or not (`lead`, see [`Lead`])
/// and the search leading or not (`search`).
fn apply_filters_led(
    mut query: ScopedAppeals,
    filter: &ListQuery,
    me: &str,
    teacher_view: bool,
    lead: Lead,
    search: Lead,
) -> ScopedAppeals {
    let now = Utc::now().naive_utc();
    if let Some(code) = &filter.region {
        query = match lead {
            Lead::Scope => query.filter(ap::region_code.eq(code.clone())),
            Lead::Narrow => query.filter(ap::region_code.concat("").eq(code.clone())),
        };
    }
    if let Some(status) = filter.status {
        query = match lead {
            Lead::Scope => query.filter(ap::status.eq(status.as_str())),
            Lead::Narrow => query.filter(ap::status.concat("").eq(status.as_str())),
        };
    }
    if filter.due_today {
        query = query
            .filter(ap::status.eq_any([AppealStatus::New, AppealStatus::InProgress]))
            .filter(ap::deadline_at.ge(now))
            .filter(ap::deadline_at.lt(now + chrono::Duration::hours(24)));
    }
    if filter.unread {
        query = filter_unread(query, me, teacher_view);
    }
    if filter.controlled {
        query = query
            .filter(ap::id.eq_any(appeal_controls::table.select(appeal_controls::appeal_id)))
            // The few controlled rows lead (see [`Lead`]); the status only filters them.
            .filter(
                ap::status
                    .concat("")
                    .eq_any([AppealStatus::New, AppealStatus::InProgress]),
            );
    }
    if let Some(q) = &filter.q {
        query = filter_text(query, q, search);
    }
    if let Some(day) = filter.from {
        query = query.filter(ap::created_at.ge(moscow_day_start(day, 0)));
    }
    if let Some(day) = filter.to {
        query = query.filter(ap::created_at.lt(moscow_day_start(day, 1)));
    }
    match filter.assignee.as_deref() {
        Some("me") => query = query.filter(ap::assignee_id.eq(me.to_owned())),
        Some("none") => query = query.filter(ap::assignee_id.is_null()),
        Some(id) => query = query.filter(ap::assignee_id.eq(id.to_owned())),
        None => {}
    }
    if filter.overdue {
        query = query
            .filter(ap::status.eq_any([AppealStatus::New, AppealStatus::InProgress]))
            .filter(ap::deadline_at.lt(Utc::now().naive_utc()));
    }
    query
}

/// The query of one page in the order `sort`, after `cursor`, without its limit: the
/// caller adds `LIMIT` as a literal (`db::literal_limit`: a bound `LIMIT ?` makes SQLite
/// prepare the statement again on every request).
fn ordered_page(mut query: ScopedAppeals, sort: Sort, cursor: Option<Cursor>) -> ScopedAppeals {
    match sort {
        Sort::Created => {
            query = pagination::before_cursor!(query, cursor, ap::created_at, ap::id);
            query.order((ap::created_at.desc(), ap::id.desc()))
        }
        Sort::Deadline => {
            query = query.filter(ap::deadline_at.is_not_null());
            if let Some(Cursor { at, id }) = cursor {
                query = query.filter(
                    ap::deadline_at
                        .gt(at)
                        .or(ap::deadline_at.eq(at).and(ap::id.gt(id))),
                );
            }
            query.order((ap::deadline_at.asc(), ap::id.asc()))
        }
    }
}

/// What a word search in `q` is like: its matches lead the query when they are few.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// No words to search for.
    None,
    /// At most a thousand matching texts: they lead.
    Rare,
    /// More: the page's order leads, each row is tested.
    Common,
}

impl Search {
    /// Counts the matches of `filter.q` on the full-text index (bounded). An appeal's
    /// number («77-000123») is not counted: it names one appeal, its words («77», «000123»)
    /// match few texts together, and counting them cost PostgreSQL a GIN bitmap of every
    /// word starting with «77» (≈ 90 ms at 1,000,000 appeals). Both paths give the same
    /// page (`tests/tests/search_common.rs`), so this only chooses the cheaper one.
    fn of(conn: &mut AnyConnection, filter: &ListQuery) -> QueryResult<Self> {
        let q = filter.q.as_deref();
        match q.and_then(TextSearch::of) {
            None => Ok(Self::None),
            Some(_) if search::rare_path_allowed() && q.and_then(number_of).is_some() => {
                Ok(Self::Rare)
            }
            Some(words) if words.is_rare(conn)? => Ok(Self::Rare),
            Some(_) => Ok(Self::Common),
        }
    }
}

/// The exact query of a list page: the caller's scope, the filters and the order; the
/// limit is [`page_limit`]. The list runs it and [`explain_list`] explains it.
fn list_query(
    caller: &Caller,
    scope: &Scope,
    filter: &ListQuery,
    search: Search,
    cursor: Option<Cursor>,
) -> ScopedAppeals {
    let teacher_view = matches!(Viewer::of(caller), Viewer::Teacher(_));
    let narrow = matches!(scope, Scope::Own(_))
        || filter.controlled
        || filter.overdue
        || filter.due_today
        || search == Search::Rare;
    let lead = if narrow { Lead::Narrow } else { Lead::Scope };
    let query = apply_filters_led(
        scoped_by(scope, lead),
        filter,
        &caller.user_id,
        teacher_view,
        lead,
        if search == Search::Rare {
            Lead::Narrow
        } else {
            Lead::Scope
        },
    );
    ordered_page(query, filter.sort, cursor)
}

/// The `LIMIT` of a page of `limit` appeals: one row more tells whether a next page exists.
fn page_limit(limit: i64) -> i64 {
    limit.saturating_add(1)
}

/// Appeals in the caller's scope matching `filter`, one page.
///
/// # Errors
/// 403 without access to appeals, or a database failure.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    filter: &ListQuery,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<Appeal>, ApiError> {
    let scope = caller.scope();
    if scope == Scope::Nothing {
        return Err(ApiError::Forbidden);
    }
    let viewer = Viewer::of(caller);
    let search = Search::of(conn, filter)?;
    let rows: Vec<AppealRow> = list_query(caller, &scope, filter, search, cursor)
        .select(AppealRow::as_select())
        .literal_limit(page_limit(limit))
        .load(conn)?;
    let sort = filter.sort;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: match sort {
            Sort::Created => r.created_at,
            Sort::Deadline => r.deadline_at.unwrap_or(r.created_at),
        },
        id: r.id.clone(),
    });
    let items = views(conn, &rows, &viewer, false)?;
    Ok(Page { items, next_cursor })
}

/// The database's plan of the query [`list`] runs for `caller` and `filter` (first page
/// of 20), one line per step: `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL.
/// For the query-plan test, which fails on a full scan of `appeals`.
///
/// # Errors
/// A database failure.
pub fn explain_list(
    conn: &mut AnyConnection,
    caller: &Caller,
    filter: &ListQuery,
) -> QueryResult<Vec<String>> {
    let search = Search::of(conn, filter)?;
    let query = list_query(caller, &caller.scope(), filter, search, None)
        .select(AppealRow::as_select())
        .literal_limit(page_limit(20));
    match conn {
        AnyConnection::Sqlite(_) => Ok(Explain::<_, true>(query)
            .load::<(i32, i32, i32, String)>(conn)?
            .into_iter()
            .map(|(_, _, _, detail)| detail)
            .collect()),
        AnyConnection::Postgresql(_) => Explain::<_, false>(query).load::<String>(conn),
    }
}

/// The columns of the board, in order.
const BOARD_COLUMNS: [AppealStatus; 5] = [
    AppealStatus::AnsweredByBot,
    AppealStatus::New,
    AppealStatus::InProgress,
    AppealStatus::Answered,
    AppealStatus::Closed,
];

/// The queue as a Kanban board: per status the count in scope and the first `limit`
/// cards (soonest deadline first in the queue, most recently changed first otherwise).
/// `region` must have passed [`region_filter`].
///
/// # Errors
/// A database failure.
pub fn board(
    conn: &mut AnyConnection,
    caller: &Caller,
    region: Option<&str>,
    limit: i64,
) -> Result<Board, ApiError> {
    let scope = caller.scope();
    let viewer = Viewer::of(caller);
    let mut columns = Vec::new();
    for status in BOARD_COLUMNS {
        let column = || {
            let mut q = scoped(&scope).filter(ap::status.eq(status.as_str()));
            if let Some(code) = region {
                q = q.filter(ap::region_code.eq(code.to_owned()));
            }
            if status == AppealStatus::AnsweredByBot {
                // Bot answers wait here until an operator grades them.
                q = q.filter(ap::id.ne_all(bot_grades::table.select(bot_grades::appeal_id)));
            }
            q
        };
        let count: i64 = column().count().get_result(conn)?;
        let cards = column().select(AppealRow::as_select());
        let cards = match status {
            AppealStatus::New | AppealStatus::InProgress => {
                cards.order((ap::deadline_at.asc(), ap::created_at.asc()))
            }
            _ => cards.order(ap::updated_at.desc()),
        };
        let rows: Vec<AppealRow> = cards.literal_limit(limit).load(conn)?;
        let items = views(conn, &rows, &viewer, false)?;
        columns.push(BoardColumn {
            status,
            count,
            items,
        });
    }
    Ok(Board { columns })
}
