//! `api calendar import`: a year of the production calendar from an xmlcalendar file.

use anyhow::Context;

use crate::config::Config;
use crate::startup;

/// `api calendar import FILE.xml [--region CODE]`: a year of the production calendar (or a
/// region's overlay) in the xmlcalendar format.
///
/// # Errors
/// Unreadable or invalid file, unknown region, or a database failure.
pub async fn import(path: &str, region: Option<&str>) -> anyhow::Result<()> {
    let xml =
        std::fs::read_to_string(path).with_context(|| format!("не удалось прочитать {path}"))?;
    let parsed =
        crate::calendar::parse_xmlcalendar(&xml).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let region = region
        .map(|r| shared::RegionCode::parse(r).map(|c| c.to_string()))
        .transpose()
        .map_err(|e| anyhow::anyhow!(e))?;
    let state = startup::prepare_state(Config::from_env()?).await?;
    let year = parsed.year;
    let days = parsed.days.len();
    tokio::task::spawn_blocking(move || {
        state
            .db
            .write_blocking(|conn| {
                Ok(crate::domain::calendar::store_year(
                    conn,
                    region.as_deref(),
                    &parsed,
                    None,
                )?)
            })
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await??;
    eprintln!("календарь {year}: записано дней {days}");
    Ok(())
}
