//! Announcement campaigns and promo codes: a federal user's campaign for one region and
//! level goes through the MAX stand-in once per recipient (with «Отписаться»; a teacher of
//! another level gets nothing), an
//! unsubscription is honoured by the next campaign, an opening through the button's deep
//! link is counted in the reach; a head of another region sees none of it; a promo code's QR
//! code decodes to its link and a launch through it is counted; the reach downloads as XLSX
//! with the same figures.

use std::time::Duration;

use actix_web::HttpResponse;
use integration_tests::{spawn_app_with, standins, Overrides, TestApp};
use serde_json::{json, Value};

const SECRET: &str = "campaign-webhook-secret";

/// Signs in through MAX with a `start_param` (the harness's [`TestApp::max_launch`]).
async fn launch(app: &TestApp, max_id: i64, start_param: &str) -> String {
    app.max_launch(max_id, "Ирина", start_param).await
}

async fn create(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.with_token(reqwest::Method::POST, "/api/v1/campaigns", token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn wait_for_status(app: &TestApp, token: &str, id: &str, status: &str) -> Value {
    for _ in 0..200 {
        let campaign: Value = app
            .get_as(&format!("/api/v1/campaigns/{id}"), token)
            .await
            .json()
            .await
            .unwrap();
        if campaign["status"] == status {
            return campaign;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("campaign {id} never reached {status}");
}

fn messages_to(max: &standins::StandIn, max_id: i64) -> Vec<standins::Recorded> {
    max.requests()
        .into_iter()
        .filter(|r| r.uri.starts_with(&format!("/messages?user_id={max_id}")))
        .filter(|r| r.body.contains("unsub:"))
        .collect()
}

#[tokio::test]
async fn a_campaign_reaches_its_region_once_and_honours_unsubscribe_and_scope() {
    let max = standins::start(|_| HttpResponse::Ok().json(json!({ "success": true })));
    let app = spawn_app_with(
        Overrides::default()
            .with("MAX_WEBHOOK_SECRET", SECRET)
            .with("MAX_API_BASE_URL", &max.base)
            .with("WORKER_POLL_MS", "100")
            .with("CAMPAIGN_RATE_PER_SEC", "1000"),
    )
    .await;
    // Three verified teachers of region 16 with consent, one teacher of 77 with consent,
    // one of 16 without consent, one of 16 whose consent predates the notice that names
    // announcements (it does not cover them).
    for (id, name) in [(810_001, "Анна"), (810_002, "Вера"), (810_003, "Галина")] {
        app.verified_max_teacher(id, name, "Учитель").await;
    }
    let other = launch(&app, 810_004, "").await;
    app.patch_as(
        "/api/v1/me",
        &other,
        &json!({ "region": "77", "consent_version": shared::users::CONSENT_VERSION }),
    )
    .await;
    let earlier = launch(&app, 810_007, "").await;
    let response = app
        .patch_as(
            "/api/v1/me",
            &earlier,
            &json!({ "region": "16", "consent_version": "2026-11" }),
        )
        .await;
    assert_eq!(response.status(), 200, "earlier consent's profile");
    // A college (СПО) teacher of region 16 with consent: not in a campaign for schools.
    let college = launch(&app, 810_006, "").await;
    let response = app
        .patch_as(
            "/api/v1/me",
            &college,
            &json!({ "region": "16", "consent_version": shared::users::CONSENT_VERSION, "education_level": "spo" }),
        )
        .await;
    assert_eq!(response.status(), 200, "college teacher's profile");
    let no_consent = launch(&app, 810_005, "").await;
    app.patch_as("/api/v1/me", &no_consent, &json!({ "region": "16" }))
        .await;

    let federal = app.dev_login("federal", None, "Федеральный", true).await;
    let body = json!({
        "title": "Запуск в Татарстане",
        "text": "*Помощник* теперь отвечает на вопросы о документах.",
        "button_text": "Открыть «Помощник»",
        "button_start": null,
        "regions": ["16"],
        "levels": ["school"],
        "verified_only": false,
        "start_at": chrono::Utc::now().to_rfc3339()
    });
    // Bad input is a Russian problem+json.
    let mut long = body.clone();
    long["text"] = json!("я".repeat(4001));
    let response = create(&app, &federal.access, "c-long", &long).await;
    assert_eq!(response.status(), 422);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("4000"),
        "{problem}"
    );

    let response = create(&app, &federal.access, "c-1", &body).await;
    assert_eq!(response.status(), 201);
    let first: Value = response.json().await.unwrap();
    let replay: Value = create(&app, &federal.access, "c-1", &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        replay["id"], first["id"],
        "Idempotency-Key replays the campaign"
    );
    let id = first["id"].as_str().unwrap().to_owned();
    assert_eq!(first["status"], "scheduled");
    let done = wait_for_status(&app, &federal.access, &id, "done").await;
    assert_eq!(done["recipients"], 3, "{done}");

    // Each of the region's teachers with consent got exactly one message, with the buttons.
    for max_id in [810_001, 810_002, 810_003] {
        let got = messages_to(&max, max_id);
        assert_eq!(got.len(), 1, "one message to {max_id}");
        assert!(got[0].body.contains("Отписаться"), "{}", got[0].body);
        assert!(
            got[0].body.contains(&format!("campaign-{id}")),
            "{}",
            got[0].body
        );
    }
    assert!(messages_to(&max, 810_004).is_empty(), "another region");
    assert!(messages_to(&max, 810_005).is_empty(), "no consent");
    assert!(
        messages_to(&max, 810_007).is_empty(),
        "a consent that does not name announcements"
    );
    assert!(
        messages_to(&max, 810_006).is_empty(),
        "another education level"
    );

    // An opening through the button's deep link counts in the reach.
    launch(&app, 810_001, &format!("campaign-{id}")).await;
    let reach: Value = app
        .get_as(&format!("/api/v1/campaigns/{id}/reach"), &federal.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reach["total"]["delivered"], 3, "{reach}");
    assert_eq!(reach["total"]["sent"], 3, "{reach}");
    assert!(reach["total"]["opened"].as_i64().unwrap() >= 1, "{reach}");
    assert_eq!(reach["rows"][0]["region"], "16", "{reach}");
    assert_eq!(reach["rows"][0]["level"], "school", "{reach}");
    let csv = app
        .get_as(
            &format!("/api/v1/campaigns/{id}/reach.csv"),
            &federal.access,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Всего;"), "{csv}");

    // «Отписаться» is honoured: the next campaign skips that teacher.
    let press = json!({
        "update_type": "message_callback", "timestamp": 1_764_200_000_000_i64,
        "callback": { "callback_id": "cb-unsub", "payload": format!("unsub:{id}"),
                      "user": { "user_id": 810_002, "name": "Вера" } }
    });
    let response = app
        .client
        .post(app.url("/api/v1/max/webhook"))
        .header("X-Max-Bot-Api-Secret", SECRET)
        .json(&press)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut second_body = body.clone();
    second_body["title"] = json!("Вторая");
    let second: Value = create(&app, &federal.access, "c-2", &second_body)
        .await
        .json()
        .await
        .unwrap();
    let second_id = second["id"].as_str().unwrap().to_owned();
    wait_for_status(&app, &federal.access, &second_id, "done").await;
    assert_eq!(messages_to(&max, 810_001).len(), 2);
    assert_eq!(messages_to(&max, 810_002).len(), 1, "unsubscribed");
    let reach: Value = app
        .get_as(
            &format!("/api/v1/campaigns/{second_id}/reach"),
            &federal.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reach["total"]["skipped"], 1, "{reach}");
    assert_eq!(reach["total"]["delivered"], 2, "{reach}");

    // A head of another region: the campaign is not there, and region 16 is not theirs.
    let head = app
        .dev_login("regional_head", Some("77"), "Глава", true)
        .await;
    let response = app
        .get_as(&format!("/api/v1/campaigns/{id}"), &head.access)
        .await;
    assert_eq!(response.status(), 404);
    let list: Value = app
        .get_as("/api/v1/campaigns", &head.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let response = create(&app, &head.access, "h-1", &body).await;
    assert_eq!(response.status(), 403);
    let mut own = body.clone();
    own["regions"] = json!(["77"]);
    own["start_at"] = Value::Null;
    let response = create(&app, &head.access, "h-2", &own).await;
    assert_eq!(response.status(), 201);
    let draft: Value = response.json().await.unwrap();
    assert_eq!(draft["status"], "draft");
    let cancelled: Value = app
        .post_as(
            &format!("/api/v1/campaigns/{}/cancel", draft["id"].as_str().unwrap()),
            &head.access,
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
}

fn decode_png(bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn a_promo_code_has_a_qr_code_of_its_link_a_poster_and_counted_launches() {
    let app =
        spawn_app_with(Overrides::default().with("PROMO_LINK_BASE", "https://max.ru/test_bot"))
            .await;
    let head = app
        .dev_login("regional_head", Some("16"), "Глава", true)
        .await;
    let response = app
        .with_token(reqwest::Method::POST, "/api/v1/promo", &head.access)
        .header("Idempotency-Key", "p-1")
        .json(&json!({ "title": "Плакат в школах Казани", "region": "16" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let promo: Value = response.json().await.unwrap();
    let code = promo["code"].as_str().unwrap();
    let link = promo["link"].as_str().unwrap();
    assert_eq!(
        link,
        format!("https://max.ru/test_bot?startapp=promo-{code}")
    );
    let id = promo["id"].as_str().unwrap();

    let png = app.get(&format!("/api/v1/promo/{id}/qr.png")).await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert_eq!(decode_png(&png.bytes().await.unwrap()), link);
    let svg = app
        .get(&format!("/api/v1/promo/{id}/qr.svg"))
        .await
        .text()
        .await
        .unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    let poster = app
        .get(&format!("/api/v1/promo/{id}/poster"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        poster.contains("Есть вопросы по бюрократической нагрузке на педагогического работника?")
    );
    assert!(poster.contains("@page"), "print CSS");

    launch(&app, 820_001, &format!("promo-{code}")).await;
    let list: Value = app
        .get_as("/api/v1/promo", &head.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["launches"], 1, "{list}");
    // Another region's head does not see it.
    let other = app
        .dev_login("regional_head", Some("77"), "Другой", true)
        .await;
    let list: Value = app
        .get_as("/api/v1/promo", &other.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_reach_downloads_as_xlsx_with_the_same_figures() {
    use calamine::{Data, Reader, Xlsx};
    let max = standins::start(|_| HttpResponse::Ok().json(json!({ "success": true })));
    let app = spawn_app_with(
        Overrides::default()
            .with("MAX_API_BASE_URL", &max.base)
            .with("WORKER_POLL_MS", "100")
            .with("CAMPAIGN_RATE_PER_SEC", "1000"),
    )
    .await;
    for (id, name) in [(820_001, "Анна"), (820_002, "Вера")] {
        app.verified_max_teacher(id, name, "Учитель").await;
    }
    let federal = app.dev_login("federal", None, "Федеральный", true).await;
    let body = json!({
        "title": "Охват в Excel",
        "text": "*Помощник* отвечает на вопросы о документах.",
        "button_text": "Открыть «Помощник»",
        "button_start": null,
        "regions": ["16"],
        "levels": ["school"],
        "verified_only": false,
        "start_at": chrono::Utc::now().to_rfc3339()
    });
    let created: Value = create(&app, &federal.access, "x-1", &body)
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    wait_for_status(&app, &federal.access, &id, "done").await;
    launch(&app, 820_001, &format!("campaign-{id}")).await;

    let response = app
        .get_as(
            &format!("/api/v1/campaigns/{id}/reach.xlsx"),
            &federal.access,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("campaign-{id}.xlsx")));
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["Охват"]);
    let sheet = book.worksheet_range("Охват").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 3, "header, region 16 × school, total");
    assert_eq!(rows[0][0], Data::String("Регион".into()));
    assert_eq!(
        rows[0][8],
        Data::String("Открыли, % от доставленных".into())
    );
    let figures = |row: &[Data]| -> Vec<f64> {
        row[2..9]
            .iter()
            .map(|cell| match cell {
                Data::Float(x) => *x,
                Data::Int(n) => *n as f64,
                other => panic!("not a number: {other:?}"),
            })
            .collect()
    };
    // recipients, sent, delivered, failed, skipped, opened, open rate (a share of 1).
    let expected = [2.0, 2.0, 2.0, 0.0, 0.0, 1.0, 0.5];
    assert_eq!(rows[1][0], Data::String("16".into()));
    assert_eq!(rows[1][1], Data::String("Школа".into()));
    assert_eq!(figures(rows[1]), expected);
    assert_eq!(rows[2][0], Data::String("Всего".into()));
    assert_eq!(figures(rows[2]), expected);
    // The JSON says the same.
    let reach: Value = app
        .get_as(&format!("/api/v1/campaigns/{id}/reach"), &federal.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reach["total"]["opened"], 1, "{reach}");
    assert_eq!(reach["total"]["open_rate"], 50.0, "{reach}");

    // A head of another region gets no file.
    let head = app
        .dev_login("regional_head", Some("77"), "Глава", true)
        .await;
    let response = app
        .get_as(&format!("/api/v1/campaigns/{id}/reach.xlsx"), &head.access)
        .await;
    assert_eq!(response.status(), 404);
}
