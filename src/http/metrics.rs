//! `GET /metrics`: Prometheus's text format (names in `telemetry/metrics.rs`). Needs the
//! `read` scope, like the other reads: scrapers send `Authorization: Bearer`.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::app::AppState;
use crate::telemetry::metrics;

pub async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    // The store's counts come from the stats cache: a scrape every few seconds costs at
    // most one set of queries per five seconds. A store that does not answer leaves the
    // previous values (and the scrape still answers).
    let snapshot = match app.stats.get(app.store.as_ref(), app.clock.now()).await {
        Ok(snapshot) => Some(snapshot),
        Err(error) => {
            tracing::warn!(error = %error, "metrics: the store's counts are unavailable");
            None
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics::render(snapshot.as_deref().map(|s| (&s.stats, s.computed_at))),
    )
}
