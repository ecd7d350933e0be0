//! Discounts on treatment items and plans (docs/money.md): an amount or a percent of the
//! list price, with a reason; above the clinic's threshold (`discount_threshold_percent`,
//! 10 by default) only a manager or an admin may give one (403 otherwise). One place for
//! the rule, used by treatments and plans alike.

use super::fields;
use super::{Actor, FieldError, ServiceError};
use dcms_domain::{Discount, DiscountError};

/// Most characters of a discount's reason.
pub const REASON_MAX: usize = 200;

/// A discount that passed its checks against a list price.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Given {
    /// Whole tugrik off.
    pub off: i64,
    /// When given as a percent.
    pub percent: Option<i32>,
    pub reason: Option<String>,
}

impl Given {
    /// The discount as stored (`percent` kept, so a new list price recomputes it).
    pub fn discount(&self) -> Option<Discount> {
        match (self.percent, self.off) {
            (Some(p), _) => Some(Discount::Percent(i64::from(p))),
            (None, 0) => None,
            (None, off) => Some(Discount::Amount(off)),
        }
    }

    /// The stored discount recomputed for a new list price (a change of teeth).
    pub fn for_list(&self, list: i64) -> Given {
        Given {
            off: self.discount().map_or(0, |d| d.off(list)),
            ..self.clone()
        }
    }
}

/// Checks `discount` (with its reason) against `list`: 422 on `{prefix}discount` (negative,
/// a percent above 100, more than the list price) or `{prefix}discount_reason` (missing for
/// a discount, too long). None when invalid.
pub(crate) fn check(
    errors: &mut Vec<FieldError>,
    prefix: &str,
    discount: Option<Discount>,
    reason: Option<&str>,
    list: i64,
) -> Option<Given> {
    let reason_field = format!("{prefix}discount_reason");
    let reason = fields::optional_text(errors, &reason_field, reason, REASON_MAX)?;
    let Some(discount) = discount else {
        return Some(Given::default());
    };
    let field = format!("{prefix}discount");
    if let Err(e) = discount.check(list) {
        let message = e.to_string();
        errors.push(match e {
            DiscountError::Negative | DiscountError::NotANumber => {
                FieldError::coded(field, "discount-negative", message)
            }
            DiscountError::PercentTooLarge => FieldError::coded(field, "discount-percent", message),
            DiscountError::MoreThanList { list, .. } => {
                FieldError::coded(field, "discount-range", message).arg("max", list)
            }
        });
        return None;
    }
    let off = discount.off(list);
    if off > 0 && reason.is_none() {
        errors.push(FieldError::coded(
            reason_field,
            "discount-reason-required",
            "a discount needs its reason",
        ));
        return None;
    }
    Some(Given {
        off,
        percent: discount.percent().and_then(|p| i32::try_from(p).ok()),
        reason: if off > 0 || discount.percent().is_some() {
            reason
        } else {
            None
        },
    })
}

/// Refuses (403) a discount above `threshold_percent` of `list` unless `actor` is a manager
/// or an admin.
pub(crate) fn allowed(
    actor: Actor,
    threshold_percent: i32,
    given: &Given,
    list: i64,
) -> Result<(), ServiceError> {
    let above = given
        .discount()
        .is_some_and(|d| d.above(list, i64::from(threshold_percent)));
    if above && !actor.may_override() {
        return Err(ServiceError::ForbiddenBecause {
            code: "discount-above-threshold",
            detail: "a discount above the clinic's threshold is given by a manager or an admin",
        });
    }
    Ok(())
}
