//! `#/verification`: the status and, while not verified or pending, the request form.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::users::{Me, VerificationRequest, VerificationStatus};

use teacher_app::api;
use teacher_app::components::{
    region_options, require, BackLink, FormAlert, FormValues, SelectField, TextField,
    VerificationCard,
};
use teacher_app::ctx::ctx;
use teacher_app::max;
use teacher_app::strings;

use super::EsiaButton;

const FIELDS: &[&str] = &["school", "position", "region"];

#[component]
pub fn VerificationPage() -> impl IntoView {
    let ctx = ctx();
    let card = move || {
        ctx.me
            .with(|me| me.as_ref().map(|m| m.verification.clone()))
            .map(|verification| view! { <VerificationCard verification/> })
    };
    let can_request = Memo::new(move |_| {
        ctx.me.with(|me| {
            me.as_ref().is_some_and(|m| {
                matches!(
                    m.verification.status,
                    VerificationStatus::Unverified | VerificationStatus::Rejected
                )
            })
        })
    });
    view! {
        <BackLink href="#/profile"/>
        <h1>{strings::VERIFICATION_TITLE}</h1>
        {decision_banner()}
        {card}
        {move || can_request.get().then(|| view! {
            <EsiaButton/>
            <RequestForm/>
        })}
    }
}

/// The decision on the verification, told once: shown on the first visit after it was
/// taken (`Me::verification_unseen`), then marked seen, so the next visit shows the card only.
fn decision_banner() -> Option<impl IntoView> {
    let ctx = ctx();
    let me = ctx.me.get_untracked().filter(|m| m.verification_unseen)?;
    let text = match me.verification.status {
        VerificationStatus::Verified => crate::strings::DECIDED_OK.to_owned(),
        VerificationStatus::Rejected => {
            let reason = me.verification.note.unwrap_or_default();
            format!(
                "{}: {reason}. {}",
                crate::strings::DECIDED_NO,
                crate::strings::DECIDED_NO_NEXT
            )
        }
        _ => return None,
    };
    // Told: marked seen; the profile read again (the first load's line on the first
    // screen goes).
    crate::onboard::call_then_reread(
        ctx,
        (api::Method::Post, "/api/v1/me/verification/seen", None),
        RwSignal::new(None),
    );
    Some(view! { <p class="notice" id="decision-banner" role="status">{text}</p> })
}

#[component]
fn RequestForm() -> impl IntoView {
    let ctx = ctx();
    let me = ctx.me.get_untracked();
    let value =
        |f: fn(&Me) -> Option<&String>| me.as_ref().and_then(f).cloned().unwrap_or_default();
    let errors = RwSignal::new(None);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        let form = FormValues::take(&ev);
        let body = VerificationRequest {
            school: form.text("v-school"),
            position: form.text("v-position"),
            region: form.opt("v-region"),
            education_level: None,
            inn: None,
            ogrn: None,
        };
        if let Some(error) = require(&[
            ("school", !body.school.is_empty(), strings::FILL_SCHOOL),
            (
                "position",
                !body.position.is_empty(),
                strings::FILL_POSITION,
            ),
            ("region", body.region.is_some(), strings::FILL_REGION),
        ]) {
            max::notify(false);
            errors.set(Some(error));
            return;
        }
        errors.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::request_verification(body).await {
                Ok(me) => {
                    max::notify(true);
                    ctx.me.set(Some(me));
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
        <form id="verification-form" class="card" novalidate on:submit=submit>
            <h2 class="card-title">{strings::VERIFY_FORM_TITLE}</h2>
            <TextField id="v-school" field="school" label=strings::SCHOOL hint=strings::SCHOOL_HINT value=value(|m| m.school.as_ref()) errors required=true/>
            <TextField id="v-position" field="position" label=strings::POSITION hint=strings::POSITION_HINT value=value(|m| m.position.as_ref()) errors required=true/>
            <SelectField id="v-region" field="region" label=strings::REGION value=value(|m| m.region.as_ref()) errors options=region_options(ctx.regions) required=true/>
            <FormAlert errors fields=FIELDS/>
            <button type="submit" class="button wide" disabled=busy>
                {strings::VERIFY_SUBMIT}
            </button>
        </form>
    }
}
