//! Announcement campaigns («Рассылки»): federal users (every region) and regional heads
//! (their own regions) compose a message to teachers, schedule it and watch its reach.
//!
//! `draft → scheduled → sending → done`, or `cancelled` from any of the first three. This
//! module holds the campaign itself and the one scope rule ([`visible`]); [`send`] expands
//! the audience and claims and marks recipients for the sender job, [`reach`] counts what
//! happened (and records openings, «Отписаться» and stopped bots), [`promo`] the promo codes,
//! their QR codes and the poster.

pub mod promo;
pub mod reach;
pub mod send;
#[cfg(test)]
mod send_tests;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::campaigns::{Campaign, CampaignInput, LEVELS, MAX_CAMPAIGN_TEXT};
use shared::users::Role;
use shared::Page;

use crate::auth::{Caller, Scope};
use crate::db::schema::{campaign_regions, campaigns, regions};
use crate::db::{self, audit, AnyConnection};
use crate::domain::pagination::{self, before_cursor, Cursor, PageQuery};
use crate::domain::validate;
use crate::error::ApiError;

/// Not sent, editable.
pub const DRAFT: &str = "draft";
/// Waits for its start time.
pub const SCHEDULED: &str = "scheduled";
/// Being expanded and sent.
pub const SENDING: &str = "sending";
/// Every recipient was handled.
pub const DONE: &str = "done";
/// Stopped by its author or another supervisor.
pub const CANCELLED: &str = "cancelled";

/// A row of `campaigns`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
pub struct CampaignRow {
    pub id: String,
    pub author_id: String,
    pub title: String,
    pub body: String,
    pub button_text: Option<String>,
    pub button_start: Option<String>,
    pub all_regions: bool,
    pub regions: String,
    pub levels: String,
    pub verified_only: bool,
    pub status: String,
    pub start_at: Option<NaiveDateTime>,
    pub expand_cursor: Option<String>,
    pub expanded_at: Option<NaiveDateTime>,
    pub recipients: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl CampaignRow {
    /// The regions of the audience (empty: every region).
    #[must_use]
    pub fn region_list(&self) -> Vec<String> {
        split(&self.regions)
    }

    /// The education levels of the audience (empty: every level).
    #[must_use]
    pub fn level_list(&self) -> Vec<String> {
        split(&self.levels)
    }
}

impl From<&CampaignRow> for Campaign {
    fn from(row: &CampaignRow) -> Self {
        Self {
            id: row.id.clone(),
            title: row.title.clone(),
            text: row.body.clone(),
            button_text: row.button_text.clone(),
            button_start: row.button_start.clone(),
            regions: row.region_list(),
            levels: row.level_list(),
            verified_only: row.verified_only,
            status: row.status.clone(),
            start_at: row.start_at.map(db::rfc3339),
            recipients: i64::from(row.recipients),
            created_at: db::rfc3339(row.created_at),
            finished_at: row.finished_at.map(db::rfc3339),
        }
    }
}

/// A checked [`CampaignInput`].
#[derive(Debug, Clone)]
pub struct Fields {
    title: String,
    text: String,
    button_text: Option<String>,
    button_start: Option<String>,
    regions: Vec<String>,
    levels: Vec<String>,
    verified_only: bool,
    start_at: Option<NaiveDateTime>,
}

impl Fields {
    /// Checks the input (lengths, start parameter, levels, the time's form).
    ///
    /// # Errors
    /// 422 naming the field, in Russian.
    pub fn parse(input: &CampaignInput) -> Result<Self, ApiError> {
        let title = validate::text("title", &input.title, 200, true)?.unwrap_or_default();
        let text = input.text.trim().to_owned();
        if text.is_empty() {
            return Err(ApiError::field(
                "text",
                "required",
                "Напишите текст рассылки.",
            ));
        }
        if text.chars().count() > MAX_CAMPAIGN_TEXT {
            return Err(ApiError::field(
                "text",
                "too_long",
                "Текст рассылки — не длиннее 4000 символов (ограничение MAX).",
            ));
        }
        let button_text = input
            .button_text
            .as_deref()
            .map(|t| validate::text("button_text", t, 64, false))
            .transpose()?
            .flatten();
        let button_start = input
            .button_start
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let ok = s.len() <= 64
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if ok {
                    Ok(s.to_owned())
                } else {
                    Err(ApiError::field(
                        "button_start",
                        "invalid",
                        "Экран приложения — латинские буквы, цифры, «-» и «_», до 64 символов.",
                    ))
                }
            })
            .transpose()?;
        let mut regions = input
            .regions
            .iter()
            .map(|r| validate::region("regions", r))
            .collect::<Result<Vec<_>, _>>()?;
        regions.sort();
        regions.dedup();
        let mut levels = input.levels.clone();
        if let Some(bad) = levels.iter().find(|l| !LEVELS.contains(&l.as_str())) {
            return Err(ApiError::field(
                "levels",
                "invalid",
                &format!("Неизвестный уровень образования «{bad}»: school, spo или doo."),
            ));
        }
        levels.sort();
        levels.dedup();
        let start_at = input
            .start_at
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                chrono::DateTime::parse_from_rfc3339(s.trim())
                    .map(|t| t.naive_utc())
                    .map_err(|_| {
                        ApiError::field(
                            "start_at",
                            "invalid",
                            "Время начала — в формате RFC 3339, например 2026-12-06T09:00:00+03:00.",
                        )
                    })
            })
            .transpose()?;
        Ok(Self {
            title,
            text,
            button_text,
            button_start,
            regions,
            levels,
            verified_only: input.verified_only,
            start_at,
        })
    }
}

/// The campaigns a caller may see: all for federal users; for heads, those whose every
/// region is theirs (never a campaign to every region).
fn visible(caller: &Caller) -> Result<campaigns::BoxedQuery<'static, db::MultiBackend>, ApiError> {
    let query = campaigns::table.into_boxed();
    match caller.scope() {
        Scope::All => Ok(query),
        Scope::Regions(mine) => {
            Ok(query
                .filter(campaigns::all_regions.eq(false))
                .filter(diesel::dsl::not(diesel::dsl::exists(
                    campaign_regions::table
                        .filter(campaign_regions::campaign_id.eq(campaigns::id))
                        .filter(diesel::dsl::not(campaign_regions::region_code.eq_any(mine))),
                ))))
        }
        Scope::Own(_) | Scope::Nothing => Err(ApiError::Forbidden),
    }
}

/// Loads one campaign the caller may see.
///
/// # Errors
/// 404 for an unknown id or one outside the caller's scope.
pub fn load(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<CampaignRow, ApiError> {
    visible(caller)?
        .filter(campaigns::id.eq(id.to_owned()))
        .select(CampaignRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// The audience's regions must exist and (for heads) be the caller's; a head must name them.
fn check_regions(
    conn: &mut AnyConnection,
    caller: &Caller,
    fields: &Fields,
) -> Result<(), ApiError> {
    if fields.regions.is_empty() {
        return match caller.role {
            Role::Federal => Ok(()),
            _ => Err(ApiError::field(
                "regions",
                "required",
                "Выберите хотя бы один регион из своих.",
            )),
        };
    }
    for region in &fields.regions {
        caller.check_region_filter(region)?;
    }
    let known: i64 = regions::table
        .filter(regions::code.eq_any(&fields.regions))
        .count()
        .get_result(conn)?;
    if usize::try_from(known).unwrap_or(0) != fields.regions.len() {
        return Err(ApiError::field("regions", "unknown", "Нет такого региона."));
    }
    Ok(())
}

fn status_for(fields: &Fields) -> &'static str {
    if fields.start_at.is_some() {
        SCHEDULED
    } else {
        DRAFT
    }
}

fn write_regions(conn: &mut AnyConnection, id: &str, regions: &[String]) -> QueryResult<()> {
    diesel::delete(campaign_regions::table.filter(campaign_regions::campaign_id.eq(id)))
        .execute(conn)?;
    for region in regions {
        diesel::insert_into(campaign_regions::table)
            .values((
                campaign_regions::campaign_id.eq(id),
                campaign_regions::region_code.eq(region),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Creates a campaign: a draft, or scheduled when it has a start time. Audit-logged.
///
/// # Errors
/// 422 for bad input, 403 `region_out_of_scope` for a region outside a head's.
pub fn create(
    conn: &mut AnyConnection,
    caller: &Caller,
    fields: &Fields,
) -> Result<Campaign, ApiError> {
    check_regions(conn, caller, fields)?;
    let id = db::new_id();
    let now = db::now();
    diesel::insert_into(campaigns::table)
        .values((
            campaigns::id.eq(&id),
            campaigns::author_id.eq(&caller.user_id),
            campaigns::title.eq(&fields.title),
            campaigns::body.eq(&fields.text),
            campaigns::button_text.eq(&fields.button_text),
            campaigns::button_start.eq(&fields.button_start),
            campaigns::all_regions.eq(fields.regions.is_empty()),
            campaigns::regions.eq(fields.regions.join(",")),
            campaigns::levels.eq(fields.levels.join(",")),
            campaigns::verified_only.eq(fields.verified_only),
            campaigns::status.eq(status_for(fields)),
            campaigns::start_at.eq(fields.start_at),
            campaigns::recipients.eq(0),
            campaigns::created_at.eq(now),
            campaigns::updated_at.eq(now),
        ))
        .execute(conn)?;
    write_regions(conn, &id, &fields.regions)?;
    let row = load(conn, caller, &id)?;
    let after = serde_json::to_value(Campaign::from(&row)).ok();
    audit::record(
        conn,
        &caller.actor(),
        "campaign.create",
        "campaign",
        Some(&id),
        None,
        after.as_ref(),
    )?;
    Ok(Campaign::from(&row))
}

/// Replaces a draft's or a scheduled campaign's fields. Audit-logged.
///
/// # Errors
/// 404 outside the scope, 409 `campaign_started` once sending began, 422 for bad input.
pub fn update(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    fields: &Fields,
) -> Result<Campaign, ApiError> {
    let before = load(conn, caller, id)?;
    if before.status != DRAFT && before.status != SCHEDULED {
        return Err(ApiError::Conflict {
            code: "campaign_started",
            detail: "Рассылка уже отправляется или завершена: изменить её нельзя.".to_owned(),
        });
    }
    check_regions(conn, caller, fields)?;
    diesel::update(campaigns::table.find(id))
        .set((
            campaigns::title.eq(&fields.title),
            campaigns::body.eq(&fields.text),
            campaigns::button_text.eq(&fields.button_text),
            campaigns::button_start.eq(&fields.button_start),
            campaigns::all_regions.eq(fields.regions.is_empty()),
            campaigns::regions.eq(fields.regions.join(",")),
            campaigns::levels.eq(fields.levels.join(",")),
            campaigns::verified_only.eq(fields.verified_only),
            campaigns::status.eq(status_for(fields)),
            campaigns::start_at.eq(fields.start_at),
            campaigns::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    write_regions(conn, id, &fields.regions)?;
    let row = load(conn, caller, id)?;
    let (b, a) = (
        serde_json::to_value(Campaign::from(&before)).ok(),
        serde_json::to_value(Campaign::from(&row)).ok(),
    );
    audit::record(
        conn,
        &caller.actor(),
        "campaign.update",
        "campaign",
        Some(id),
        b.as_ref(),
        a.as_ref(),
    )?;
    Ok(Campaign::from(&row))
}

/// Cancels a draft, scheduled or sending campaign: no further message leaves (those being
/// handed to the platform at this moment still finish). Audit-logged.
///
/// # Errors
/// 404 outside the scope, 409 `campaign_finished` for a finished one.
pub fn cancel(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Campaign, ApiError> {
    let before = load(conn, caller, id)?;
    if before.status == DONE || before.status == CANCELLED {
        return Err(ApiError::Conflict {
            code: "campaign_finished",
            detail: "Рассылка уже завершена или отменена.".to_owned(),
        });
    }
    let now = db::now();
    diesel::update(campaigns::table.find(id))
        .set((
            campaigns::status.eq(CANCELLED),
            campaigns::updated_at.eq(now),
            campaigns::finished_at.eq(now),
        ))
        .execute(conn)?;
    let row = load(conn, caller, id)?;
    audit::record(
        conn,
        &caller.actor(),
        "campaign.cancel",
        "campaign",
        Some(id),
        Some(&serde_json::json!({ "status": before.status })),
        Some(&serde_json::json!({ "status": CANCELLED })),
    )?;
    Ok(Campaign::from(&row))
}

/// The caller's campaigns, newest first, one page.
///
/// # Errors
/// 400/422 for a bad page query.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    page: &PageQuery,
) -> Result<Page<Campaign>, ApiError> {
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let query = visible(caller)?;
    let rows: Vec<CampaignRow> =
        before_cursor!(query, cursor, campaigns::created_at, campaigns::id)
            .order((campaigns::created_at.desc(), campaigns::id.desc()))
            .limit(limit + 1)
            .select(CampaignRow::as_select())
            .load(conn)?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    });
    Ok(Page {
        items: rows.iter().map(Campaign::from).collect(),
        next_cursor,
    })
}
