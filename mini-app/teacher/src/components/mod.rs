//! Pieces shared by the pages.

mod region_row;
mod status;

pub use region_row::RegionRow;
pub use status::{ErrorBox, Loading};
