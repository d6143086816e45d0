//! Pure rules: names, lifecycle classification, observations, decisions, transitions
//! and the refresh schedule.
//!
//! Nothing here does I/O or reads a clock: time is always a parameter.
//!
//! "Domain" names two things in this code base: this module is the *domain layer* (the
//! rules of the problem lapseguard solves), and the thing it is about is a *domain name*
//! (`name::RegistrableDomain`, `EmailDomain`). Module paths say which: `crate::domain::*`
//! is always the rules.

pub mod access;
pub mod audit;
pub mod decision;
pub mod delegation;
pub mod guard;
pub mod lifecycle;
pub mod name;
pub mod nameservers;
pub mod notices;
pub mod overrides;
pub mod ownership;
pub mod recording;
pub mod schedule;
pub mod signals;
pub mod status;
pub mod tracking;
pub mod transition;
