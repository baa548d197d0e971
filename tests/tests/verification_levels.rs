//! Issue #19: the verification screen's figures by education level. An operator sees how
//! many requests wait in their regions, in all and per level (school, СПО, ДОО; a teacher
//! who gave no level counts as a school's), and narrows the waiting list to one level;
//! administrators see every region. On both backends.

use integration_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

const COUNTS: &str = "/api/v1/admin/verification/counts";

async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get_as(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// A teacher of `region` who asks to be verified, with `level` if given: the user's id.
async fn asks(app: &TestApp, region: &str, name: &str, level: Option<&str>) -> String {
    let teacher = app.dev_login("teacher", Some(region), name, false).await;
    let response = app
        .post_as(
            "/api/v1/me/verification",
            &teacher.access,
            &json!({ "school": "Лицей № 2", "position": "педагог", "education_level": level }),
        )
        .await;
    assert_eq!(response.status(), 200, "{name} asks");
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["verification"]["status"], "pending");
    me["id"].as_str().unwrap().to_owned()
}

/// The ids of the waiting list narrowed by `query`.
async fn waiting(app: &TestApp, query: &str, token: &str) -> Vec<String> {
    let page = get_json(
        app,
        &format!("/api/v1/admin/users?verification=pending{query}"),
        token,
    )
    .await;
    let mut ids: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn counts(total: i64, school: i64, spo: i64, doo: i64) -> Value {
    json!({ "total": total, "school": school, "spo": spo, "doo": doo })
}

#[tokio::test]
async fn waiting_requests_are_counted_and_listed_by_education_level() {
    let app = spawn_app().await;
    let college = asks(&app, "16", "Хасанова Лилия", Some("spo")).await;
    let kindergarten = asks(&app, "16", "Гарипова Алсу", Some("doo")).await;
    let unnamed_level = asks(&app, "16", "Иванова Анна", None).await;
    let school = asks(&app, "16", "Сафина Гульнара", Some("school")).await;
    asks(&app, "02", "Ахметова Зульфия", Some("spo")).await;
    let operator = app
        .dev_login("operator", Some("16"), "Оператор Татарстана", true)
        .await
        .access;
    let neighbour = app
        .dev_login("operator", Some("02"), "Оператор Башкирии", true)
        .await
        .access;
    let admin = app
        .dev_login("admin", None, "Администратор", true)
        .await
        .access;

    // Each operator counts only the own region's requests; the administrator all.
    assert_eq!(get_json(&app, COUNTS, &operator).await, counts(4, 2, 1, 1));
    assert_eq!(get_json(&app, COUNTS, &neighbour).await, counts(1, 0, 1, 0));
    assert_eq!(get_json(&app, COUNTS, &admin).await, counts(5, 2, 2, 1));

    // The list narrows to one level, a teacher with none given among the schools.
    assert_eq!(
        waiting(&app, "&level=spo", &operator).await,
        [college.as_str()]
    );
    assert_eq!(waiting(&app, "&level=doo", &operator).await, [kindergarten]);
    let mut schools = vec![unnamed_level, school];
    schools.sort();
    assert_eq!(waiting(&app, "&level=school", &operator).await, schools);
    assert_eq!(waiting(&app, "", &operator).await.len(), 4);
    assert_eq!(waiting(&app, "&level=doo", &neighbour).await.len(), 0);
    let response = app
        .get_as(
            "/api/v1/admin/users?verification=pending&level=vuz",
            &operator,
        )
        .await;
    assert_eq!(response.status(), 400, "an unknown level");

    // A decision takes the request out of the counts.
    let response = app
        .post_as(
            &format!("/api/v1/admin/users/{college}/verification"),
            &operator,
            &json!({ "decision": "confirm" }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(get_json(&app, COUNTS, &operator).await, counts(3, 2, 0, 1));
    assert_eq!(waiting(&app, "&level=spo", &operator).await.len(), 0);

    // Who decides nothing counts nothing.
    for role in ["teacher", "regional_head", "federal"] {
        let token = app.dev_login(role, Some("16"), "Кто-то Другой", true).await;
        let response = app.get_as(COUNTS, &token.access).await;
        assert_eq!(response.status(), 403, "{role}");
    }
}
