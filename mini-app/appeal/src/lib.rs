//! «Помощник» appeal module: `#/appeal/<id>` for operators (built around the answer: the
//! composer, the region's templates, «Сейчас открыто также», the teacher's context) and the
//! same appeal read by regional heads and federal supervisors with «На контроль». The staff
//! crate's [`AppealHost`] leaves `#appeal-screen` with the role in `data-role`, the appeal's
//! id in `data-id` and the staff member's in `data-me`, and fetches this module the first
//! time an appeal opens (`<meta name="appeal-module">`); it links the staff crate as a
//! library without its entry point. A module of its own so the staff module stays within
//! its budget.
//!
//! Layout: the screen and its rare actions in [`screen`]; the composer in [`composer`]; the
//! presence marker and the teacher's context in [`side`]; the region's templates in
//! [`templates`]; the header, facts and thread in [`view`]; «На контроль» in [`control`];
//! the calls beside `staff_app::api` in [`calls`].
//!
//! [`AppealHost`]: staff_app::hosted::AppealHost

pub mod calls;
pub mod composer;
pub mod control;
pub mod screen;
pub mod side;
pub mod templates;
pub mod view;

use leptos::prelude::*;
use shared::users::Role;
use staff_app::hosted::APPEAL_MOUNT;
use staff_app::regions::Regions;

/// The element the staff module leaves for this module.
const ROOT: &str = "appeal-screen";

/// Entry point, run by the glue right after the module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    staff_app::hosted::start_in(
        ROOT,
        APPEAL_MOUNT,
        &[Role::Operator, Role::RegionalHead, Role::Federal],
        appeal,
    );
}

/// The appeal named in `#appeal-screen`, as `role` sees it.
fn appeal(role: Role, regions: Regions) -> AnyView {
    let attr = |name: &str| {
        document()
            .get_element_by_id(ROOT)
            .and_then(|el| el.get_attribute(name))
            .unwrap_or_default()
    };
    // Deadlines on the region's clock (`staff_app::format`) read the zones from it.
    provide_context::<Regions>(regions);
    let lead = role != Role::Operator;
    // The leadership come from their list; operators go back to their queue's view.
    let back = if lead {
        "#/list"
    } else {
        staff_app::route::queue_href()
    };
    view! {
        <screen::AppealPage id=attr("data-id") me_id=attr("data-me") regions back lead/>
    }
    .into_any()
}
