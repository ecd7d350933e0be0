//! Repository of sessions (`session_token`). Only hashes of the secrets are stored.

use crate::StoreError;
use crate::entity::{session_token, user};
use crate::time::DbTimestamp;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};

/// A session to open.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub user_id: i64,
    pub session_type: i16,
    pub token_hash: String,
    pub device_name: Option<String>,
    pub now: DbTimestamp,
    pub expires_at: DbTimestamp,
}

pub async fn create(
    db: &impl ConnectionTrait,
    new: NewSession,
) -> Result<session_token::Model, StoreError> {
    Ok(session_token::ActiveModel {
        user_id: Set(new.user_id),
        session_token_hash: Set(new.token_hash),
        session_type: Set(new.session_type),
        device_name: Set(new.device_name),
        expires_at: Set(new.expires_at),
        created_at: Set(new.now),
        last_seen_at: Set(new.now),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A session with its user and the patient and employee linked to that user.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: session_token::Model,
    pub user: user::Model,
    pub patient_id: Option<i64>,
    pub employee_id: Option<i64>,
}

/// A session, its user and the user's linked patient and employee, read by the session's
/// primary key in one statement (every authenticated request runs it).
pub async fn find_with_user(
    db: &impl ConnectionTrait,
    session_token_id: i64,
) -> Result<Option<SignedIn>, StoreError> {
    use sea_orm::sea_query::{Alias, ExprTrait, Query, SimpleExpr};
    use sea_orm::{FromQueryResult, IdenStatic, QuerySelect, QueryTrait, SelectA, SelectB};
    let linked = |table: &str, column: &str| -> SimpleExpr {
        SimpleExpr::SubQuery(
            None,
            Box::new(
                Query::select()
                    .column(Alias::new(column))
                    .from(Alias::new(table))
                    .and_where(
                        Expr::col((Alias::new(table), Alias::new("user_id")))
                            .eq(Expr::col((user::Entity, user::Column::UserId))),
                    )
                    .to_owned()
                    .into(),
            ),
        )
    };
    let statement = session_token::Entity::find_by_id(session_token_id)
        .find_also_related(user::Entity)
        .expr_as(linked("patient", "patient_id"), "linked_patient_id")
        .expr_as(linked("employee", "employee_id"), "linked_employee_id")
        .build(db.get_database_backend());
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let session = session_token::Model::from_query_result(&row, SelectA.as_str())?;
    // The inner join of a session to its user cannot miss (a foreign key), but the query is
    // a left join: no user, no session.
    let Some(user) = Option::<user::Model>::from_query_result(&row, SelectB.as_str())? else {
        return Ok(None);
    };
    Ok(Some(SignedIn {
        session,
        user,
        patient_id: row.try_get::<Option<i64>>("", "linked_patient_id")?,
        employee_id: row.try_get::<Option<i64>>("", "linked_employee_id")?,
    }))
}

pub async fn find(
    db: &impl ConnectionTrait,
    session_token_id: i64,
) -> Result<Option<session_token::Model>, StoreError> {
    Ok(session_token::Entity::find_by_id(session_token_id)
        .one(db)
        .await?)
}

/// Records that the session was used (callers write this at most once a minute).
pub async fn touch(
    db: &impl ConnectionTrait,
    session_token_id: i64,
    at: DbTimestamp,
) -> Result<(), StoreError> {
    session_token::Entity::update_many()
        .col_expr(session_token::Column::LastSeenAt, Expr::value(at))
        .filter(session_token::Column::SessionTokenId.eq(session_token_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes one open session; returns whether it was open.
pub async fn revoke(
    db: &impl ConnectionTrait,
    session_token_id: i64,
    at: DbTimestamp,
) -> Result<bool, StoreError> {
    let result = session_token::Entity::update_many()
        .col_expr(session_token::Column::RevokedAt, Expr::value(at))
        .filter(session_token::Column::SessionTokenId.eq(session_token_id))
        .filter(session_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Revokes every open session of a user but one.
pub async fn revoke_others(
    db: &impl ConnectionTrait,
    user_id: i64,
    keep_session_token_id: i64,
    at: DbTimestamp,
) -> Result<u64, StoreError> {
    let result = session_token::Entity::update_many()
        .col_expr(session_token::Column::RevokedAt, Expr::value(at))
        .filter(session_token::Column::UserId.eq(user_id))
        .filter(session_token::Column::SessionTokenId.ne(keep_session_token_id))
        .filter(session_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// A user's sessions, newest first (at most `limit`).
pub async fn list_for_user(
    db: &impl ConnectionTrait,
    user_id: i64,
    limit: u64,
) -> Result<Vec<session_token::Model>, StoreError> {
    use sea_orm::QuerySelect;
    Ok(session_token::Entity::find()
        .filter(session_token::Column::UserId.eq(user_id))
        .order_by_desc(session_token::Column::CreatedAt)
        .order_by_desc(session_token::Column::SessionTokenId)
        .limit(limit)
        .all(db)
        .await?)
}
