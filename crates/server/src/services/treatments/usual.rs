//! The scope each service is usually recorded with, read from the latest items: what the
//! treatment form proposes when a service is chosen (`TreatmentScope::following`). The
//! catalog keeps no scope of its own; the clinic's own recent practice is the rule.

use super::internal;
use crate::services::ServiceError;
use dcms_domain::TreatmentScope;
use dcms_store::Store;
use dcms_store::clinical as repo;
use std::collections::HashMap;

/// How many of the latest items are read.
pub const RECENT_ITEMS: i64 = 5000;

/// Each service's usual scope among the latest [`RECENT_ITEMS`] items: the one it was
/// recorded with most often, on a tie the one used last. A service not recorded lately
/// has none.
pub async fn usual_scopes(store: &Store) -> Result<HashMap<i64, TreatmentScope>, ServiceError> {
    let uses = repo::scopes_in_use(store.connection(), RECENT_ITEMS).await?;
    let mut best: HashMap<i64, (i64, i64, TreatmentScope)> = HashMap::new();
    for u in uses {
        let scope = TreatmentScope::from_code(u.scope)
            .ok_or_else(|| internal(format!("an item has an unknown scope {}", u.scope)))?;
        let rank = (u.count, u.latest_item_id);
        match best.get(&u.service_id) {
            Some((count, latest, _)) if (*count, *latest) >= rank => {}
            _ => {
                best.insert(u.service_id, (u.count, u.latest_item_id, scope));
            }
        }
    }
    Ok(best
        .into_iter()
        .map(|(service_id, (_, _, scope))| (service_id, scope))
        .collect())
}
