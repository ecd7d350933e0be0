//! The load driver: `clients` tasks, each with its own keep-alive connection, send requests
//! back to back (closed loop) until stopped; every latency is recorded once measuring has
//! begun (requests of the warm-up are not).

use crate::http::Conn;
use crate::workload::{ClientState, Workload};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use tokio::task::JoinHandle;

/// Error messages kept per window (the count is always exact).
const ERROR_SAMPLES: usize = 5;

/// The requests recorded over some time.
#[derive(Debug, Default, Clone)]
pub struct Window {
    /// (kind, latency in microseconds) of every request, errors included.
    pub latencies: Vec<(u8, u32)>,
    /// Requests per kind that failed (an unexpected status, or no answer).
    pub errors: Vec<u64>,
    pub error_samples: Vec<String>,
}

impl Window {
    pub fn requests(&self) -> u64 {
        self.latencies.len() as u64
    }

    pub fn error_count(&self) -> u64 {
        self.errors.iter().sum()
    }

    pub fn merge(&mut self, other: Window) {
        self.latencies.extend(other.latencies);
        if self.errors.len() < other.errors.len() {
            self.errors.resize(other.errors.len(), 0);
        }
        for (mine, theirs) in self.errors.iter_mut().zip(other.errors) {
            *mine += theirs;
        }
        for sample in other.error_samples {
            if self.error_samples.len() < ERROR_SAMPLES {
                self.error_samples.push(sample);
            }
        }
    }

    /// The sorted latencies of one kind (all kinds with `None`).
    pub fn sorted(&self, kind: Option<u8>) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .latencies
            .iter()
            .filter(|(k, _)| kind.is_none_or(|kind| *k == kind))
            .map(|(_, us)| *us)
            .collect();
        v.sort_unstable();
        v
    }

    fn record(&mut self, kind: u8, micros: u32, error: Option<String>) {
        self.latencies.push((kind, micros));
        if let Some(message) = error {
            let kind = usize::from(kind);
            if self.errors.len() <= kind {
                self.errors.resize(kind + 1, 0);
            }
            self.errors[kind] += 1;
            if self.error_samples.len() < ERROR_SAMPLES {
                self.error_samples.push(message);
            }
        }
    }
}

/// The `q` quantile (0..=1) of sorted microseconds, in milliseconds (nearest rank).
pub fn quantile_ms(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

struct Shared {
    measuring: AtomicBool,
    stop: AtomicBool,
    window: Mutex<Window>,
}

/// Clients running a workload.
pub struct Load {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
    measuring_since: Option<Instant>,
}

impl Load {
    /// Starts `clients` clients of `addr` (warming up: nothing is recorded yet).
    pub fn start(
        addr: SocketAddr,
        token: Option<&str>,
        clients: usize,
        workload: Arc<Workload>,
    ) -> Load {
        let shared = Arc::new(Shared {
            measuring: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            window: Mutex::new(Window::default()),
        });
        let tasks = (0..clients)
            .map(|client| {
                let shared = shared.clone();
                let workload = workload.clone();
                let mut conn = Conn::new(addr, token);
                tokio::spawn(async move {
                    let mut state = ClientState::new(client, clients);
                    while !shared.stop.load(Ordering::Relaxed) {
                        let counted = shared.measuring.load(Ordering::Relaxed);
                        let started = Instant::now();
                        let (kind, outcome) = workload.once(&mut conn, &mut state).await;
                        let micros =
                            u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
                        if counted {
                            shared
                                .window
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .record(kind, micros, outcome.err());
                        }
                    }
                })
            })
            .collect();
        Load {
            shared,
            tasks,
            measuring_since: None,
        }
    }

    /// Ends the warm-up: requests started from now on are recorded.
    pub fn measure(&mut self) {
        self.shared.measuring.store(true, Ordering::Relaxed);
        self.measuring_since = Some(Instant::now());
    }

    /// The requests recorded since the last take.
    pub fn take(&self) -> Window {
        std::mem::take(
            &mut *self
                .shared
                .window
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Stops the clients (after the request each has in flight) and returns what was
    /// recorded since the last take, with the seconds measured in all.
    pub async fn stop(mut self) -> (Window, f64) {
        self.shared.stop.store(true, Ordering::Relaxed);
        let seconds = self
            .measuring_since
            .map_or(0.0, |since| since.elapsed().as_secs_f64());
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
        (self.take(), seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(quantile_ms(&v, 0.5), 50.0);
        assert_eq!(quantile_ms(&v, 0.99), 99.0);
        assert_eq!(quantile_ms(&v, 1.0), 100.0);
        assert_eq!(quantile_ms(&[7000], 0.99), 7.0);
        assert!(quantile_ms(&[], 0.5).is_nan());
    }

    #[test]
    fn windows_merge_errors_per_kind() {
        let mut a = Window::default();
        a.record(0, 10, None);
        a.record(2, 20, Some("boom".into()));
        let mut b = Window::default();
        b.record(0, 30, Some("bang".into()));
        a.merge(b);
        assert_eq!(a.requests(), 3);
        assert_eq!(a.errors, vec![1, 0, 1]);
        assert_eq!(a.error_count(), 2);
        assert_eq!(a.sorted(Some(0)), vec![10, 30]);
    }
}
