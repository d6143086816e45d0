//! lapseguard stops account takeover by domain resurrection.
//!
//! A password-reset handler asks `POST /check-recovery-eligible` whether it may mail a
//! reset link to an address; lapseguard answers from the registration status of the
//! address's registrable domain, read over RDAP (or Fastly's status API) with DNS
//! delegation beside it, stored and cached.
//!
//! - [`domain`]: pure rules (names, lifecycle, decisions), no I/O, no clock.
//! - [`upstream`]: the evidence sources: RDAP (bootstrap, supplement, servers), Fastly,
//!   DNS.
//! - [`store`]: SQLite and PostgreSQL persistence.
//! - [`checker`]: the request path (memory, store, lookup, policy); [`memory`]: what it
//!   remembers, kept in step with the store.
//! - [`access`]: API tokens and protected mode; [`overrides`]: agents' decisions, in
//!   memory; [`stats`]: the dashboard's counts.
//! - [`http`]: request and response types and handlers; [`app`]: the state and how it
//!   is built; [`startup`]: router, listener, background work, shutdown.

pub mod access;
pub mod app;
pub mod checker;
pub mod clock;
pub mod config;
pub mod console;
pub mod coverage;
pub mod domain;
pub mod error;
pub mod feed;
pub mod http;
pub mod import;
pub mod memory;
pub mod observer;
pub mod overrides;
pub mod refresh;
pub mod secret;
pub mod simulate;
pub mod spool;
pub mod startup;
pub mod stats;
pub mod store;
pub mod telemetry;
pub mod upstream;
pub mod usecases;
