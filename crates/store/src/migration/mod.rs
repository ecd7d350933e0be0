//! Versioned schema migrations, written once with sea-query and rendered for SQLite,
//! PostgreSQL and MariaDB/MySQL. Each migration is a module `mYYYYMMDD_NNNNNN_name`; the
//! applied ones are recorded in `seaql_migrations`, so running them twice is a no-op and a
//! newer binary migrates an older database forward.

mod m20261129_000001_initial;
mod m20261129_000002_patient_search;
pub mod m20261130_000003_sms_settings;
mod m20261207_000004_security;
pub mod m20261207_000005_search_keys;
mod m20261207_000006_user_preferences;
mod m20261207_000007_chart_and_plans;
mod m20261208_000008_medical_and_files;
pub mod m20261209_000009_front_desk;
mod m20261210_000010_day_close;
mod m20261211_000011_money;
pub(crate) mod schema;

use sea_orm_migration::prelude::*;

/// Every migration of DCMS, oldest first.
pub struct Migrator;

/// How many migrations this binary has.
pub fn count() -> usize {
    Migrator::migrations().len()
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_initial::Migration),
            Box::new(m20261129_000002_patient_search::Migration),
            Box::new(m20261130_000003_sms_settings::Migration),
            Box::new(m20261207_000004_security::Migration),
            Box::new(m20261207_000005_search_keys::Migration),
            Box::new(m20261207_000006_user_preferences::Migration),
            Box::new(m20261207_000007_chart_and_plans::Migration),
            Box::new(m20261208_000008_medical_and_files::Migration),
            Box::new(m20261209_000009_front_desk::Migration),
            Box::new(m20261210_000010_day_close::Migration),
            Box::new(m20261211_000011_money::Migration),
        ]
    }
}
