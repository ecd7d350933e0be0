//! Money rules beyond whole tugrik: discounts and what an e-barimt receipt carries (the tax
//! type of a line, its VAT, the payer organisation's taxpayer number). docs/money.md and
//! docs/e-barimt.md.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Most percent of a discount.
pub const DISCOUNT_PERCENT_MAX: i64 = 100;

/// A discount as given: whole tugrik off, or a percent of the list price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    Amount(i64),
    Percent(i64),
}

/// Why a discount cannot be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DiscountError {
    #[error("a discount is not negative")]
    Negative,
    #[error("a percent is at most {DISCOUNT_PERCENT_MAX}")]
    PercentTooLarge,
    #[error("a discount is whole tugrik, or a percent such as 10%")]
    NotANumber,
    #[error("a discount of {amount} is more than the list price {list}")]
    MoreThanList { amount: i64, list: i64 },
}

impl Discount {
    /// Checks the discount against a list price (whole tugrik).
    pub fn check(self, list: i64) -> Result<Discount, DiscountError> {
        match self {
            Discount::Amount(a) | Discount::Percent(a) if a < 0 => Err(DiscountError::Negative),
            Discount::Percent(p) if p > DISCOUNT_PERCENT_MAX => Err(DiscountError::PercentTooLarge),
            Discount::Amount(a) if a > list => Err(DiscountError::MoreThanList { amount: a, list }),
            d => Ok(d),
        }
    }

    /// The whole tugrik off `list`: an amount as given (at most the list price, which a
    /// change of teeth may have lowered), a percent rounded half up.
    pub fn off(self, list: i64) -> i64 {
        let list = list.max(0);
        match self {
            Discount::Amount(a) => a.clamp(0, list),
            Discount::Percent(p) => {
                let p = i128::from(p.clamp(0, DISCOUNT_PERCENT_MAX));
                let off = (i128::from(list) * p * 2 + 100) / 200;
                i64::try_from(off).unwrap_or(list).min(list)
            }
        }
    }

    /// Whether the discount is more than `threshold_percent` of `list` (a manager's or an
    /// admin's to give). A discount of exactly the threshold is anyone's.
    pub fn above(self, list: i64, threshold_percent: i64) -> bool {
        let off = i128::from(self.off(list));
        off * 100 > i128::from(list.max(0)) * i128::from(threshold_percent.max(0))
    }

    /// A discount as staff type it: `5000`, `5 000 ₮` (tugrik) or `10%`; blank is none.
    pub fn parse_typed(typed: &str) -> Result<Option<Discount>, DiscountError> {
        let compact: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '₮')
            .collect();
        if compact.is_empty() {
            return Ok(None);
        }
        let (digits, percent) = match compact.strip_suffix('%') {
            Some(d) => (d, true),
            None => (compact.as_str(), false),
        };
        let value: i64 = digits.parse().map_err(|_| DiscountError::NotANumber)?;
        Ok(Some(if percent {
            Discount::Percent(value)
        } else {
            Discount::Amount(value)
        }))
    }

    /// The percent, when given as one.
    pub fn percent(self) -> Option<i64> {
        match self {
            Discount::Percent(p) => Some(p),
            Discount::Amount(_) => None,
        }
    }
}

/// An e-barimt tax type, as PosAPI 3.0 names it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum TaxType {
    /// VAT at 10%, included in the price.
    #[serde(rename = "VAT_ABLE")]
    VatAble,
    /// Exempt from VAT (the medical services the VAT Law exempts).
    #[serde(rename = "VAT_FREE")]
    VatFree,
    /// VAT at 0%.
    #[serde(rename = "VAT_ZERO")]
    VatZero,
    /// Outside VAT.
    #[serde(rename = "NO_VAT")]
    NoVat,
}

impl TaxType {
    pub const ALL: [TaxType; 4] = [
        TaxType::VatAble,
        TaxType::VatFree,
        TaxType::VatZero,
        TaxType::NoVat,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaxType::VatAble => "VAT_ABLE",
            TaxType::VatFree => "VAT_FREE",
            TaxType::VatZero => "VAT_ZERO",
            TaxType::NoVat => "NO_VAT",
        }
    }

    /// The VAT included in `total` tugrik, in hundredths of a tugrik (möngö): a tenth of the
    /// price before VAT, so `total / 11`, rounded half up; 0 unless VAT_ABLE.
    pub fn vat_mongo(self, total: i64) -> i64 {
        match self {
            TaxType::VatAble => (total * 100 * 2 + 11) / 22,
            _ => 0,
        }
    }
}

impl fmt::Display for TaxType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown tax type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a tax type is one of VAT_ABLE, VAT_FREE, VAT_ZERO, NO_VAT")]
pub struct TaxTypeError;

impl std::str::FromStr for TaxType {
    type Err = TaxTypeError;
    fn from_str(s: &str) -> Result<TaxType, TaxTypeError> {
        TaxType::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or(TaxTypeError)
    }
}

/// A taxpayer number (ТТД) as e-barimt takes it: an organisation's 7 digits, or a citizen's
/// 11 or 12 (the tax authority's numbering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tin(String);

/// Not a taxpayer number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a taxpayer number is 7 digits (an organisation), or 11 or 12 (a person)")]
pub struct TinError;

impl Tin {
    pub fn parse(s: &str) -> Result<Tin, TinError> {
        let s = s.trim();
        if matches!(s.len(), 7 | 11 | 12) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Tin(s.to_owned()))
        } else {
            Err(TinError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Möngö (hundredths) as a JSON number of tugrik with two decimals at most.
pub fn mongo_to_json(mongo: i64) -> serde_json::Number {
    if mongo % 100 == 0 {
        serde_json::Number::from(mongo / 100)
    } else {
        serde_json::Number::from_f64(mongo as f64 / 100.0).unwrap_or_else(|| 0.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn discounts() {
        assert_eq!(Discount::Percent(10).off(45_000), 4_500);
        assert_eq!(Discount::Percent(15).off(1_005), 151); // 150.75 rounds up
        assert_eq!(Discount::Percent(50).off(5), 3); // 2.5 rounds half up
        assert_eq!(Discount::Amount(9_000).off(5_000), 5_000);
        assert!(!Discount::Percent(10).above(45_000, 10));
        assert!(Discount::Percent(11).above(45_000, 10));
        assert!(!Discount::Amount(4_500).above(45_000, 10));
        assert!(Discount::Amount(4_501).above(45_000, 10));
        assert!(!Discount::Amount(0).above(0, 10));
        assert_eq!(
            Discount::parse_typed(" 10 % "),
            Ok(Some(Discount::Percent(10)))
        );
        assert_eq!(
            Discount::parse_typed("5 000 ₮"),
            Ok(Some(Discount::Amount(5000)))
        );
        assert_eq!(Discount::parse_typed(""), Ok(None));
        assert!(Discount::parse_typed("ten").is_err());
        assert_eq!(Discount::Amount(-1).check(10), Err(DiscountError::Negative));
        assert_eq!(
            Discount::Percent(101).check(10),
            Err(DiscountError::PercentTooLarge)
        );
        assert!(matches!(
            Discount::Amount(11).check(10),
            Err(DiscountError::MoreThanList { .. })
        ));
    }

    #[test]
    fn vat_is_a_tenth_of_the_net_price() {
        assert_eq!(TaxType::VatAble.vat_mongo(110_000), 1_000_000);
        assert_eq!(TaxType::VatAble.vat_mongo(50_000), 454_545); // 4545.4545...
        assert_eq!(TaxType::VatFree.vat_mongo(50_000), 0);
        assert_eq!(mongo_to_json(454_545).to_string(), "4545.45");
        assert_eq!(mongo_to_json(1_000_000).to_string(), "10000");
    }

    #[test]
    fn tins() {
        assert!(Tin::parse("5317878").is_ok());
        assert!(Tin::parse("12345678901").is_ok());
        assert!(Tin::parse("123456").is_err());
        assert!(Tin::parse("53178a8").is_err());
        assert_eq!("VAT_ABLE".parse::<TaxType>(), Ok(TaxType::VatAble));
        assert!("vat_able".parse::<TaxType>().is_err());
    }

    proptest! {
        #[test]
        fn a_discount_never_exceeds_the_list(list in 0i64..10_000_000_000, p in 0i64..=100, a in 0i64..10_000_000_000) {
            prop_assert!(Discount::Percent(p).off(list) <= list);
            prop_assert!(Discount::Amount(a).off(list) <= list);
            prop_assert!(Discount::Percent(p).off(list) >= 0);
        }
    }
}
