//! Pure rules: names, lifecycle classification, observations, decisions, transitions
//! and the refresh schedule.
//!
//! Nothing here does I/O or reads a clock: time is always a parameter.

pub mod access;
pub mod audit;
pub mod decision;
pub mod delegation;
pub mod guard;
pub mod lifecycle;
pub mod name;
pub mod overrides;
pub mod recording;
pub mod schedule;
pub mod status;
pub mod tracking;
pub mod transition;
