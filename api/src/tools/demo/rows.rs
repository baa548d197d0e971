//! The rows the demo writes (users, appeals, messages, answers, ratings, grades) and the
//! batch that writes them with multi-row `INSERT`s.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::ROWS_PER_INSERT;
use crate::db::schema::{
    appeal_answers, appeal_messages, appeals, bot_grades, ratings, user_regions, users,
};
use crate::db::AnyConnection;

/// A region as the seeder needs it.
pub(super) struct RegionInfo {
    pub(super) code: String,
    pub(super) tz: chrono_tz::Tz,
    pub(super) teachers: Vec<(String, String)>,
    pub(super) operators: Vec<String>,
}

/// A published knowledge-base article (bot answers and suggestions).
pub(super) struct Article {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) question: String,
    pub(super) answer: String,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub(super) struct NewUser {
    pub(super) id: String,
    pub(super) role: String,
    pub(super) surname: Option<String>,
    pub(super) name: Option<String>,
    pub(super) patronymic: Option<String>,
    pub(super) region_code: Option<String>,
    pub(super) verification_status: String,
    pub(super) verification_source: Option<String>,
    pub(super) verified_at: Option<NaiveDateTime>,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = appeals, treat_none_as_default_value = false)]
pub(super) struct NewAppeal {
    pub(super) id: String,
    pub(super) teacher_id: String,
    pub(super) region_code: String,
    pub(super) author_name: Option<String>,
    pub(super) anonymous: bool,
    pub(super) text: String,
    pub(super) channel: String,
    pub(super) status: String,
    pub(super) close_reason: Option<String>,
    pub(super) close_note: Option<String>,
    pub(super) duplicate_of: Option<String>,
    pub(super) assignee_id: Option<String>,
    pub(super) engine_name: Option<String>,
    pub(super) engine_version: Option<String>,
    pub(super) engine_article_id: Option<String>,
    pub(super) engine_score: Option<f64>,
    pub(super) engine_confident: bool,
    pub(super) abstain_reason: Option<String>,
    pub(super) suggestions: String,
    pub(super) deadline_at: Option<NaiveDateTime>,
    pub(super) first_answered_at: Option<NaiveDateTime>,
    pub(super) answered_late: bool,
    pub(super) escalated_at: Option<NaiveDateTime>,
    pub(super) opened_by_staff_at: Option<NaiveDateTime>,
    pub(super) teacher_activity_at: NaiveDateTime,
    pub(super) staff_activity_at: Option<NaiveDateTime>,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
    pub(super) closed_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = appeal_messages, treat_none_as_default_value = false)]
pub(super) struct NewMessage {
    pub(super) id: String,
    pub(super) appeal_id: String,
    pub(super) author_id: Option<String>,
    pub(super) author_role: String,
    pub(super) kind: String,
    pub(super) text: String,
    pub(super) created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = appeal_answers, treat_none_as_default_value = false)]
pub(super) struct NewAnswer {
    pub(super) id: String,
    pub(super) appeal_id: String,
    pub(super) source: String,
    pub(super) text: String,
    pub(super) article_id: Option<String>,
    pub(super) answered_by: Option<String>,
    pub(super) answered_at: NaiveDateTime,
    pub(super) is_late: bool,
    pub(super) reminder_sent_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = ratings, treat_none_as_default_value = false)]
pub(super) struct NewRating {
    pub(super) answer_id: String,
    pub(super) appeal_id: String,
    pub(super) score: i32,
    pub(super) comment: Option<String>,
    pub(super) rated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = bot_grades, treat_none_as_default_value = false)]
pub(super) struct NewGrade {
    pub(super) answer_id: String,
    pub(super) appeal_id: String,
    pub(super) grade: String,
    pub(super) comment: Option<String>,
    pub(super) graded_by: String,
    pub(super) graded_at: NaiveDateTime,
}

/// A multi-row INSERT on the concrete backend (diesel's batch insert is not available
/// through the multi-backend connection).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            AnyConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c)?,
            AnyConnection::Postgresql(c) => diesel::insert_into($table).values($rows).execute(c)?,
        }
    };
}

/// One batch of rows, written in one transaction.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) appeals: Vec<NewAppeal>,
    pub(super) messages: Vec<NewMessage>,
    pub(super) answers: Vec<NewAnswer>,
    pub(super) ratings: Vec<NewRating>,
    pub(super) grades: Vec<NewGrade>,
}

impl Batch {
    pub(super) fn write(&mut self, conn: &mut AnyConnection) -> QueryResult<()> {
        for chunk in self.appeals.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, appeals::table, chunk);
        }
        for chunk in self.answers.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, appeal_answers::table, chunk);
        }
        for chunk in self.ratings.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, ratings::table, chunk);
        }
        for chunk in self.grades.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, bot_grades::table, chunk);
        }
        for chunk in self.messages.chunks(ROWS_PER_INSERT) {
            insert_rows!(conn, appeal_messages::table, chunk);
        }
        *self = Self::default();
        Ok(())
    }
}

/// Writes the invented people and the operators' regions.
pub(super) fn write_people(
    conn: &mut AnyConnection,
    people: &[NewUser],
    links: &[(String, String)],
) -> QueryResult<()> {
    for chunk in people.chunks(ROWS_PER_INSERT) {
        insert_rows!(conn, users::table, chunk);
    }
    for (user, region) in links {
        diesel::insert_into(user_regions::table)
            .values((
                user_regions::user_id.eq(user),
                user_regions::region_code.eq(region),
            ))
            .execute(conn)?;
    }
    Ok(())
}
