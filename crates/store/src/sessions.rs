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

/// A session and its user, read by the session's primary key.
pub async fn find_with_user(
    db: &impl ConnectionTrait,
    session_token_id: i64,
) -> Result<Option<(session_token::Model, user::Model)>, StoreError> {
    let found = session_token::Entity::find_by_id(session_token_id)
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(session, user)| user.map(|u| (session, u))))
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
