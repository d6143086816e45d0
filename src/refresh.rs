//! Background work: the refresh scheduler, webhook delivery, and the lease that lets one
//! replica at a time run them.

pub mod leader;
pub mod pacer;
pub mod scheduler;
pub mod webhook;
