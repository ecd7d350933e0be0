use crate::config::Config;
use crate::services::attachments::Files;
use crate::services::audit::AuditTrail;
use crate::services::auth::Auth;
use dcms_store::Store;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub auth: Arc<Auth>,
    pub audit: AuditTrail,
    /// Where attachments' contents are kept.
    pub files: Files,
}
