//! The second teacher module's screens, one module per screen; [`crate::More`] picks one
//! by the route once the profile is loaded.

mod answers;
mod appeal;
mod appeals;
mod esia;
mod help;
mod profile;
mod verification;

pub use answers::{AnswersPage, ArticlePage};
pub use appeal::AppealPage;
pub use appeals::AppealsPage;
pub use esia::EsiaButton;
pub use profile::{OnboardingPage, ProfileForm, ProfilePage};
pub use verification::VerificationPage;
