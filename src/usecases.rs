//! The use cases: the recovery check and its batch (`check`, `batch`), what an actor can
//! do (set or remove an override, refresh a domain,
//! release or discard a hold, watch, unwatch) and what anyone may read (the domain view,
//! the lists), each one plain function over the app's state. They validate, audit,
//! write and bring the in-memory copies up to date; the JSON API (`http/`) and the
//! console (`console/`) both call them and only translate (extractors and JSON in, HTML
//! or JSON out).
//!
//! The types they take and give (`OverrideRequest`, `OverrideView`, `DomainView`, ...)
//! are the API's schemas too: one shape whichever door a request comes in by.

pub mod audit;
pub mod batch;
pub mod check;
pub mod domains;
pub mod holds;
pub mod overrides;
pub mod stats;
pub mod transitions;
pub mod watch;
