//! The mini-app as the api serves it: headers, precompressed assets, and a real headless
//! Chromium that loads `/#/regions` and shows the regions fetched from the API.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use integration_tests::{spawn_app, workspace_root, TestApp};

/// Asset paths referenced by the served index.html (`/assets/...`).
async fn asset_paths(app: &TestApp) -> Vec<String> {
    let html = app.get("/").await.text().await.unwrap();
    let mut paths: Vec<String> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with("/assets/"))
        .map(str::to_owned)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[tokio::test]
async fn index_is_revalidated_and_locked_down_by_csp() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(
        response.status(),
        200,
        "build the mini-app first: scripts/build-mini-app"
    );
    let headers = response.headers();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval' https://st.max.ru"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(html.contains("lang=\"ru\""));
    assert!(!html.contains("<script>"), "no inline scripts");
}

#[tokio::test]
async fn hashed_assets_are_precompressed_and_cached_for_long() {
    let app = spawn_app().await;
    let paths = asset_paths(&app).await;
    assert!(paths.iter().any(|p| p.ends_with(".js")), "{paths:?}");
    for path in &paths {
        let response = app
            .client
            .get(app.url(path))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-encoding"], "gzip", "{path}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let plain = app
            .client
            .get(app.url(path))
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
    }
    // The wasm module must be served as application/wasm (streaming compilation needs it).
    let wasm = paths
        .iter()
        .find(|p| p.ends_with(".wasm"))
        .expect("index preloads the wasm module");
    let response = app.get(wasm).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/wasm");
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium on a URL with extra arguments; returns stdout.
async fn chromium(url: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::new("/usr/bin/chromium");
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(90), command.output())
        .await
        .expect("chromium finished in time")
        .expect("chromium runs (scripts/test installs it)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn chromium_renders_the_region_list_from_the_api() {
    let app = spawn_app().await;
    // The home screen needs a sign-in; the regions are a reference page open to anyone.
    let dom = chromium(&app.url("/#/regions"), &["--dump-dom".to_owned()]).await;
    // Region names are not in the static HTML: they can only come from the running app.
    let static_html = app.get("/").await.text().await.unwrap();
    assert!(!static_html.contains("Камчатский край"));
    assert!(
        dom.contains("Камчатский край"),
        "the app did not render regions:\n{dom}"
    );
    assert!(dom.contains("Республика Адыгея"));

    let shot = screenshot_dir().join("regions-360x640.png");
    chromium(
        &app.url("/#/regions"),
        &[
            "--window-size=360,640".to_owned(),
            format!("--screenshot={}", shot.display()),
        ],
    )
    .await;
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
}
