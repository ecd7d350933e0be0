//! Repository of user accounts (`user`) and the sessions they own.

use crate::StoreError;
use crate::entity::{session_token, user};
use crate::time::{DbTimestamp, now};
use dcms_domain::{Role, username_key};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr,
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

/// A user by id.
pub async fn find(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<user::Model>, StoreError> {
    Ok(user::Entity::find_by_id(user_id).one(db).await?)
}

/// Users ordered by id, after `after_id` (keyset pagination).
pub async fn list(
    db: &impl ConnectionTrait,
    after_id: Option<i64>,
    limit: u64,
) -> Result<Vec<user::Model>, StoreError> {
    use sea_orm::{QueryOrder, QuerySelect};
    let mut query = user::Entity::find().order_by_asc(user::Column::UserId);
    if let Some(after) = after_id {
        query = query.filter(user::Column::UserId.gt(after));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// Locks the rows of the active admins (`FOR UPDATE`; on SQLite the write transaction
/// already holds the lock) and returns their ids, so a rule about "the last active admin"
/// holds under concurrent changes.
pub async fn lock_active_admins(db: &impl ConnectionTrait) -> Result<Vec<i64>, StoreError> {
    use sea_orm::QuerySelect;
    let rows = user::Entity::find()
        .filter(user::Column::Roles.eq(Role::Admin.code()))
        .filter(user::Column::DisabledAt.is_null())
        .lock_exclusive()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|u| u.user_id).collect())
}

/// Writes a changed user row.
pub async fn save(
    db: &impl ConnectionTrait,
    changed: user::Model,
) -> Result<user::Model, StoreError> {
    let mut row: user::ActiveModel = changed.clone().into();
    row.display_name = Set(changed.display_name);
    row.password_hash = Set(changed.password_hash);
    row.roles = Set(changed.roles);
    row.disabled_at = Set(changed.disabled_at);
    Ok(row.update(db).await?)
}

/// The appointment book's doctors a user chose (employee ids in their order); None when
/// they have not chosen (every doctor is shown).
pub async fn book_doctors(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<Vec<i64>>, StoreError> {
    use crate::entity::user_preference;
    let row = user_preference::Entity::find_by_id(user_id).one(db).await?;
    Ok(row.and_then(|r| r.book_doctor_ids).map(|ids| {
        ids.split(',')
            .filter_map(|id| id.trim().parse::<i64>().ok())
            .collect()
    }))
}

/// Remembers the appointment book's doctors of a user (None: every doctor), in one
/// statement (an insert that updates the user's row when there is one).
pub async fn set_book_doctors(
    db: &impl ConnectionTrait,
    user_id: i64,
    doctor_ids: Option<&[i64]>,
) -> Result<(), StoreError> {
    use crate::entity::user_preference;
    use sea_orm::sea_query::OnConflict;
    let text = doctor_ids.map(|ids| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
    let row = user_preference::ActiveModel {
        user_id: Set(user_id),
        book_doctor_ids: Set(text),
        updated_at: Set(now()),
    };
    user_preference::Entity::insert(row)
        .on_conflict(
            OnConflict::column(user_preference::Column::UserId)
                .update_columns([
                    user_preference::Column::BookDoctorIds,
                    user_preference::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}
