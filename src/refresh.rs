//! Background work: the refresh scheduler, the delegation sweep (DNS), webhook delivery,
//! the expiry notifier,
//! and the lease that lets one replica at a time run them; on every replica, the change follower that keeps memory
//! in step with the store, and the settings follower that does the same for tokens and
//! overrides.

pub mod changes;
pub mod delegation;
pub mod leader;
pub mod notices;
pub mod pauses;
pub mod retention;
pub mod scheduler;
pub mod settings;
pub mod webhook;
