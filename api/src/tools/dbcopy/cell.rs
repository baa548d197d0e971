//! One value of any column, read the same from either backend: the column kinds both
//! schemas use, the value parsed from the row JSON, and the bytes each value adds to a
//! table's checksum.

use anyhow::{bail, Context};
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use sha2::{Digest, Sha256};

/// What a column holds, on either backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Int32,
    Int64,
    Bool,
    Real,
    Timestamp,
    Date,
}

impl Kind {
    pub(super) fn from_sqlite(declared: &str) -> anyhow::Result<Self> {
        let t = declared.to_ascii_uppercase();
        Ok(match t.as_str() {
            "TEXT" => Self::Text,
            "INTEGER" | "BIGINT" | "INT" | "SMALLINT" => Self::Int64,
            "BOOLEAN" | "BOOL" => Self::Bool,
            "DOUBLE PRECISION" | "DOUBLE" | "REAL" | "FLOAT" => Self::Real,
            "TIMESTAMP" | "DATETIME" => Self::Timestamp,
            "DATE" => Self::Date,
            _ => bail!("неизвестный тип столбца SQLite {declared} / unknown SQLite column type"),
        })
    }

    pub(super) fn from_postgres(data_type: &str) -> anyhow::Result<Self> {
        Ok(match data_type {
            "text" | "character varying" | "character" => Self::Text,
            "integer" | "smallint" => Self::Int32,
            "bigint" => Self::Int64,
            "boolean" => Self::Bool,
            "double precision" | "real" => Self::Real,
            "timestamp without time zone" => Self::Timestamp,
            "date" => Self::Date,
            _ => bail!(
                "неизвестный тип столбца PostgreSQL {data_type} / unknown PostgreSQL column type"
            ),
        })
    }
}

/// One value, the same whichever backend it came from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    Real(f64),
    Timestamp(NaiveDateTime),
    Date(NaiveDate),
}

impl Cell {
    /// A value of the row JSON, read as a column of `kind`.
    pub(super) fn from_json(value: serde_json::Value, kind: Kind) -> anyhow::Result<Self> {
        use serde_json::Value as V;
        Ok(match (value, kind) {
            (V::Null, _) => Self::Null,
            (V::String(s), Kind::Text) => Self::Text(s),
            (V::Number(n), Kind::Text) => Self::Text(n.to_string()),
            (V::Number(n), Kind::Int32 | Kind::Int64) => Self::Int(
                n.as_i64()
                    .with_context(|| format!("не целое число {n} / not an integer"))?,
            ),
            (V::String(s), Kind::Int32 | Kind::Int64) => Self::Int(s.parse()?),
            (V::Bool(b), Kind::Bool) => Self::Bool(b),
            (V::Number(n), Kind::Bool) => Self::Bool(n.as_i64() != Some(0)),
            (V::String(s), Kind::Real) => Self::Real(parse_real(&s)?),
            (V::Number(n), Kind::Real) => Self::Real(parse_real(&n.to_string())?),
            (V::String(s), Kind::Timestamp) => Self::Timestamp(parse_timestamp(&s)?),
            (V::String(s), Kind::Date) => Self::Date(
                NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .with_context(|| format!("не дата {s:?} / not a date"))?,
            ),
            (other, kind) => {
                bail!("значение {other} не подходит к типу {kind:?} / value does not fit")
            }
        })
    }

    /// The bytes hashed for the checksum: a tag and the value, unambiguous.
    pub(super) fn digest_into(&self, hash: &mut Sha256) {
        match self {
            Self::Null => hash.update(b"N"),
            Self::Text(s) => {
                hash.update(b"S");
                hash.update((s.len() as u64).to_le_bytes());
                hash.update(s.as_bytes());
            }
            Self::Int(i) => {
                hash.update(b"I");
                hash.update(i.to_le_bytes());
            }
            Self::Bool(b) => hash.update(if *b { b"B1" } else { b"B0" }),
            Self::Real(r) => {
                hash.update(b"R");
                hash.update(r.to_bits().to_le_bytes());
            }
            Self::Timestamp(t) => {
                hash.update(b"T");
                hash.update(t.and_utc().timestamp_micros().to_le_bytes());
            }
            Self::Date(d) => {
                hash.update(b"D");
                hash.update((d.signed_duration_since(NaiveDate::MIN).num_days()).to_le_bytes());
            }
        }
    }
}

fn parse_real(text: &str) -> anyhow::Result<f64> {
    let t = text.trim();
    match t {
        "Inf" | "Infinity" | "inf" => Ok(f64::INFINITY),
        "-Inf" | "-Infinity" | "-inf" => Ok(f64::NEG_INFINITY),
        _ => t
            .parse()
            .with_context(|| format!("не число {text:?} / not a number")),
    }
}

/// Timestamps as either backend prints them (`2026-11-25 09:30:00.123456789`,
/// `2026-11-25T09:30:00.123456`), cut to whole microseconds (what PostgreSQL keeps).
pub(super) fn parse_timestamp(text: &str) -> anyhow::Result<NaiveDateTime> {
    let normalised = text.replacen('T', " ", 1);
    let at = NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(&normalised, "%Y-%m-%d %H:%M"))
        .with_context(|| format!("не метка времени {text:?} / not a timestamp"))?;
    let micros = at.nanosecond() / 1000 * 1000;
    at.with_nanosecond(micros)
        .with_context(|| format!("не метка времени {text:?} / not a timestamp"))
}

/// A column of a table on one side.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) kind: Kind,
}

/// A table's shape on one side: columns in the source's order, primary-key positions.
#[derive(Debug, Clone)]
pub(super) struct Shape {
    pub(super) columns: Vec<Column>,
    pub(super) key: Vec<usize>,
}
