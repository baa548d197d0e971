//! «Помощь»: the help text for teachers and for staff. The texts are the markdown files
//! `data/help/teacher.md` and `data/help/staff.md`, embedded when the api is built, so
//! editing the help is editing those files (no code) and rebuilding; the answer never depends
//! on the machine the api runs on.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

const TEACHER: &str = include_str!("../../../data/help/teacher.md");
const STAFF: &str = include_str!("../../../data/help/staff.md");

/// One audience's help: markdown, paragraphs separated by blank lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpText {
    /// `teacher` or `staff`.
    pub audience: &'static str,
    /// The text in markdown (headings `#`, paragraphs separated by a blank line).
    pub text: &'static str,
}

/// The help text of an audience: `teacher` or `staff`. Public: the page is the same for
/// everyone, and a teacher can read it before signing in.
#[utoipa::path(get, path = "/api/v1/help/{audience}", tag = "help",
    params(("audience" = String, Path, description = "teacher или staff")),
    responses(
        (status = 200, description = "Текст помощи", body = HelpText),
        (status = 404, description = "Нет такой помощи", body = shared::Problem,
            content_type = "application/problem+json"),
    ))]
#[get("/help/{audience}")]
pub async fn get_help(audience: web::Path<String>) -> Result<web::Json<HelpText>, ApiError> {
    let (audience, text) = match audience.as_str() {
        "teacher" => ("teacher", TEACHER),
        "staff" => ("staff", STAFF),
        _ => return Err(ApiError::NotFound),
    };
    Ok(web::Json(HelpText { audience, text }))
}
