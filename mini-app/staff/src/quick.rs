//! «+ Быстрое»: the operator registers a question received by phone or in a letter
//! (`POST /api/v1/appeals/on-behalf`) — for a teacher of the region found by e-mail, or for
//! someone without an account (name, phone and/or e-mail, one of the operator's regions),
//! with the basis of the person's consent. On success the appeal's own screen opens.
//!
//! The server checks everything (who, region, consent, length); this form only reads the
//! fields and shows the 422's field errors under them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mini_app_client::form::{Errors, FormAlert, FormValues, SelectField, TextArea, TextField};
use mini_app_client::{decode, offline, request_keyed, ApiError, Method};
use shared::appeals::{
    Appeal, Channel, ConsentBasis, CreateAppealOnBehalf, OnBehalfConsent, UnregisteredPerson,
};

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

/// The request the submitted form describes.
fn body(values: &FormValues, registered: bool) -> CreateAppealOnBehalf {
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
        teacher_id: None,
        teacher_email: registered.then(|| values.text("quick-teacher-email")),
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
        let body = body(&values, registered.get_untracked());
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
                    <TextField id="quick-teacher-email" label=TEACHER_EMAIL errors field="teacher_email"
                        kind="email" hint=TEACHER_HINT required=true/>
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
