//! The statements of the patient list and search: one index-backed statement per form of a
//! query (`dcms_domain::SearchForm`), keyset-paginated (`docs/search-plans.md`; a test runs
//! `EXPLAIN` on each of them on every backend).
//!
//! [`PatientQuery::of_form`] turns the form of a rank into a [`PatientQuery`], leaving out the
//! patients an earlier rank of the same query found, so that nobody is listed twice;
//! [`PatientQuery::select`] builds the statement, so the test explains exactly what runs.
//! Prefixes are ranges (`key >= p AND key < p || U+10FFFF`) on byte-ordered columns, never
//! `LIKE`, so `%`, `_` and `\` have no special meaning and the index is used everywhere.

use crate::StoreError;
use crate::entity::{patient, patient_phone};
use crate::time::DbTimestamp;
use dcms_domain::{NamePrefixes, SearchForm, reversed_digits};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use std::collections::BTreeSet;

/// The largest Unicode scalar value: `p || MAX_CHAR` is above every string starting with `p`
/// in byte (and code point) order.
pub const MAX_CHAR: char = '\u{10FFFF}';

/// Where a page of a ranked search starts: after the patient with these keys in the order of
/// its rank ([`PatientQuery::keyset_of`]): `(register_number, "", id)` for register numbers
/// (ordered by the number alone, which is unique),
/// `(last_name_key, first_name_key, id)` for names and phones, `(last_name_fold,
/// first_name_fold, id)` for folded names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub major: String,
    pub minor: String,
    pub patient_id: i64,
}

/// Where a page of the newest-first list starts: after this patient in
/// `(created_at, patient_id)` descending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewestKeyset {
    pub created_at: DbTimestamp,
    pub patient_id: i64,
}

/// One shape of patient list, or one rank of a search, as one index-backed statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientQuery {
    /// All patients, newest first: `(created_at, patient_id)` descending
    /// (index `patient (created_at, patient_id)`).
    Newest { after: Option<NewestKeyset> },
    /// The patient with exactly this normalised register number (unique index).
    RegisterNumber {
        register_number: String,
        after: Option<Keyset>,
    },
    /// Patients whose register number starts with `prefix`, in register number order (a range
    /// on the unique index, read in order).
    RegisterNumberPrefix {
        prefix: String,
        after: Option<Keyset>,
    },
    /// Patients with a matching phone, by name. [`query`] reads the owners first
    /// ([`PhoneSearch::owners`]) and then [`PatientQuery::Ids`], two statements that each use
    /// an index whatever the planner thinks of a semi-join; only when more than
    /// [`PHONE_OWNERS_MAX`] patients match does it run this one statement (`patient_id IN
    /// (SELECT ...)`).
    Phone {
        phones: PhoneSearch,
        after: Option<Keyset>,
    },
    /// These patients (primary key lookups), by name: the second step of a phone search.
    Ids {
        patient_ids: Vec<i64>,
        after: Option<Keyset>,
    },
    /// Patients whose name keys (or folded keys) start with `names` and match none of
    /// `excluding` (the name forms of the earlier ranks), in the order of the keys searched: a
    /// range on the index `(last, first, patient_id)` read in order when the last name is
    /// searched, on `(first, last, patient_id)` and sorted afterwards when only the first is.
    Names {
        names: NamePrefixes,
        excluding: Vec<NamePrefixes>,
        after: Option<Keyset>,
    },
}

/// `col >= prefix AND col < prefix || U+10FFFF`: the strings starting with `prefix`, in byte
/// order, with no character of `prefix` special.
fn starts_with(col: impl ColumnTrait, prefix: &str) -> Condition {
    Condition::all()
        .add(col.gte(prefix))
        .add(col.lt(format!("{prefix}{MAX_CHAR}")))
}

/// The order of a rank: two key columns (the second none for register numbers, which are
/// unique) and the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    RegisterNumber,
    Names,
    FoldedNames,
}

impl Order {
    fn columns(self) -> (patient::Column, Option<patient::Column>) {
        use patient::Column::*;
        match self {
            Order::RegisterNumber => (RegisterNumber, None),
            Order::Names => (LastNameKey, Some(FirstNameKey)),
            Order::FoldedNames => (LastNameFold, Some(FirstNameFold)),
        }
    }

    fn keyset(self, row: &patient::Model) -> Keyset {
        let (major, minor) = match self {
            Order::RegisterNumber => (&row.register_number, ""),
            Order::Names => (&row.last_name_key, row.first_name_key.as_str()),
            Order::FoldedNames => (&row.last_name_fold, row.first_name_fold.as_str()),
        };
        Keyset {
            major: major.clone(),
            minor: minor.to_owned(),
            patient_id: row.patient_id,
        }
    }

    /// `(major, minor, patient_id) > after`, written out (row-value comparisons are not
    /// range-optimised everywhere), with `major >= ...` repeated so the range on the index
    /// starts there; `register_number > after` for register numbers (unique).
    fn after(self, after: &Keyset) -> Condition {
        let (major, minor) = self.columns();
        let Some(minor) = minor else {
            return Condition::all().add(major.gt(after.major.as_str()));
        };
        Condition::all().add(major.gte(after.major.as_str())).add(
            Condition::any().add(major.gt(after.major.as_str())).add(
                Condition::all().add(major.eq(after.major.as_str())).add(
                    Condition::any().add(minor.gt(after.minor.as_str())).add(
                        Condition::all()
                            .add(minor.eq(after.minor.as_str()))
                            .add(patient::Column::PatientId.gt(after.patient_id)),
                    ),
                ),
            ),
        )
    }

    /// `ORDER BY major, minor, patient_id`; `ORDER BY register_number` alone (unique), which
    /// its unique index gives without a sort on every backend.
    fn apply(self, query: Select<patient::Entity>) -> Select<patient::Entity> {
        let (major, minor) = self.columns();
        match minor {
            None => query.order_by_asc(major),
            Some(minor) => query
                .order_by_asc(major)
                .order_by_asc(minor)
                .order_by_asc(patient::Column::PatientId),
        }
    }
}

/// The condition that name keys (or folded keys) start with these prefixes.
fn names_condition(names: &NamePrefixes) -> Condition {
    use patient::Column::*;
    let (last, first) = if names.folded {
        (LastNameFold, FirstNameFold)
    } else {
        (LastNameKey, FirstNameKey)
    };
    let mut condition = Condition::all();
    if let Some(prefix) = &names.last {
        condition = condition.add(starts_with(last, prefix));
    }
    if let Some(prefix) = &names.first {
        condition = condition.add(starts_with(first, prefix));
    }
    condition
}

/// At most this many patients found by a phone search are looked up by their ids
/// ([`PatientQuery::Ids`]); a search matching more (a short prefix in a very large clinic) runs
/// as one statement and leaves the plan to the database.
pub const PHONE_OWNERS_MAX: u64 = 1000;

/// Which phone numbers a phone search matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneMatch {
    /// Exactly this normalised number (index `(phone_number_val, patient_id)`).
    Exact(String),
    /// Numbers starting with these digits (a range on the same index).
    Prefix(String),
    /// Numbers ending with these digits: a range on the index `(phone_number_rev,
    /// patient_id)` of the reversed digits.
    Ending(String),
}

impl PhoneMatch {
    fn condition(&self) -> Condition {
        use patient_phone::Column::{PhoneNumberRev, PhoneNumberVal};
        match self {
            PhoneMatch::Exact(number) => Condition::all().add(PhoneNumberVal.eq(number.as_str())),
            PhoneMatch::Prefix(digits) => starts_with(PhoneNumberVal, digits),
            PhoneMatch::Ending(digits) => starts_with(PhoneNumberRev, &reversed_digits(digits)),
        }
    }

    /// `SELECT DISTINCT patient_id FROM patient_phone WHERE <match> LIMIT limit`: a range on
    /// an index that holds every column it reads.
    pub fn owners_select(&self, limit: u64) -> SelectStatement {
        let mut select = Query::select();
        select
            .distinct()
            .column(patient_phone::Column::PatientId)
            .from(patient_phone::Entity)
            .cond_where(self.condition())
            .limit(limit);
        select
    }
}

/// The patients with a number matching any of `any_of` and none of `none_of` (the matches of
/// an earlier rank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneSearch {
    pub any_of: Vec<PhoneMatch>,
    pub none_of: Vec<PhoneMatch>,
}

impl PhoneSearch {
    fn owners_of(matches: &[PhoneMatch]) -> SelectStatement {
        let mut owners = Query::select();
        let mut any = Condition::any();
        for m in matches {
            any = any.add(m.condition());
        }
        owners
            .column(patient_phone::Column::PatientId)
            .from(patient_phone::Entity)
            .cond_where(any);
        owners
    }

    /// The ids of the patients, one statement per match; None when more than
    /// [`PHONE_OWNERS_MAX`] patients match one of them.
    pub async fn owners(&self, db: &impl ConnectionTrait) -> Result<Option<Vec<i64>>, StoreError> {
        let mut found = BTreeSet::new();
        for m in &self.any_of {
            let ids = phone_owners(db, m, PHONE_OWNERS_MAX + 1).await?;
            if ids.len() as u64 > PHONE_OWNERS_MAX {
                return Ok(None);
            }
            found.extend(ids);
        }
        for m in &self.none_of {
            let ids = phone_owners(db, m, PHONE_OWNERS_MAX + 1).await?;
            if ids.len() as u64 > PHONE_OWNERS_MAX {
                return Ok(None);
            }
            for id in ids {
                found.remove(&id);
            }
        }
        if found.len() as u64 > PHONE_OWNERS_MAX {
            return Ok(None);
        }
        Ok(Some(found.into_iter().collect()))
    }
}

/// The ids of (at most `limit`) patients with a phone matching `phone`.
pub async fn phone_owners(
    db: &impl ConnectionTrait,
    phone: &PhoneMatch,
    limit: u64,
) -> Result<Vec<i64>, StoreError> {
    let rows = db.query_all(&phone.owners_select(limit)).await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<i64>("", "patient_id")?))
        .collect()
}

/// The phone matches of a form, if it is one of numbers.
fn phone_matches(form: &SearchForm) -> Vec<PhoneMatch> {
    match form {
        SearchForm::Phone(number) => vec![PhoneMatch::Exact(number.clone())],
        SearchForm::PhoneDigits { last, first } => {
            let mut matches = vec![PhoneMatch::Ending(last.clone())];
            matches.extend(first.iter().cloned().map(PhoneMatch::Prefix));
            matches
        }
        _ => Vec::new(),
    }
}

impl PatientQuery {
    /// The statement of rank `rank` of a query whose forms are `forms` (in rank order), after
    /// `after`: the patients of that form whom no earlier form of the same kind found. (A
    /// query's forms are all of one kind, `dcms_domain::SearchShape::forms`: register
    /// numbers, numbers or names.)
    pub fn of_form(forms: &[SearchForm], rank: usize, after: Option<Keyset>) -> PatientQuery {
        let earlier = &forms[..rank];
        match &forms[rank] {
            SearchForm::RegisterNumber(register_number) => PatientQuery::RegisterNumber {
                register_number: register_number.clone(),
                after,
            },
            SearchForm::RegisterNumberPrefix(prefix) => PatientQuery::RegisterNumberPrefix {
                prefix: prefix.clone(),
                after,
            },
            form @ (SearchForm::Phone(_) | SearchForm::PhoneDigits { .. }) => PatientQuery::Phone {
                phones: PhoneSearch {
                    any_of: phone_matches(form),
                    none_of: earlier.iter().flat_map(phone_matches).collect(),
                },
                after,
            },
            SearchForm::Names(names) => PatientQuery::Names {
                names: names.clone(),
                excluding: earlier
                    .iter()
                    .filter_map(|form| match form {
                        SearchForm::Names(names) => Some(names.clone()),
                        _ => None,
                    })
                    .collect(),
                after,
            },
        }
    }

    fn order(&self) -> Option<Order> {
        match self {
            PatientQuery::Newest { .. } => None,
            PatientQuery::RegisterNumber { .. } | PatientQuery::RegisterNumberPrefix { .. } => {
                Some(Order::RegisterNumber)
            }
            PatientQuery::Phone { .. } | PatientQuery::Ids { .. } => Some(Order::Names),
            PatientQuery::Names { names, .. } if names.folded => Some(Order::FoldedNames),
            PatientQuery::Names { .. } => Some(Order::Names),
        }
    }

    /// Where the page after `row` starts, in this query's order (None for the newest-first
    /// list, whose cursor is [`NewestKeyset`]).
    pub fn keyset_of(&self, row: &patient::Model) -> Option<Keyset> {
        self.order().map(|order| order.keyset(row))
    }

    /// The statement of this shape, for one page of at most `limit` rows.
    pub fn select(&self, limit: u64) -> Select<patient::Entity> {
        use patient::Column::{CreatedAt, PatientId, RegisterNumber};
        let (filter, after) = match self {
            PatientQuery::Newest { after } => {
                let mut query = patient::Entity::find()
                    .order_by_desc(CreatedAt)
                    .order_by_desc(PatientId);
                if let Some(a) = after {
                    query = query.filter(
                        Condition::all().add(CreatedAt.lte(a.created_at)).add(
                            Condition::any().add(CreatedAt.lt(a.created_at)).add(
                                Condition::all()
                                    .add(CreatedAt.eq(a.created_at))
                                    .add(PatientId.lt(a.patient_id)),
                            ),
                        ),
                    );
                }
                return query.limit(limit);
            }
            PatientQuery::RegisterNumber {
                register_number,
                after,
            } => (
                Condition::all().add(RegisterNumber.eq(register_number.as_str())),
                after,
            ),
            PatientQuery::RegisterNumberPrefix { prefix, after } => {
                (starts_with(RegisterNumber, prefix), after)
            }
            PatientQuery::Phone { phones, after } => {
                let mut filter = Condition::all()
                    .add(PatientId.in_subquery(PhoneSearch::owners_of(&phones.any_of)));
                if !phones.none_of.is_empty() {
                    filter = filter
                        .add(PatientId.not_in_subquery(PhoneSearch::owners_of(&phones.none_of)));
                }
                (filter, after)
            }
            PatientQuery::Ids { patient_ids, after } => (
                Condition::all().add(PatientId.is_in(patient_ids.iter().copied())),
                after,
            ),
            PatientQuery::Names {
                names,
                excluding,
                after,
            } => {
                let mut filter = names_condition(names);
                for earlier in excluding {
                    filter = filter.add(names_condition(earlier).not());
                }
                (filter, after)
            }
        };
        let order = self.order().unwrap_or(Order::Names);
        let mut query = patient::Entity::find().filter(filter);
        if let Some(a) = after {
            query = query.filter(order.after(a));
        }
        order.apply(query).limit(limit)
    }
}

/// One page of a list or search shape (a phone search in two steps, see
/// [`PatientQuery::Phone`]).
pub async fn query(
    db: &impl ConnectionTrait,
    query: &PatientQuery,
    limit: u64,
) -> Result<Vec<patient::Model>, StoreError> {
    let by_ids;
    let query = match query {
        PatientQuery::Phone { phones, after } => match phones.owners(db).await? {
            Some(patient_ids) => {
                by_ids = PatientQuery::Ids {
                    patient_ids,
                    after: after.clone(),
                };
                &by_ids
            }
            None => query,
        },
        other => other,
    };
    if let PatientQuery::Ids { patient_ids, .. } = query
        && patient_ids.is_empty()
    {
        return Ok(Vec::new());
    }
    Ok(query.select(limit).all(db).await?)
}
