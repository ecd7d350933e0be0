//! What more than one page uses: small helpers here, the parts several pages show in the
//! submodules. No page module takes anything from another page module.

pub mod accounts;
