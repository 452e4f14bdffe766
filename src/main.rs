use clap::{Parser, Subcommand};

use spot::accounts::{Email, StaffLevel};
use spot::admin::staff;
use spot::backup;
use spot::config::LogFormat;
use spot::db::{self, Db};
use spot::demo;
use spot::membership::applications;
use spot::progress::Progress;
use spot::rules::RuleError;
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
    /// Fill an empty database with a realistic demo community (members, forum, courses).
    Demo {
        /// Size: 1 ≈ 1,000 members and 20,000 posts; fractions allowed.
        #[arg(long, default_value_t = 0.05)]
        scale: f64,
        /// The same seed makes the same community.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Rebuild the search indexes from the forum, the library and the directory.
    Reindex,
    /// Write a consistent snapshot of the database and every uploaded file into DIR (empty
    /// or absent), with a manifest of checksums. Safe while SPOT serves.
    Backup { dir: std::path::PathBuf },
    /// Restore a backup made by `spot backup` into an empty database and file store, after
    /// checking every file against its manifest.
    Restore { dir: std::path::PathBuf },
}

#[derive(Subcommand)]
enum UserAction {
    /// Set a member's staff level: how the first admin is made.
    Promote {
        email: String,
        #[arg(value_parser = ["member", "facilitator", "admin"])]
        level: String,
    },
    /// Approve an applicant who is waiting for a facilitator (they are emailed).
    Approve { email: String },
}

/// glibc gives each thread that allocates its own arena, up to eight per core, and keeps
/// what they free: under search load the server grew to 120 MB that way. Eight arenas keep
/// the peak near 80 MB; two kept it lower but cost the thread page 15% of its throughput
/// (see docs/benchmarks.md).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's settings; it is called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 8);
    }
}

/// Log lines on standard output, as `SPOT_LOG_FORMAT` says: text for people, or one JSON
/// object a line (`timestamp`, `level`, `target`, `message` and the event's fields at the
/// top level) for a log collector.
fn start_logging(format: LogFormat) {
    let logs = tracing_subscriber::fmt().with_env_filter(
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,actix_server=warn".into()),
    );
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .init(),
    }
}

fn main() -> anyhow::Result<()> {
    limit_malloc_arenas();
    let log_format = LogFormat::from_env()?;
    start_logging(log_format);
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config, log_format),
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
        Command::User {
            action: UserAction::Approve { email },
        } => {
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e))?;
            let db = Db::connect(&config.database_url)?;
            let base_url = config
                .base_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.bind));
            let mut conn = db.conn()?;
            let member = conn
                .write_transaction(|tx| {
                    applications::approve_from_console(tx, &email, &base_url, db::now())
                })
                .map_err(|e| match e {
                    RuleError::NotFound => anyhow::anyhow!("No account has that email address."),
                    other => anyhow::anyhow!("{other}"),
                })?;
            println!(
                "{} <{}> is approved, and will be emailed.",
                member.display_name, member.email
            );
            Ok(())
        }
        Command::Demo { scale, seed } => run_demo(&config, scale, seed),
        Command::Backup { dir } => {
            let started = std::time::Instant::now();
            let taken = backup::take(&config, &dir, Progress::for_console())?;
            let manifest = &taken.manifest;
            println!(
                "Backed up the {} database ({}) and {} files ({}) into {} in {:.1} s.",
                manifest.engine,
                megabytes(manifest.database.size),
                manifest.files.len(),
                megabytes(taken.file_bytes()),
                dir.display(),
                started.elapsed().as_secs_f64()
            );
            if !manifest.missing.is_empty() {
                println!(
                    "{} files the database names were not in the store (listed in the manifest                      under \"missing\"): {}",
                    manifest.missing.len(),
                    manifest.missing.join(", ")
                );
            }
            Ok(())
        }
        Command::Restore { dir } => {
            let started = std::time::Instant::now();
            let restored = backup::restore(&config, &dir, Progress::for_console())?;
            println!(
                "Restored the backup of {} ({} members, {} files) in {:.1} s.",
                restored.manifest.created_at.format("%Y-%m-%d %H:%M UTC"),
                restored.members,
                restored.manifest.files.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Reindex => {
            let started = std::time::Instant::now();
            let db = Db::connect(&config.database_url)?;
            let mut conn = db.conn()?;
            let progress = Progress::for_console();
            let rebuilt =
                conn.write_transaction(|tx| spot::search::index::rebuild_showing(tx, progress))?;
            println!(
                "Rebuilt the search indexes in {:.1} s: {} posts, {} resources, {} members.",
                started.elapsed().as_secs_f64(),
                rebuilt.posts,
                rebuilt.resources,
                rebuilt.members
            );
            Ok(())
        }
    }
}

/// "12.3 MB".
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

fn run_demo(config: &Config, scale: f64, seed: u64) -> anyhow::Result<()> {
    let options = demo::Options { scale, seed };
    options.check()?;
    let started = std::time::Instant::now();
    let db = Db::connect(&config.database_url)?;
    let mut conn = db.conn()?;
    let summary = demo::generate_showing(&mut conn, &options, Progress::for_console())?;
    println!(
        "Made a demo community in {:.1} s: {} members, {} threads, {} posts, {} helpful marks, \
         {} resources ({} rows in the search index).",
        started.elapsed().as_secs_f64(),
        summary.members,
        summary.threads,
        summary.posts,
        summary.helpful_marks,
        summary.resources,
        summary.indexed
    );
    for run in &summary.runs {
        println!(
            "  Course {}: {} (first session {} UTC): {} booked, {} waiting.",
            run.id,
            run.title,
            run.starts.format("%Y-%m-%d %H:%M"),
            run.booked,
            run.waiting
        );
    }
    println!();
    println!("Sign in with any demo account; every one has the password:");
    println!("  {}", summary.password);
    println!("  admin:        {}", summary.admin_email);
    for (name, email, what) in &summary.facilitators {
        println!("  facilitator:  {email} ({name}, {what})");
    }
    println!("  member:       {}", summary.member_email);
    println!("Change these passwords before letting anyone else near this site.");
    Ok(())
}

#[actix_web::main]
async fn serve(config: Config, log_format: LogFormat) -> anyhow::Result<()> {
    tracing::info!(?config, "starting SPOT");
    let app = Application::build(config)?;
    // In JSON every line of output is a log object; the "listening" line has the address.
    if log_format == LogFormat::Text {
        println!("SPOT is running at http://127.0.0.1:{}", app.port());
    }
    app.run_until_stopped().await?;
    // Stopped within the shutdown timeout. Work given up at the timeout may still hold a
    // thread (an email half sent, whose claim lapses so it goes again with the same
    // Message-ID): leaving now, rather than when the runtime has joined every thread, keeps
    // the exit within the promised time.
    std::process::exit(0)
}
