//! How the closed sets of values (statuses, roles, channels…) are stored: as their snake_case
//! names in text columns, on SQLite and PostgreSQL alike. With the `diesel` feature (the api
//! turns it on; the mini-app never does) each enum is a diesel type of its own, so rows hold
//! `AppealStatus` rather than a `String`, and a query compares a column with
//! `AppealStatus::New`, never with a literal. An unknown stored name is an error when the row
//! is read, not a silent default.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::appeals::{AnswerSource, AppealStatus, Channel, CloseReason};
use crate::integrations::OutboxStatus;
use crate::kb::{ArticleStatus, VariantStatus};
use crate::thread::{BotGrade, MessageAuthor, MessageKind};
use crate::users::{Role, VerificationSource, VerificationStatus};

macro_rules! stored_as_text {
    ($($ty:ty => $parse:expr),* $(,)?) => {$(
        impl<DB> ToSql<Text, DB> for $ty
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> FromSql<Text, DB> for $ty
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let stored = String::from_sql(bytes)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(&stored).ok_or_else(|| {
                    format!("unknown {} stored: {stored:?}", stringify!($ty)).into()
                })
            }
        }
    )*};
}

stored_as_text! {
    AppealStatus => AppealStatus::parse,
    CloseReason => CloseReason::parse,
    Channel => Channel::parse,
    AnswerSource => AnswerSource::parse,
    ArticleStatus => ArticleStatus::parse,
    Role => Role::parse,
    VerificationSource => VerificationSource::parse,
    MessageAuthor => MessageAuthor::parse,
    MessageKind => MessageKind::parse,
    BotGrade => BotGrade::parse,
    OutboxStatus => OutboxStatus::parse,
    VariantStatus => VariantStatus::parse,
    // `VerificationStatus::parse` reads unknown names as unverified; storage is strict.
    VerificationStatus => |s| Some(VerificationStatus::parse(s)).filter(|v| v.as_str() == s),
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    use super::*;

    diesel::table! {
        kinds (id) {
            id -> Integer,
            status -> Text,
            role -> Nullable<Text>,
        }
    }

    fn connection() -> SqliteConnection {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute(
            "CREATE TABLE kinds (id INTEGER PRIMARY KEY, status TEXT NOT NULL, role TEXT)",
        )
        .unwrap();
        conn
    }

    #[test]
    fn enums_are_written_as_their_names_and_read_back() {
        let mut conn = connection();
        diesel::insert_into(kinds::table)
            .values((
                kinds::id.eq(1),
                kinds::status.eq(AppealStatus::InProgress),
                kinds::role.eq(Some(Role::RegionalHead)),
            ))
            .execute(&mut conn)
            .unwrap();
        let raw: (String, Option<String>) = kinds::table
            .select((kinds::status, kinds::role))
            .first(&mut conn)
            .unwrap();
        assert_eq!(
            raw,
            ("in_progress".to_owned(), Some("regional_head".to_owned()))
        );
        let typed: (AppealStatus, Option<Role>) = kinds::table
            .filter(kinds::status.eq(AppealStatus::InProgress))
            .select((kinds::status, kinds::role))
            .first(&mut conn)
            .unwrap();
        assert_eq!(typed, (AppealStatus::InProgress, Some(Role::RegionalHead)));
    }

    #[test]
    fn an_unknown_stored_name_is_an_error_not_a_default() {
        let mut conn = connection();
        conn.batch_execute("INSERT INTO kinds (id, status) VALUES (1, 'verifed')")
            .unwrap();
        let read: QueryResult<VerificationStatus> =
            kinds::table.select(kinds::status).first(&mut conn);
        assert!(read.is_err(), "{read:?}");
        let read: QueryResult<AppealStatus> = kinds::table.select(kinds::status).first(&mut conn);
        assert!(read.is_err(), "{read:?}");
    }
}
