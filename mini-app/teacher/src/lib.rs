//! «Помощник», the teacher's mini-app inside the MAX messenger.
//!
//! A Leptos (client-side rendering) app compiled to WebAssembly. `static/index.html` paints a
//! skeleton first; `static/boot.js` loads the wasm-bindgen glue and the module, and
//! [`start`] then mounts [`app::App`] into `#app`, replacing the skeleton's placeholder.
//! The history, one appeal, the base of answers and the verification request are in a
//! second module (`mini-app/more`, see [`more`]), fetched when needed.
//! Staff users get the staff module (`mini-app/staff`), which the app fetches on demand.
//!
//! Layout: the MAX bridge in [`max`], the teacher's calls in [`api`] (the generic client and
//! the session are in the `mini-app-client` crate), Russian UI text in [`strings`], pages in
//! [`pages`], shared pieces in [`components`], the hash router in [`router`], Russian plural
//! forms in [`plural`].

pub mod api;
pub mod app;
pub mod components;
pub mod ctx;
pub mod draft;
pub mod max;
pub mod more;
pub mod pages;
pub mod plural;
pub mod router;
pub mod strings;
pub mod time;

/// Entry point, run by the glue right after the module is instantiated. Only in the first
/// load's own build (feature `entry`): the second module links this crate as a library.
#[cfg(feature = "entry")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    app::mount();
}
