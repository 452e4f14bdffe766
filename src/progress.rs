//! Progress of the long console commands (`spot demo`, `spot reindex`): on a terminal, a bar
//! with counts and rate (indicatif); elsewhere (a log, CI, a pipe) a plain line every few
//! seconds and one at the end of each stage, so that a long run is never silent.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// How a command shows its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Bar,
    Lines,
    /// Library callers and tests: nothing shown.
    Silent,
}

/// How often the plain lines come.
const LINE_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    /// A bar when standard error is a terminal, plain lines otherwise.
    pub fn for_console() -> Self {
        if std::io::stderr().is_terminal() {
            Progress::Bar
        } else {
            Progress::Lines
        }
    }

    /// One stage of the work: `total` things named `what` ("posts").
    pub fn stage(self, what: &'static str, total: u64) -> Stage {
        let bar = (self == Progress::Bar).then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>10} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(what);
            bar
        });
        let now = Instant::now();
        Stage {
            what,
            total,
            done: 0,
            started: now,
            last_line: now,
            bar,
            lines: self == Progress::Lines,
        }
    }
}

/// A stage under way.
#[derive(Debug)]
pub struct Stage {
    what: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    last_line: Instant,
    bar: Option<ProgressBar>,
    lines: bool,
}

impl Stage {
    /// So many done so far.
    pub fn set(&mut self, done: u64) {
        self.done = done;
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        } else if self.lines && self.last_line.elapsed() >= LINE_EVERY {
            self.last_line = Instant::now();
            eprintln!("{}", self.line());
        }
    }

    pub fn add(&mut self, more: u64) {
        self.set(self.done + more);
    }

    /// "posts: 12000 of 20000 (2400/s)".
    fn line(&self) -> String {
        format!(
            "{}: {} of {} ({})",
            self.what,
            self.done,
            self.total,
            rate(self.done, self.started.elapsed())
        )
    }

    /// The stage is over: the bar goes, and one line says what was done and how fast.
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.bar.is_some() || self.lines {
            let took = self.started.elapsed();
            eprintln!(
                "{}: {} in {:.1} s ({})",
                self.what,
                self.done,
                took.as_secs_f64(),
                rate(self.done, took)
            );
        }
    }
}

fn rate(done: u64, took: Duration) -> String {
    let seconds = took.as_secs_f64();
    if seconds < 0.001 {
        return "–/s".to_owned();
    }
    format!("{:.0}/s", done as f64 / seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_line_says_how_far_and_how_fast() {
        let mut stage = Progress::Silent.stage("posts", 200);
        stage.started = Instant::now() - Duration::from_secs(2);
        stage.set(100);
        assert_eq!(stage.line(), "posts: 100 of 200 (50/s)");
        stage.add(20);
        assert!(stage.line().starts_with("posts: 120 of 200"));
    }

    #[test]
    fn no_time_no_rate() {
        assert_eq!(rate(5, Duration::ZERO), "–/s");
    }
}
