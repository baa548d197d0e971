//! The profile: completing it with consent at first sign-in ([`OnboardingPage`]), editing it
//! later ([`ProfilePage`]), and erasing the personal data.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{Me, NotifySettings, UpdateMe};

use mini_app_client::ErrorLine;
use teacher_app::api;
use teacher_app::components::{
    region_options, require, BackLink, CheckField, Done, FormAlert, FormValues, SelectField,
    TextField, VerificationCard,
};
use teacher_app::ctx::ctx;
use teacher_app::max;
use teacher_app::router::{self, Route};
use teacher_app::strings;

use super::help::HelpPage;

/// The label of the button that opens «Помощь».
const HELP: &str = "Помощь";

const FIELDS: &[&str] = &[
    "surname",
    "name",
    "patronymic",
    "region",
    "school",
    "position",
    "email",
    "consent",
];

/// First sign-in: the privacy notice, consent, and the profile. Also the updated notice
/// asked again of a teacher who agreed to an earlier one, who may decline it instead.
#[component]
pub fn OnboardingPage() -> impl IntoView {
    let again = ctx()
        .me
        .with_untracked(|m| m.as_ref().is_some_and(|m| m.consent_version.is_some()));
    view! {
        <h1>{if again { crate::strings::RECONSENT_TITLE } else { strings::WELCOME_TITLE }}</h1>
        <p class="lead">{if again { crate::strings::RECONSENT_LEAD } else { strings::WELCOME_LEAD }}</p>
        <section class="card privacy" aria-labelledby="privacy-title">
            <h2 id="privacy-title" class="card-title">{strings::PRIVACY_TITLE}</h2>
            {strings::PRIVACY.iter().map(|p| view! { <p>{*p}</p> }).collect_view()}
        </section>
        <ProfileForm consent=true/>
        {again.then(decline)}
    }
}

/// «Не согласен» with the updated notice (the lead above says what it means): recorded
/// (`PUT /api/v1/me/consent`), and the teacher goes on where they were, their appeals without
/// the name for leadership and the region's systems.
fn decline() -> impl IntoView {
    let ctx = ctx();
    let error = RwSignal::new(None::<String>);
    let decline = move |_| {
        let body = mini_app_client::json_body(&shared::users::ConsentAnswer {
            version: strings::CONSENT_VERSION.to_owned(),
            accepted: false,
        });
        // The profile read again says it was declined: not asked again.
        crate::onboard::call_then_reread(
            ctx,
            (api::Method::Put, "/api/v1/me/consent", Some(body)),
            error,
        );
    };
    view! {
        <button type="button" id="consent-decline" class="button secondary wide"
            on:click=decline>{crate::strings::DECLINE}</button>
        <ErrorLine message=error/>
    }
}

/// The profile fields; with `consent`, also the consent checkbox (sent as
/// `consent_version`).
#[component]
pub fn ProfileForm(consent: bool) -> impl IntoView {
    let ctx = ctx();
    let me = ctx.me.get_untracked();
    let me = me.as_ref();
    let value = |f: fn(&Me) -> Option<&String>| me.and_then(f).cloned().unwrap_or_default();
    let notify = me.map(|m| m.notify).unwrap_or_default();
    let errors = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        let form = FormValues::take(&ev);
        let body = UpdateMe {
            surname: Some(form.text("surname")),
            name: Some(form.text("name")),
            patronymic: Some(form.text("patronymic")),
            region: Some(form.text("region")),
            school: Some(form.text("school")),
            position: Some(form.text("position")),
            email: Some(form.text("email")),
            notify: Some(NotifySettings {
                new_appeal_email: form.checked("notify-events"),
                daily_digest_email: form.checked("notify-digest"),
            }),
            consent_version: consent.then(|| strings::CONSENT_VERSION.to_owned()),
            education_level: None,
            inn: None,
            ogrn: None,
        };
        let filled = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        if let Some(error) = require(&[
            ("surname", filled(&body.surname), strings::FILL_SURNAME),
            ("name", filled(&body.name), strings::FILL_NAME),
            ("region", filled(&body.region), strings::FILL_REGION),
            (
                "consent",
                !consent || form.checked("consent"),
                strings::FILL_CONSENT,
            ),
        ]) {
            max::notify(false);
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        done.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::update_me(body).await {
                Ok(me) => {
                    max::notify(true);
                    ctx.me.set(Some(me));
                    if consent {
                        router::go(&Route::Home);
                    } else {
                        done.set(Some(strings::SAVED));
                    }
                }
                Err(error) => {
                    max::notify(false);
                    errors.set(Some(error));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <form id="profile-form" class="card" novalidate on:submit=submit>
            <h2 class="card-title">{strings::PERSONAL}</h2>
            <TextField id="surname" field="surname" label=strings::SURNAME autocomplete="family-name" value=value(|m| m.surname.as_ref()) errors required=true/>
            <TextField id="name" field="name" label=strings::NAME autocomplete="given-name" value=value(|m| m.name.as_ref()) errors required=true/>
            <TextField id="patronymic" field="patronymic" label=strings::PATRONYMIC autocomplete="additional-name" value=value(|m| m.patronymic.as_ref()) errors/>
            <SelectField id="region" field="region" label=strings::REGION value=value(|m| m.region.as_ref()) errors options=region_options(ctx.regions) required=true/>
            <TextField id="school" field="school" label=strings::SCHOOL hint=strings::SCHOOL_HINT autocomplete="organization" value=value(|m| m.school.as_ref()) errors/>
            <TextField id="position" field="position" label=strings::POSITION hint=strings::POSITION_HINT autocomplete="organization-title" value=value(|m| m.position.as_ref()) errors/>
            <TextField id="email" field="email" label=strings::EMAIL hint=strings::EMAIL_HINT kind="email" autocomplete="email" value=value(|m| m.email.as_ref()) errors/>
            <fieldset class="group">
                <legend>{strings::NOTIFY}</legend>
                <CheckField id="notify-events" label=strings::NOTIFY_EVENTS checked=notify.new_appeal_email errors/>
                <CheckField id="notify-digest" label=strings::NOTIFY_DIGEST checked=notify.daily_digest_email errors/>
            </fieldset>
            {consent.then(|| view! {
                <CheckField id="consent" field="consent" label=strings::CONSENT errors/>
            })}
            <FormAlert errors fields=FIELDS/>
            <Done message=done/>
            <button type="submit" class="button wide" disabled=busy>
                {if consent { strings::CONTINUE } else { strings::SAVE }}
            </button>
        </form>
    }
}

/// `#/profile`: the profile screen, or «Помощь» over it (opened by its button, or at once
/// by the link `#/profile?help`).
#[component]
pub fn ProfilePage() -> impl IntoView {
    let asked = window()
        .location()
        .hash()
        .is_ok_and(|hash| hash.ends_with("?help"));
    let help = RwSignal::new(asked);
    move || {
        if help.get() {
            view! { <HelpPage on_back=move |()| help.set(false)/> }.into_any()
        } else {
            view! { <ProfileScreen help/> }.into_any()
        }
    }
}

/// The status, the profile form, «Помощь», erasing the data and (in a browser) sign-out.
#[component]
fn ProfileScreen(help: RwSignal<bool>) -> impl IntoView {
    let ctx = ctx();
    let verification = ctx
        .me
        .with_untracked(|me| me.as_ref().map(|m| m.verification.clone()));
    let sign_out = move |_| {
        spawn_local(async move {
            api::sign_out().await;
            ctx.signed_out(Some(strings::SIGNED_OUT));
        });
    };
    view! {
        <BackLink href="#/"/>
        <h1>{strings::PROFILE_TITLE}</h1>
        {verification.map(|verification| view! { <VerificationCard verification/> })}
        <a class="button secondary wide" href=Route::Verification.href()>
            {strings::VERIFICATION_TITLE}
        </a>
        <button type="button" id="open-help" class="button secondary wide"
            on:click=move |_| help.set(true)>{HELP}</button>
        <ProfileForm consent=false/>
        <Erase/>
        {(!ctx.in_max).then(|| view! {
            <button type="button" class="button secondary wide" on:click=sign_out>
                {strings::SIGN_OUT}
            </button>
        })}
        <p><a class="back" href=Route::Regions.href()>{strings::NAV_REGIONS}</a></p>
    }
}

/// «Удалить мои данные» with a confirmation step.
#[component]
fn Erase() -> impl IntoView {
    let ctx = ctx();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let erase = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::erase_me().await {
                Ok(()) => {
                    max::notify(true);
                    router::go(&Route::Home);
                    ctx.signed_out(Some(strings::ERASED));
                }
                Err(e) => {
                    max::notify(false);
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="erase-title">
            <h2 id="erase-title" class="card-title">{strings::ERASE_TITLE}</h2>
            <p>{strings::ERASE_TEXT}</p>
            {move || if confirming.get() {
                view! {
                    <div class="confirm" role="alertdialog" aria-labelledby="erase-confirm">
                        <p id="erase-confirm"><strong>{strings::ERASE_CONFIRM_TEXT}</strong></p>
                        <div class="actions">
                            <button type="button" id="erase-yes" class="button danger" disabled=busy on:click=erase>
                                {strings::ERASE_CONFIRM}
                            </button>
                            <button type="button" class="button secondary" on:click=move |_| confirming.set(false)>
                                {strings::CANCEL}
                            </button>
                        </div>
                    </div>
                }.into_any()
            } else {
                view! {
                    <button type="button" id="erase" class="button danger-outline wide" on:click=move |_| confirming.set(true)>
                        {strings::ERASE_TITLE}
                    </button>
                }.into_any()
            }}
            <ErrorLine message=error/>
        </section>
    }
}
