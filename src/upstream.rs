//! Talking to the world: the RDAP bootstrap and RDAP servers.

pub mod bootstrap;
pub mod rdap;
