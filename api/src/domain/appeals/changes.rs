//! The integrators' change feed: `GET /api/v1/appeals?updated_since=…` pages the appeals
//! changed since a moment, in the order of their latest change, with a cursor that never
//! skips a change and never shows the same change twice.
//!
//! Every visible change sets `appeals.updated_at`; a database trigger then stamps the row
//! with its position `(change_xid, change_seq)` (migration `000012`). Ordering by the
//! timestamp alone is not enough: on PostgreSQL several writers commit in any order, so a
//! change stamped earlier may become visible after a reader already passed it. The feed
//! therefore reads only rows whose writing transaction is older than the oldest one still
//! in flight (`pg_snapshot_xmin(pg_current_snapshot())`): those are final, and every later
//! change is written by a transaction at or above that horizon, so it sorts after the
//! cursor. On SQLite one writer at a time commits in stamp order and no horizon is needed.
//!
//! An appeal appears once per poll with its latest state: changes made between two polls
//! collapse into that state, and a change after it was read brings it back later.

use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use shared::appeals::Appeal;
use shared::Page;

use super::query::{apply_filters, scoped, ListQuery};
use super::row::{AppealRow, Viewer};
use super::view::views;
use crate::auth::{Caller, Scope};
use crate::db::schema::appeals as ap;
use crate::db::AnyConnection;
use crate::error::ApiError;

/// Where the feed continues: strictly after this change position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeCursor {
    /// The writing transaction's id (PostgreSQL) or the carried-over one (SQLite).
    pub xid: i64,
    /// The change's number.
    pub seq: i64,
}

/// Tells change cursors from the time cursors of ordinary lists.
const CURSOR_TAG: &str = "chg";

impl ChangeCursor {
    /// Opaque text form.
    #[must_use]
    pub fn encode(self) -> String {
        let raw = format!("{CURSOR_TAG}|{}|{}", self.xid, self.seq);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Parses the text form.
    ///
    /// # Errors
    /// 400 `malformed_query` for anything that is not a change cursor this server issued.
    pub fn decode(text: &str) -> Result<Self, ApiError> {
        let bad = || ApiError::MalformedQuery("Неверный курсор изменений (cursor).".to_owned());
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let mut parts = raw.split('|');
        if parts.next() != Some(CURSOR_TAG) {
            return Err(bad());
        }
        let mut number = || -> Result<i64, ApiError> {
            parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)
        };
        let cursor = Self {
            xid: number()?,
            seq: number()?,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(cursor)
    }
}

/// Parses `updated_since`: an RFC 3339 moment (`2026-12-05T10:00:00Z`).
///
/// # Errors
/// 422 `invalid_timestamp` with the field `updated_since`.
pub fn parse_since(raw: &str) -> Result<NaiveDateTime, ApiError> {
    chrono::DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.naive_utc())
        .map_err(|_| {
            ApiError::field(
                "updated_since",
                "invalid_timestamp",
                "updated_since — момент времени в формате RFC 3339, например 2026-12-05T10:00:00Z.",
            )
        })
}

/// One page of the appeals in the caller's scope matching `filter`, changed at or after
/// `since`, in the order of their latest change, after `cursor`. `next_cursor` is where the
/// next poll continues: the last item's position, or `cursor` again when nothing new is
/// final yet (so an integrator keeps it between polls); fewer than `limit` items means the
/// feed is caught up for now.
///
/// # Errors
/// 403 without access to appeals, or a database failure.
pub fn changed(
    conn: &mut AnyConnection,
    caller: &Caller,
    filter: &ListQuery,
    since: NaiveDateTime,
    cursor: Option<ChangeCursor>,
    limit: i64,
) -> Result<Page<Appeal>, ApiError> {
    let scope = caller.scope();
    if scope == Scope::Nothing {
        return Err(ApiError::Forbidden);
    }
    let viewer = Viewer::of(caller);
    let teacher_view = matches!(viewer, Viewer::Teacher(_));
    let mut query = apply_filters(scoped(&scope), filter, &caller.user_id, teacher_view)
        .filter(ap::updated_at.ge(since));
    if let Some(ChangeCursor { xid, seq }) = cursor {
        query = query.filter(
            ap::change_xid
                .gt(xid)
                .or(ap::change_xid.eq(xid).and(ap::change_seq.gt(seq))),
        );
    }
    if matches!(conn, AnyConnection::Postgresql(_)) {
        // Only changes of transactions that have all ended: see the module docs.
        query = query.filter(ap::change_xid.lt(diesel::dsl::sql::<BigInt>(
            "pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
        )));
    }
    let rows: Vec<(AppealRow, i64, i64)> = query
        .order((ap::change_xid.asc(), ap::change_seq.asc()))
        .limit(limit)
        .select((AppealRow::as_select(), ap::change_xid, ap::change_seq))
        .load(conn)?;
    let next = rows
        .last()
        .map(|(_, xid, seq)| ChangeCursor {
            xid: *xid,
            seq: *seq,
        })
        .or(cursor);
    let rows: Vec<AppealRow> = rows.into_iter().map(|(row, _, _)| row).collect();
    let items = views(conn, &rows, &viewer, false)?;
    Ok(Page {
        items,
        next_cursor: next.map(ChangeCursor::encode),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_time_cursors() {
        let c = ChangeCursor { xid: 812, seq: 44 };
        assert_eq!(ChangeCursor::decode(&c.encode()).unwrap(), c);
        let time_cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("123|abc");
        assert!(ChangeCursor::decode(&time_cursor).is_err());
        assert!(ChangeCursor::decode("!!").is_err());
    }

    #[test]
    fn since_is_rfc3339() {
        assert!(parse_since("2026-12-05T10:00:00Z").is_ok());
        assert!(parse_since("2026-12-05T13:00:00+03:00").is_ok());
        assert!(parse_since("вчера").is_err());
    }
}
