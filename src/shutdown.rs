//! Stopping cleanly. On SIGTERM (what systemd, Docker and Kubernetes send) or Ctrl-C, SPOT
//! stops accepting connections, gives the requests under way up to `SPOT_SHUTDOWN_SECONDS`
//! to finish, tells its background workers to stop taking work (the mail worker finishes the
//! email it is sending and leaves the rest for the next start or another node), waits for
//! them within the same time, closes its database pool and exits with 0.

use std::time::Duration;

use tokio::sync::watch;

/// Sets off the stop: held by whoever hears the signal.
pub struct Trigger(watch::Sender<bool>);

/// Whether SPOT is stopping, for background work to look at between pieces of work. Cheap
/// to clone; [`Stopping::never`] for work run outside a server (tests, the console).
#[derive(Debug, Clone)]
pub struct Stopping(watch::Receiver<bool>);

/// A trigger and what it sets off.
pub fn channel() -> (Trigger, Stopping) {
    let (sender, receiver) = watch::channel(false);
    (Trigger(sender), Stopping(receiver))
}

impl Trigger {
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl Stopping {
    /// Never stopping.
    pub fn never() -> Self {
        channel().1
    }

    /// Whether the stop has been set off: a blocking worker asks this between messages.
    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until the stop is set off (forever when its trigger is gone unset).
    pub async fn requested(&self) {
        let mut receiver = self.0.clone();
        if receiver.wait_for(|stopping| *stopping).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Sleeps for `pause`, or less if the stop comes first: `true` when it did.
    pub async fn sleep(&self, pause: Duration) -> bool {
        tokio::time::timeout(pause, self.requested()).await.is_ok()
    }
}

/// Resolves on the first SIGTERM or SIGINT (Ctrl-C): both start the same graceful stop.
pub async fn signalled() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => "SIGTERM",
                    _ = tokio::signal::ctrl_c() => "SIGINT",
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; only Ctrl-C stops SPOT cleanly");
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_pause_ends_early_when_the_stop_comes() {
        let (trigger, stopping) = channel();
        assert!(!stopping.is_set());
        assert!(!stopping.sleep(Duration::from_millis(10)).await);
        trigger.stop();
        assert!(stopping.is_set());
        let started = std::time::Instant::now();
        assert!(stopping.sleep(Duration::from_secs(60)).await);
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[actix_web::test]
    async fn never_is_never_set() {
        let never = Stopping::never();
        assert!(!never.is_set());
        assert!(!never.sleep(Duration::from_millis(10)).await);
    }
}
