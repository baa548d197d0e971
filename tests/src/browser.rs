//! A headless Chromium driven over WebDriver: [`Browser::start`] runs `/usr/bin/chromedriver`
//! on a free loopback port (in a process group of its own, with a fresh profile folder) and
//! connects a fantoccini client with the phone viewport of the mini-app (360×640).
//!
//! - [`Browser::add_init_script`] runs a script before any page script, through chromedriver's
//!   DevTools bridge (`Page.addScriptToEvaluateOnNewDocument`): the page's CSP forbids inline
//!   scripts, so this is how tests stand in for MAX's `window.WebApp`.
//! - [`Browser::screenshot`] saves a PNG under [`screenshot_dir`] and then runs the
//!   accessibility check [`Browser::check_a11y`]: axe-core (WCAG 2.1 A and AA) injected
//!   from a local copy ([`axe_core_js`], installed by `scripts/test`, never a CDN), failing
//!   the test with a readable list of every violation.
//! - Dropping the browser (also while a test panics) kills chromedriver and the Chromium it
//!   started: the whole process group.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::workspace_root;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a wait for the page lasts before the test fails.
pub const WAIT: Duration = Duration::from_secs(30);

/// `$CARGO_TARGET_DIR/screenshots` (or `<workspace>/target/screenshots`), created.
#[must_use]
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// The axe-core script the accessibility check injects: `$AXE_CORE_JS`, or the copy
/// `scripts/test` installs into `~/.cache/pomoshnik/axe-core`.
#[must_use]
pub fn axe_core_js() -> PathBuf {
    if let Some(path) = std::env::var_os("AXE_CORE_JS") {
        return PathBuf::from(path);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache/pomoshnik/axe-core/node_modules/axe-core/axe.min.js")
}

/// The axe-core source, read once per test binary.
fn axe_source() -> &'static str {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = axe_core_js();
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing at {} ({e}): scripts/test installs it, or run \
                 `npm install --prefix ~/.cache/pomoshnik/axe-core axe-core`",
                path.display()
            )
        })
    })
}

/// Runs axe with the WCAG 2.0/2.1 A and AA rules and answers the violations as text lines.
const AXE_RUN: &str = r"
var done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations']
}).then(function (r) {
  done(r.violations.map(function (v) {
    var nodes = v.nodes.slice(0, 6).map(function (n) {
      var why = (n.failureSummary || '').split('\n').slice(1, 2).join(' ').trim();
      return '    ' + n.target.join(' ') + ' — ' + n.html.slice(0, 140) + (why ? ' — ' + why : '');
    });
    if (v.nodes.length > 6) { nodes.push('    … and ' + (v.nodes.length - 6) + ' more'); }
    return '  [' + v.impact + '] ' + v.id + ': ' + v.help + '\n' + nodes.join('\n');
  }));
}).catch(function (e) { done(['  axe failed: ' + e]); });
";

/// A Chrome DevTools Protocol command sent through chromedriver
/// (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (reqwest::Method, Option<String>) {
        (
            reqwest::Method::POST,
            Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()),
        )
    }
}

/// chromedriver in its own process group, killed with everything it started.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (it was started with `process_group(0)`), so
        // this ends chromedriver and the Chromium processes it launched, and nothing else.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running headless Chromium and the WebDriver client for it.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    // Field order matters: the client goes first, then the driver, then the profile folder.
    _driver: Driver,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    listener.local_addr().expect("address").port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a 360×640 phone viewport.
    pub async fn start() -> Self {
        let profile = tempfile::tempdir().expect("profile dir");
        let port = free_port();
        let log = profile.path().join("chromedriver.log");
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("chromedriver runs (scripts/test installs chromium-driver)")
        };
        let driver = Driver { child };
        let url = format!("http://127.0.0.1:{port}");
        wait_until_ready(&url).await;

        let data_dir = profile.path().join("chromium");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".to_owned(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--window-size=360,640",
                    format!("--user-data-dir={}", data_dir.display()),
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("a WebDriver session with headless Chromium");
        let browser = Self {
            client,
            _driver: driver,
            _profile: profile,
        };
        browser.viewport(false).await;
        browser
    }

    /// The phone's 360×640 (what [`Browser::start`] opens with), or with `wide` a desktop's
    /// 1280×800.
    pub async fn viewport(&self, wide: bool) {
        if wide {
            self.resize(1280, 800, false).await;
        } else {
            self.resize(360, 640, true).await;
        }
    }

    /// Any viewport; `mobile` makes Chromium lay the page out as a phone's.
    pub async fn resize(&self, width: u32, height: u32, mobile: bool) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await;
    }

    /// Runs a DevTools command through chromedriver.
    pub async fn cdp(&self, cmd: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    /// Makes `source` run in every new document before the page's own scripts.
    pub async fn add_init_script(&self, source: &str) {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await;
    }

    /// Opens a URL.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigation");
    }

    /// Runs JavaScript in the page (`return …` gives a value).
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits for an element to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} within {WAIT:?}: {e}"))
    }

    /// Waits until the element's visible text contains `text`; returns the whole text.
    pub async fn wait_text(&self, css: &str, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if let Ok(found) = element.text().await {
                    if found.contains(text) {
                        return found;
                    }
                    last = found;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = self.body_text().await;
        panic!("{css} did not show «{text}» within {WAIT:?}; it shows «{last}». Page:\n{body}");
    }

    /// Waits until `script` (an expression) is truthy in the page.
    pub async fn wait_js(&self, expression: &str) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            let ok = self
                .client
                .execute(&format!("return !!({expression});"), vec![])
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if ok {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = self.body_text().await;
        panic!("`{expression}` did not become true within {WAIT:?}. Page:\n{body}");
    }

    /// The page's visible text (for failure messages).
    pub async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Types into a field after clearing it.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Picks an option of a `<select>` by value (waiting for the option to be there).
    pub async fn select(&self, css: &str, value: &str) {
        self.find(&format!("{css} option[value=\"{value}\"]")).await;
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .expect("select");
    }

    /// Clicks an element.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Checks the page as it is now with axe-core (WCAG 2.1 A and AA) and fails the test
    /// with the list of violations (rule, impact, the offending elements). `name` names the
    /// screen in the message.
    pub async fn check_a11y(&self, name: &str) {
        let loaded = self
            .js("return typeof window.axe === 'object';")
            .await
            .as_bool()
            .unwrap_or(false);
        if !loaded {
            // WebDriver scripts run outside the page's CSP, so the copy is injected as is.
            self.client
                .execute(&format!("{};\nreturn true;", axe_source()), vec![])
                .await
                .unwrap_or_else(|e| panic!("injecting axe-core failed: {e}"));
        }
        let found = self
            .client
            .execute_async(AXE_RUN, vec![])
            .await
            .unwrap_or_else(|e| panic!("axe-core run failed on {name}: {e}"));
        let lines: Vec<String> = found
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if lines.is_empty() {
            return;
        }
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        let report = format!(
            "accessibility violations (axe-core, WCAG 2.1 A/AA) on «{name}» ({url}):\n{}",
            lines.join("\n")
        );
        // `A11Y_SURVEY=1` appends every screen's violations to `a11y-survey.txt` beside the
        // screenshots without stopping at the first (to survey a change); otherwise any fails.
        if std::env::var_os("A11Y_SURVEY").is_some() {
            use std::io::Write;
            let path = screenshot_dir().join("a11y-survey.txt");
            if let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = writeln!(file, "{report}");
            }
            return;
        }
        panic!("{report}");
    }

    /// Saves a screenshot of the viewport as `<name>.png` in [`screenshot_dir`], then runs
    /// the accessibility check on the same screen ([`Self::check_a11y`]).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // Let fonts and layout settle.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        self.check_a11y(name).await;
        path
    }

    /// Ends the WebDriver session (closing Chromium); the drop then stops chromedriver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

async fn wait_until_ready(url: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(response) = client.get(format!("{url}/status")).send().await {
            if let Ok(status) = response.json::<Value>().await {
                if status["value"]["ready"].as_bool() == Some(true) {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on {url}");
}

/// A stand-in for MAX's `window.WebApp`, recording every call in `window.__max.calls`.
#[must_use]
pub fn max_bridge_stub(init_data: &str, start_param: Option<&str>) -> String {
    let init_data = Value::String(init_data.to_owned());
    let start_param = start_param.map_or(Value::Null, |p| Value::String(p.to_owned()));
    format!(
        r"(function () {{
  var max = {{ calls: [], back: {{ visible: false, handlers: [] }} }};
  window.__max = max;
  function record(name) {{ max.calls.push(name); }}
  window.WebApp = {{
    initData: {init_data},
    initDataUnsafe: {{ start_param: {start_param} }},
    ready: function () {{ record('ready'); }},
    close: function () {{ record('close'); }},
    openLink: function (url) {{ record('openLink:' + url); }},
    BackButton: {{
      show: function () {{ max.back.visible = true; record('BackButton.show'); }},
      hide: function () {{ max.back.visible = false; record('BackButton.hide'); }},
      onClick: function (cb) {{ max.back.handlers.push(cb); record('BackButton.onClick'); }}
    }},
    HapticFeedback: {{
      impactOccurred: function (style) {{ record('impact:' + style); }},
      notificationOccurred: function (type) {{ record('notification:' + type); }}
    }}
  }};
}})();"
    )
}
