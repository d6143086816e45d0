//! Logging: `tracing` to stderr, pretty or JSON, filtered by `RUST_LOG`. Metrics:
//! `telemetry/metrics.rs`.

pub mod metrics;

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// `LAPSEGUARD_LOG`: how log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Installs the global subscriber. Logs go to stderr so that `check` and `openapi` keep
/// stdout for their output.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal: a log file or a collector gets plain text.
        .with_ansi(std::io::stderr().is_terminal());
    let result = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    if let Err(error) = result {
        eprintln!("logging was already set up: {error}");
    }
}
