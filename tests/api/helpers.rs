//! Test harness, split by job: the app and its requests (`app`), fake upstreams
//! (`fake_rdap`, `fake_dns`, `fake_fastly`), databases (`db`), the webhook receiver
//! (`webhook`) and the binary as a separate process (`process`).

mod app;
mod db;
mod fake_dns;
mod fake_fastly;
mod fake_rdap;
mod process;
mod webhook;

pub use app::*;
pub use db::*;
pub use fake_dns::*;
pub use fake_fastly::*;
pub use fake_rdap::*;
pub use process::*;
pub use webhook::*;

/// Serves `router` on 127.0.0.1, port 0, in the background: every fake upstream and
/// receiver runs this way. Returns its base URL, `http://127.0.0.1:PORT`.
async fn serve_on_loopback(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}
