//! Column and table helpers that render the same logical schema on each backend.
//!
//! Choices, one place for each:
//! - ids are 64-bit integers with the database's own auto-increment;
//! - enumerations are `smallint` with a CHECK listing the seed's codes;
//! - instants are `timestamptz` (PostgreSQL), `DATETIME(6)` in UTC (MariaDB/MySQL) and RFC 3339
//!   text (SQLite): at least microsecond precision everywhere;
//! - text that is compared or searched (normalised keys, phone numbers) uses a binary
//!   collation: tables on MariaDB/MySQL are `utf8mb4_bin`, key columns on PostgreSQL are
//!   `COLLATE "C"`, SQLite's default is already binary. Case-insensitivity is done in Rust.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// A table being created on one backend.
pub struct TableBuilder {
    pub backend: DbBackend,
    pub name: &'static str,
    pub stmt: TableCreateStatement,
}

impl TableBuilder {
    pub fn new(backend: DbBackend, name: &'static str) -> Self {
        let mut stmt = Table::create();
        stmt.table(name);
        if backend == DbBackend::MySql {
            stmt.engine("InnoDB")
                .character_set("utf8mb4")
                .collate("utf8mb4_bin");
        }
        Self {
            backend,
            name,
            stmt,
        }
    }

    fn add(mut self, col: &mut ColumnDef) -> Self {
        self.stmt.col(col);
        self
    }

    /// The primary key: a 64-bit auto-incremented id.
    pub fn id(self, col: &'static str) -> Self {
        self.add(
            ColumnDef::new(col)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
    }

    /// A primary key whose value the application chooses (singletons, dictionaries).
    pub fn fixed_id(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).big_integer().not_null().primary_key())
    }

    pub fn big_int(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).big_integer().not_null())
    }

    pub fn big_int_null(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).big_integer().null())
    }

    pub fn int(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).integer().not_null())
    }

    pub fn int_null(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).integer().null())
    }

    /// An integer column with a default value.
    pub fn int_default(self, col: &'static str, default: i32) -> Self {
        self.add(ColumnDef::new(col).integer().not_null().default(default))
    }

    /// An enumeration stored as the seed's small integer codes `allowed`.
    pub fn enumeration(mut self, col: &'static str, allowed: &[i16]) -> Self {
        let check = Expr::col(col).is_in(allowed.iter().copied());
        self.stmt
            .check(Check::named(format!("ck_{}_{}", self.name, col), check));
        self.add(ColumnDef::new(col).small_integer().not_null())
    }

    /// A nullable enumeration.
    pub fn enumeration_null(mut self, col: &'static str, allowed: &[i16]) -> Self {
        let check = Expr::col(col)
            .is_null()
            .or(Expr::col(col).is_in(allowed.iter().copied()));
        self.stmt
            .check(Check::named(format!("ck_{}_{}", self.name, col), check));
        self.add(ColumnDef::new(col).small_integer().null())
    }

    pub fn boolean(self, col: &'static str, default: bool) -> Self {
        self.add(ColumnDef::new(col).boolean().not_null().default(default))
    }

    pub fn string(self, col: &'static str, len: u32) -> Self {
        self.add(ColumnDef::new(col).string_len(len).not_null())
    }

    pub fn string_null(self, col: &'static str, len: u32) -> Self {
        self.add(ColumnDef::new(col).string_len(len).null())
    }

    /// A string with a default value.
    pub fn string_default(self, col: &'static str, len: u32, default: &str) -> Self {
        self.add(
            ColumnDef::new(col)
                .string_len(len)
                .not_null()
                .default(default.to_owned()),
        )
    }

    /// A normalised key compared byte by byte (see the module documentation).
    pub fn key(self, col: &'static str, len: u32) -> Self {
        let backend = self.backend;
        let mut def = ColumnDef::new(col);
        def.string_len(len).not_null();
        if backend == DbBackend::Postgres {
            def.extra("COLLATE \"C\"");
        }
        self.add(&mut def)
    }

    pub fn text(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).text().not_null())
    }

    pub fn text_null(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).text().null())
    }

    pub(super) fn timestamp_def(backend: DbBackend, col: &'static str) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        match backend {
            DbBackend::Postgres => def.custom("timestamp(6) with time zone"),
            DbBackend::MySql => def.custom("datetime(6)"),
            _ => def.custom("datetime"),
        };
        def
    }

    /// An instant (UTC).
    pub fn timestamp(self, col: &'static str) -> Self {
        let mut def = Self::timestamp_def(self.backend, col);
        self.add(def.not_null())
    }

    /// An optional instant (UTC).
    pub fn timestamp_null(self, col: &'static str) -> Self {
        let mut def = Self::timestamp_def(self.backend, col);
        self.add(def.null())
    }

    /// A calendar date without time.
    pub fn date(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).date().not_null())
    }

    pub fn date_null(self, col: &'static str) -> Self {
        self.add(ColumnDef::new(col).date().null())
    }

    /// A table-level CHECK constraint named `ck_<table>_<suffix>`.
    pub fn check(mut self, suffix: &str, expr: impl Into<Expr>) -> Self {
        self.stmt.check(Check::named(
            format!("ck_{}_{}", self.name, suffix),
            expr.into(),
        ));
        self
    }

    /// A foreign key `col -> table(column)`; referenced rows cannot be deleted while used.
    pub fn references(self, col: &'static str, table: &'static str, column: &'static str) -> Self {
        self.foreign_key(col, table, column, ForeignKeyAction::Restrict)
    }

    /// A foreign key whose rows go with the referenced row (owned details such as the teeth of
    /// a treatment item).
    pub fn references_cascade(
        self,
        col: &'static str,
        table: &'static str,
        column: &'static str,
    ) -> Self {
        self.foreign_key(col, table, column, ForeignKeyAction::Cascade)
    }

    fn foreign_key(
        mut self,
        col: &'static str,
        table: &'static str,
        column: &'static str,
        on_delete: ForeignKeyAction,
    ) -> Self {
        let name = format!("fk_{}_{}", self.name, col);
        self.stmt.foreign_key(
            ForeignKey::create()
                .name(name)
                .from(self.name, col)
                .to(table, column)
                .on_delete(on_delete)
                .on_update(ForeignKeyAction::Restrict),
        );
        self
    }

    pub async fn create(self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        manager.create_table(self.stmt).await
    }
}

/// Creates an index `idx_<table>_<cols>` (or `uq_...` when unique).
pub async fn index(
    manager: &SchemaManager<'_>,
    table: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let prefix = if unique { "uq" } else { "idx" };
    let mut stmt = Index::create();
    stmt.name(format!("{prefix}_{table}_{}", cols.join("_")))
        .table(table);
    for col in cols {
        stmt.col(*col);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt).await
}
