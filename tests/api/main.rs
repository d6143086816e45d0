//! Integration tests: the real app, a real database, fake RDAP servers.

mod access;
mod check;
mod cli;
mod console;
mod dashboard;
mod dns;
mod environment;
mod fastly;
mod faults;
mod health;
mod helpers;
mod holds;
mod input;
mod metrics;
mod names;
mod openapi;
mod overrides;
mod refresh;
mod replicas;
mod retention;
mod secrets;
mod signals;
mod takeover;
mod truth;
mod upstream;
mod watch;
