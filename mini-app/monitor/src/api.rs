//! The statistics module's calls. The generic request and what the staff module shares are
//! re-exported from `staff_app::api`.

use mini_app_client::{request, Method};
pub use staff_app::api::{download, load_into, query, ApiError};

use shared::stats::{
    OperatorStats, RegionStats, StatsOperators, StatsRegions, StatsSummary, StatsTimeseries,
    TimeseriesPoint,
};

/// `GET /api/v1/stats/summary?from=&to=`.
///
/// # Errors
/// See [`request`].
pub async fn stats_summary(period: String) -> Result<StatsSummary, ApiError> {
    request(Method::Get, &format!("/api/v1/stats/summary{period}"), None).await
}

/// `GET /api/v1/stats/timeseries?from=&to=&bucket=`: the points.
///
/// # Errors
/// See [`request`].
pub async fn stats_timeseries(query: String) -> Result<Vec<TimeseriesPoint>, ApiError> {
    let path = format!("/api/v1/stats/timeseries{query}");
    let answer: StatsTimeseries = request(Method::Get, &path, None).await?;
    Ok(answer.items)
}

/// `GET /api/v1/stats/regions?from=&to=`: one row per region of the scope.
///
/// # Errors
/// See [`request`].
pub async fn stats_regions(period: String) -> Result<Vec<RegionStats>, ApiError> {
    let path = format!("/api/v1/stats/regions{period}");
    let answer: StatsRegions = request(Method::Get, &path, None).await?;
    Ok(answer.items)
}

/// `GET /api/v1/stats/operators?from=&to=`: one row per operator of the scope.
///
/// # Errors
/// See [`request`].
pub async fn stats_operators(period: String) -> Result<Vec<OperatorStats>, ApiError> {
    let path = format!("/api/v1/stats/operators{period}");
    let answer: StatsOperators = request(Method::Get, &path, None).await?;
    Ok(answer.items)
}

/// `GET /api/v1/stats/me?from=&to=`: the calling operator's own row, if any.
///
/// # Errors
/// See [`request`].
pub async fn stats_mine(period: String) -> Result<Option<OperatorStats>, ApiError> {
    let path = format!("/api/v1/stats/me{period}");
    let answer: StatsOperators = request(Method::Get, &path, None).await?;
    Ok(answer.items.into_iter().next())
}
