//! Promo codes for posters and links: a code opens the bot's mini-app with
//! `start_param=promo-<code>`; launches through it are counted
//! ([`super::reach::record_launch`]). The QR code of the link as SVG and PNG, and a printable
//! A4 poster page with it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use qrcode::{Color, EcLevel, QrCode};
use rand::Rng;
use shared::campaigns::{Promo, PromoInput};
use shared::Page;

use crate::auth::{Caller, Scope};
use crate::db::schema::{promo_codes, regions};
use crate::db::{self, AnyConnection};
use crate::domain::pagination::{self, before_cursor, Cursor, PageQuery};
use crate::domain::validate;
use crate::error::ApiError;

/// The question printed on the poster.
pub const POSTER_QUESTION: &str =
    "Есть вопросы по бюрократической нагрузке на педагогического работника?";

/// A row of `promo_codes`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = promo_codes)]
pub struct PromoRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub author_id: String,
    pub region_code: Option<String>,
    pub launches: i64,
    pub created_at: NaiveDateTime,
}

/// The link of a code: `<PROMO_LINK_BASE>?startapp=promo-<code>` (MAX opens the bot's
/// mini-app and passes the value as `start_param`).
#[must_use]
pub fn link(base: &str, code: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}startapp=promo-{code}")
}

fn to_dto(row: &PromoRow, base: &str) -> Promo {
    Promo {
        id: row.id.clone(),
        code: row.code.clone(),
        title: row.title.clone(),
        region: row.region_code.clone(),
        link: link(base, &row.code),
        launches: row.launches,
        created_at: db::rfc3339(row.created_at),
    }
}

fn visible(
    caller: &Caller,
) -> Result<promo_codes::BoxedQuery<'static, db::MultiBackend>, ApiError> {
    let query = promo_codes::table.into_boxed();
    match caller.scope() {
        Scope::All => Ok(query),
        Scope::Regions(mine) => Ok(query.filter(promo_codes::region_code.eq_any(mine))),
        Scope::Own(_) | Scope::Nothing => Err(ApiError::Forbidden),
    }
}

/// Loads one code the caller may see.
///
/// # Errors
/// 404 for an unknown id or one outside the caller's regions.
pub fn load(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<PromoRow, ApiError> {
    visible(caller)?
        .filter(promo_codes::id.eq(id.to_owned()))
        .select(PromoRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

fn new_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..8)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// Creates a promo code (heads: for one of their regions). Audit-logged.
///
/// # Errors
/// 422 for a bad title or region, 403 `region_out_of_scope`.
pub fn create(
    conn: &mut AnyConnection,
    caller: &Caller,
    input: &PromoInput,
    base: &str,
) -> Result<Promo, ApiError> {
    let title = validate::text("title", &input.title, 200, true)?.unwrap_or_default();
    let region = input
        .region
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(|r| validate::region("region", r))
        .transpose()?;
    match (&region, caller.scope()) {
        (None, Scope::Regions(_)) => {
            return Err(ApiError::field(
                "region",
                "required",
                "Выберите свой регион.",
            ))
        }
        (Some(r), _) => {
            caller.check_region_filter(r)?;
            let known: i64 = regions::table
                .filter(regions::code.eq(r))
                .count()
                .get_result(conn)?;
            if known == 0 {
                return Err(ApiError::field("region", "unknown", "Нет такого региона."));
            }
        }
        (None, _) => {}
    }
    let id = db::new_id();
    diesel::insert_into(promo_codes::table)
        .values((
            promo_codes::id.eq(&id),
            promo_codes::code.eq(new_code()),
            promo_codes::title.eq(&title),
            promo_codes::author_id.eq(&caller.user_id),
            promo_codes::region_code.eq(&region),
            promo_codes::launches.eq(0),
            promo_codes::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    let row = load(conn, caller, &id)?;
    let promo = to_dto(&row, base);
    db::audit::record(
        conn,
        &caller.actor(),
        "promo.create",
        "promo_code",
        Some(&id),
        None,
        serde_json::to_value(&promo).ok().as_ref(),
    )?;
    Ok(promo)
}

/// The caller's promo codes with their launches, newest first.
///
/// # Errors
/// 400/422 for a bad page query.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    page: &PageQuery,
    base: &str,
) -> Result<Page<Promo>, ApiError> {
    let limit = page.limit()?;
    let cursor = page.cursor()?;
    let rows: Vec<PromoRow> = before_cursor!(
        visible(caller)?,
        cursor,
        promo_codes::created_at,
        promo_codes::id
    )
    .order((promo_codes::created_at.desc(), promo_codes::id.desc()))
    .limit(limit + 1)
    .select(PromoRow::as_select())
    .load(conn)?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        at: r.created_at,
        id: r.id.clone(),
    });
    Ok(Page {
        items: rows.iter().map(|r| to_dto(r, base)).collect(),
        next_cursor,
    })
}

fn qr(text: &str) -> Result<QrCode, ApiError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("QR: {e}")))
}

/// The QR code of a link as SVG.
///
/// # Errors
/// A link too long for a QR code (never for the links this service makes).
pub fn qr_svg(text: &str) -> Result<String, ApiError> {
    Ok(qr(text)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// The QR code of a link as a greyscale PNG, `scale` pixels per module with a 4-module
/// quiet zone.
///
/// # Errors
/// As [`qr_svg`], or a PNG encoder failure.
pub fn qr_png(text: &str, scale: usize) -> Result<Vec<u8>, ApiError> {
    let code = qr(text)?;
    let modules = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let side = (modules + 2 * quiet) * scale;
    let mut pixels = vec![255_u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % modules + quiet, i / modules + quiet);
            for y in my * scale..(my + 1) * scale {
                pixels[y * side + mx * scale..y * side + (mx + 1) * scale].fill(0);
            }
        }
    }
    let fail = |e: png::EncodingError| ApiError::internal(anyhow::anyhow!("PNG: {e}"));
    let side32 = u32::try_from(side).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side32, side32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(fail)?;
        writer.write_image_data(&pixels).map_err(fail)?;
    }
    Ok(out)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The printable A4 poster: the question, the QR code (inline SVG) and the link.
///
/// # Errors
/// As [`qr_svg`].
pub fn poster_html(promo: &Promo) -> Result<String, ApiError> {
    let svg = qr_svg(&promo.link)?;
    let svg = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]);
    Ok(format!(
        r#"<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Плакат «Помощник»</title>
<style>
@page {{ size: A4 portrait; margin: 15mm; }}
html, body {{ margin: 0; font-family: "PT Sans", Arial, sans-serif; color: #111; }}
main {{ width: 180mm; min-height: 260mm; margin: 0 auto; display: flex; flex-direction: column;
  align-items: center; justify-content: center; text-align: center; gap: 12mm; }}
h1 {{ font-size: 28pt; line-height: 1.2; margin: 0; }}
.qr svg {{ width: 110mm; height: 110mm; }}
p {{ font-size: 16pt; margin: 0; }}
.link {{ font-size: 10pt; color: #444; word-break: break-all; }}
@media screen {{ body {{ background: #eee; }} main {{ background: #fff; padding: 15mm; margin: 10mm auto; }} }}
</style></head>
<body><main>
<h1>{question}</h1>
<div class="qr">{svg}</div>
<p>Наведите камеру телефона на код — откроется «Помощник» в MAX. Ответ на вопрос о документах и отчётности — сразу или от специалиста вашего региона.</p>
<p class="link">{link}</p>
</main></body></html>
"#,
        question = escape(POSTER_QUESTION),
        link = escape(&promo.link),
    ))
}

/// A promo code by id for its public pieces (QR code, poster): they show only the link.
///
/// # Errors
/// 404 for an unknown id.
pub fn public(conn: &mut AnyConnection, id: &str, base: &str) -> Result<Promo, ApiError> {
    let row: PromoRow = promo_codes::table
        .find(id)
        .select(PromoRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    Ok(to_dto(&row, base))
}
