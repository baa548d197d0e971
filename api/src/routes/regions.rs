//! The reference list of regions.

use actix_web::{get, web};
use diesel::prelude::*;
use shared::{ItemList, Region};

use crate::db::{models::RegionRow, schema::regions};
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
    let rows = state
        .db
        .read(|conn| {
            regions::table
                .select(RegionRow::as_select())
                .order(regions::code.asc())
                .load(conn)
                .map_err(ApiError::from)
        })
        .await?;
    Ok(web::Json(ItemList {
        items: rows.into_iter().map(Region::from).collect(),
    }))
}
