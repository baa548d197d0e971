//! The reference list of regions.

use actix_web::{get, web};
use shared::{ItemList, Region};

use crate::domain::stats::query;
use crate::error::ApiError;
use crate::state::AppState;

/// All 89 subjects of the Russian Federation, ordered by code. A small reference list, so
/// it comes whole.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions",
    responses((status = 200, description = "Список регионов", body = ItemList<Region>)))]
#[get("/regions")]
pub async fn list_regions(
    state: web::Data<AppState>,
) -> Result<web::Json<ItemList<Region>>, ApiError> {
    let items = query::all_regions(&state.db).await?;
    Ok(web::Json(ItemList { items }))
}
