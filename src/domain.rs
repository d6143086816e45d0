//! Pure rules: names, lifecycle classification, observations and decisions.
//!
//! Nothing here does I/O or reads a clock: time is always a parameter.

pub mod decision;
pub mod lifecycle;
pub mod name;
pub mod status;
