//! The entities of HQ's own tables (`hq/migration.rs`).

/// A clinic of the chain.
pub mod hq_clinic {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "hq_clinic")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub clinic_id: i64,
        pub name: String,
        pub code: String,
        pub base_url: String,
        /// The HQ session token on the clinic.
        pub session_token: Option<String>,
        pub session_expires_at: Option<ChronoDateTimeUtc>,
        pub api_revision: Option<i32>,
        /// The last local day whose figures were read after it ended.
        pub synced_through: Option<ChronoDate>,
        pub last_success_at: Option<ChronoDateTimeUtc>,
        pub last_error: Option<String>,
        pub last_error_at: Option<ChronoDateTimeUtc>,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A clinic's figures of one day.
pub mod hq_day {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "hq_day")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub hq_day_id: i64,
        pub clinic_id: i64,
        pub day: ChronoDate,
        pub charges: i64,
        pub discounts: i64,
        pub paid: i64,
        /// Appointments starting that day, canceled ones left out.
        pub appointments: i64,
        pub no_shows: i64,
        /// Came or finished.
        pub came: i64,
        pub new_patients: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A clinic's doctor's figures of one day.
pub mod hq_doctor_day {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "hq_doctor_day")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub hq_doctor_day_id: i64,
        pub clinic_id: i64,
        pub day: ChronoDate,
        /// The clinic's employee id.
        pub doctor_id: i64,
        pub doctor_name: String,
        pub charges: i64,
        pub discounts: i64,
        pub paid: i64,
        pub appointments: i64,
        pub no_shows: i64,
        pub came: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
