//! Building and running the server: connect, migrate, bind, serve until told to stop.

use crate::config::Config;
use crate::http::{self, state::AppState};
use crate::services::audit::AuditTrail;
use crate::services::auth::Auth;
use dcms_store::audit::AuditKey;
use dcms_store::{Store, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Service(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A migrated database and a bound listener, ready to serve.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to the database, applies pending migrations and binds the listener.
    pub async fn build(config: Config) -> Result<Application, StartError> {
        let store = Store::connect(&config.database_url, &config.store).await?;
        store.migrate().await?;
        Application::with_store(config, store).await
    }

    /// Binds the listener for an already migrated store.
    pub async fn with_store(config: Config, store: Store) -> Result<Application, StartError> {
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.bind,
                source,
            })?;
        let key = AuditKey::load_or_create(&config.audit_key_file)?;
        let audit = AuditTrail::start(store.clone(), key);
        crate::http::metrics::install();
        let auth = Auth::new(store.clone(), audit.clone(), &config)
            .await
            .map_err(|e| StartError::Service(e.to_string()))?;
        Ok(Application {
            listener,
            state: AppState {
                store,
                files: crate::services::attachments::Files::new(config.files_dir.clone()),
                config: Arc::new(config),
                auth: Arc::new(auth),
                audit,
            },
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.bind)
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    pub fn audit(&self) -> &AuditTrail {
        &self.state.audit
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let audit = self.state.audit.clone();
        // Patients' stored statuses: refreshed now and daily, stopped with the server.
        let statuses = self.state.config.status_refresher.then(|| {
            crate::services::patients::StatusRefresher::start(
                self.state.store.clone(),
                crate::services::patients::REFRESH_PERIOD,
            )
        });
        // The SMS outbox and reminders: stopped with the server, after the message in hand.
        let outbox = if self.state.config.outbox_worker {
            match crate::services::sms_gateway::Gateway::from_config(
                self.state.config.sms_gateway.as_ref(),
            ) {
                Ok(gateway) => Some(crate::services::outbox::OutboxWorker::start(
                    self.state.store.clone(),
                    audit.clone(),
                    gateway,
                    self.state.config.outbox.clone(),
                )),
                Err(e) => {
                    tracing::error!(error = %e, "the SMS gateway cannot start: no SMS will be sent");
                    None
                }
            }
        } else {
            None
        };
        // e-barimt receipts: with the outbox (tests that drive it by hand turn both off).
        let receipts = self.state.config.outbox_worker.then(|| {
            crate::services::ebarimt::EbarimtWorker::start(
                self.state.store.clone(),
                audit.clone(),
                self.state.config.ebarimt.clone(),
            )
        });
        let router = http::router(self.state);
        let served = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        if let Some(statuses) = statuses {
            statuses.shutdown().await;
        }
        if let Some(outbox) = outbox {
            outbox.shutdown().await;
        }
        if let Some(receipts) = receipts {
            receipts.shutdown().await;
        }
        // Buffered reads of patients' records are written before the process ends.
        audit.shutdown().await;
        served
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    // The handlers are installed now, before the server says it is serving: a SIGTERM sent
    // right after that line stops it cleanly instead of killing it.
    #[cfg(unix)]
    let (mut terminate, mut interrupt) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let terminate = async {
                match terminate.as_mut() {
                    Some(sig) => {
                        sig.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let interrupt = async {
                match interrupt.as_mut() {
                    Some(sig) => {
                        sig.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = terminate => {},
                () = interrupt => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}
