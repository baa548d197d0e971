//! What a campaign reached, and the teachers' side of it: the reach table (sent, delivered,
//! failed, skipped, opened, per region and level) and its CSV and XLSX; an opening recorded when the
//! mini-app is launched; «Отписаться» and a stopped bot recorded from the bot's updates.
//!
//! **Opened** counts both ways MAX allows us to see: a launch through the message's button
//! (`start_param=campaign-<id>`) and the first launch of the mini-app by the recipient within
//! 72 hours after delivery (a teacher who reads the message and opens the app from the chat
//! list). A launch with `start_param=promo-<code>` counts for that promo code.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use shared::campaigns::{CampaignReach, ReachRow};
use shared::users::EducationLevel;

use super::send::{DELIVERED, FAILED, SKIPPED};
use crate::auth::Caller;
use crate::db::schema::{campaign_optouts, campaign_recipients as cr, promo_codes, users};
use crate::db::AnyConnection;
use crate::error::ApiError;

/// How long after delivery a launch of the mini-app counts as opening the message.
pub const OPEN_WINDOW_HOURS: i64 = 72;

/// A «Отписаться» press: kept for good.
pub const UNSUBSCRIBED: &str = "unsubscribed";
/// The bot was stopped (until the person starts it again).
pub const BOT_STOPPED: &str = "bot_stopped";

fn row(region: Option<String>, level: Option<String>) -> ReachRow {
    ReachRow {
        region,
        level,
        recipients: 0,
        sent: 0,
        delivered: 0,
        failed: 0,
        skipped: 0,
        opened: 0,
        open_rate: 0.0,
    }
}

fn add(target: &mut ReachRow, status: &str, count: i64, opened: i64) {
    target.recipients += count;
    target.opened += opened;
    match status {
        DELIVERED => {
            target.delivered += count;
            target.sent += count;
        }
        FAILED => {
            target.failed += count;
            target.sent += count;
        }
        SKIPPED => target.skipped += count,
        _ => {}
    }
}

fn rate(row: &mut ReachRow) {
    #[allow(clippy::cast_precision_loss)]
    if row.delivered > 0 {
        row.open_rate = (row.opened as f64 * 1000.0 / row.delivered as f64).round() / 10.0;
    }
}

/// The reach of a campaign the caller may see: one grouped query over its recipients.
///
/// # Errors
/// 404 outside the scope.
pub fn reach(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<CampaignReach, ApiError> {
    let campaign = super::load(conn, caller, id)?;
    type Group = (Option<String>, Option<String>, String, i64, i64);
    let groups: Vec<Group> = cr::table
        .filter(cr::campaign_id.eq(&campaign.id))
        .group_by((cr::region_code, cr::level, cr::status))
        .select((
            cr::region_code,
            cr::level,
            cr::status,
            diesel::dsl::count_star(),
            diesel::dsl::count(cr::opened_at),
        ))
        .order((cr::region_code.asc(), cr::level.asc()))
        .load(conn)?;
    let mut total = row(None, None);
    let mut rows: Vec<ReachRow> = Vec::new();
    for (region, level, status, count, opened) in groups {
        add(&mut total, &status, count, opened);
        match rows.last_mut() {
            Some(last) if last.region == region && last.level == level => {
                add(last, &status, count, opened);
            }
            _ => {
                let mut fresh = row(region, level);
                add(&mut fresh, &status, count, opened);
                rows.push(fresh);
            }
        }
    }
    rate(&mut total);
    rows.iter_mut().for_each(rate);
    Ok(CampaignReach { total, rows })
}

/// The columns of the reach table, in the CSV and the XLSX alike.
const HEADER: [&str; 9] = [
    "Регион",
    "Уровень",
    "Получатели",
    "Отправлено",
    "Доставлено",
    "Ошибка",
    "Пропущено",
    "Открыли",
    "Открыли, % от доставленных",
];

/// The media type of an Excel workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The table's lines: one per region and level, then the total («Всего»).
fn lines(reach: &CampaignReach) -> Vec<ReachRow> {
    let mut lines = reach.rows.clone();
    lines.push(ReachRow {
        region: Some("Всего".to_owned()),
        ..reach.total.clone()
    });
    lines
}

/// The reach table as CSV (UTF-8 with a BOM, `;`-separated, as spreadsheets in Russia open it).
///
/// # Errors
/// As [`reach`].
pub fn reach_csv(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Vec<u8>, ApiError> {
    let reach = reach(conn, caller, id)?;
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let to_io = |e: csv::Error| ApiError::internal(anyhow::anyhow!(e));
    out.write_record(HEADER).map_err(to_io)?;
    for r in &lines(&reach) {
        out.write_record([
            r.region.clone().unwrap_or_default(),
            r.level.clone().unwrap_or_default(),
            r.recipients.to_string(),
            r.sent.to_string(),
            r.delivered.to_string(),
            r.failed.to_string(),
            r.skipped.to_string(),
            r.opened.to_string(),
            format!("{:.1}", r.open_rate).replace('.', ","),
        ])
        .map_err(to_io)?;
    }
    out.into_inner()
        .map_err(|e| ApiError::internal(anyhow::anyhow!(e.to_string())))
}

/// The reach table as an Excel workbook, sheet «Охват»: the CSV's columns, the levels in
/// words («Школа», «СПО», «ДОО»), counts as numbers, the open rate as a percentage; the
/// total in the last row. A few hundred rows at most (regions × levels), so in memory.
///
/// # Errors
/// As [`reach`].
pub fn reach_xlsx(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> Result<Vec<u8>, ApiError> {
    let reach = reach(conn, caller, id)?;
    write_xlsx(&lines(&reach)).map_err(ApiError::internal)
}

fn level_label(level: &str) -> &str {
    match EducationLevel::parse(level) {
        Some(EducationLevel::School) => "Школа",
        Some(EducationLevel::Spo) => "СПО",
        Some(EducationLevel::Doo) => "ДОО",
        None => level,
    }
}

#[allow(clippy::cast_precision_loss)] // counts stay far below 2^52
fn write_xlsx(lines: &[ReachRow]) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let share = Format::new().set_num_format("0.0%");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Охват")?;
    sheet.set_column_width(8, 28)?;
    for (col, title) in (0_u16..).zip(HEADER) {
        sheet.write_string_with_format(0, col, title, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (row, r) in (1_u32..).zip(lines) {
        sheet.write_string(row, 0, r.region.as_deref().unwrap_or_default())?;
        sheet.write_string(row, 1, level_label(r.level.as_deref().unwrap_or_default()))?;
        let counts = [
            r.recipients,
            r.sent,
            r.delivered,
            r.failed,
            r.skipped,
            r.opened,
        ];
        for (col, n) in (2_u16..).zip(counts) {
            sheet.write_number(row, col, n as f64)?;
        }
        sheet.write_number_with_format(row, 8, r.open_rate / 100.0, &share)?;
    }
    book.save_to_buffer()
}

/// A MAX launch of the mini-app by `user_id`: marks opened the message of the campaign named
/// by `start_param=campaign-<id>`, and every message delivered to the user within the last
/// 72 hours not opened yet; counts a launch through `start_param=promo-<code>`.
///
/// # Errors
/// A database failure.
pub fn record_launch(
    conn: &mut AnyConnection,
    user_id: &str,
    start_param: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let not_opened = cr::table
        .filter(cr::user_id.eq(user_id))
        .filter(cr::status.eq(DELIVERED))
        .filter(cr::opened_at.is_null());
    if let Some(campaign) = start_param.and_then(|p| p.strip_prefix("campaign-")) {
        diesel::update(not_opened.filter(cr::campaign_id.eq(campaign)))
            .set(cr::opened_at.eq(now))
            .execute(conn)?;
    }
    diesel::update(
        not_opened.filter(cr::sent_at.ge(now - chrono::Duration::hours(OPEN_WINDOW_HOURS))),
    )
    .set(cr::opened_at.eq(now))
    .execute(conn)?;
    if let Some(code) = start_param.and_then(|p| p.strip_prefix("promo-")) {
        diesel::update(promo_codes::table.filter(promo_codes::code.eq(code)))
            .set(promo_codes::launches.eq(promo_codes::launches + 1))
            .execute(conn)?;
    }
    Ok(())
}

/// A bot start (`bot_started`) with its payload: a deep link `promo-<code>` counts as a
/// launch; starting the bot again lifts a «bot stopped» opt-out (never an unsubscription).
///
/// # Errors
/// A database failure.
pub fn bot_started(
    conn: &mut AnyConnection,
    max_user_id: i64,
    payload: Option<&str>,
) -> QueryResult<()> {
    diesel::delete(
        campaign_optouts::table
            .filter(campaign_optouts::max_user_id.eq(max_user_id))
            .filter(campaign_optouts::reason.eq(BOT_STOPPED)),
    )
    .execute(conn)?;
    if let Some(code) = payload.and_then(|p| p.strip_prefix("promo-")) {
        diesel::update(promo_codes::table.filter(promo_codes::code.eq(code)))
            .set(promo_codes::launches.eq(promo_codes::launches + 1))
            .execute(conn)?;
    }
    Ok(())
}

/// Records an opt-out (`reason`: [`UNSUBSCRIBED`] or [`BOT_STOPPED`]) and skips at once the
/// person's messages not sent yet. An unsubscription replaces a stopped bot, not the reverse.
///
/// # Errors
/// A database failure.
pub fn opt_out(
    conn: &mut AnyConnection,
    max_user_id: i64,
    reason: &str,
    campaign_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let existing: Option<String> = campaign_optouts::table
        .find(max_user_id)
        .select(campaign_optouts::reason)
        .first(conn)
        .optional()?;
    match existing.as_deref() {
        None => {
            diesel::insert_into(campaign_optouts::table)
                .values((
                    campaign_optouts::max_user_id.eq(max_user_id),
                    campaign_optouts::reason.eq(reason),
                    campaign_optouts::campaign_id.eq(campaign_id),
                    campaign_optouts::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Some(BOT_STOPPED) if reason == UNSUBSCRIBED => {
            diesel::update(campaign_optouts::table.find(max_user_id))
                .set((
                    campaign_optouts::reason.eq(reason),
                    campaign_optouts::campaign_id.eq(campaign_id),
                    campaign_optouts::created_at.eq(now),
                ))
                .execute(conn)?;
        }
        Some(_) => {}
    }
    let people: Vec<String> = users::table
        .filter(users::max_user_id.eq(max_user_id))
        .select(users::id)
        .load(conn)?;
    diesel::update(
        cr::table
            .filter(cr::user_id.eq_any(&people))
            .filter(cr::status.eq(super::send::PENDING)),
    )
    .set(cr::status.eq(SKIPPED))
    .execute(conn)?;
    Ok(())
}
