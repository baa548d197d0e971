//! «+ Быстрое»: the operator registers a question received by phone or in a letter
//! (`POST /api/v1/appeals/on-behalf`) — for a teacher of the region found by name (suggested
//! as the operator types, `GET /api/v1/teachers?q=`) or by e-mail, or for
//! someone without an account (name, phone and/or e-mail, one of the operator's regions),
//! with the basis of the person's consent. On success the appeal's own screen opens.
//!
//! The server checks everything (who, region, consent, length); this form only reads the
//! fields and shows the 422's field errors under them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::form::{Errors, FormAlert, FormValues, SelectField, TextArea, TextField};
use mini_app_client::json::decode_derived;
use mini_app_client::{decode, offline, request_keyed, request_value, ApiError, Method};
use shared::appeals::{
    Appeal, Channel, ConsentBasis, CreateAppealOnBehalf, OnBehalfConsent, TeacherMatch,
    UnregisteredPerson,
};
use shared::Page;

use crate::regions::{region_name, Regions};

/// The privacy notice's current version (the teacher app's `CONSENT_VERSION`): what a
/// person agrees to today unless their letter names another.
const CONSENT_VERSION: &str = "2026-12";

const OPEN: &str = "+ Быстрое";
const TITLE: &str = "Быстрое обращение";
const LEAD: &str = "Вопрос, пришедший по телефону или письмом: он пойдёт тем же путём, что и вопрос из приложения.";
const WHO: &str = "Заявитель";
const WHO_TEACHER: &str = "Педагог с учётной записью";
const WHO_PERSON: &str = "Без учётной записи";
const FIND: &str = "Найти педагога по ФИО";
const FIND_HINT: &str = "Не меньше 3 букв; выберите педагога из списка. Или укажите его почту.";
const TEACHER_EMAIL: &str = "Электронная почта педагога";
const TEACHER_HINT: &str = "Педагог вашего региона, зарегистрированный в «Помощнике».";
const NAME: &str = "ФИО";
const PHONE: &str = "Телефон";
const EMAIL: &str = "Электронная почта";
const CONTACT_HINT: &str = "Телефон или почта — хотя бы что-то одно.";
const REGION: &str = "Регион";
const CHANNEL: &str = "Как пришёл вопрос";
const CHANNELS: [(&str, &str); 2] = [("phone", "Звонок"), ("email", "Письмо")];
const BASIS: &str = "Согласие на обработку персональных данных";
const BASES: [(&str, &str); 2] = [("phone", "Дано по телефону"), ("letter", "Дано в письме")];
const VERSION: &str = "Версия уведомления о персональных данных";
const TEXT: &str = "Вопрос";
const TEXT_HINT: &str = "От 10 до 4000 символов.";
const SEND: &str = "Зарегистрировать";
const CANCEL: &str = "Отмена";

/// Fields shown in the form: their errors appear next to them.
const FIELDS: &[&str] = &[
    "teacher_id",
    "teacher_email",
    "person.name",
    "person.phone",
    "person.email",
    "person.region",
    "channel",
    "consent.basis",
    "consent.version",
    "text",
];

/// The «+ Быстрое» button of the queue's header.
pub fn button() -> impl IntoView {
    view! { <a id="quick-open" class="button small" href="#/quick">{OPEN}</a> }
}

/// `(value, text)` pairs as a [`SelectField`]'s options.
fn options(pairs: &[(&str, &str)]) -> Signal<Vec<(String, String)>> {
    let list: Vec<(String, String)> = pairs
        .iter()
        .map(|(v, t)| ((*v).to_owned(), (*t).to_owned()))
        .collect();
    Signal::derive(move || list.clone())
}

/// How a found teacher is shown: name, school, region.
fn label(t: &TeacherMatch) -> String {
    let mut parts = vec![t.name.as_str()];
    parts.extend(t.school.as_deref());
    parts.push(&t.region.name);
    parts.join(" · ")
}

/// The request the submitted form describes; `chosen` is the teacher picked by name.
fn body(values: &FormValues, registered: bool, chosen: Option<String>) -> CreateAppealOnBehalf {
    let channel = if values.text("quick-channel") == "email" {
        Channel::Email
    } else {
        Channel::Phone
    };
    let basis = if values.text("quick-basis") == "letter" {
        ConsentBasis::Letter
    } else {
        ConsentBasis::Phone
    };
    let person = (!registered).then(|| UnregisteredPerson {
        name: values.text("quick-name"),
        email: values.opt("quick-email"),
        phone: values.opt("quick-phone"),
        region: values.text("quick-region"),
    });
    CreateAppealOnBehalf {
        text: values.text("quick-text"),
        channel: Some(channel),
        teacher_email: (registered && chosen.is_none()).then(|| values.text("quick-teacher-email")),
        teacher_id: chosen.filter(|_| registered),
        person,
        consent: OnBehalfConsent {
            basis,
            version: values.text("quick-version"),
        },
    }
}

/// `POST /api/v1/appeals/on-behalf` with the form's `Idempotency-Key`: the created appeal.
async fn send(body: &CreateAppealOnBehalf, key: &str) -> Result<Appeal, ApiError> {
    let body = mini_app_client::json::encode_derived(body);
    let path = "/api/v1/appeals/on-behalf";
    decode(&request_keyed(Method::Post, path, Some(&body), Some(key)).await?)
}

/// The quick-appeal form of an operator of the regions `codes`.
#[component]
pub fn QuickPage(codes: Vec<String>, regions: Regions, back: &'static str) -> impl IntoView {
    let errors: Errors = RwSignal::new(None);
    let registered = RwSignal::new(true);
    let busy = RwSignal::new(false);
    // Every teacher suggested so far, `(shown text, id)`: the text picked from the list
    // names the `teacher_id` sent.
    let found = StoredValue::new(Vec::<(String, String)>::new());
    // What was typed last: a search starts 300 ms after the last key, and only the latest
    // search's answer is shown.
    let typed = StoredValue::new(0_u32);
    let find = move |ev: leptos::ev::Event| {
        let q = event_target_value(&ev).trim().to_owned();
        let n = typed.get_value().wrapping_add(1);
        typed.set_value(n);
        if q.chars().count() < 3 {
            return;
        }
        let search = move || {
            spawn_local(async move {
                let q = String::from(js_sys::encode_uri_component(&q));
                let path = format!("/api/v1/teachers?limit=10&q={q}");
                let page = request_value(Method::Get, &path, None).await.ok();
                let page = page.and_then(|v| decode_derived::<Page<TeacherMatch>>(&v));
                let Some(page) = page.filter(|p| !p.items.is_empty() && typed.get_value() == n)
                else {
                    return;
                };
                let shown: Vec<(String, String)> = page
                    .items
                    .iter()
                    .map(|t| (label(t), String::new()))
                    .collect();
                if let Some(list) = document().get_element_by_id("quick-found") {
                    list.set_inner_html(&mini_app_client::html::options(&shown, ""));
                }
                found.update_value(|all| {
                    all.extend(page.items.into_iter().map(|t| (label(&t), t.id)));
                });
            });
        };
        set_timeout(
            move || {
                if typed.get_value() == n {
                    search();
                }
            },
            std::time::Duration::from_millis(300),
        );
    };
    // One key per form: a retry after a lost answer cannot register the question twice.
    // A definite answer (an error) means nothing was created, so the next try gets a new one.
    let key = StoredValue::new(offline::new_key());
    let region_choices = Signal::derive(move || {
        codes
            .iter()
            .map(|c| (c.clone(), region_name(regions, c)))
            .collect::<Vec<_>>()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        let values = FormValues::take(&ev);
        if busy.get_untracked() {
            return;
        }
        let picked = values.text("quick-teacher-q");
        let teacher_id = found.with_value(|all| {
            all.iter()
                .find(|(shown, _)| *shown == picked)
                .map(|(_, id)| id.clone())
        });
        let body = body(&values, registered.get_untracked(), teacher_id);
        busy.set(true);
        errors.set(None);
        spawn_local(async move {
            match send(&body, &key.get_value()).await {
                Ok(appeal) => {
                    let _ignored = window()
                        .location()
                        .set_hash(&format!("/appeal/{}", appeal.id));
                }
                Err(e) => {
                    if !matches!(e, ApiError::Network) {
                        key.set_value(offline::new_key());
                    }
                    errors.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    let who = move |value: bool, label: &'static str| {
        view! {
            <label class="check">
                <input type="radio" name="quick-who" checked=value
                    id=if value { "quick-who-teacher" } else { "quick-who-person" }
                    on:change=move |_| registered.set(value)/>
                {label}
            </label>
        }
    };
    view! {
        <h1>{TITLE}</h1>
        <p class="lead">{LEAD}</p>
        <form id="quick-form" class="card" novalidate on:submit=submit>
            <fieldset class="field">
                <legend>{WHO}</legend>
                {who(true, WHO_TEACHER)}
                {who(false, WHO_PERSON)}
            </fieldset>
            {move || if registered.get() {
                view! {
                    <div class="field">
                        <label for="quick-teacher-q">{FIND}</label>
                        <p class="hint" id="quick-teacher-q-hint">{FIND_HINT}</p>
                        <input id="quick-teacher-q" name="quick-teacher-q" list="quick-found"
                            autocomplete="off" aria-describedby="quick-teacher-q-hint" on:input=find/>
                        <datalist id="quick-found"></datalist>
                    </div>
                    <TextField id="quick-teacher-email" label=TEACHER_EMAIL errors field="teacher_email"
                        kind="email" hint=TEACHER_HINT/>
                }.into_any()
            } else {
                view! {
                    <TextField id="quick-name" label=NAME errors field="person.name" required=true/>
                    <TextField id="quick-phone" label=PHONE errors field="person.phone" kind="tel"
                        hint=CONTACT_HINT/>
                    <TextField id="quick-email" label=EMAIL errors field="person.email" kind="email"/>
                    <SelectField id="quick-region" label=REGION errors field="person.region"
                        options=region_choices required=true/>
                }.into_any()
            }}
            <SelectField id="quick-channel" label=CHANNEL errors field="channel" options=options(&CHANNELS)/>
            <SelectField id="quick-basis" label=BASIS errors field="consent.basis" options=options(&BASES)/>
            <TextField id="quick-version" label=VERSION errors field="consent.version" value=CONSENT_VERSION/>
            <TextArea id="quick-text" label=TEXT errors field="text" hint=TEXT_HINT required=true/>
            <FormAlert errors fields=FIELDS/>
            <div class="actions">
                <button type="submit" class="button" disabled=busy>{SEND}</button>
                <a class="button secondary" href=back>{CANCEL}</a>
            </div>
        </form>
    }
}
