//! The list's word search takes one of two paths (issue 20): a word in at most a thousand
//! texts leads the query (its matches are fetched by id and sorted), a common word only
//! tests the rows the page's order index walks. Both must answer the same. The threshold
//! is lowered here (`set_rare_limit`) so that a handful of appeals take the common path,
//! and every page of every order is compared with the rare path's answer.
//! One test in this file: the threshold is the process's.

use api::domain::appeals::query::set_rare_limit;
use integration_tests::{spawn_app, TestApp};
use serde_json::{json, Value};

async fn ask(app: &TestApp, token: &str, text: &str) -> String {
    let response = app
        .post_as("/api/v1/appeals", token, &json!({ "text": text }))
        .await;
    assert_eq!(response.status(), 201, "{text}");
    let appeal: Value = response.json().await.unwrap();
    appeal["id"].as_str().unwrap().to_owned()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every page of `GET /appeals?query`, `limit` at a time: the ids in order.
async fn all_pages(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/appeals?{query}&limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", urlencode(c)));
        }
        let response = app.get_as(&path, token).await;
        assert_eq!(response.status(), 200, "{path}");
        let page: Value = response.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{path}");
        ids.extend(items.iter().map(|a| a["id"].as_str().unwrap().to_owned()));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            return ids;
        }
    }
}

#[tokio::test]
async fn a_common_word_finds_the_same_appeals_in_the_same_order_as_a_rare_one() {
    let app = spawn_app().await;
    let teacher = app
        .dev_login("teacher", Some("77"), "Журавлёва Анна", true)
        .await;
    let other = app
        .dev_login("teacher", Some("16"), "Гарипова Алсу", true)
        .await;
    let operator = app
        .dev_login("operator", Some("77"), "Оператор Москвы", true)
        .await;
    let federal = app
        .dev_login("federal", None, "Федеральный Куратор", true)
        .await;
    let mut journal_77 = Vec::new();
    for text in [
        "Где хранить журнал инструктажа по охране труда?",
        "Кто подписывает страницы классного журнала?",
        "Нужно ли вести журналы внеурочной деятельности в электронном виде?",
        "Сколько лет хранится журнал посещаемости кружка?",
        "Можно ли исправлять оценки в журнале после конца четверти?",
    ] {
        journal_77.push(ask(&app, &teacher.access, text).await);
    }
    let journal_16 = ask(
        &app,
        &other.access,
        "Как заполнять журнал дежурств по школе в выходные дни?",
    )
    .await;
    for text in [
        "Как оформить возврат денег родителям за сорванную экскурсию в музей?",
        "Положена ли доплата за классное руководство в двух классах?",
    ] {
        ask(&app, &teacher.access, text).await;
    }

    let cases: [(&str, &str, usize); 6] = [
        (&operator.access, "журнал", journal_77.len()),
        (&federal.access, "журнал", journal_77.len() + 1),
        (&federal.access, "ЖУРНАЛ инструктажа", 1),
        (&federal.access, "абракадабра", 0),
        (&operator.access, "журнал", journal_77.len()),
        (&federal.access, &journal_16, 1),
    ];
    for (token, q, expected) in cases {
        for sort in ["created", "deadline"] {
            let query = format!("q={}&sort={sort}", urlencode(q));
            for limit in [2, 20] {
                set_rare_limit(1000);
                let rare = all_pages(&app, token, &query, limit).await;
                // Every word search takes the common path.
                set_rare_limit(-1);
                let common = all_pages(&app, token, &query, limit).await;
                assert_eq!(common, rare, "{query}, limit {limit}");
                if sort == "created" {
                    assert_eq!(rare.len(), expected, "{query}, limit {limit}");
                }
            }
        }
    }
    // The operator sees only region 77's, all of them.
    set_rare_limit(1000);
    let mut found = all_pages(
        &app,
        &operator.access,
        "q=%D0%B6%D1%83%D1%80%D0%BD%D0%B0%D0%BB",
        20,
    )
    .await;
    found.sort();
    journal_77.sort();
    assert_eq!(found, journal_77);
}
