//! A background task that runs a poll every so often until the server stops: the SMS outbox
//! and the e-barimt receipts each run one. Stopping waits for the poll in hand (each poll
//! looks at the stop signal between its pieces of work, never during one).

use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A started task; stop it with [`Periodic::shutdown`].
#[derive(Debug)]
pub struct Periodic {
    name: &'static str,
    stop: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl Periodic {
    /// Runs `first` once, then `poll` every `every` (a late tick is delayed, not bunched),
    /// each given the stop signal to look at between its pieces of work.
    pub fn start<First, Poll, Fut>(
        name: &'static str,
        every: Duration,
        first: First,
        mut poll: Poll,
    ) -> Periodic
    where
        First: Future<Output = ()> + Send + 'static,
        Poll: FnMut(watch::Receiver<bool>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            first.await;
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stopped.changed() => return,
                    _ = ticks.tick() => {}
                }
                if *stopped.borrow() {
                    return;
                }
                poll(stopped.clone()).await;
            }
        });
        Periodic {
            name,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the task and waits for it to end (after the poll in hand, if any).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::error!(error = %e, task = self.name, "a background task failed");
        }
    }
}
