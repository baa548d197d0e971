//! [`Remote`]: data that is being fetched, as a page shows it.

use std::future::Future;

use leptos::prelude::{RwSignal, Set};
use leptos::task::spawn_local;

use crate::api::ApiError;

/// Loading, loaded, or failed with a Russian message to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

impl<T> From<Result<T, ApiError>> for Remote<T> {
    fn from(result: Result<T, ApiError>) -> Self {
        match result {
            Ok(value) => Self::Ready(value),
            Err(error) => Self::Failed(error),
        }
    }
}

/// Sets `target` to [`Remote::Loading`], runs `fetch` in the background and stores its
/// outcome. Call it again to retry.
pub fn load_into<T, F>(target: RwSignal<Remote<T>>, fetch: F)
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    target.set(Remote::Loading);
    spawn_local(async move { target.set(fetch.await.into()) });
}
