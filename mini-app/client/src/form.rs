//! Form controls with a label, an optional hint and the field's error, wired for screen
//! readers (`aria-describedby`, `aria-invalid`). Errors come from the api's `errors[]` (see
//! [`ApiError::field`]) or from a local check ([`local_error`]).
//!
//! The controls are uncontrolled: they start from a value and the browser keeps what the
//! user types; the submit handler reads everything at once with [`FormValues`]. That keeps a
//! signal and a binding per field out of the WebAssembly.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use shared::{FieldError, Problem, Region};
use wasm_bindgen::JsCast;
use web_sys::{FormData, HtmlFormElement};

use crate::api::ApiError;
use crate::remote::Remote;
use crate::strings;

/// The last failed submit of a form (or a local check), `None` while all is well.
pub type Errors = RwSignal<Option<ApiError>>;

/// A field error found before sending, shaped like the api's 422.
#[must_use]
pub fn local_error(field: &str, message: &str) -> ApiError {
    ApiError::Problem(Box::new(Problem {
        kind: "about:blank".to_owned(),
        title: String::new(),
        status: 422,
        code: "validation_failed".to_owned(),
        detail: message.to_owned(),
        errors: vec![FieldError {
            field: field.to_owned(),
            code: "required".to_owned(),
            message: message.to_owned(),
        }],
    }))
}

/// The first required field left empty, as an error to show.
#[must_use]
pub fn require(checks: &[(&str, bool, &str)]) -> Option<ApiError> {
    checks
        .iter()
        .find(|(_, filled, _)| !filled)
        .map(|(field, _, message)| local_error(field, message))
}

/// What a submitted form holds, read from the DOM (`FormData`).
pub struct FormValues(Option<FormData>);

impl FormValues {
    /// Stops the browser's own submission and reads the submitted form.
    #[must_use]
    pub fn take(ev: &SubmitEvent) -> Self {
        ev.prevent_default();
        let form = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            .and_then(|form| FormData::new_with_form(&form).ok());
        Self(form)
    }

    /// A control's value as typed (empty when absent), e.g. a password.
    #[must_use]
    pub fn raw(&self, name: &str) -> String {
        self.0
            .as_ref()
            .and_then(|data| data.get(name).as_string())
            .unwrap_or_default()
    }

    /// A text control's value, trimmed (empty when absent).
    #[must_use]
    pub fn text(&self, name: &str) -> String {
        self.raw(name).trim().to_owned()
    }

    /// A text value, `None` when empty.
    #[must_use]
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    /// Whether a checkbox was ticked.
    #[must_use]
    pub fn checked(&self, name: &str) -> bool {
        self.0.as_ref().is_some_and(|data| data.has(name))
    }
}

fn some(s: &'static str) -> Option<&'static str> {
    (!s.is_empty()).then_some(s)
}

/// The error text of `field` and the ids tying it to its control.
fn described(
    id: &'static str,
    field: &'static str,
    hint: &'static str,
    errors: Errors,
) -> (
    impl Fn() -> Option<String> + Copy + Send + Sync + 'static,
    String,
) {
    let error = move || errors.with(|e| e.as_ref().and_then(|e| e.field(field)));
    let describedby = if hint.is_empty() {
        format!("{id}-error")
    } else {
        format!("{id}-hint {id}-error")
    };
    (error, describedby)
}

/// Label, hint, control and error message: the frame every field shares.
fn frame(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    required: bool,
    error: impl Fn() -> Option<String> + Send + Sync + 'static,
    control: AnyView,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>
                {label}
                {required.then(|| view! { <span class="req">{strings::REQUIRED_MARK}</span> })}
            </label>
            {some(hint).map(|hint| view! { <p class="hint" id=format!("{id}-hint")>{hint}</p> })}
            {control}
            <p class="field-error" id=format!("{id}-error")>{error}</p>
        </div>
    }
}

/// A labelled text input starting from `value`.
#[component]
pub fn TextField(
    /// Element id, also the `name` read by [`FormValues`].
    id: &'static str,
    label: &'static str,
    errors: Errors,
    /// The field's name in the api's `errors[]`.
    field: &'static str,
    /// The starting value.
    #[prop(optional, into)]
    value: String,
    /// `type` of the input.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let (error, describedby) = described(id, field, hint, errors);
    let control = view! {
        <input
            id=id
            name=id
            type=kind
            value=value
            autocomplete=some(autocomplete)
            inputmode=some(inputmode)
            aria-required=required.then_some("true")
            aria-invalid=move || error().map(|_| "true")
            aria-describedby=describedby
        />
    };
    frame(id, label, hint, required, error, control.into_any())
}

/// A labelled multi-line input (empty at first).
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    errors: Errors,
    field: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let (error, describedby) = described(id, field, hint, errors);
    let control = view! {
        <textarea
            id=id
            name=id
            rows="3"
            aria-required=required.then_some("true")
            aria-invalid=move || error().map(|_| "true")
            aria-describedby=describedby
        ></textarea>
    };
    frame(id, label, hint, required, error, control.into_any())
}

/// A labelled choice from `options` (`(value, text)` pairs), starting at `value`.
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    errors: Errors,
    field: &'static str,
    /// `(value, text)` pairs; put `("", "Выберите…")` first for an empty choice.
    options: Signal<Vec<(String, String)>>,
    /// The value chosen at first.
    #[prop(optional, into)]
    value: String,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let (error, describedby) = described(id, field, "", errors);
    let control = view! {
        <select
            id=id
            name=id
            aria-required=required.then_some("true")
            aria-invalid=move || error().map(|_| "true")
            aria-describedby=describedby
        >
            {move || {
                options
                    .get()
                    .into_iter()
                    .map(|(v, text)| {
                        let selected = v == value;
                        view! { <option value=v selected=selected>{text}</option> }
                    })
                    .collect_view()
            }}
        </select>
    };
    frame(id, label, "", required, error, control.into_any())
}

/// The regions as options of a [`SelectField`], with an empty «Выберите регион» first.
#[must_use]
pub fn region_options(regions: RwSignal<Remote<Vec<Region>>>) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        let mut options = vec![(String::new(), strings::CHOOSE_REGION.to_owned())];
        if let Remote::Ready(list) = regions.get() {
            options.extend(list.into_iter().map(|r| (r.code, r.name)));
        }
        options
    })
}

/// A checkbox with its label on the right; the whole row is the tap target.
#[component]
pub fn CheckField(
    id: &'static str,
    label: &'static str,
    errors: Errors,
    /// Ticked at first.
    #[prop(optional)]
    checked: bool,
    #[prop(optional)] field: &'static str,
) -> impl IntoView {
    let (error, describedby) = described(id, field, "", errors);
    view! {
        <div class="check">
            <input
                type="checkbox"
                id=id
                name=id
                checked=checked
                aria-invalid=move || error().map(|_| "true")
                aria-describedby=describedby
            />
            <label for=id>{label}</label>
        </div>
        <p class="field-error" id=format!("{id}-error")>{error}</p>
    }
}

/// The form-level message: the api's `detail`, or a pointer to the marked fields.
#[component]
pub fn FormAlert(
    errors: Errors,
    /// Fields shown in this form: their errors appear next to them.
    fields: &'static [&'static str],
) -> impl IntoView {
    let message = move || {
        errors.with(|error| {
            error.as_ref().map(|error| {
                if fields.iter().any(|f| error.field(f).is_some()) {
                    strings::CHECK_FIELDS.to_owned()
                } else {
                    error.message()
                }
            })
        })
    };
    view! { <p class="form-error" role="alert">{message}</p> }
}

/// A quiet confirmation after a successful action.
#[component]
pub fn Done(message: RwSignal<Option<&'static str>>) -> impl IntoView {
    view! {
        <p class="done" role="status">
            {move || message.get()}
        </p>
    }
}
