//! Test harness, split by job: the app and its requests (`app`), fake upstreams
//! (`fake_rdap`; DNS and Fastly fakes go beside it), databases (`db`) and the webhook
//! receiver (`webhook`).

mod app;
mod db;
mod fake_rdap;
mod webhook;

pub use app::*;
pub use db::*;
pub use fake_rdap::*;
pub use webhook::*;
