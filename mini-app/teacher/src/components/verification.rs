//! The teacher's verification status as a card: a badge, what it means, and the refusal
//! reason when there is one.

use leptos::prelude::*;
use shared::users::{Verification, VerificationStatus};

use crate::strings;

/// Badge text and CSS modifier of a status.
#[must_use]
pub fn badge(status: VerificationStatus) -> (&'static str, &'static str) {
    match status {
        VerificationStatus::Unverified => (strings::ST_UNVERIFIED, "badge"),
        VerificationStatus::Pending => (strings::ST_PENDING, "badge badge-wait"),
        VerificationStatus::Verified => (strings::ST_VERIFIED, "badge badge-ok"),
        VerificationStatus::Rejected => (strings::ST_REJECTED, "badge badge-bad"),
    }
}

/// Status, explanation and, for a refusal, its reason.
#[component]
pub fn VerificationCard(verification: Verification) -> impl IntoView {
    let (text, class) = badge(verification.status);
    let explain = match verification.status {
        VerificationStatus::Unverified => strings::TXT_UNVERIFIED,
        VerificationStatus::Pending => strings::TXT_PENDING,
        VerificationStatus::Verified => strings::TXT_VERIFIED,
        VerificationStatus::Rejected => strings::TXT_REJECTED,
    };
    let reason = verification
        .note
        .filter(|n| !n.trim().is_empty() && verification.status == VerificationStatus::Rejected);
    view! {
        <section class="card" id="verification-status" aria-live="polite">
            <h2 class="card-title">
                {strings::STATUS} ": " <span class=class>{text}</span>
            </h2>
            <p>{explain}</p>
            {reason.map(|reason| view! { <p><strong>{strings::REASON} ": "</strong>{reason}</p> })}
        </section>
    }
}
