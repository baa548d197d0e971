//! What a page of appeals shares, in one query whatever the page's size (issue #20): the
//! answers with their ratings, shown attachments, the reader's read marks, «На контроле»
//! and the names the reader may see, as one `UNION ALL`; region names from the shipped
//! reference data.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::IntoSql;

use super::super::row::{AppealRow, Viewer};
use super::any_of::any_of;
use crate::db::schema::{
    appeal_answers as ans, appeal_controls as ctl, appeal_reads as reads, attachments as att,
    ratings, regions, users,
};
use crate::db::AnyConnection;

pub(super) type AnswerRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    bool,
    Option<bool>,
);
pub(super) type RatingRow = (String, i32, Option<String>, NaiveDateTime);
pub(super) type AttachmentRow = (String, String, String, i64, String, Option<String>);

/// What a page of appeals shares, loaded in one query.
#[derive(Default)]
pub(super) struct Related {
    pub(super) region_names: HashMap<String, String>,
    pub(super) answers: HashMap<String, Vec<AnswerRow>>,
    pub(super) ratings_by_answer: HashMap<String, RatingRow>,
    pub(super) attachments: HashMap<String, Vec<(NaiveDateTime, AttachmentRow)>>,
    pub(super) read_at: HashMap<String, NaiveDateTime>,
    pub(super) names: HashMap<String, Option<String>>,
    /// Users on the page who accepted the consent naming every reader.
    pub(super) consented: std::collections::HashSet<String>,
    pub(super) controls: HashMap<String, ControlRow>,
}

/// `(appeal_id, comment, controlled_by, controlled_at)` of `appeal_controls`.
pub(super) type ControlRow = (String, String, Option<String>, NaiveDateTime);

/// Leadership (regional heads, federal) and integrators read an author's name only when the
/// author accepted the consent naming them as readers (issue #18); the others' appeals read
/// as anonymous. Appeals registered on someone's behalf carry the registrar's recorded
/// basis instead.
pub(super) fn restricted(viewer: &Viewer) -> bool {
    matches!(viewer, Viewer::Integrator | Viewer::Leadership(_))
}

/// Staff of any rank (operators and leadership): notes, «На контроле», reads.
pub(super) fn is_staff(viewer: &Viewer) -> bool {
    matches!(viewer, Viewer::Staff(_) | Viewer::Leadership(_))
}

/// Names of regions from the shipped reference data (what `seed_regions` keeps the table
/// equal to); a code it does not know is read from the table.
fn region_names(
    conn: &mut AnyConnection,
    rows: &[AppealRow],
) -> QueryResult<HashMap<String, String>> {
    static SHIPPED: OnceLock<HashMap<String, String>> = OnceLock::new();
    let shipped = SHIPPED.get_or_init(|| {
        crate::db::seed::shipped_regions()
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.code, r.name))
            .collect()
    });
    let mut names = HashMap::new();
    let mut unknown: Vec<&str> = Vec::new();
    for row in rows {
        match shipped.get(&row.region_code) {
            Some(name) => {
                names.insert(row.region_code.clone(), name.clone());
            }
            None => unknown.push(&row.region_code),
        }
    }
    if !unknown.is_empty() {
        names.extend(
            regions::table
                .filter(regions::code.eq_any(&unknown))
                .select((regions::code, regions::name))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(names)
}

/// One row of the page's related data: `(kind, appeal_id, id, text × 4, time × 2, big
/// number, number, flag × 2, text)`; each kind fills the columns it needs (see
/// [`related_query`]).
type RelatedRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<i64>,
    Option<i32>,
    Option<bool>,
    Option<bool>,
    Option<String>,
);

/// The page's answers (with their ratings), shown attachments, the reader's read marks,
/// «На контроле» (staff) and the names the reader may see, as one `UNION ALL`.
/// A macro, not a function: the statement is loaded on each concrete backend (diesel's
/// multi-backend connection does not compose `UNION`s).
macro_rules! related_query {
    ($ids:expr, $reader:expr, $staff:expr, $people:expr, $controllers:expr) => {{
        use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Timestamp};
        let ids: &[&str] = $ids;
        let none_text = || None::<String>.into_sql::<Nullable<Text>>();
        let none_at = || None::<NaiveDateTime>.into_sql::<Nullable<Timestamp>>();
        let none_big = || None::<i64>.into_sql::<Nullable<BigInt>>();
        let none_int = || None::<i32>.into_sql::<Nullable<Integer>>();
        let none_bool = || None::<bool>.into_sql::<Nullable<Bool>>();
        let answers = ans::table
            .left_join(ratings::table)
            .filter(any_of(ans::appeal_id, ids))
            .select((
                "a".into_sql::<Text>(),
                ans::appeal_id,
                ans::id,
                ans::source.nullable(),
                ans::text.nullable(),
                ans::article_id,
                ans::answered_by,
                ans::answered_at.nullable(),
                ratings::rated_at.nullable(),
                none_big(),
                ratings::score.nullable(),
                ans::is_late.nullable(),
                ans::helpful,
                ratings::comment.nullable(),
            ));
        let files = att::table
            .filter(any_of(att::appeal_id, ids))
            .filter(super::super::attachments::shown())
            .select((
                "f".into_sql::<Text>(),
                att::appeal_id,
                att::id,
                att::file_name.nullable(),
                att::content_type.nullable(),
                att::message_id,
                none_text(),
                att::created_at.nullable(),
                none_at(),
                att::size_bytes.nullable(),
                none_int(),
                none_bool(),
                none_bool(),
                none_text(),
            ));
        let marks = reads::table
            .filter(any_of(reads::appeal_id, ids))
            .filter(reads::user_id.eq($reader))
            .select((
                "r".into_sql::<Text>(),
                reads::appeal_id,
                reads::user_id,
                none_text(),
                none_text(),
                none_text(),
                none_text(),
                reads::read_at.nullable(),
                none_at(),
                none_big(),
                none_int(),
                none_bool(),
                none_bool(),
                none_text(),
            ));
        let controls = ctl::table
            .filter(any_of(ctl::appeal_id, ids))
            .filter($staff.into_sql::<Bool>())
            .select((
                "c".into_sql::<Text>(),
                ctl::appeal_id,
                ctl::appeal_id,
                ctl::comment.nullable(),
                ctl::controlled_by,
                none_text(),
                none_text(),
                ctl::controlled_at.nullable(),
                none_at(),
                none_big(),
                none_int(),
                none_bool(),
                none_bool(),
                none_text(),
            ));
        // The page's people and the «На контроле» authors are two parts, not one `OR`: an
        // `OR` with an `IN (subquery)` arm cannot use the primary key on PostgreSQL, which
        // then read every user (77–94 ms a page at 1,000,000 appeals, 167,000 users:
        // BENCHMARKS «Growth»). A person in both comes twice; the names are a map.
        let person = || {
            (
                "u".into_sql::<Text>(),
                users::id,
                users::id,
                users::surname,
                users::name,
                users::patronymic,
                users::consent_version,
                none_at(),
                none_at(),
                none_big(),
                none_int(),
                none_bool(),
                none_bool(),
                none_text(),
            )
        };
        let people = users::table
            .filter(any_of(users::id, $people))
            .select(person());
        let controllers = users::table
            .filter(
                users::id.eq_any(
                    ctl::table
                        .filter(any_of(ctl::appeal_id, ids))
                        .filter($controllers.into_sql::<Bool>())
                        .select(ctl::controlled_by.assume_not_null()),
                ),
            )
            .select(person());
        answers
            .union_all(files)
            .union_all(marks)
            .union_all(controls)
            .union_all(people)
            .union_all(controllers)
    }};
}

pub(super) fn load_related(
    conn: &mut AnyConnection,
    rows: &[AppealRow],
    viewer: &Viewer,
) -> QueryResult<Related> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    // Integrators never learn who handled an appeal: no operator names are loaded for them.
    let mut people: Vec<&str> = match viewer {
        Viewer::Integrator => Vec::new(),
        _ => rows
            .iter()
            .filter_map(|r| r.assignee_id.as_deref())
            .collect(),
    };
    if restricted(viewer) {
        people.extend(rows.iter().map(|r| r.teacher_id.as_str()));
    }
    people.sort_unstable();
    people.dedup();
    let reader = match viewer {
        Viewer::Integrator => "",
        Viewer::Teacher(user) | Viewer::Staff(user) | Viewer::Leadership(user) => user.as_str(),
    };
    // «На контроле» is the leadership's word to the operators: staff only.
    let staff = is_staff(viewer);
    let found: Vec<RelatedRow> = match conn {
        AnyConnection::Sqlite(c) => related_query!(&ids, reader, staff, &people, staff).load(c)?,
        AnyConnection::Postgresql(c) => {
            related_query!(&ids, reader, staff, &people, staff).load(c)?
        }
    };
    let mut related = Related {
        region_names: region_names(conn, rows)?,
        ..Related::default()
    };
    for row in found {
        sort_in(&mut related, row);
    }
    for answers in related.answers.values_mut() {
        answers.sort_by(|a, b| (a.6, &a.1).cmp(&(b.6, &b.1)));
    }
    for files in related.attachments.values_mut() {
        files.sort_by(|a, b| (a.0, &a.1 .1).cmp(&(b.0, &b.1 .1)));
    }
    Ok(related)
}

/// Files one row of [`related_query`] under its kind.
fn sort_in(related: &mut Related, row: RelatedRow) {
    let (kind, appeal_id, id, t1, t2, t3, t4, at1, at2, big, int, b1, b2, t5) = row;
    let epoch = NaiveDateTime::default();
    match kind.as_str() {
        "a" => {
            if let (Some(score), Some(rated_at)) = (int, at2) {
                related
                    .ratings_by_answer
                    .insert(id.clone(), (id.clone(), score, t5, rated_at));
            }
            related.answers.entry(appeal_id.clone()).or_default().push((
                appeal_id,
                id,
                t1.unwrap_or_default(),
                t2.unwrap_or_default(),
                t3,
                t4,
                at1.unwrap_or(epoch),
                b1.unwrap_or(false),
                b2,
            ));
        }
        "f" => {
            let file = (
                appeal_id.clone(),
                id,
                t1.unwrap_or_default(),
                big.unwrap_or(0),
                t2.unwrap_or_default(),
                t3,
            );
            related
                .attachments
                .entry(appeal_id)
                .or_default()
                .push((at1.unwrap_or(epoch), file));
        }
        "r" => {
            if let Some(at) = at1 {
                related.read_at.insert(appeal_id, at);
            }
        }
        "c" => {
            let control = (
                appeal_id.clone(),
                t1.unwrap_or_default(),
                t2,
                at1.unwrap_or(epoch),
            );
            related.controls.insert(appeal_id, control);
        }
        _ => {
            if crate::domain::users::onboarding::names_every_reader(t4.as_deref()) {
                related.consented.insert(id.clone());
            }
            related.names.insert(id, joined_name(t1, t2, t3));
        }
    }
}

/// «Фамилия Имя Отчество» of the parts present.
pub(super) fn joined_name(
    s: Option<String>,
    n: Option<String>,
    p: Option<String>,
) -> Option<String> {
    let joined: Vec<String> = [s, n, p]
        .into_iter()
        .flatten()
        .filter(|x| !x.trim().is_empty())
        .collect();
    (!joined.is_empty()).then(|| joined.join(" "))
}

/// Whether diesel's statement cache keeps the SQLite statement of [`related_query`] for
/// these ids (for the test below).
#[cfg(test)]
fn sqlite_statement_is_cached(ids: &[&str], people: &[&str]) -> bool {
    use diesel::query_builder::QueryFragment;
    let query = related_query!(ids, "reader", true, people, true);
    QueryFragment::<diesel::sqlite::Sqlite>::is_safe_to_cache_prepared(
        &query,
        &diesel::sqlite::Sqlite,
    )
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_related_query_of_a_page_is_cached_whatever_the_page_size() {
        // Parsed once per connection, not on every page (issue #20's SQLite regression).
        assert!(super::sqlite_statement_is_cached(&["a"], &[]));
        let ids: Vec<String> = (0..20).map(|i| format!("id{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert!(super::sqlite_statement_is_cached(&ids, &["u1", "u2"]));
    }
}
