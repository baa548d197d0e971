//! The sender's claims and marks on a real (in-memory SQLite) database: batched claims and
//! marks keep "at most one message per recipient", a sender that dies between sending and
//! marking gets its rows back only when the lease runs out, opted-out teachers are skipped,
//! and a cancelled campaign's claimed rows can be released unsent.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::send::{self, Sent};
use crate::db::schema::campaign_recipients as cr;
use crate::db::AnyConnection;

const TEACHERS: usize = 25;

fn at(seconds: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
        .unwrap()
        .naive_utc()
}

/// A migrated database with `TEACHERS` consenting MAX teachers, one federal author and one
/// campaign to every region, `sending`, its audience expanded.
fn database() -> AnyConnection {
    let mut conn = AnyConnection::Sqlite(SqliteConnection::establish(":memory:").unwrap());
    crate::db::migrate(&mut conn).unwrap();
    crate::db::seed::seed_regions(&mut conn).unwrap();
    let mut sql = String::new();
    let row = |id: &str, role: &str, max: Option<i64>| {
        format!(
            "INSERT INTO users (id, role, max_user_id, region_code, consent_version, \
             verification_status, must_change_password, totp_enabled, notify_new_appeal_email, \
             notify_daily_digest_email, is_blocked, failed_logins, created_at, updated_at) \
             VALUES ('{id}', '{role}', {}, '77', '{}', 'verified', false, false, false, \
             false, false, 0, '2026-12-01 00:00:00', '2026-12-01 00:00:00');",
            max.map_or("NULL".to_owned(), |m| m.to_string()),
            shared::users::CONSENT_VERSION
        )
    };
    sql.push_str(&row("author", "federal", None));
    for i in 0..TEACHERS {
        sql.push_str(&row(
            &format!("teacher-{i:03}"),
            "teacher",
            Some(9_000 + i as i64),
        ));
    }
    sql.push_str(
        "INSERT INTO campaigns (id, author_id, title, body, all_regions, regions, levels, \
         verified_only, status, start_at, created_at, updated_at) VALUES ('c1', 'author', \
         'Тест', 'Текст', true, '', '', false, 'sending', '2026-12-01 00:00:00', \
         '2026-12-01 00:00:00', '2026-12-01 00:00:00');",
    );
    conn.batch_execute(&sql).unwrap();
    while send::expand(&mut conn, "c1", 10, at(0)).unwrap() > 0 {}
    conn
}

fn statuses(conn: &mut AnyConnection, status: &str) -> usize {
    cr::table
        .filter(cr::status.eq(status))
        .count()
        .get_result::<i64>(conn)
        .unwrap()
        .try_into()
        .unwrap()
}

fn delivered(claimed: &[send::Claimed]) -> Vec<(String, String, Sent)> {
    claimed
        .iter()
        .map(|c| (c.campaign_id.clone(), c.user_id.clone(), Sent::Delivered))
        .collect()
}

#[test]
fn batched_claims_and_marks_send_each_recipient_once_even_after_a_death() {
    let mut conn = database();
    let lease = Duration::seconds(120);
    assert_eq!(statuses(&mut conn, send::PENDING), TEACHERS);

    let first = send::claim(&mut conn, at(1), lease, 10).unwrap();
    let second = send::claim(&mut conn, at(1), lease, 10).unwrap();
    assert_eq!((first.len(), second.len()), (10, 10));
    let mut seen: HashSet<String> = first.iter().map(|c| c.user_id.clone()).collect();
    assert!(
        second.iter().all(|c| seen.insert(c.user_id.clone())),
        "claimed twice"
    );
    assert_eq!(first[0].message.text, "Текст");
    send::mark_all(&mut conn, &delivered(&first), at(2)).unwrap();
    assert_eq!(statuses(&mut conn, send::DELIVERED), 10);
    assert_eq!(statuses(&mut conn, send::CLAIMED), 10);

    // The sender "dies" holding `second` (sent or not, never marked). Within the lease
    // its rows stay with it; the rest of the audience goes on.
    let third = send::claim(&mut conn, at(3), lease, 100).unwrap();
    assert_eq!(third.len(), TEACHERS - 20);
    assert!(
        third.iter().all(|c| seen.insert(c.user_id.clone())),
        "claimed twice"
    );
    send::mark_all(&mut conn, &delivered(&third), at(4)).unwrap();
    assert!(send::claim(&mut conn, at(5), lease, 100)
        .unwrap()
        .is_empty());

    // After the lease, only the unmarked rows come back: the documented one duplicate.
    let again = send::claim(&mut conn, at(200), lease, 100).unwrap();
    let again_ids: HashSet<String> = again.iter().map(|c| c.user_id.clone()).collect();
    let second_ids: HashSet<String> = second.iter().map(|c| c.user_id.clone()).collect();
    assert_eq!(again_ids, second_ids);
    send::mark_all(&mut conn, &delivered(&again), at(201)).unwrap();
    // A mark of a row no longer claimed (a late duplicate outcome) changes nothing.
    send::mark_all(&mut conn, &delivered(&first), at(202)).unwrap();
    assert_eq!(statuses(&mut conn, send::DELIVERED), TEACHERS);
    assert_eq!(send::finish(&mut conn, at(203)).unwrap(), 1);
}

#[test]
fn outcomes_opt_outs_and_a_release_are_recorded_in_one_batch() {
    let mut conn = database();
    let lease = Duration::seconds(120);
    conn.batch_execute(
        "INSERT INTO campaign_optouts (max_user_id, reason, created_at) \
         VALUES (9000, 'unsubscribed', '2026-12-01 00:00:00');",
    )
    .unwrap();
    let claimed = send::claim(&mut conn, at(1), lease, 6).unwrap();
    // teacher-000 (MAX 9000) unsubscribed: skipped, not handed out.
    assert_eq!(claimed.len(), 5);
    assert_eq!(statuses(&mut conn, send::SKIPPED), 1);
    let outcomes = vec![
        (
            claimed[0].campaign_id.clone(),
            claimed[0].user_id.clone(),
            Sent::Delivered,
        ),
        (
            claimed[1].campaign_id.clone(),
            claimed[1].user_id.clone(),
            Sent::Refused,
        ),
        (
            claimed[2].campaign_id.clone(),
            claimed[2].user_id.clone(),
            Sent::Retry,
        ),
        (
            claimed[3].campaign_id.clone(),
            claimed[3].user_id.clone(),
            Sent::SlowDown(std::time::Duration::from_secs(5)),
        ),
    ];
    send::mark_all(&mut conn, &outcomes, at(2)).unwrap();
    assert_eq!(statuses(&mut conn, send::DELIVERED), 1);
    assert_eq!(statuses(&mut conn, send::FAILED), 1);
    let attempts: i32 = cr::table
        .find(("c1", claimed[2].user_id.as_str()))
        .select(cr::attempts)
        .first(&mut conn)
        .unwrap();
    assert_eq!(attempts, 1);
    // The last one's campaign was "cancelled" before it went out: back to pending.
    let last = (claimed[4].campaign_id.clone(), claimed[4].user_id.clone());
    send::release(&mut conn, std::slice::from_ref(&last)).unwrap();
    let status: String = cr::table
        .find((&last.0, &last.1))
        .select(cr::status)
        .first(&mut conn)
        .unwrap();
    assert_eq!(status, send::PENDING);
    assert!(send::sending_among(&mut conn, &["c1", "nope"])
        .unwrap()
        .contains("c1"));
}
