//! The committed `openapi/openapi.json` must equal what the code generates. Regenerate with
//! `cargo run -p api -- openapi openapi/openapi.json`.

#[test]
fn committed_spec_matches_the_code() {
    let path = integration_tests::workspace_root().join("openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).expect("openapi/openapi.json exists");
    let committed: serde_json::Value = serde_json::from_str(&committed).expect("valid JSON");
    let generated = serde_json::to_value(api::openapi::document()).expect("serializes");
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `cargo run -p api -- openapi openapi/openapi.json`"
    );
}

/// Whether a text has Russian letters in it.
fn is_russian(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё'))
}

/// Every `summary` and `description` string anywhere in `value`, with its JSON path.
fn texts(value: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let here = format!("{path}/{key}");
                match value {
                    serde_json::Value::String(text) if key == "summary" || key == "description" => {
                        out.push((here, text.clone()));
                    }
                    // Examples are data, not text for readers.
                    _ if key == "example" || key == "examples" => {}
                    _ => texts(value, &here, out),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                texts(item, &format!("{path}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Integrators are Russian regional systems: every summary and description of the published
/// document is Russian. The English doc comments stay for developers; their Russian lives in
/// `api/src/routes/openapi_ru.tsv`, one line per location, and no line may name a location
/// that no longer exists.
#[test]
fn the_document_is_in_russian() {
    use api::routes::openapi_ru;
    let entries = openapi_ru::entries().unwrap_or_else(|error| panic!("{error}"));
    let mut doc = api::openapi::document();

    let mut english = Vec::new();
    let mut locations = std::collections::BTreeSet::new();
    openapi_ru::visit(&mut doc, &mut |key, text| {
        locations.insert(key.to_owned());
        if !is_russian(text) {
            english.push(format!("{key}\t{}", text.replace('\n', "\\n")));
        }
    });
    english.dedup();
    assert!(
        english.is_empty(),
        "{} English text(s) in the OpenAPI document: add a line `<key><TAB><Russian text>` for \
         each to {} (keys sorted, `\\n` for a line break), then regenerate \
         openapi/openapi.json. Missing (key and the English to translate):\n{}",
        english.len(),
        openapi_ru::FILE,
        english.join("\n")
    );

    let stale: Vec<&str> = entries
        .keys()
        .copied()
        .filter(|key| !locations.contains(*key))
        .collect();
    assert!(
        stale.is_empty(),
        "{} names location(s) the document no longer has (an operation, parameter, schema or \
         field renamed or removed, or its doc comment gone): rename or delete these lines: {:?}",
        openapi_ru::FILE,
        stale
    );

    // Anything the visitor does not reach (a new kind of place for text) is caught here.
    let mut all = Vec::new();
    texts(
        &serde_json::to_value(&doc).expect("serializes"),
        "",
        &mut all,
    );
    let unreached: Vec<String> = all
        .into_iter()
        .filter(|(_, text)| !is_russian(text))
        .map(|(path, text)| format!("{path}: {text}"))
        .collect();
    assert!(
        unreached.is_empty(),
        "English text at places `openapi_ru::visit` does not reach: teach it these places \
         (api/src/routes/openapi_ru.rs) and add their lines to {}:\n{}",
        openapi_ru::FILE,
        unreached.join("\n")
    );
}
