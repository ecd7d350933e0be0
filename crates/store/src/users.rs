//! Repository of user accounts (`user`) and the sessions they own.

use crate::StoreError;
use crate::entity::{session_token, user};
use crate::time::{DbTimestamp, now};
use dcms_domain::{Role, username_key};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait, sea_query::Expr,
};

/// A user account to create. The password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
}

/// Creates a user; a username taken in any letter case is [`StoreError::Conflict`].
pub async fn create(db: &impl ConnectionTrait, new: NewUser) -> Result<user::Model, StoreError> {
    let key = username_key(&new.username);
    if find_by_username(db, &new.username).await?.is_some() {
        return Err(StoreError::Conflict(format!(
            "username '{}' is taken",
            new.username.trim()
        )));
    }
    let row = user::ActiveModel {
        username: Set(new.username.trim().to_owned()),
        username_key: Set(key),
        display_name: Set(new.display_name),
        password_hash: Set(new.password_hash),
        roles: Set(new.role.code()),
        created_at: Set(now()),
        disabled_at: Set(None),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

/// The user with this username, compared case-insensitively.
pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<user::Model>, StoreError> {
    Ok(user::Entity::find()
        .filter(user::Column::UsernameKey.eq(username_key(username)))
        .one(db)
        .await?)
}

/// Number of users with the admin role that are not disabled.
pub async fn count_active_admins(db: &impl ConnectionTrait) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(user::Entity::find()
        .filter(user::Column::Roles.eq(Role::Admin.code()))
        .filter(user::Column::DisabledAt.is_null())
        .count(db)
        .await?)
}

/// Sets a user's password hash and revokes every session the user has, in one transaction.
pub async fn reset_password(
    db: &DatabaseConnection,
    user_id: i64,
    password_hash: String,
) -> Result<(), StoreError> {
    let txn = db.begin().await?;
    let found = user::Entity::find_by_id(user_id).one(&txn).await?;
    let Some(found) = found else {
        return Err(StoreError::NotFound("user"));
    };
    let mut row: user::ActiveModel = found.into();
    row.password_hash = Set(password_hash);
    row.update(&txn).await?;
    revoke_sessions(&txn, user_id, now()).await?;
    txn.commit().await?;
    Ok(())
}

/// Revokes every open session of a user.
pub async fn revoke_sessions(
    db: &impl ConnectionTrait,
    user_id: i64,
    at: DbTimestamp,
) -> Result<u64, StoreError> {
    let result = session_token::Entity::update_many()
        .col_expr(session_token::Column::RevokedAt, Expr::value(at))
        .filter(session_token::Column::UserId.eq(user_id))
        .filter(session_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
