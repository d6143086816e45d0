//! The batch check (`POST /v1/check-batch`): a site's nightly sweep over its verified
//! addresses, decided as the recovery check decides each one, within one deadline.
//!
//! - Items are grouped by the domains their address reduces to: a group's first item is
//!   decided (one status read, at most one lookup per domain, under the same pacing,
//!   breakers and cooldowns as single checks), then the rest of the group from what it
//!   left in memory.
//! - The whole batch answers by `LAPSEGUARD_BATCH_DEADLINE_MS`; a domain not decided by
//!   then answers by the "no status" reasons with `retry_after_seconds`, and is put on the
//!   watch list so that the background refresh has it for the next run.
//! - An invalid item (bad address, bad `verified_at`, bad `id`) answers with its problem,
//!   without echoing the input; the others are decided.

use std::collections::HashMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::App;
use crate::domain::decision::Reason;
use crate::domain::name::RegistrableDomain;
use crate::error::{ApiError, Problem};
use crate::telemetry::metrics;
use crate::usecases::check::{CheckQuery, CheckRequest, CheckResponse};

/// At most this many items per batch.
pub const MAX_BATCH_ITEMS: usize = 1_000;

/// The longest `id` an item may carry.
pub const MAX_ID_CHARS: usize = 200;

/// Addresses to decide at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// 1 to 1,000 items.
    #[schema(min_items = 1, max_items = 1000)]
    pub items: Vec<BatchItem>,
}

/// One address of a batch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchItem {
    /// The caller's key for the item (a user id, a row id), echoed in its result; never
    /// an address. At most 200 characters.
    #[schema(example = "user-1842", max_length = 200)]
    pub id: Option<String>,
    /// The email address; only its domain is used, neither stored nor logged.
    #[schema(example = "alice@example.com")]
    pub email: String,
    /// As in `POST /check-recovery-eligible`.
    #[schema(value_type = Option<String>, format = DateTime, example = "2025-03-01T12:00:00Z")]
    pub verified_at: Option<String>,
}

/// The batch's results, in the order of its items.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
}

/// One item's result: its decision, or why it could not be decided.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum BatchResult {
    Decided(DecidedItem),
    Invalid(InvalidItem),
}

/// An item's decision: the object `POST /check-recovery-eligible` answers, with the
/// item's `id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecidedItem {
    /// The item's `id`, when it had one.
    pub id: Option<String>,
    #[serde(flatten)]
    pub decision: CheckResponse,
    /// When the domain could not be decided by the batch's deadline: seconds after which
    /// asking again may find its status (the domain is now watched); null otherwise.
    pub retry_after_seconds: Option<u64>,
}

/// An item that could not be decided: its problem, as the single check would answer it
/// (the input is not echoed).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidItem {
    /// The item's `id`, when it had a valid one.
    pub id: Option<String>,
    pub problem: Problem,
}

/// Decides a batch. A request with no items or more than 1,000 is refused whole.
pub async fn check_batch(app: &App, request: BatchRequest) -> Result<BatchResponse, ApiError> {
    let count = request.items.len();
    if !(1..=MAX_BATCH_ITEMS).contains(&count) {
        return Err(ApiError::BadRequest {
            code: "invalid_batch_size",
            detail: format!("items must hold 1 to {MAX_BATCH_ITEMS} entries, not {count}"),
        });
    }
    let started = Instant::now();
    let deadline = started + app.checker.settings().batch_deadline;
    let now = app.clock.now();
    let mut results: Vec<Option<BatchResult>> = Vec::with_capacity(count);
    let mut queries: Vec<(usize, Option<String>, CheckQuery)> = Vec::new();
    for (index, item) in request.items.into_iter().enumerate() {
        match parse_item(item, now) {
            Ok((id, query)) => {
                queries.push((index, id, query));
                results.push(None);
            }
            Err((id, error)) => results.push(Some(BatchResult::Invalid(InvalidItem {
                id,
                problem: error.problem(),
            }))),
        }
    }
    let mut groups: HashMap<Vec<&str>, Vec<usize>> = HashMap::new();
    for (position, (_, _, query)) in queries.iter().enumerate() {
        let key = query
            .targets
            .iter()
            .map(|t| t.email_domain.as_str())
            .collect();
        groups.entry(key).or_default().push(position);
    }
    let decide = |position: usize| {
        let query = &queries[position].2;
        async move { (position, query.decide_by(&app.checker, deadline).await) }
    };
    let decided = futures_util::future::join_all(groups.into_values().map(|group| async move {
        let (first, rest) = group.split_first().expect("a group has an item");
        let mut decided = vec![decide(*first).await];
        decided.extend(futures_util::future::join_all(rest.iter().map(|&p| decide(p))).await);
        decided
    }))
    .await;
    let retry_after = app.checker.retry_after().as_secs().max(1);
    let mut undecided: Vec<RegistrableDomain> = Vec::new();
    for (position, response) in decided.into_iter().flatten() {
        metrics::check_answered(
            response.reason.as_str(),
            response.source.as_str(),
            started.elapsed(),
        );
        let (index, id, query) = &queries[position];
        let unseen = response.reason == Reason::DomainStatusUnavailable;
        if unseen && response.checked_at.is_none() {
            undecided.extend(query.targets.iter().map(|t| t.domain.clone()));
        }
        results[*index] = Some(BatchResult::Decided(DecidedItem {
            id: id.clone(),
            retry_after_seconds: unseen.then_some(retry_after),
            decision: response,
        }));
    }
    watch_undecided(app, undecided).await;
    Ok(BatchResponse {
        results: results.into_iter().flatten().collect(),
    })
}

/// An item's id and query, or its id (when valid) and problem.
fn parse_item(
    item: BatchItem,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Option<String>, CheckQuery), (Option<String>, ApiError)> {
    if let Some(id) = &item.id
        && id.chars().count() > MAX_ID_CHARS
    {
        let error = ApiError::BadRequest {
            code: "invalid_id",
            detail: format!("id must be at most {MAX_ID_CHARS} characters"),
        };
        return Err((None, error));
    }
    let request = CheckRequest {
        email: item.email,
        verified_at: item.verified_at,
    };
    match CheckQuery::parse(request, now) {
        Ok(query) => Ok((item.id, query)),
        Err(error) => Err((item.id, error)),
    }
}

/// Puts the domains a batch could not decide on the watch list (due now), so that the
/// refresh has their status for the next run. A store that is away only costs that.
async fn watch_undecided(app: &App, mut domains: Vec<RegistrableDomain>) {
    if domains.is_empty() {
        return;
    }
    domains.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    domains.dedup();
    if let Err(error) = app.store.watch(&domains, app.clock.now(), None).await {
        tracing::warn!(error = %error, domains = domains.len(), "cannot watch a batch's undecided domains");
    }
}
