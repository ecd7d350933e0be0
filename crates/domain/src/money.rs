//! Money: whole Mongolian tugrik (MNT).

use std::fmt;

/// An amount of whole tugrik (MNT, ₮), possibly negative (a refund or a debt).
///
/// Shown as `1 250 000 ₮`; serialised as a plain JSON integer.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(example = 1250000)]
pub struct Money(i64);

/// Why a string is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing but white space or the currency sign.
    #[error("the amount is empty")]
    Empty,
    /// A decimal point.
    #[error("amounts are whole tugrik: decimals are not accepted")]
    Decimal,
    /// Not digits, or badly grouped digits.
    #[error(
        "'{value}' is not an amount of tugrik (write it like 1250000, 1 250 000 or 1,250,000₮)"
    )]
    Invalid {
        /// The text given.
        value: String,
    },
    /// Beyond the 64-bit range.
    #[error("the amount is too large")]
    OutOfRange,
}

/// The tugrik sign, U+20AE.
pub const TUGRIK_SIGN: char = '₮';

/// Characters accepted between groups of three digits.
const GROUP_SEPARATORS: [char; 4] = [' ', ',', '\u{a0}', '\u{202f}'];

impl Money {
    /// Zero tugrik.
    pub const ZERO: Money = Money(0);

    /// `amount` whole tugrik.
    pub const fn new(amount: i64) -> Money {
        Money(amount)
    }

    /// The number of tugrik.
    pub const fn amount(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub const fn checked_add(self, other: Money) -> Option<Money> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Money(v)),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    pub const fn checked_sub(self, other: Money) -> Option<Money> {
        match self.0.checked_sub(other.0) {
            Some(v) => Some(Money(v)),
            None => None,
        }
    }

    /// `self × factor` (e.g. a unit price times a quantity), or `None` on overflow.
    pub const fn checked_mul(self, factor: i64) -> Option<Money> {
        match self.0.checked_mul(factor) {
            Some(v) => Some(Money(v)),
            None => None,
        }
    }

    /// `-self`, or `None` for the most negative amount.
    pub const fn checked_neg(self) -> Option<Money> {
        match self.0.checked_neg() {
            Some(v) => Some(Money(v)),
            None => None,
        }
    }

    /// Whether the amount is above zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Whether the amount is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Parses an amount: plain (`1250000`), grouped by threes with spaces or commas
    /// (`1 250 000`, `1,250,000`), with an optional `-` and an optional `₮` before or after
    /// (`1 250 000 ₮`, `1,250,000₮`, `₮ 18,300`, `-1 500 ₮`).
    pub fn parse(s: &str) -> Result<Money, MoneyError> {
        let invalid = || MoneyError::Invalid {
            value: s.trim().to_owned(),
        };
        let mut rest = s.trim();
        if let Some(r) = rest.strip_prefix(TUGRIK_SIGN) {
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_suffix(TUGRIK_SIGN) {
            rest = r.trim_end();
        }
        let (negative, body) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if body.is_empty() {
            return Err(if negative {
                invalid()
            } else {
                MoneyError::Empty
            });
        }
        if body.contains('.') {
            return Err(MoneyError::Decimal);
        }

        let mut separators = body.chars().filter(|c| !c.is_ascii_digit());
        let groups: Vec<&str> = match separators.next() {
            None => vec![body],
            Some(sep) if GROUP_SEPARATORS.contains(&sep) && separators.all(|c| c == sep) => {
                let groups: Vec<&str> = body.split(sep).collect();
                let well_grouped = groups.iter().enumerate().all(|(i, g)| match i {
                    0 => (1..=3).contains(&g.len()),
                    _ => g.len() == 3,
                });
                if !well_grouped {
                    return Err(invalid());
                }
                groups
            }
            Some(_) => return Err(invalid()),
        };

        // Every byte left is an ASCII digit.
        let magnitude = groups
            .iter()
            .flat_map(|g| g.bytes())
            .try_fold(0u64, |acc, b| {
                acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
            })
            .ok_or(MoneyError::OutOfRange)?;
        let amount = if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        };
        amount.map(Money).ok_or(MoneyError::OutOfRange)
    }
}

impl fmt::Display for Money {
    /// `1 250 000 ₮`, `-1 500 ₮`, `0 ₮`: groups of three separated by a plain space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() * 4 / 3 + 6);
        if self.is_negative() {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(' ');
            }
            out.push(c);
        }
        out.push(' ');
        out.push(TUGRIK_SIGN);
        f.write_str(&out)
    }
}

impl std::str::FromStr for Money {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<Money> for i64 {
    fn from(m: Money) -> i64 {
        m.0
    }
}

impl From<i64> for Money {
    fn from(amount: i64) -> Money {
        Money(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(s: &str) -> Result<i64, MoneyError> {
        Money::parse(s).map(Money::amount)
    }

    #[test]
    fn display() {
        let show = |n: i64| Money::new(n).to_string();
        assert_eq!(show(1_250_000), "1 250 000 ₮");
        assert_eq!(show(0), "0 ₮");
        assert_eq!(show(-1_500), "-1 500 ₮");
        assert_eq!(show(950), "950 ₮");
        assert_eq!(show(1_000), "1 000 ₮");
        assert_eq!(show(100_000), "100 000 ₮");
        assert_eq!(show(-999), "-999 ₮");
        assert_eq!(show(i64::MAX), "9 223 372 036 854 775 807 ₮");
        assert_eq!(show(i64::MIN), "-9 223 372 036 854 775 808 ₮");
    }

    #[test]
    fn parse_accepted_forms() {
        assert_eq!(parse("1250000"), Ok(1_250_000));
        assert_eq!(parse("1 250 000"), Ok(1_250_000));
        assert_eq!(parse("1,250,000₮"), Ok(1_250_000));
        assert_eq!(parse("1 250 000 ₮"), Ok(1_250_000));
        assert_eq!(parse("₮ 18,300"), Ok(18_300));
        assert_eq!(parse("₮18300"), Ok(18_300));
        assert_eq!(parse("-1 500 ₮"), Ok(-1_500));
        assert_eq!(parse("₮ -1,500"), Ok(-1_500));
        assert_eq!(parse("-1500"), Ok(-1_500));
        assert_eq!(parse(" 950 "), Ok(950));
        assert_eq!(parse("0 ₮"), Ok(0));
        assert_eq!(parse("-0"), Ok(0));
        assert_eq!(parse("1\u{a0}250\u{a0}000\u{a0}₮"), Ok(1_250_000));
        assert_eq!(parse("-9 223 372 036 854 775 808 ₮"), Ok(i64::MIN));
        assert_eq!(parse("9223372036854775807"), Ok(i64::MAX));
    }

    #[test]
    fn parse_rejections() {
        assert_eq!(parse(""), Err(MoneyError::Empty));
        assert_eq!(parse(" ₮ "), Err(MoneyError::Empty));
        assert_eq!(parse("12.50"), Err(MoneyError::Decimal));
        assert_eq!(parse("1 250.5 ₮"), Err(MoneyError::Decimal));
        for bad in [
            "-",
            "abc",
            "12,50",
            "1 25 000",
            "1,2500",
            "1 250,000",
            "1  250",
            " ,250",
            "1250 000",
            "+100",
            "--5",
            "₮₮5",
            "5₮₮",
            "1_000",
            "1e6",
            "١٢٣",
            "0x10",
            "- 5",
        ] {
            assert!(
                matches!(parse(bad), Err(MoneyError::Invalid { .. })),
                "{bad:?} -> {:?}",
                parse(bad)
            );
        }
        assert_eq!(parse("9223372036854775808"), Err(MoneyError::OutOfRange));
        assert_eq!(parse("-9223372036854775809"), Err(MoneyError::OutOfRange));
        assert_eq!(
            parse("99999999999999999999999"),
            Err(MoneyError::OutOfRange)
        );
        assert_eq!(
            parse("12,50").unwrap_err().to_string(),
            "'12,50' is not an amount of tugrik (write it like 1250000, 1 250 000 or 1,250,000₮)"
        );
    }

    #[test]
    fn arithmetic() {
        let m = Money::new(1_500);
        assert_eq!(m.checked_add(Money::new(500)), Some(Money::new(2_000)));
        assert_eq!(m.checked_sub(Money::new(2_000)), Some(Money::new(-500)));
        assert_eq!(m.checked_mul(3), Some(Money::new(4_500)));
        assert_eq!(Money::new(i64::MAX).checked_add(Money::new(1)), None);
        assert_eq!(Money::new(i64::MIN).checked_sub(Money::new(1)), None);
        assert_eq!(Money::new(i64::MAX).checked_mul(2), None);
        assert_eq!(Money::new(i64::MIN).checked_neg(), None);
        assert!(m.is_positive() && !m.is_negative());
        assert!(Money::new(-1).is_negative() && !Money::new(-1).is_positive());
        assert!(!Money::ZERO.is_positive() && !Money::ZERO.is_negative());
        assert_eq!(Money::default(), Money::ZERO);
        assert_eq!(i64::from(m), 1_500);
    }

    #[test]
    fn serde_as_an_integer() {
        assert_eq!(
            serde_json::to_string(&Money::new(1_250_000)).unwrap(),
            "1250000"
        );
        assert_eq!(
            serde_json::from_str::<Money>("-500").unwrap(),
            Money::new(-500)
        );
        assert!(serde_json::from_str::<Money>("\"500\"").is_err());
        assert!(serde_json::from_str::<Money>("1.5").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = Money::parse(&s);
        }

        #[test]
        fn never_panics_on_near_misses(s in "[-₮0-9 ,.]{0,30}") {
            let _ = Money::parse(&s);
        }

        #[test]
        fn round_trip(n in any::<i64>()) {
            let m = Money::new(n);
            prop_assert_eq!(Money::parse(&m.to_string()), Ok(m));
            prop_assert_eq!(Money::parse(&n.to_string()), Ok(m));
            let commas = m.to_string().replace(' ', ",").replace(",₮", "₮");
            prop_assert_eq!(Money::parse(&commas), Ok(m));
        }
    }
}
