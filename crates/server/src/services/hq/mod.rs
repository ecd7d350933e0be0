//! DCMS HQ, the head office of a chain of clinics (issue 24; domain.md "DCMS HQ, the head
//! office"). Built so far: adding and connecting clinics ([`clinics`], the token sealed with
//! HQ's key) and the sync of a clinic's figures by day ([`sync`]) over HQ's own schema
//! (`dcms_store::hq`). HQ's server, users and pages come next (docs/hq.md).

pub mod clinics;
pub mod sync;
