//! The `lapseguard` command: parse arguments, call into the library.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use lapseguard::app::App;
use lapseguard::clock::{Clock, SystemClock};
use lapseguard::config::Config;
use lapseguard::coverage::{Enabled, coverage};
use lapseguard::startup::{Application, shutdown_signal};
use lapseguard::upstream::bootstrap::{Bootstrap, BootstrapSource, EMBEDDED_BOOTSTRAP};
use lapseguard::upstream::http::UpstreamHttp;
use lapseguard::usecases::check::{CheckQuery, CheckRequest};

#[derive(Parser)]
#[command(version, about = "Stops account takeover by domain resurrection")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(clap::Args)]
struct SimulateArgs {
    /// Watched domains.
    #[arg(long, default_value_t = 1_000_000)]
    domains: u32,
    /// Share of domains not renewed at expiry, per year.
    #[arg(long, default_value_t = 0.05)]
    lapse_rate: f64,
    /// Share of domains deleted by their holder before expiry, per year.
    #[arg(long, default_value_t = 0.01)]
    early_deletion_rate: f64,
    /// Share of domains on TLDs with no RDAP server (DNS is their only evidence).
    #[arg(long, default_value_t = 0.15)]
    dns_only_share: f64,
    /// Share of domains sold on the aftermarket in the period (listed on a marketplace's
    /// nameservers for 2 to 12 weeks, then transferred), without a lapse.
    #[arg(long, default_value_t = 0.005)]
    aftermarket_rate: f64,
    /// Share of domains their holder moves to another registrar in the period.
    #[arg(long, default_value_t = 0.02)]
    owner_transfer_rate: f64,
    /// Share of domains whose mail goes through another simulated domain (a mail
    /// provider's, drawn uniformly).
    #[arg(long, default_value_t = 0.05)]
    mail_route_rate: f64,
    /// Simulated days.
    #[arg(long, default_value_t = 365)]
    days: u32,
    /// Seed: the same seed gives the same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The baseline's daily query cap (PyPI: 1,000).
    #[arg(long, default_value_t = 1_000)]
    baseline_daily_cap: u32,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it once (only its hash is kept).
    Create {
        /// A unique name: it shows in `token list` and the audit log.
        #[arg(long)]
        name: String,
        /// `check` (the recovery check), `read` (every GET under /v1) or `admin` (every
        /// write under /v1, and read). Repeat for several.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
    /// List tokens: name, scopes, created, last used.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by name: every replica refuses it within seconds.
    Revoke { name: String },
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
    /// Simulate a registry's year under lapseguard's schedule and a PyPI-like baseline.
    Simulate(SimulateArgs),
    /// Watch the emails and domains of a file (one per line; `-` for stdin).
    Import {
        /// A file path, or `-` for standard input.
        file: String,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Say which source would answer for each entry of a file (the `import` format),
    /// under the current settings, without any network access.
    Coverage {
        /// A file path, or `-` for standard input.
        file: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
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
            println!(
                "{}",
                serde_json::to_string_pretty(&lapseguard::http::openapi())?
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve => {
            let application = Application::build(&config()?).await?;
            application.run_until(shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Simulate(args) => {
            let config = Config::from_env().context("invalid configuration")?;
            let mut params = lapseguard::simulate::SimulationParams::defaults(config.schedule);
            params.domains = args.domains;
            params.lapse_rate = args.lapse_rate;
            params.early_deletion_rate = args.early_deletion_rate;
            params.dns_only_share = args.dns_only_share;
            params.aftermarket_rate = args.aftermarket_rate;
            params.owner_transfer_rate = args.owner_transfer_rate;
            params.mail_route_rate = args.mail_route_rate;
            params.days = args.days;
            params.seed = args.seed;
            params.baseline_daily_cap = args.baseline_daily_cap;
            anyhow::ensure!(args.days > 0, "--days must be at least 1");
            for (flag, share) in [
                ("--lapse-rate", args.lapse_rate),
                ("--early-deletion-rate", args.early_deletion_rate),
                ("--dns-only-share", args.dns_only_share),
                ("--aftermarket-rate", args.aftermarket_rate),
                ("--owner-transfer-rate", args.owner_transfer_rate),
                ("--mail-route-rate", args.mail_route_rate),
            ] {
                anyhow::ensure!(
                    (0.0..=1.0).contains(&share),
                    "{flag} must be between 0 and 1"
                );
            }
            let report = lapseguard::simulate::simulate(&params);
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", lapseguard::simulate::table(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file } => {
            let config = config()?;
            let store = lapseguard::store::connect(config.database_url.expose()).await?;
            store.migrate().await?;
            let summary = import_file(&file, store.as_ref()).await?;
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Coverage { file, json } => {
            let config = Config::from_env().context("invalid configuration")?;
            let upstream = &config.upstream;
            let bootstrap = match &upstream.bootstrap {
                source @ BootstrapSource::File(_) => {
                    UpstreamHttp::new(upstream.allow_http, upstream.lookup_deadline)?
                        .load_bootstrap(source, upstream.allow_http)
                        .await?
                }
                // No network: a configured URL is not fetched.
                BootstrapSource::Embedded | BootstrapSource::Url(_) => {
                    Bootstrap::from_json(EMBEDDED_BOOTSTRAP, upstream.allow_http)?
                }
            };
            let supplement = Bootstrap::load_supplement(&upstream.supplement, upstream.allow_http)?;
            let bootstrap = bootstrap
                .with_supplement(supplement.as_ref())
                .with_overrides(&upstream.rdap_servers);
            let enabled = Enabled {
                fastly: upstream.fastly.is_some(),
                dns: upstream.dns.is_some(),
            };
            let report = if file == "-" {
                let stdin = tokio::io::BufReader::new(tokio::io::stdin());
                coverage(stdin, &bootstrap, enabled).await?
            } else {
                let opened = tokio::fs::File::open(&file)
                    .await
                    .with_context(|| format!("cannot open {file}"))?;
                coverage(tokio::io::BufReader::new(opened), &bootstrap, enabled).await?
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", lapseguard::coverage::table(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { action } => {
            let store = lapseguard::store::connect(config()?.database_url.expose()).await?;
            store.migrate().await?;
            token_command(action, store.as_ref()).await
        }
        Command::Migrate => {
            let store = lapseguard::store::connect(config()?.database_url.expose()).await?;
            store.migrate().await?;
            tracing::info!("migrations applied");
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { email, verified_at } => {
            let query = CheckQuery::parse(CheckRequest { email, verified_at }, SystemClock.now())
                .map_err(|error| anyhow::anyhow!(error.problem().detail))?;
            let app = App::build(&config()?).await?;
            let response = query.decide(&app.checker).await;
            // The observation is written in the background: let it land before exiting.
            app.checker.settled().await;
            println!("{}", serde_json::to_string_pretty(&response)?);
            Ok(if response.eligible {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

async fn import_file(
    file: &str,
    store: &dyn lapseguard::store::Store,
) -> anyhow::Result<lapseguard::import::ImportSummary> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let progress = |s: &lapseguard::import::ImportSummary| {
        bar.set_message(format!(
            "{} entries: {} added, {} already watched, {} rejected",
            s.entries, s.added, s.already_watched, s.rejected
        ));
        bar.tick();
    };
    let now = SystemClock.now();
    let summary = if file == "-" {
        let stdin = tokio::io::BufReader::new(tokio::io::stdin());
        lapseguard::import::import(stdin, store, now, progress).await?
    } else {
        let opened = tokio::fs::File::open(file)
            .await
            .with_context(|| format!("cannot open {file}"))?;
        let reader = tokio::io::BufReader::with_capacity(1 << 16, opened);
        lapseguard::import::import(reader, store, now, progress).await?
    };
    bar.finish_and_clear();
    Ok(summary)
}

async fn token_command(
    action: TokenCommand,
    store: &dyn lapseguard::store::Store,
) -> anyhow::Result<ExitCode> {
    use lapseguard::domain::access::{Scope, Scopes, valid_token_name};
    use lapseguard::domain::audit::{AuditAction, AuditEntry, CLI_ACTOR};
    let now = SystemClock.now();
    match action {
        TokenCommand::Create { name, scopes } => {
            anyhow::ensure!(
                valid_token_name(&name),
                "--name takes 1 to 64 of a-z, A-Z, 0-9, `.`, `_` and `-`"
            );
            let scopes = scopes
                .iter()
                .map(|text| {
                    Scope::parse(text).ok_or_else(|| {
                        anyhow::anyhow!("unknown scope {text:?}: use check, read or admin")
                    })
                })
                .collect::<anyhow::Result<Scopes>>()?;
            let (token, record) = lapseguard::access::new_token(&name, scopes, now)
                .map_err(|error| anyhow::anyhow!("no randomness for a token: {error}"))?;
            let details = serde_json::json!({ "scopes": scopes.iter().map(Scope::as_str).collect::<Vec<_>>() });
            let audit = AuditEntry::new(now, CLI_ACTOR, AuditAction::TokenCreated, &name, details);
            anyhow::ensure!(
                store.create_token(&record, &audit).await?,
                "a token named {name:?} exists already: revoke it first or pick another name"
            );
            eprintln!(
                "token {name:?} created with scopes {}; it is shown once, keep it now:",
                scopes.encode()
            );
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { json } => {
            let tokens = store.tokens().await?;
            if json {
                let rows: Vec<serde_json::Value> = tokens
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "name": t.name,
                            "scopes": t.scopes.iter().map(Scope::as_str).collect::<Vec<_>>(),
                            "created_at": t.created_at,
                            "last_used_at": t.last_used_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:<24} {:<18} {:<22} last used",
                    "name", "scopes", "created"
                );
                for t in &tokens {
                    let used = t.last_used_at.map_or_else(
                        || "never".to_owned(),
                        |at| at.format("%Y-%m-%d %H:%M").to_string(),
                    );
                    println!(
                        "{:<24} {:<18} {:<22} {used}",
                        t.name,
                        t.scopes.encode(),
                        t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { name } => {
            let audit = AuditEntry::new(
                now,
                CLI_ACTOR,
                AuditAction::TokenRevoked,
                &name,
                serde_json::json!({}),
            );
            anyhow::ensure!(
                store.revoke_token(&name, &audit).await?,
                "no token is named {name:?}"
            );
            eprintln!("token {name:?} revoked; replicas refuse it within seconds");
            Ok(ExitCode::SUCCESS)
        }
    }
}
