//! The `lapseguard` command: parse arguments, call into the library.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use lapseguard::app::{App, Application, shutdown_signal};
use lapseguard::config::Config;
use lapseguard::http::check::{CheckQuery, CheckRequest, CheckResponse};

#[derive(Parser)]
#[command(version, about = "Stops account takeover by domain resurrection")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Decide one address; prints the decision as JSON. Exit 0 eligible, 1 not, 2 error.
    Check {
        email: String,
        /// When the address was last verified (RFC 3339).
        #[arg(long)]
        verified_at: Option<String>,
    },
    /// Print the OpenAPI document.
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("lapseguard: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve))) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("lapseguard: {error:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    let config = || -> anyhow::Result<Config> {
        let config = Config::from_env().context("invalid configuration")?;
        lapseguard::telemetry::init(config.log_format);
        Ok(config)
    };
    match command {
        Command::Openapi => {
            println!("{}", lapseguard::http::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => {
            let application = Application::build(&config()?).await?;
            application.run_until(shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let store = lapseguard::store::connect(&config()?.database_url).await?;
            store.migrate().await?;
            tracing::info!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { email, verified_at } => {
            let query = CheckQuery::try_from(CheckRequest { email, verified_at })
                .map_err(|error| anyhow::anyhow!(error.problem().detail))?;
            let app = App::build(&config()?).await?;
            let assessment = app.checker.check(&query.domain, query.verified_at).await;
            let response = CheckResponse::new(&query, assessment);
            println!("{}", serde_json::to_string_pretty(&response)?);
            Ok(if response.eligible {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
