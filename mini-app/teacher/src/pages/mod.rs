//! One module per screen of the first load; [`crate::app::App`] picks one by the phase and
//! the route. The second module's screens are in `mini-app/more`.

mod ask;
mod home;
mod not_found;
mod region;
mod regions;
mod signed_out;

pub use crate::ctx::AskState;
pub use ask::{deadline_text, resend_pending, send, AskPage};
pub use home::{greeting, HomePage};
pub use not_found::NotFoundPage;
pub use region::RegionPage;
pub use regions::RegionsPage;
pub use signed_out::SignedOutMax;
