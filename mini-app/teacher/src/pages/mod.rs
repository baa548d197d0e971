//! One module per screen; [`crate::app::App`] picks one by the phase and the route.

mod answers;
mod appeal;
mod appeals;
mod ask;
mod home;
mod not_found;
mod profile;
mod region;
mod regions;
mod signed_out;
mod verification;

pub use answers::{AnswersPage, ArticlePage};
pub use appeal::AppealPage;
pub use appeals::AppealsPage;
pub use ask::{deadline_text, resend_pending, send, AskPage, AskState};
pub use home::HomePage;
pub use not_found::NotFoundPage;
pub use profile::{greeting, OnboardingPage, ProfileForm, ProfilePage};
pub use region::RegionPage;
pub use regions::RegionsPage;
pub use signed_out::SignedOutMax;
pub use verification::VerificationPage;
