//! Integration tests: the real app, a real database, fake RDAP servers.

mod check;
mod cli;
mod dns;
mod fastly;
mod health;
mod helpers;
mod input;
mod names;
mod openapi;
mod refresh;
mod replicas;
mod truth;
mod upstream;
mod watch;
