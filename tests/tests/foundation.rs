//! Health, readiness, metrics, the regions list and error answers for bad requests.

use integration_tests::{problem, spawn_app, TestBackend};

#[tokio::test]
async fn healthz_and_readyz_report_the_backend() {
    let app = spawn_app().await;
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");

    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let ready: serde_json::Value = response.json().await.unwrap();
    assert_eq!(ready["migrated"], true);
    let expected = match app.backend {
        TestBackend::Sqlite => "sqlite",
        TestBackend::Postgres => "postgresql",
    };
    assert_eq!(ready["database"], expected);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_app().await;
    app.get("/api/v1/regions").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("pomoshnik_http_requests_total{")
                && l.contains("route=\"/api/v1/regions\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.contains("pomoshnik_database_up"));
}

#[tokio::test]
async fn regions_list_has_all_89_subjects() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/regions").await;
    assert_eq!(response.status(), 200);
    let list: shared::ItemList<shared::Region> = response.json().await.unwrap();
    assert_eq!(list.items.len(), 89);
    assert_eq!(list.items[0].code, "01");
    let moscow = list.items.iter().find(|r| r.code == "77").expect("Moscow");
    assert_eq!(moscow.name, "Москва");
    assert_eq!(moscow.federal_district, "Центральный");
    assert_eq!(moscow.timezone, "Europe/Moscow");
    let codes: std::collections::HashSet<_> = list.items.iter().map(|r| r.code.clone()).collect();
    assert_eq!(codes.len(), 89, "codes are unique");
}

#[tokio::test]
async fn unknown_route_is_a_problem_not_html() {
    let app = spawn_app().await;
    let p = problem(app.get("/api/v1/no-such-thing").await, 404).await;
    assert_eq!(p.code, "route_not_found");
    let p = problem(
        app.client
            .delete(app.url("/api/v1/regions"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert_eq!(p.code, "route_not_found");
    let p = problem(app.get("/../../etc/passwd").await, 404).await;
    assert_eq!(p.code, "route_not_found");
}

#[tokio::test]
async fn api_responses_carry_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/regions").await;
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers().contains_key("referrer-policy"));
}

#[tokio::test]
async fn openapi_document_and_viewer_are_served() {
    let app = spawn_app().await;
    let served: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(served["paths"]["/api/v1/regions"]["get"].is_object());
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(
        html.contains("swagger"),
        "the viewer page is served from the binary"
    );
}

#[tokio::test]
async fn malformed_json_wrong_type_and_oversized_bodies_are_problems() {
    let app = spawn_app().await;
    let post = |body: Vec<u8>, content_type: &'static str| {
        let request = app
            .client
            .post(app.url("/api/v1/auth/max"))
            .header("content-type", content_type)
            .body(body);
        async move { request.send().await.unwrap() }
    };
    let p = problem(
        post(b"{\"init_data\": ".to_vec(), "application/json").await,
        400,
    )
    .await;
    assert_eq!(p.code, "malformed_body");
    let p = problem(
        post(b"{\"init_data\": 42}".to_vec(), "application/json").await,
        400,
    )
    .await;
    assert_eq!(p.code, "malformed_body");
    let p = problem(post(vec![0xff, 0xfe, 0x00], "application/json").await, 400).await;
    assert_eq!(p.code, "malformed_body");
    let p = problem(
        post(b"init_data=x".to_vec(), "application/x-www-form-urlencoded").await,
        415,
    )
    .await;
    assert_eq!(p.code, "unsupported_media_type");
    let huge = format!("{{\"init_data\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let p = problem(post(huge.into_bytes(), "application/json").await, 413).await;
    assert_eq!(p.code, "payload_too_large");
    let p = problem(app.get("/api/v1/admin/users?limit=abc").await, 401).await;
    assert_eq!(p.code, "unauthorized");
}

#[tokio::test]
async fn cors_allows_the_own_origin_and_the_allow_list_only() {
    let app = integration_tests::spawn_app_with(
        integration_tests::Overrides::default()
            .with("CORS_ALLOWED_ORIGINS", "https://partner.example"),
    )
    .await;
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/regions"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let allowed = preflight("https://partner.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://partner.example"
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(refused.status().is_client_error());
    // The mini-app's own requests carry its origin and must pass.
    let own = app.address.clone();
    let same = app
        .client
        .get(app.url("/api/v1/regions"))
        .header("origin", own)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200);
}
