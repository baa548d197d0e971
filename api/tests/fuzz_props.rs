//! Property-based fuzz targets (proptest, stable Rust) for the code that reads untrusted
//! input: the MAX launch-data validator, the Russian text normaliser of the answer engine,
//! the xmlcalendar parser and the problem+json error mapping.
//!
//! In the test command every property runs a bounded number of cases (`CASES` below);
//! `scripts/fuzz-long` runs the same targets with many more through `PROPTEST_CASES`.
//! Failures are saved to `api/proptest-regressions/fuzz_props.txt` and replayed first on
//! every run: that file is the committed corpus.

use actix_web::body::MessageBody;
use actix_web::ResponseError;
use api::auth::launch_data::{self, Freshness, LaunchDataError};
use api::calendar::{fixed_holiday_name, parse_xmlcalendar, CalendarDay, DayKind};
use api::error::ApiError;
use api::matching::{normalize_text, tokenize, Analyzer};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Cases per property in the test command.
const CASES: u32 = 256;

fn config() -> ProptestConfig {
    let mut config = ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/fuzz_props.txt",
        ))),
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = CASES;
    }
    config
}

// ---------------------------------------------------------------- launch data

const TOKEN: &str = "test-bot-token-1234567890";

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
}

fn freshness() -> Freshness {
    Freshness {
        now: now(),
        max_age_secs: 86_400,
        max_skew_secs: 300,
    }
}

/// Arbitrary text with the characters that matter to the format: `&`, `=`, `%`, `+`,
/// newlines, quotes, Cyrillic, emoji, NUL.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[a-zA-Zа-яА-ЯёЁ0-9 &=%+\n\"'\\\\{}:,\u{0}😀]{0,40}",
    ]
}

prop_compose! {
    /// A correctly signed launch string with its user and deep link.
    fn signed()(
        id in 1i64..i64::MAX,
        first in nasty_text(),
        last in proptest::option::of(nasty_text()),
        age in 0i64..86_400,
        start in proptest::option::of("[a-z0-9_]{1,30}"),
        extra in proptest::collection::btree_map("[a-z]{1,3}x[a-z_]{0,6}", nasty_text(), 0..4),
    ) -> (String, i64, String, Option<String>, Option<String>) {
        let user = serde_json::json!({ "id": id, "first_name": first, "last_name": last }).to_string();
        let auth = (now().timestamp() - age).to_string();
        let mut fields: Vec<(&str, &str)> = vec![("auth_date", &auth), ("user", &user)];
        if let Some(s) = &start {
            fields.push(("start_param", s));
        }
        for (k, v) in &extra {
            fields.push((k, v));
        }
        (launch_data::sign(&fields, TOKEN), id, first, last, start)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn launch_data_never_panics_on_any_text(raw in ".{0,300}") {
        // Random text is never accepted (it cannot carry a valid HMAC).
        prop_assert!(launch_data::validate(&raw, TOKEN, Some(freshness())).is_err());
        prop_assert!(launch_data::validate(&raw, TOKEN, None).is_err());
    }

    #[test]
    fn launch_data_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let raw = String::from_utf8_lossy(&bytes);
        prop_assert!(launch_data::validate(&raw, TOKEN, None).is_err());
    }

    #[test]
    fn launch_data_never_panics_on_pairs(
        pairs in proptest::collection::vec(("[a-z_%0-9A-F]{0,8}", "[a-zA-Z0-9%=&+_.-]{0,20}"), 0..8),
        hash in "[0-9a-fA-F]{0,70}",
    ) {
        let mut raw: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        raw.push(format!("hash={hash}"));
        prop_assert!(launch_data::validate(&raw.join("&"), TOKEN, None).is_err());
    }

    #[test]
    fn correctly_signed_data_is_accepted_with_its_user(
        (raw, id, first, last, start) in signed()
    ) {
        let data = launch_data::validate(&raw, TOKEN, Some(freshness()));
        let data = match data {
            Ok(d) => d,
            Err(e) => return Err(TestCaseError::fail(format!("{e:?} for {raw}"))),
        };
        prop_assert_eq!(data.user.id, id);
        prop_assert_eq!(data.user.first_name, Some(first));
        prop_assert_eq!(data.user.last_name, last);
        prop_assert_eq!(data.start_param, start);
        // The same string percent-encoded once more (as it arrives in the URL fragment).
        let fragment = percent_encoding::utf8_percent_encode(&raw, percent_encoding::NON_ALPHANUMERIC).to_string();
        prop_assert!(launch_data::validate(&fragment, TOKEN, Some(freshness())).is_ok());
    }

    #[test]
    fn only_correctly_signed_data_is_accepted(
        (raw, ..) in signed(),
        at in any::<prop::sample::Index>(),
        other in "[a-zA-Z0-9]",
        wrong_token in "[a-z0-9-]{1,30}",
    ) {
        prop_assume!(wrong_token != TOKEN);
        prop_assert_eq!(
            launch_data::validate(&raw, &wrong_token, None),
            Err(LaunchDataError::BadSignature)
        );
        // Any single changed character breaks it (or the string no longer parses).
        let chars: Vec<char> = raw.chars().collect();
        let i = at.index(chars.len());
        prop_assume!(chars[i].to_string() != other);
        let mut tampered = chars.clone();
        tampered[i] = other.chars().next().unwrap_or('x');
        let tampered: String = tampered.into_iter().collect();
        let verdict = launch_data::validate(&tampered, TOKEN, None);
        // Hex digits (of the hash and of %-escapes) are case-insensitive: a change of
        // case only may keep the same meaning.
        let same_meaning = tampered.eq_ignore_ascii_case(&raw);
        prop_assert!(verdict.is_err() || same_meaning, "{} accepted", tampered);
    }

    #[test]
    fn stale_and_future_data_are_refused(
        (raw, ..) in signed(),
        shift in 86_401i64..10_000_000,
    ) {
        let late = Freshness { now: now() + Duration::seconds(shift), ..freshness() };
        prop_assert_eq!(launch_data::validate(&raw, TOKEN, Some(late)), Err(LaunchDataError::Expired));
        let early = Freshness { now: now() - Duration::seconds(shift), ..freshness() };
        prop_assert_eq!(
            launch_data::validate(&raw, TOKEN, Some(early)),
            Err(LaunchDataError::FromTheFuture)
        );
    }
}

// ---------------------------------------------------------------- normaliser

/// Text as teachers type it: Russian and Latin in both cases, ё, digits, punctuation,
/// decomposed й/ё, plus anything Unicode.
fn russian_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[а-яА-ЯёЁa-zA-Z0-9 ,.?!:;«»\"()—-]{0,80}",
        "[иИеЕ\u{306}\u{308} а-я]{0,40}",
        ".{0,80}",
        any::<Vec<char>>().prop_map(|c| c.into_iter().take(80).collect()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn normaliser_output_is_lower_case_words_and_spaces(text in russian_text()) {
        let out = normalize_text(&text);
        for c in out.chars() {
            prop_assert!(c == ' ' || c.is_alphanumeric(), "{:?} in {:?}", c, out);
            prop_assert!(c.to_lowercase().eq(std::iter::once(c)), "{:?} is not lower-case", c);
            prop_assert!(c != 'ё', "ё is folded to е");
            prop_assert!(!('А'..='Я').contains(&c) && !c.is_ascii_uppercase());
        }
    }

    #[test]
    fn normaliser_is_idempotent(text in russian_text()) {
        let once = normalize_text(&text);
        prop_assert_eq!(normalize_text(&once), once.clone());
        prop_assert_eq!(tokenize(&once), tokenize(&text));
    }

    #[test]
    fn normaliser_ignores_case_and_yo(text in "[а-яА-ЯёЁa-zA-Z0-9 ,.?!-]{0,80}") {
        prop_assert_eq!(normalize_text(&text.to_uppercase()), normalize_text(&text.to_lowercase()));
        prop_assert_eq!(normalize_text(&text.replace('ё', "е")), normalize_text(&text));
    }

    #[test]
    fn decomposed_letters_equal_composed_ones(text in "[а-яА-Я йЙёЁ]{0,60}") {
        let decomposed: String = text
            .chars()
            .flat_map(|c| match c {
                'й' => vec!['и', '\u{306}'],
                'Й' => vec!['И', '\u{306}'],
                'ё' => vec!['е', '\u{308}'],
                'Ё' => vec!['Е', '\u{308}'],
                c => vec![c],
            })
            .collect();
        prop_assert_eq!(normalize_text(&decomposed), normalize_text(&text));
    }

    #[test]
    fn tokens_are_non_empty_words_and_mixed_script_is_fixed(text in russian_text()) {
        for token in tokenize(&text) {
            prop_assert!(!token.is_empty());
            prop_assert!(!token.chars().any(char::is_whitespace));
            if token.chars().any(|c| ('\u{400}'..='\u{4FF}').contains(&c)) {
                // Latin look-alikes inside a Cyrillic word are mapped to Cyrillic.
                prop_assert!(!token.chars().any(|c| "acepoxykmthb".contains(c)), "{}", token);
            }
        }
    }

    #[test]
    fn analyser_never_panics(text in russian_text()) {
        let analyzer = Analyzer::new(&api::matching::default_synonyms());
        let analyzed = analyzer.analyze(&text);
        for token in &analyzed.tokens {
            prop_assert!(!token.stem.is_empty());
        }
    }
}

// ---------------------------------------------------------------- xmlcalendar

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

prop_compose! {
    /// A year of listed days, consistent with the format's rules.
    fn calendar_year()(year in 1900i32..=2199)(
        year in Just(year),
        picks in proptest::collection::btree_map(
            0u32..365,
            (0u8..3, proptest::option::of("[А-Яа-яA-Za-z0-9«»&<>\"'.,-][А-Яа-я0-9 «»&<>\"'.,-]{0,25}[А-Яа-я.»]"), proptest::option::of(0u32..365)),
            0..40,
        ),
    ) -> (i32, Vec<CalendarDay>) {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let mut days = Vec::new();
        for (offset, (kind, title, from)) in picks {
            let date = start + Duration::days(i64::from(offset));
            let kind = match kind {
                0 => DayKind::DayOff,
                1 => DayKind::Shortened,
                _ if is_weekend(date) => DayKind::WorkingWeekend,
                _ => DayKind::Shortened,
            };
            let transferred_from = from.map(|f| start + Duration::days(i64::from(f)));
            let holiday = title.or_else(|| {
                // The parser names an untitled genuine day off after the Labour Code.
                (kind == DayKind::DayOff && transferred_from.is_none())
                    .then(|| fixed_holiday_name(date).map(str::to_owned))
                    .flatten()
            });
            days.push(CalendarDay { date, kind, holiday, transferred_from });
        }
        (year, days)
    }
}

fn to_xml(year: i32, days: &[CalendarDay]) -> String {
    let mut xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<calendar year=\"{year}\" lang=\"ru\">\n<holidays>\n");
    let mut ids = Vec::new();
    for day in days {
        if let Some(title) = &day.holiday {
            let id = match ids.iter().position(|t| t == title) {
                Some(i) => i + 1,
                None => {
                    ids.push(title.clone());
                    xml.push_str(&format!(
                        "<holiday id=\"{}\" title=\"{}\"/>\n",
                        ids.len(),
                        escape(title)
                    ));
                    ids.len()
                }
            };
            let _ = id;
        }
    }
    xml.push_str("</holidays>\n<days>\n");
    for day in days {
        let t = match day.kind {
            DayKind::DayOff => "1",
            DayKind::Shortened => "2",
            _ => "3",
        };
        let mut line = format!("<day d=\"{}\" t=\"{t}\"", day.date.format("%m.%d"));
        if let Some(title) = &day.holiday {
            let id = ids.iter().position(|x| x == title).map_or(0, |i| i + 1);
            line.push_str(&format!(" h=\"{id}\""));
        }
        if let Some(f) = day.transferred_from {
            line.push_str(&format!(" f=\"{}\"", f.format("%m.%d")));
        }
        line.push_str("/>\n");
        xml.push_str(&line);
    }
    xml.push_str("</days>\n</calendar>\n");
    xml
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn calendar_parser_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(parse_xmlcalendar(&text).is_err());
    }

    #[test]
    fn calendar_parser_never_panics_on_near_valid_xml(
        year in "[0-9 -]{0,6}",
        days in proptest::collection::vec(("[0-9.]{0,6}", "[0-9x ]{0,2}", "[0-9 ]{0,2}", "[0-9.]{0,6}"), 0..20),
        junk in "[<>&/=\"a-z ]{0,20}",
    ) {
        let mut xml = format!("<calendar year=\"{year}\"><holidays><holiday id=\"1\" title=\"x\"/></holidays><days>");
        for (d, t, h, f) in &days {
            xml.push_str(&format!("<day d=\"{d}\" t=\"{t}\" h=\"{h}\" f=\"{f}\"/>"));
        }
        xml.push_str(&junk);
        xml.push_str("</days></calendar>");
        if let Ok(parsed) = parse_xmlcalendar(&xml) {
            // Whatever is accepted is a consistent year: sorted, distinct, in the year.
            prop_assert!(parsed.days.windows(2).all(|w| w[0].date < w[1].date));
            prop_assert!(parsed.days.iter().all(|d| d.date.year() == parsed.year));
        } else if let Err(e) = parse_xmlcalendar(&xml) {
            prop_assert!(e.to_string().chars().any(|c| ('а'..='я').contains(&c)), "{}", e);
        }
    }

    #[test]
    fn calendar_round_trips((year, days) in calendar_year()) {
        let xml = to_xml(year, &days);
        let parsed = parse_xmlcalendar(&xml);
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{xml}"))),
        };
        prop_assert_eq!(parsed.year, year);
        prop_assert_eq!(parsed.days, days);
        // A byte-order mark (Windows editors) changes nothing.
        prop_assert_eq!(parse_xmlcalendar(&format!("\u{feff}{xml}")), parse_xmlcalendar(&xml));
    }
}

// ---------------------------------------------------------------- problem+json

fn snake_code() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "already_assigned",
        "invalid_credentials",
        "teacher_not_verified",
        "esia_unavailable",
        "appeal_closed",
    ])
}

fn russian_detail() -> impl Strategy<Value = String> {
    "[А-Я][а-яё ,.«»0-9]{0,60}"
}

fn api_error() -> impl Strategy<Value = ApiError> {
    prop_oneof![
        Just(()).prop_map(|()| ApiError::NotFound),
        Just(()).prop_map(|()| ApiError::RouteNotFound),
        Just(()).prop_map(|()| ApiError::MethodNotAllowed),
        russian_detail().prop_map(ApiError::MalformedBody),
        russian_detail().prop_map(ApiError::MalformedQuery),
        Just(()).prop_map(|()| ApiError::UnsupportedMediaType),
        (0usize..100_000_000).prop_map(|limit| ApiError::PayloadTooLarge { limit }),
        ("[a-z_]{1,20}", "[a-z_]{1,20}", russian_detail())
            .prop_map(|(f, c, m)| ApiError::field(&f, &c, &m)),
        Just(()).prop_map(|()| ApiError::Unauthorized),
        (snake_code(), russian_detail())
            .prop_map(|(code, detail)| ApiError::AuthFailed { code, detail }),
        (snake_code(), russian_detail())
            .prop_map(|(code, detail)| ApiError::Denied { code, detail }),
        Just(()).prop_map(|()| ApiError::Forbidden),
        Just(()).prop_map(|()| ApiError::RegionOutOfScope),
        (snake_code(), russian_detail())
            .prop_map(|(code, detail)| ApiError::Conflict { code, detail }),
        any::<u64>().prop_map(|retry_after| ApiError::RateLimited { retry_after }),
        Just(()).prop_map(|()| ApiError::Unavailable),
        (snake_code(), russian_detail())
            .prop_map(|(code, detail)| ApiError::UpstreamUnavailable { code, detail }),
        ".{0,60}".prop_map(|cause| ApiError::internal(anyhow::anyhow!("секрет-{cause}"))),
    ]
}

/// The code of a variant whose code is fixed (not given by the caller).
fn fixed_code(err: &ApiError) -> Option<&'static str> {
    Some(match err {
        ApiError::NotFound => "not_found",
        ApiError::RouteNotFound => "route_not_found",
        ApiError::MethodNotAllowed => "method_not_allowed",
        ApiError::MalformedBody(_) => "malformed_body",
        ApiError::MalformedQuery(_) => "malformed_query",
        ApiError::UnsupportedMediaType => "unsupported_media_type",
        ApiError::PayloadTooLarge { .. } => "payload_too_large",
        ApiError::Validation { .. } => "validation_failed",
        ApiError::Unauthorized => "unauthorized",
        ApiError::Forbidden => "forbidden",
        ApiError::RegionOutOfScope => "region_out_of_scope",
        ApiError::RateLimited { .. } => "rate_limited",
        ApiError::Unavailable => "service_unavailable",
        ApiError::Internal(_) => "internal_error",
        _ => return None,
    })
}

fn has_cyrillic(text: &str) -> bool {
    text.chars()
        .any(|c| ('а'..='я').contains(&c) || ('А'..='Я').contains(&c))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_error_is_a_problem_document(err in api_error()) {
        let status = err.status_code();
        prop_assert!(status.is_client_error() || status.is_server_error());
        let problem = err.problem();
        prop_assert_eq!(problem.status, status.as_u16());
        prop_assert!(!problem.code.is_empty());
        prop_assert!(problem.code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{}", problem.code);
        if let Some(code) = fixed_code(&err) {
            prop_assert_eq!(problem.code.as_str(), code);
        }
        prop_assert!(has_cyrillic(&problem.detail), "{}", problem.detail);
        prop_assert!(has_cyrillic(&problem.title), "{}", problem.title);
        prop_assert!(!problem.detail.contains("секрет-"), "the cause of an internal error leaks");
        prop_assert_eq!(status.is_server_error(), matches!(
            err,
            ApiError::Internal(_) | ApiError::Unavailable | ApiError::UpstreamUnavailable { .. }
        ));

        let response = err.error_response();
        prop_assert_eq!(response.status(), status);
        prop_assert_eq!(
            response.headers().get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        prop_assert_eq!(response.headers().contains_key("retry-after"), status.as_u16() == 429);
        prop_assert_eq!(response.headers().contains_key("www-authenticate"), status.as_u16() == 401);
        let bytes = response.into_body().try_into_bytes().map_err(|_| TestCaseError::fail("streamed body"))?;
        let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(body["status"].as_u64(), Some(u64::from(status.as_u16())));
        prop_assert_eq!(body["code"].as_str(), Some(problem.code.as_str()));
        prop_assert_eq!(body["detail"].as_str(), Some(problem.detail.as_str()));
    }

    #[test]
    fn any_bad_json_body_maps_to_a_russian_400(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Body { text: String, anonymous: Option<bool> }
        if let Err(e) = serde_json::from_slice::<Body>(&bytes) {
            let err = api::routes::problem::json_error(&actix_web::error::JsonPayloadError::Deserialize(e), 1024);
            prop_assert_eq!(err.status_code().as_u16(), 400);
            prop_assert_eq!(err.code(), "malformed_body");
            prop_assert!(has_cyrillic(&err.detail()));
        }
    }
}

#[test]
fn stable_codes_do_not_depend_on_the_payload() {
    // The same variant with different payloads keeps its code and status.
    let a = ApiError::RateLimited { retry_after: 1 };
    let b = ApiError::RateLimited { retry_after: 99 };
    assert_eq!(a.code(), b.code());
    assert_eq!(a.status_code(), b.status_code());
}
