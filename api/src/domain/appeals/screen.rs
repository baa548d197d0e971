//! What the operator's appeal screen reads beside the appeal: who else has it open
//! («Сейчас открыто также»), by heartbeats kept a minute, and the teacher's context
//! (school, position, region, earlier appeals in the caller's regions).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use shared::appeals::AppealStatus;
use shared::operator::{AppealContext, EarlierAppeal, Presence, PresenceViewer};
use shared::RegionRef;

use super::query::{find_in_scope, scoped};
use crate::auth::Caller;
use crate::db::schema::{appeal_presence as pr, appeals as ap, regions, users};
use crate::db::{self, AnyConnection};
use crate::error::ApiError;

/// A heartbeat older than this no longer counts as «open».
const PRESENCE_TTL_SECONDS: i64 = 45;
/// How often the screen sends a heartbeat (well inside the TTL, so one lost beat is no gap).
pub const HEARTBEAT_SECONDS: u32 = 15;
/// Earlier appeals listed beside the thread.
const EARLIER: i64 = 10;
/// Characters of an earlier question shown as its link text.
const EXCERPT: usize = 120;

fn full_name(
    surname: Option<String>,
    name: Option<String>,
    patronymic: Option<String>,
    email: Option<String>,
) -> String {
    let parts: Vec<String> = [surname, name, patronymic]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.is_empty() {
        email.unwrap_or_default()
    } else {
        parts.join(" ")
    }
}

/// A user's id and the parts of their name.
type NameRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Records that the caller has appeal `id` open and answers who else has it open now. Rows
/// past the TTL are deleted on the way, so the table holds only the last minute.
///
/// # Errors
/// 404 outside the scope, or a database failure.
pub fn heartbeat(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<Presence, ApiError> {
    find_in_scope(conn, caller, id)?;
    let now = db::now();
    let fresh: NaiveDateTime = now - Duration::seconds(PRESENCE_TTL_SECONDS);
    diesel::delete(
        pr::table.filter(
            pr::appeal_id
                .eq(id)
                .and(pr::seen_at.lt(fresh).or(pr::user_id.eq(&caller.user_id))),
        ),
    )
    .execute(conn)?;
    diesel::insert_into(pr::table)
        .values((
            pr::appeal_id.eq(id),
            pr::user_id.eq(&caller.user_id),
            pr::seen_at.eq(now),
        ))
        .execute(conn)?;
    let rows: Vec<NameRow> = pr::table
        .inner_join(users::table)
        .filter(pr::appeal_id.eq(id))
        .filter(pr::user_id.ne(&caller.user_id))
        .filter(pr::seen_at.ge(fresh))
        .order(pr::seen_at.asc())
        .select((
            users::id,
            users::surname,
            users::name,
            users::patronymic,
            users::email,
        ))
        .load(conn)?;
    let viewers = rows
        .into_iter()
        .map(|(id, surname, name, patronymic, email)| PresenceViewer {
            id,
            name: full_name(surname, name, patronymic, email),
        })
        .collect();
    Ok(Presence {
        viewers,
        refresh_seconds: HEARTBEAT_SECONDS,
    })
}

type EarlierRow = (String, String, AppealStatus, String, NaiveDateTime);

/// The teacher's school, position and region and their other appeals the caller may see.
/// An anonymous appeal tells nothing about its author.
///
/// # Errors
/// 404 outside the scope, or a database failure.
pub fn context(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<AppealContext, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if row.anonymous {
        return Ok(AppealContext {
            school: None,
            position: None,
            region: None,
            earlier: Vec::new(),
        });
    }
    let teacher: Option<(Option<String>, Option<String>, Option<String>)> = users::table
        .find(&row.teacher_id)
        .filter(users::erased_at.is_null())
        .select((users::school, users::position, users::region_code))
        .first(conn)
        .optional()?;
    let (school, position, region_code) = teacher.unwrap_or((None, None, None));
    let region = match region_code {
        Some(code) => regions::table
            .find(&code)
            .select(regions::name)
            .first::<String>(conn)
            .optional()?
            .map(|name| RegionRef { code, name }),
        None => None,
    };
    let rows: Vec<EarlierRow> = scoped(&caller.scope())
        .filter(ap::teacher_id.eq(&row.teacher_id))
        .filter(ap::id.ne(&row.id))
        .filter(ap::anonymous.eq(false))
        .order((ap::created_at.desc(), ap::id.desc()))
        .limit(EARLIER)
        .select((ap::id, ap::number, ap::status, ap::text, ap::created_at))
        .load(conn)?;
    let earlier = rows
        .into_iter()
        .map(|(id, number, status, text, created_at)| EarlierAppeal {
            id,
            number,
            status,
            excerpt: text.chars().take(EXCERPT).collect(),
            created_at: db::rfc3339(created_at),
        })
        .collect();
    Ok(AppealContext {
        school,
        position,
        region,
        earlier,
    })
}
