//! The queue's cost does not grow with the data (issue 20): for every role and every filter
//! combination the screens use, the database's plan of the exact query the list runs
//! (`api::domain::appeals::query::explain_list` explains the query built by the same code
//! as `GET /api/v1/appeals`) reads `appeals` through an index.
//!
//! SQLite: `EXPLAIN QUERY PLAN` must not `SCAN appeals` without an index, and a word search
//! must not scan `appeals` at all (the full-text index names the rows). PostgreSQL:
//! `EXPLAIN` with `SET enable_seqscan = off` must not show `Seq Scan on appeals` (with
//! sequential scans disabled the planner still picks one when no index serves the query).
//! `QUERY_PLAN_PRINT=1` prints every plan.

use api::auth::{AuthMethod, Caller};
use api::db::{self, AnyConnection};
use api::domain::appeals::query::{explain_list, set_rare_limit, ListQuery, Sort};
use diesel::connection::SimpleConnection;
use integration_tests::{spawn_app, TestBackend};
use shared::appeals::AppealStatus;
use shared::users::{Role, VerificationStatus};

fn caller(role: Role, regions: &[&str]) -> Caller {
    Caller {
        user_id: format!("plan-{}", role.as_str()),
        role,
        regions: regions.iter().map(|r| (*r).to_owned()).collect(),
        home_region: (role == Role::Teacher).then(|| "77".to_owned()),
        verification: VerificationStatus::Verified,
        method: AuthMethod::Dev,
        api_key_id: None,
        key_permissions: None,
        session: None,
    }
}

/// The filter combinations of the screens: the staff queue's tabs and chips, the
/// supervisor's «Обращения» (region, period, search), the teacher's «Мои вопросы»
/// (unread), and the integrators' list; each in both orders.
fn combinations(role: Role) -> Vec<(String, ListQuery)> {
    let base = ListQuery::default();
    let mut out: Vec<(&str, ListQuery)> = vec![
        ("first page", base.clone()),
        (
            "unread",
            ListQuery {
                unread: true,
                ..base.clone()
            },
        ),
        (
            "q word",
            ListQuery {
                q: Some("журнал".into()),
                ..base.clone()
            },
        ),
        (
            "q words",
            ListQuery {
                q: Some("ЖУРНАЛ инструктажа".into()),
                ..base.clone()
            },
        ),
        (
            "q number",
            ListQuery {
                q: Some("77-000123".into()),
                ..base.clone()
            },
        ),
    ];
    for status in [
        AppealStatus::New,
        AppealStatus::InProgress,
        AppealStatus::Answered,
        AppealStatus::AnsweredByBot,
        AppealStatus::Closed,
    ] {
        out.push((
            "status",
            ListQuery {
                status: Some(status),
                ..base.clone()
            },
        ));
    }
    if role != Role::Teacher {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1);
        out.extend([
            (
                "overdue",
                ListQuery {
                    overdue: true,
                    ..base.clone()
                },
            ),
            (
                "due today",
                ListQuery {
                    due_today: true,
                    ..base.clone()
                },
            ),
            (
                "controlled",
                ListQuery {
                    controlled: true,
                    ..base.clone()
                },
            ),
            (
                "assignee me",
                ListQuery {
                    assignee: Some("me".into()),
                    ..base.clone()
                },
            ),
            (
                "assignee none",
                ListQuery {
                    assignee: Some("none".into()),
                    ..base.clone()
                },
            ),
            (
                "assignee id",
                ListQuery {
                    assignee: Some("someone".into()),
                    ..base.clone()
                },
            ),
            (
                "new unassigned",
                ListQuery {
                    status: Some(AppealStatus::New),
                    assignee: Some("none".into()),
                    ..base.clone()
                },
            ),
            (
                "overdue mine",
                ListQuery {
                    overdue: true,
                    assignee: Some("me".into()),
                    ..base.clone()
                },
            ),
            (
                "period",
                ListQuery {
                    from: day,
                    to: day,
                    ..base.clone()
                },
            ),
            (
                "region",
                ListQuery {
                    region: Some("77".into()),
                    ..base.clone()
                },
            ),
            (
                "region status",
                ListQuery {
                    region: Some("77".into()),
                    status: Some(AppealStatus::New),
                    ..base.clone()
                },
            ),
            (
                "region overdue",
                ListQuery {
                    region: Some("77".into()),
                    overdue: true,
                    ..base.clone()
                },
            ),
            (
                "region q",
                ListQuery {
                    region: Some("77".into()),
                    q: Some("экскурсия".into()),
                    ..base.clone()
                },
            ),
        ]);
    }
    let mut all = Vec::new();
    for (name, filter) in out {
        for sort in [Sort::Created, Sort::Deadline] {
            all.push((
                format!("{name}, sort={sort:?}"),
                ListQuery {
                    sort,
                    ..filter.clone()
                },
            ));
        }
    }
    all
}

/// What is wrong with `plan` for a query named `name`, if anything.
/// `searches`: a word search by staff, which must lead on SQLite (the rows come from the
/// full-text index, not from walking a region in order and testing each appeal).
fn full_scan(backend: TestBackend, plan: &[String], searches: bool) -> Option<String> {
    if backend == TestBackend::Sqlite
        && searches
        && !plan.iter().any(|l| l.contains("MULTI-INDEX OR"))
    {
        return Some("the search does not lead".to_owned());
    }
    let bad = plan.iter().find(|line| match backend {
        TestBackend::Sqlite => {
            let line = line.trim();
            line == "SCAN appeals"
                || (line.starts_with("SCAN appeals ") && !line.contains("USING"))
                || (searches && line.starts_with("SCAN appeals"))
        }
        TestBackend::Postgres => line.contains("Seq Scan on appeals"),
    })?;
    Some(bad.clone())
}

/// The word-search threshold is the process's: the tests of this file take turns.
static THRESHOLD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn every_list_of_every_role_reads_appeals_through_an_index() {
    let _turn = THRESHOLD.lock().await;
    let app = spawn_app().await;
    let url = app.database_url.clone();
    let backend = app.backend;
    let failures = tokio::task::spawn_blocking(move || {
        let pool = db::connect(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        if let AnyConnection::Postgresql(_) = &mut *conn {
            conn.batch_execute("SET enable_seqscan = off").unwrap();
        }
        let callers = [
            caller(Role::Teacher, &[]),
            caller(Role::Operator, &["77"]),
            caller(Role::RegionalHead, &["77"]),
            caller(Role::RegionalHead, &["77", "50"]),
            caller(Role::Federal, &[]),
            caller(Role::Integrator, &["77"]),
        ];
        let mut failures = Vec::new();
        let mut checked = 0;
        for who in &callers {
            for (name, filter) in combinations(who.role) {
                let plan = explain_list(&mut conn, who, &filter).unwrap();
                checked += 1;
                if std::env::var_os("QUERY_PLAN_PRINT").is_some() {
                    eprintln!(
                        "{:?} {:?}, {name}:\n    {}",
                        who.role,
                        who.regions,
                        plan.join("\n    ")
                    );
                }
                let searches = who.role != Role::Teacher && filter.q.is_some();
                if let Some(line) = full_scan(backend, &plan, searches) {
                    failures.push(format!(
                        "{:?} {:?}, {name}: «{line}»\n    {}",
                        who.role,
                        who.regions,
                        plan.join("\n    ")
                    ));
                }
            }
        }
        assert!(checked > 100, "{checked} plans");
        failures
    })
    .await
    .unwrap();
    assert!(
        failures.is_empty(),
        "full scans of appeals:\n{}",
        failures.join("\n")
    );
}

/// What is wrong with the plan of a common word's search (more matching texts than the
/// threshold), if anything: it must walk the page's order (not lead with the full-text
/// matches, not scan `appeals` without an index) and, on PostgreSQL, test each row by a
/// per-row subplan instead of joining every match.
fn common_word_fault(backend: TestBackend, plan: &[String], words: bool) -> Option<String> {
    match backend {
        TestBackend::Sqlite => {
            if plan.iter().any(|l| l.contains("MULTI-INDEX OR")) {
                return Some("the matches lead".to_owned());
            }
            plan.iter()
                .find(|l| {
                    let l = l.trim();
                    l == "SCAN appeals" || (l.starts_with("SCAN appeals ") && !l.contains("USING"))
                })
                .cloned()
        }
        TestBackend::Postgres => {
            if let Some(l) = plan.iter().find(|l| l.contains("Seq Scan on appeals")) {
                return Some(l.clone());
            }
            (words && !plan.iter().any(|l| l.contains("SubPlan")))
                .then(|| "no per-row check".to_owned())
        }
    }
}

#[tokio::test]
async fn a_common_word_walks_the_page_order_and_tests_each_row() {
    let _turn = THRESHOLD.lock().await;
    let app = spawn_app().await;
    let url = app.database_url.clone();
    let backend = app.backend;
    let failures = tokio::task::spawn_blocking(move || {
        let pool = db::connect(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        if let AnyConnection::Postgresql(_) = &mut *conn {
            conn.batch_execute("SET enable_seqscan = off").unwrap();
        }
        // Every word search takes the common path (the test's database has no texts).
        set_rare_limit(-1);
        let callers = [
            caller(Role::Teacher, &[]),
            caller(Role::Operator, &["77"]),
            caller(Role::RegionalHead, &["77", "50"]),
            caller(Role::Federal, &[]),
        ];
        let mut failures = Vec::new();
        let mut checked = 0;
        for who in &callers {
            for (name, filter) in combinations(who.role) {
                if filter.q.is_none() {
                    continue;
                }
                let plan = explain_list(&mut conn, who, &filter).unwrap();
                checked += 1;
                if std::env::var_os("QUERY_PLAN_PRINT").is_some() {
                    eprintln!("{:?}, {name}:\n    {}", who.role, plan.join("\n    "));
                }
                let words = !filter.q.as_deref().unwrap_or("").contains('-');
                if let Some(line) = common_word_fault(backend, &plan, words) {
                    failures.push(format!(
                        "{:?} {:?}, {name}: «{line}»\n    {}",
                        who.role,
                        who.regions,
                        plan.join("\n    ")
                    ));
                }
            }
        }
        set_rare_limit(1000);
        assert!(checked > 20, "{checked} plans");
        failures
    })
    .await
    .unwrap();
    assert!(
        failures.is_empty(),
        "common-word searches:\n{}",
        failures.join("\n")
    );
}
