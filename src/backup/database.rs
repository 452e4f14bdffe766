//! The database's half of a backup, which each engine does its own way: SQLite writes a
//! consistent copy of itself with `VACUUM INTO` while SPOT serves (the copy is one read
//! transaction, so it sees the database as it was at one moment, WAL and all, and comes out
//! compacted); PostgreSQL's own `pg_dump` and `pg_restore` do the same for it.

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use diesel::prelude::*;

use crate::db::{DbConn, DbManager, Engine};

const SQLITE_COPY: &str = "spot.db";
const POSTGRES_COPY: &str = "spot.pgdump";

/// The name of the database's copy in a backup of `engine`.
pub fn copy_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => SQLITE_COPY,
        Engine::Postgres => POSTGRES_COPY,
    }
}

/// Whether `name` is what a backup calls its database's copy.
pub fn is_copy_name(name: &str) -> bool {
    name == SQLITE_COPY || name == POSTGRES_COPY
}

/// Opens the database the URL names without migrating it. A SQLite file that is not there
/// is an error, not a new database.
pub fn open_existing(manager: &DbManager) -> anyhow::Result<DbConn> {
    if let Some(file) = manager.sqlite_file() {
        anyhow::ensure!(
            file.exists(),
            "there is no SQLite database at {}: check DATABASE_URL",
            file.display()
        );
    }
    manager.establish()
}

/// Writes a consistent copy of the database to `to`.
pub fn snapshot(
    conn: &mut DbConn,
    manager: &DbManager,
    url: &str,
    to: &Path,
) -> anyhow::Result<()> {
    match manager.engine() {
        Engine::Sqlite => {
            let target = to
                .to_str()
                .context("the backup folder's path is not UTF-8")?;
            diesel::sql_query(format!("VACUUM INTO '{}'", target.replace('\'', "''")))
                .execute(conn)
                .context("SQLite could not write its copy (VACUUM INTO)")?;
            Ok(())
        }
        Engine::Postgres => {
            let mut dump = postgres_tool("pg_dump", url)?;
            dump.arg("--format=custom").arg("--file").arg(to);
            run(dump, "pg_dump")
        }
    }
}

/// How many members the database has: 0 for one never migrated.
pub fn members(conn: &mut DbConn) -> anyhow::Result<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let tables = match conn.engine() {
        Engine::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'members'"
        }
        Engine::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'members'"
        }
    };
    let has_members: Count = diesel::sql_query(tables).get_result(conn)?;
    if has_members.n == 0 {
        return Ok(0);
    }
    Ok(crate::schema::members::table.count().get_result(conn)?)
}

/// Puts the copy `from` in place of the (empty) database the URL names. SQLite: the file is
/// copied beside the database and renamed over it (SPOT must not be running on it);
/// PostgreSQL: `pg_restore` in one transaction, replacing the tables an empty SPOT made.
pub fn restore(manager: &DbManager, url: &str, from: &Path) -> anyhow::Result<()> {
    match manager.sqlite_file() {
        Some(file) => {
            if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("could not create {}", parent.display()))?;
            }
            let mut restoring = file.as_os_str().to_owned();
            restoring.push(".restoring");
            std::fs::copy(from, &restoring)
                .with_context(|| format!("could not copy the database to {}", file.display()))?;
            std::fs::File::open(&restoring)?.sync_all()?;
            std::fs::rename(&restoring, file)?;
            for leftover in ["-wal", "-shm"] {
                let mut path = file.as_os_str().to_owned();
                path.push(leftover);
                let _ = std::fs::remove_file(path);
            }
            Ok(())
        }
        None => {
            let mut load = postgres_tool("pg_restore", url)?;
            load.args([
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--exit-on-error",
                "--single-transaction",
            ])
            .arg(from);
            run(load, "pg_restore")
        }
    }
}

/// `pg_dump` or `pg_restore` for the database `url` names, its password (if any) passed in
/// `PGPASSWORD` rather than on the command line, where other users could see it.
fn postgres_tool(program: &str, url: &str) -> anyhow::Result<Command> {
    let mut target = url::Url::parse(url).context("DATABASE_URL is not a URL")?;
    let mut command = Command::new(program);
    if let Some(password) = target.password() {
        let password = percent_decode(password);
        command.env("PGPASSWORD", password);
        let _ = target.set_password(None);
    }
    command.arg("--dbname").arg(target.as_str());
    Ok(command)
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// Runs a PostgreSQL tool to the end; its own message is the error should it fail.
fn run(mut command: Command, program: &str) -> anyhow::Result<()> {
    let output = command.output().map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!(
                "{program} was not found: install PostgreSQL's client programs, of the \
                 server's major version or newer (Debian: postgresql-client-15 for \
                 PostgreSQL 15), or run {program} yourself (`pg_dump --format=custom` and \
                 `pg_restore --no-owner --single-transaction`)"
            )
        } else {
            anyhow::anyhow!("could not run {program}: {error}")
        }
    })?;
    anyhow::ensure!(
        output.status.success(),
        "{program} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_goes_to_the_environment_not_the_command_line() {
        let command = postgres_tool("pg_dump", "postgres://spot:p%40ss+word@db:5432/spot").unwrap();
        let args: Vec<_> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["--dbname", "postgres://spot@db:5432/spot"]);
        let env: Vec<_> = command.get_envs().collect();
        assert_eq!(
            env,
            [(
                std::ffi::OsStr::new("PGPASSWORD"),
                Some(std::ffi::OsStr::new("p@ss+word"))
            )]
        );
    }
}
