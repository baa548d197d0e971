//! One module per screen; [`crate::app::App`] picks one by the current route.

mod not_found;
mod region;
mod regions;

pub use not_found::NotFoundPage;
pub use region::RegionPage;
pub use regions::RegionsPage;
