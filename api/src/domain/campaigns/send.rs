//! Sending a campaign, in steps the sender job (`crate::jobs::campaigns`) repeats:
//! [`activate`] scheduled campaigns whose time came, [`expand`] the audience one batch at a
//! time into `campaign_recipients` (keyset over `users.id`, the cursor saved with the batch,
//! so a restart resumes and 1.5 million teachers are never loaded at once), [`claim`] due
//! recipients with a lease, hand them to the platform, [`mark_all`] the outcomes, and
//! [`finish`] campaigns with nobody left.
//!
//! At most one message per recipient: the recipients' primary key is (campaign, user), a
//! claimed row is leased, and a batch's outcomes are written as soon as the sender's next
//! round begins (while the following batch goes out, a fraction of a second later). The one
//! exception: the process dies after the platform accepted a message and before its mark is
//! written; when the lease runs out the row is sent again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::users::{Role, VerificationStatus, CONSENT_VERSION};

use super::{CampaignRow, SCHEDULED, SENDING};
use crate::db::schema::{campaign_optouts, campaign_recipients as cr, campaigns, users};
use crate::db::AnyConnection;
use crate::notify::bot::{BotMessage, ButtonSpec};

/// The education level of a profile that has none recorded.
const SCHOOL: &str = "school";

/// A teacher found for a campaign: id, MAX id, region, education level.
type Expanded = (String, Option<i64>, Option<String>, Option<String>);

/// Waiting to be sent.
pub const PENDING: &str = "pending";
/// Claimed by a sender (until `locked_until`).
pub const CLAIMED: &str = "sending";
/// Accepted by the platform.
pub const DELIVERED: &str = "delivered";
/// Refused by the platform, or given up after retries.
pub const FAILED: &str = "failed";
/// Not sent: stopped the bot, unsubscribed, erased their data or withdrew consent.
pub const SKIPPED: &str = "skipped";

/// Transient failures after which a recipient is given up.
pub const MAX_ATTEMPTS: i32 = 5;

/// Whether any campaign is scheduled or sending: when none is, the sender's round has
/// nothing to do and takes no writer's turn (on SQLite every write waits for the one
/// writer, so an idle poll must only read).
///
/// # Errors
/// A database failure.
pub fn any_active(conn: &mut AnyConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        campaigns::table.filter(campaigns::status.eq_any([SCHEDULED, SENDING])),
    ))
    .get_result(conn)
}

/// Moves scheduled campaigns whose start time has come to `sending`. Returns how many.
///
/// # Errors
/// A database failure.
pub fn activate(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        campaigns::table
            .filter(campaigns::status.eq(SCHEDULED))
            .filter(campaigns::start_at.le(now)),
    )
    .set((campaigns::status.eq(SENDING), campaigns::updated_at.eq(now)))
    .execute(conn)
}

/// The ids of sending campaigns whose audience is not fully expanded yet.
///
/// # Errors
/// A database failure.
pub fn expanding(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    campaigns::table
        .filter(campaigns::status.eq(SENDING))
        .filter(campaigns::expanded_at.is_null())
        .select(campaigns::id)
        .load(conn)
}

/// Adds the next `batch` teachers of the audience to the recipients, in the transaction
/// that saves the cursor. Returns how many were added (0: the audience is complete and the
/// campaign is marked expanded). Who is in the audience: teachers with a MAX account who
/// accepted a consent that covers announcements ([`CONSENT_VERSION`] names them; an earlier
/// one does not, and a teacher asked again who declined keeps the earlier one), not erased,
/// not blocked, of the campaign's regions, verified when the campaign asks for it.
///
/// # Errors
/// A database failure.
pub fn expand(
    conn: &mut AnyConnection,
    campaign_id: &str,
    batch: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let row: CampaignRow = campaigns::table
            .find(campaign_id)
            .select(CampaignRow::as_select())
            .first(conn)?;
        if row.status != SENDING || row.expanded_at.is_some() {
            return Ok(0);
        }
        // The role and region terms are written so that no index matches them (`role ||
        // ''`): SQLite, which has no statistics, would otherwise lead with the role's index
        // and sort every teacher by id for each batch (2.9 s a batch at 1.5 million, and the
        // sort's memory in the RSS; BENCHMARKS.md); this way the primary key walks on from
        // the cursor and the terms only test the rows walked (17 ms a batch).
        let mut query = users::table
            .filter(users::role.concat("").eq(Role::Teacher.as_str()))
            .filter(users::max_user_id.is_not_null())
            .filter(users::erased_at.is_null())
            .filter(users::is_blocked.eq(false))
            .filter(users::consent_version.ge(CONSENT_VERSION))
            .into_boxed();
        if !row.all_regions {
            query = query.filter(users::region_code.concat("").eq_any(row.region_list()));
        }
        if row.verified_only {
            query =
                query.filter(users::verification_status.eq(VerificationStatus::Verified.as_str()));
        }
        let levels = row.level_list();
        if !levels.is_empty() {
            // A profile without a level is a school teacher's: the service opened to schools
            // first, and the level became a profile field later (migration 000017).
            if levels.iter().any(|l| l == SCHOOL) {
                query = query.filter(
                    users::education_level
                        .eq_any(levels.clone())
                        .or(users::education_level.is_null()),
                );
            } else {
                query = query.filter(users::education_level.eq_any(levels));
            }
        }
        if let Some(after) = &row.expand_cursor {
            query = query.filter(users::id.gt(after.clone()));
        }
        let found: Vec<Expanded> = query
            .order(users::id.asc())
            // Seven binds a row: 4000 rows stay under SQLite's 32766 and PostgreSQL's 65535.
            .limit(batch.clamp(1, 4000))
            .select((
                users::id,
                users::max_user_id,
                users::region_code,
                users::education_level,
            ))
            .load(conn)?;
        let Some(last) = found.last().map(|f| f.0.clone()) else {
            diesel::update(campaigns::table.find(campaign_id))
                .set(campaigns::expanded_at.eq(now))
                .execute(conn)?;
            return Ok(0);
        };
        // Each recipient's level is recorded, so the reach can be split by level.
        let rows: Vec<_> = found
            .iter()
            .filter_map(|(user, max_id, region, level)| {
                max_id.map(|max_id| {
                    (
                        cr::campaign_id.eq(campaign_id),
                        cr::user_id.eq(user.as_str()),
                        cr::max_user_id.eq(max_id),
                        cr::region_code.eq(region.as_deref()),
                        cr::level.eq(level.as_deref().unwrap_or(SCHOOL)),
                        cr::status.eq(PENDING),
                        cr::attempts.eq(0),
                    )
                })
            })
            .collect();
        // One multi-row INSERT per batch (the multi-backend connection has no batch insert,
        // each backend's own connection has).
        let insert = diesel::insert_into(cr::table).values(&rows);
        let added = match conn {
            AnyConnection::Postgresql(pg) => insert.execute(pg)?,
            AnyConnection::Sqlite(sqlite) => insert.execute(sqlite)?,
        };
        diesel::update(campaigns::table.find(campaign_id))
            .set((
                campaigns::expand_cursor.eq(last),
                campaigns::recipients
                    .eq(campaigns::recipients + i32::try_from(added).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
        Ok(added)
    })
}

/// A recipient claimed for sending, with the message to send.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The campaign.
    pub campaign_id: String,
    /// The teacher.
    pub user_id: String,
    /// The message (to the teacher's MAX id), with the mini-app button and «Отписаться».
    pub message: BotMessage,
}

/// The payload of «Отписаться» under a campaign's message.
#[must_use]
pub fn unsubscribe_payload(campaign_id: &str) -> String {
    format!("unsub:{campaign_id}")
}

/// The deep link that counts an opening of a campaign.
#[must_use]
pub fn campaign_start(campaign_id: &str) -> String {
    format!("campaign-{campaign_id}")
}

/// The message of a campaign to one MAX user.
#[must_use]
pub fn message(campaign: &CampaignRow, max_user_id: i64) -> BotMessage {
    let mut buttons = Vec::new();
    if let Some(text) = &campaign.button_text {
        buttons.push(vec![ButtonSpec::OpenApp {
            text: text.clone(),
            start: Some(
                campaign
                    .button_start
                    .clone()
                    .unwrap_or_else(|| campaign_start(&campaign.id)),
            ),
        }]);
    }
    buttons.push(vec![ButtonSpec::Callback {
        text: "Отписаться".to_owned(),
        payload: unsubscribe_payload(&campaign.id),
    }]);
    BotMessage {
        user_id: max_user_id,
        text: campaign.body.clone(),
        buttons,
    }
}

type Due = (String, String, i64);

/// Recipients named in one `UPDATE … WHERE user_id IN (…)`: a few binds more stay far under
/// SQLite's 32766 and PostgreSQL's 65535.
const IDS_PER_STATEMENT: usize = 1000;

fn due(conn: &mut AnyConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<Due>> {
    let sending = campaigns::table
        .filter(campaigns::status.eq(SENDING))
        .select(campaigns::id);
    // One query text for both backends; PostgreSQL also locks the rows it returns and skips
    // those another instance holds, so the claim below takes every row it read.
    macro_rules! due_rows {
        () => {
            cr::table
                .filter(cr::campaign_id.eq_any(sending))
                .filter(
                    cr::status
                        .eq(PENDING)
                        .and(cr::locked_until.is_null().or(cr::locked_until.le(now)))
                        .or(cr::status.eq(CLAIMED).and(cr::locked_until.lt(now))),
                )
                .limit(limit)
                .select((cr::campaign_id, cr::user_id, cr::max_user_id))
        };
    }
    match conn {
        AnyConnection::Postgresql(pg) => due_rows!().for_update().skip_locked().load(pg),
        AnyConnection::Sqlite(sqlite) => due_rows!().load(sqlite),
    }
}

/// Claims up to `limit` due recipients of sending campaigns until `now + lease`, skipping
/// (and marking) those who stopped the bot, unsubscribed, erased their data or withdrew
/// consent since the audience was expanded. Call inside a write transaction.
///
/// The rows are taken with one compare-and-set `UPDATE` per campaign and thousand
/// recipients (one per row cost a statement per message, BENCHMARKS.md «Announcement
/// campaign»). Every row read is still due when it is updated: on SQLite the read and the
/// update are in the same write transaction, on PostgreSQL the read locked the rows. Should
/// an update take fewer rows than it named all the same, the claim fails and rolls back,
/// so that no row is ever sent without being ours.
///
/// # Errors
/// A database failure, or a row taken by someone else meanwhile (nothing is claimed).
pub fn claim(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    lease: chrono::Duration,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let rows = due(conn, now, limit)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let max_ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let user_ids: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let opted_out: HashSet<i64> = campaign_optouts::table
        .filter(campaign_optouts::max_user_id.eq_any(&max_ids))
        .select(campaign_optouts::max_user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let reachable: HashSet<String> = users::table
        .filter(users::id.eq_any(&user_ids))
        .filter(users::erased_at.is_null())
        .filter(users::is_blocked.eq(false))
        .filter(users::consent_version.ge(CONSENT_VERSION))
        .select(users::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    // Per campaign (a round's rows nearly always belong to one): who is skipped, who is taken.
    let mut by_campaign: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = BTreeMap::new();
    for (campaign_id, user_id, max_id) in &rows {
        let entry = by_campaign.entry(campaign_id.as_str()).or_default();
        if opted_out.contains(max_id) || !reachable.contains(user_id) {
            entry.0.push(user_id);
        } else {
            entry.1.push(user_id);
        }
    }
    let mut campaigns_by_id: HashMap<String, CampaignRow> = HashMap::new();
    for (campaign_id, (skipped, taken)) in &by_campaign {
        for ids in skipped.chunks(IDS_PER_STATEMENT) {
            diesel::update(
                cr::table
                    .filter(cr::campaign_id.eq(campaign_id))
                    .filter(cr::user_id.eq_any(ids)),
            )
            .set((
                cr::status.eq(SKIPPED),
                cr::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        }
        for ids in taken.chunks(IDS_PER_STATEMENT) {
            // Compare-and-set, as the read's terms: belt and braces (see above).
            let count = diesel::update(
                cr::table
                    .filter(cr::campaign_id.eq(campaign_id))
                    .filter(cr::user_id.eq_any(ids))
                    .filter(
                        cr::status
                            .eq(PENDING)
                            .or(cr::status.eq(CLAIMED).and(cr::locked_until.lt(now))),
                    ),
            )
            .set((cr::status.eq(CLAIMED), cr::locked_until.eq(now + lease)))
            .execute(conn)?;
            if count != ids.len() {
                return Err(diesel::result::Error::RollbackTransaction);
            }
        }
        if !taken.is_empty() {
            let row = campaigns::table
                .find(campaign_id)
                .select(CampaignRow::as_select())
                .first(conn)?;
            campaigns_by_id.insert((*campaign_id).to_owned(), row);
        }
    }
    let mut claimed = Vec::with_capacity(rows.len());
    for (campaign_id, user_id, max_id) in rows {
        if opted_out.contains(&max_id) || !reachable.contains(&user_id) {
            continue;
        }
        if let Some(campaign) = campaigns_by_id.get(&campaign_id) {
            claimed.push(Claimed {
                message: message(campaign, max_id),
                campaign_id,
                user_id,
            });
        }
    }
    Ok(claimed)
}

/// Of the campaigns named, those still sending. The sender claims its next batch while the
/// current one is sent, so a cancellation can fall in between: it checks before sending.
///
/// # Errors
/// A database failure.
pub fn sending_among(conn: &mut AnyConnection, ids: &[&str]) -> QueryResult<HashSet<String>> {
    Ok(campaigns::table
        .filter(campaigns::id.eq_any(ids))
        .filter(campaigns::status.eq(SENDING))
        .select(campaigns::id)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

/// Puts claimed rows back to `pending`, unsent, as if they had not been claimed (their
/// campaign was cancelled between the claim and the sending).
///
/// # Errors
/// A database failure.
pub fn release(conn: &mut AnyConnection, rows: &[(String, String)]) -> QueryResult<()> {
    for (campaign_id, user_id) in rows {
        diesel::update(
            cr::table
                .find((campaign_id, user_id))
                .filter(cr::status.eq(CLAIMED)),
        )
        .set((
            cr::status.eq(PENDING),
            cr::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// How handing one message to the platform ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Accepted.
    Delivered,
    /// Refused for good (the person blocked the bot, no such chat).
    Refused,
    /// Try again later (a network failure, a 5xx).
    Retry,
    /// The platform asked to slow down: back in line after this long, no attempt counted.
    SlowDown(Duration),
}

/// Records one outcome (if the row is still claimed: a cancelled campaign's claimed rows
/// are marked too, since the message did leave).
///
/// # Errors
/// A database failure.
pub fn mark(
    conn: &mut AnyConnection,
    campaign_id: &str,
    user_id: &str,
    outcome: Sent,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let key = cr::table
        .find((campaign_id, user_id))
        .filter(cr::status.eq(CLAIMED));
    let no_lock: Option<NaiveDateTime> = None;
    match outcome {
        Sent::Delivered => diesel::update(key)
            .set((
                cr::status.eq(DELIVERED),
                cr::sent_at.eq(now),
                cr::locked_until.eq(no_lock),
            ))
            .execute(conn)?,
        Sent::Refused => diesel::update(key)
            .set((
                cr::status.eq(FAILED),
                cr::sent_at.eq(now),
                cr::locked_until.eq(no_lock),
            ))
            .execute(conn)?,
        Sent::SlowDown(wait) => {
            let until =
                now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(1));
            diesel::update(key)
                .set((cr::status.eq(PENDING), cr::locked_until.eq(until)))
                .execute(conn)?
        }
        Sent::Retry => {
            let attempts: i32 = cr::table
                .find((campaign_id, user_id))
                .select(cr::attempts)
                .first(conn)?;
            let attempts = attempts + 1;
            if attempts >= MAX_ATTEMPTS {
                diesel::update(key)
                    .set((
                        cr::status.eq(FAILED),
                        cr::attempts.eq(attempts),
                        cr::sent_at.eq(now),
                        cr::locked_until.eq(no_lock),
                    ))
                    .execute(conn)?
            } else {
                let until = now + chrono::Duration::seconds(30 << attempts.clamp(0, 10));
                diesel::update(key)
                    .set((
                        cr::status.eq(PENDING),
                        cr::attempts.eq(attempts),
                        cr::locked_until.eq(until),
                    ))
                    .execute(conn)?
            }
        }
    };
    Ok(())
}

/// Records the outcomes of a sent batch: the delivered and the refused with one `UPDATE`
/// per campaign and thousand recipients, the rare retries and slow-downs one by one (as
/// [`mark`]). Only rows still claimed change, as with [`mark`].
///
/// # Errors
/// A database failure.
pub fn mark_all(
    conn: &mut AnyConnection,
    outcomes: &[(String, String, Sent)],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mut settled: BTreeMap<(&str, bool), Vec<&str>> = BTreeMap::new();
    for (campaign_id, user_id, outcome) in outcomes {
        match outcome {
            Sent::Delivered | Sent::Refused => settled
                .entry((campaign_id.as_str(), *outcome == Sent::Delivered))
                .or_default()
                .push(user_id),
            Sent::Retry | Sent::SlowDown(_) => mark(conn, campaign_id, user_id, *outcome, now)?,
        }
    }
    for ((campaign_id, delivered), users) in settled {
        let status = if delivered { DELIVERED } else { FAILED };
        for ids in users.chunks(IDS_PER_STATEMENT) {
            diesel::update(
                cr::table
                    .filter(cr::campaign_id.eq(campaign_id))
                    .filter(cr::user_id.eq_any(ids))
                    .filter(cr::status.eq(CLAIMED)),
            )
            .set((
                cr::status.eq(status),
                cr::sent_at.eq(now),
                cr::locked_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Marks `done` the sending campaigns whose audience is expanded and whose every recipient
/// was handled. Returns how many.
///
/// # Errors
/// A database failure.
pub fn finish(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let candidates: Vec<String> = campaigns::table
        .filter(campaigns::status.eq(SENDING))
        .filter(campaigns::expanded_at.is_not_null())
        .select(campaigns::id)
        .load(conn)?;
    let mut done = 0;
    for id in candidates {
        // One row is enough to know (a count would walk a million index entries a round).
        let open: Option<String> = cr::table
            .filter(cr::campaign_id.eq(&id))
            .filter(cr::status.eq_any([PENDING, CLAIMED]))
            .select(cr::user_id)
            .first(conn)
            .optional()?;
        if open.is_none() {
            done += diesel::update(
                campaigns::table
                    .find(&id)
                    .filter(campaigns::status.eq(SENDING)),
            )
            .set((
                campaigns::status.eq(super::DONE),
                campaigns::finished_at.eq(now),
                campaigns::updated_at.eq(now),
            ))
            .execute(conn)?;
        }
    }
    Ok(done)
}

/// Is `id` a well-formed campaign id (for deep links and button payloads)?
#[must_use]
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
