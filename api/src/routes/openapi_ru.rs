//! The Russian text of the OpenAPI document. Integrators are Russian regional systems, so
//! the published document speaks Russian, while the doc comments it is generated from stay
//! English for developers. The texts live in `openapi_ru.tsv` beside this file, one line per
//! location of the document, keyed by where the text sits rather than by the English text:
//!
//! - `op:<operationId>`: the summary; a blank line (`\n\n`) then the description, if any;
//! - `param:<operationId>.<name>`, `resp:<operationId>.<status>`, `body:<operationId>`;
//! - `schema:<Name>` and `prop:<Name>.<field>` for components; a generic instance such as
//!   `Page_Appeal` is keyed by its generic name (`Page`), and the item type it inlines by
//!   that type's own name (`Appeal`), so one Russian line serves every instance.
//!
//! [`translate`] puts the Russian in; the drift test uses [`visit`] to require a Russian
//! text at every location and to reject keys that name no location any more.

use std::collections::BTreeMap;

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::ArrayItems;
use utoipa::openapi::{OpenApi, RefOr, Schema};

/// The file with the Russian texts: `key<TAB>text`, sorted by key, `\n` for a line break,
/// `#` starts a comment line.
pub const FILE: &str = "api/src/routes/openapi_ru.tsv";

const TEXT: &str = include_str!("openapi_ru.tsv");

/// The Russian texts by location key.
///
/// # Errors
/// A line without a tab, an empty text, or keys out of order or repeated (the message
/// names the line).
pub fn entries() -> Result<BTreeMap<&'static str, String>, String> {
    let mut entries = BTreeMap::new();
    let mut previous = "";
    for (number, line) in TEXT.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line_no = number + 1;
        let Some((key, text)) = line.split_once('\t') else {
            return Err(format!("{FILE}:{line_no}: no tab between key and text"));
        };
        if text.trim().is_empty() {
            return Err(format!("{FILE}:{line_no}: `{key}` has no text"));
        }
        if key <= previous {
            return Err(format!(
                "{FILE}:{line_no}: `{key}` is not after `{previous}` (keep the keys sorted, \
                 one line each: `LC_ALL=C sort`)"
            ));
        }
        previous = key;
        entries.insert(key, text.replace("\\n", "\n"));
    }
    Ok(entries)
}

/// Replaces every text of the document that has a Russian line. A malformed file changes
/// nothing (the drift test reports it).
pub fn translate(doc: &mut OpenApi) {
    let Ok(entries) = entries() else { return };
    visit(doc, &mut |key, text| {
        if let Some(russian) = entries.get(key) {
            russian.clone_into(text);
        }
    });
}

/// Calls `f` with the key and the text of every non-empty text location of the operations
/// and component schemas.
pub fn visit(doc: &mut OpenApi, f: &mut dyn FnMut(&str, &mut String)) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            visit_operation(operation, f);
        }
    }
    if let Some(components) = doc.components.as_mut() {
        for (name, schema) in &mut components.schemas {
            if let RefOr::T(schema) = schema {
                match name.split_once('_') {
                    Some((generic, item)) => visit_schema(generic, Some(item), schema, f),
                    None => visit_schema(name, None, schema, f),
                }
            }
        }
    }
}

fn visit_operation(operation: &mut Operation, f: &mut dyn FnMut(&str, &mut String)) {
    let id = operation.operation_id.clone().unwrap_or_default();
    // Summary and description are one text, as in the doc comment they come from.
    let summary = operation.summary.take().unwrap_or_default();
    let mut text = match operation.description.take() {
        Some(description) if !description.is_empty() => format!("{summary}\n\n{description}"),
        _ => summary,
    };
    if !text.is_empty() {
        f(&format!("op:{id}"), &mut text);
    }
    let (summary, description) = match text.split_once("\n\n") {
        Some((summary, description)) => (summary.to_owned(), Some(description.to_owned())),
        None => (text, None),
    };
    operation.summary = (!summary.is_empty()).then_some(summary);
    operation.description = description;
    for parameter in operation.parameters.iter_mut().flatten() {
        let key = format!("param:{id}.{}", parameter.name);
        optional(&key, &mut parameter.description, f);
    }
    for (status, response) in &mut operation.responses.responses {
        if let RefOr::T(response) = response {
            if !response.description.is_empty() {
                f(&format!("resp:{id}.{status}"), &mut response.description);
            }
        }
    }
    if let Some(body) = operation.request_body.as_mut() {
        optional(&format!("body:{id}"), &mut body.description, f);
    }
}

fn optional(key: &str, text: &mut Option<String>, f: &mut dyn FnMut(&str, &mut String)) {
    if let Some(text) = text.as_mut().filter(|text| !text.is_empty()) {
        f(key, text);
    }
}

/// Where a schema keeps its description (a `$ref` keeps its own, see the callers).
fn description(schema: &mut Schema) -> Option<&mut Option<String>> {
    match schema {
        Schema::Object(object) => Some(&mut object.description),
        Schema::Array(array) => Some(&mut array.description),
        Schema::OneOf(one_of) => Some(&mut one_of.description),
        Schema::AllOf(all_of) => Some(&mut all_of.description),
        Schema::AnyOf(any_of) => Some(&mut any_of.description),
        _ => None,
    }
}

/// A component schema or an object inlined in one, keyed by `own`. A generic instance such
/// as `Page_Appeal` comes as `own` = `Page` with `inlined` = `Appeal`: the item type it
/// inlines is keyed by its own name; other inlined objects by `<own>.<field>`.
fn visit_schema(
    own: &str,
    inlined: Option<&str>,
    schema: &mut Schema,
    f: &mut dyn FnMut(&str, &mut String),
) {
    let key = format!("schema:{own}");
    if let Some(text) = description(schema) {
        optional(&key, text, f);
    }
    let variants = match schema {
        Schema::Object(object) => {
            for (field, property) in &mut object.properties {
                let inner = inlined.map_or_else(|| format!("{own}.{field}"), str::to_owned);
                visit_property(&format!("prop:{own}.{field}"), &inner, property, f);
            }
            return;
        }
        Schema::OneOf(one_of) => &mut one_of.items,
        Schema::AllOf(all_of) => &mut all_of.items,
        Schema::AnyOf(any_of) => &mut any_of.items,
        _ => return,
    };
    for variant in variants {
        match variant {
            RefOr::Ref(reference) if !reference.description.is_empty() => {
                f(&key, &mut reference.description);
            }
            RefOr::Ref(_) => {}
            RefOr::T(variant) => visit_schema(own, inlined, variant, f),
        }
    }
}

/// One property: its description (also on a `$ref` inside `oneOf: [null, $ref]`, where
/// utoipa puts an optional field's doc comment), and objects inlined in it, keyed `inner`.
fn visit_property(
    key: &str,
    inner: &str,
    property: &mut RefOr<Schema>,
    f: &mut dyn FnMut(&str, &mut String),
) {
    let schema = match property {
        RefOr::Ref(reference) => {
            if !reference.description.is_empty() {
                f(key, &mut reference.description);
            }
            return;
        }
        RefOr::T(schema) => schema,
    };
    if let Some(text) = description(schema) {
        optional(key, text, f);
    }
    let nested: Vec<&mut RefOr<Schema>> = match schema {
        Schema::Array(array) => match &mut array.items {
            ArrayItems::RefOrSchema(items) => vec![items.as_mut()],
            ArrayItems::False => Vec::new(),
        },
        Schema::OneOf(one_of) => one_of.items.iter_mut().collect(),
        Schema::AllOf(all_of) => all_of.items.iter_mut().collect(),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().collect(),
        _ => Vec::new(),
    };
    for item in nested {
        match item {
            RefOr::Ref(reference) if !reference.description.is_empty() => {
                f(key, &mut reference.description);
            }
            RefOr::Ref(_) => {}
            RefOr::T(schema) => visit_schema(inner, None, schema, f),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_is_well_formed() {
        let entries = super::entries().unwrap();
        assert!(entries.keys().all(|key| key.contains(':')));
    }
}
