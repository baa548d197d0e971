//! Cursor pagination shared by every list of user data: `?cursor=&limit=` (default 20, at
//! most 100), newest first, stable under inserts (the cursor is the last row's time and id).

use base64::Engine;
use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// Page parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page, 1–100 (default 20).
    pub limit: Option<u32>,
}

/// Where a page starts: strictly after (older than) this row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last row's timestamp.
    pub at: NaiveDateTime,
    /// The last row's id (ties on the timestamp).
    pub id: String,
}

impl Cursor {
    /// Opaque text form.
    #[must_use]
    pub fn encode(&self) -> String {
        let raw = format!("{}|{}", self.at.and_utc().timestamp_micros(), self.id);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    }

    /// Parses the text form.
    ///
    /// # Errors
    /// 400 `malformed_query` for anything that is not a cursor this server issued.
    pub fn decode(text: &str) -> Result<Self, ApiError> {
        let bad = || ApiError::MalformedQuery("Неверный курсор страницы (cursor).".to_owned());
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let (micros, id) = raw.split_once('|').ok_or_else(bad)?;
        let micros: i64 = micros.parse().map_err(|_| bad())?;
        let at = chrono::DateTime::from_timestamp_micros(micros)
            .ok_or_else(bad)?
            .naive_utc();
        if id.is_empty() || id.len() > 64 {
            return Err(bad());
        }
        Ok(Self {
            at,
            id: id.to_owned(),
        })
    }
}

impl PageQuery {
    /// The validated limit.
    ///
    /// # Errors
    /// 422 when outside 1–100.
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit.unwrap_or(20) {
            n @ 1..=100 => Ok(i64::from(n)),
            _ => Err(ApiError::field(
                "limit",
                "out_of_range",
                "limit — число от 1 до 100.",
            )),
        }
    }

    /// The decoded cursor, if any.
    ///
    /// # Errors
    /// 400 for a malformed cursor.
    pub fn cursor(&self) -> Result<Option<Cursor>, ApiError> {
        self.cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(Cursor::decode)
            .transpose()
    }
}

/// Keeps the rows after `cursor` in a newest-first list ordered by `(at, id)`, both
/// descending: the keyset condition every such list shares.
macro_rules! before_cursor {
    ($query:expr, $cursor:expr, $at:expr, $id:expr) => {
        match $cursor {
            Some($crate::domain::pagination::Cursor { at, id }) => {
                $query.filter($at.lt(at).or($at.eq(at).and($id.lt(id))))
            }
            None => $query,
        }
    };
}
pub(crate) use before_cursor;

/// Cuts the extra row fetched to learn whether another page exists.
pub fn finish<T>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> Cursor,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(20);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|r| key(r).encode());
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_garbage() {
        let cursor = Cursor {
            at: chrono::Utc::now().naive_utc(),
            id: "abc".into(),
        };
        let decoded = Cursor::decode(&cursor.encode()).unwrap();
        assert_eq!(decoded.id, "abc");
        assert_eq!(
            decoded.at.and_utc().timestamp_micros(),
            cursor.at.and_utc().timestamp_micros()
        );
        assert!(Cursor::decode("!!!").is_err());
        assert!(Cursor::decode("bm9waXBl").is_err());
        assert!(PageQuery {
            limit: Some(0),
            ..Default::default()
        }
        .limit()
        .is_err());
        assert!(PageQuery {
            limit: Some(101),
            ..Default::default()
        }
        .limit()
        .is_err());
        assert_eq!(PageQuery::default().limit().unwrap(), 20);
    }
}
