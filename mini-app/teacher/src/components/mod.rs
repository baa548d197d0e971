//! Pieces shared by the pages.

mod back;
mod region_row;
mod verification;

pub use back::BackLink;
pub use mini_app_client::form::{
    local_error, region_options, require, CheckField, Done, Errors, FormAlert, FormValues,
    SelectField, TextArea, TextField,
};
pub use mini_app_client::ui::{ErrorBox, Loading};
pub use region_row::RegionRow;
pub use verification::{badge, VerificationCard};
