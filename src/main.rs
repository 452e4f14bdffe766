use clap::{Parser, Subcommand};

use spot::accounts::{Email, StaffLevel};
use spot::admin::staff;
use spot::db::{self, Db};
use spot::{Application, Config};

/// SPOT: the community of practice for Greater Manchester's link workers and OTs.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage members from the console.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Set a member's staff level: how the first admin is made.
    Promote {
        email: String,
        #[arg(value_parser = ["member", "facilitator", "admin"])]
        level: String,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => {
            Db::connect(&config.database_url)?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::User {
            action: UserAction::Promote { email, level },
        } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e))?;
            let level = StaffLevel::parse(&level).map_err(|e| anyhow::anyhow!(e))?;
            let db = Db::connect(&config.database_url)?;
            let mut conn = db.conn()?;
            let member = conn
                .write_transaction(|conn| {
                    staff::set_level_from_console(conn, &email, level, db::now())
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{} <{}> is now: {}.",
                member.display_name,
                member.email,
                member.staff.label()
            );
            Ok(())
        }
    }
}

#[actix_web::main]
async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!(?config, "starting SPOT");
    let app = Application::build(config)?;
    println!("SPOT is running at http://127.0.0.1:{}", app.port());
    app.run_until_stopped().await?;
    Ok(())
}
