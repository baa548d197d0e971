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
