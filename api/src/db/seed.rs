//! Reference data every deployment needs: the 89 regions, shipped inside the binary from
//! `data/regions.csv` so the server never reads files it was not given.

use diesel::prelude::*;

use super::models::RegionRow;
use super::schema::regions;
use super::AnyConnection;

const REGIONS_CSV: &str = include_str!("../../../data/regions.csv");

/// Parses the shipped regions list (`code,name,federal_district,timezone`).
///
/// # Errors
/// A malformed line (a build that ships a broken file should not start).
pub fn shipped_regions() -> anyhow::Result<Vec<RegionRow>> {
    REGIONS_CSV
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let cols: Vec<&str> = line.split(',').map(str::trim).collect();
            match cols.as_slice() {
                [code, name, district, tz] => Ok(RegionRow {
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                    federal_district: (*district).to_owned(),
                    timezone: (*tz).to_owned(),
                }),
                _ => Err(anyhow::anyhow!(
                    "regions.csv, строка {}: ожидается 4 поля",
                    i + 2
                )),
            }
        })
        .collect()
}

/// Inserts missing regions and refreshes changed ones; idempotent, one transaction.
///
/// # Errors
/// A database failure.
pub fn seed_regions(conn: &mut AnyConnection) -> anyhow::Result<usize> {
    let wanted = shipped_regions()?;
    let changed = conn.transaction::<usize, diesel::result::Error, _>(|conn| {
        let existing: Vec<RegionRow> = regions::table.select(RegionRow::as_select()).load(conn)?;
        let mut changed = 0;
        for row in &wanted {
            match existing.iter().find(|r| r.code == row.code) {
                Some(old) if old == row => {}
                Some(_) => {
                    diesel::update(regions::table.find(&row.code))
                        .set(row)
                        .execute(conn)?;
                    changed += 1;
                }
                None => {
                    diesel::insert_into(regions::table)
                        .values(row)
                        .execute(conn)?;
                    changed += 1;
                }
            }
        }
        Ok(changed)
    })?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ships_all_89_regions_with_time_zones() {
        let regions = super::shipped_regions().unwrap();
        assert_eq!(regions.len(), 89);
        assert!(regions
            .iter()
            .all(|r| r.code.len() == 2 && r.timezone.contains('/')));
        let kamchatka = regions.iter().find(|r| r.code == "41").unwrap();
        assert_eq!(kamchatka.timezone, "Asia/Kamchatka");
    }
}
