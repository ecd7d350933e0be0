//! Patient search as the front desk types (`domain.md`, "Search, as the front desk types"):
//! what a query is by its shape, the forms it matches in rank order, and the keys stored beside
//! names and phone numbers so that every form is the start of an indexed column.
//!
//! A query has one shape ([`SearchShape::of`]); the shape gives its forms in rank order
//! ([`SearchShape::forms`]); a patient's rank is the first form they match
//! ([`SearchShape::rank_of`]). The store answers each form from an index: a register number
//! or its start, a phone number or its start (`patient_phone.phone_number_val`), its last
//! digits (the start of [`reversed_digits`]), and names by the start of their keys
//! ([`crate::name_key`]) or of their folded keys ([`fold_name_key`]).

use crate::phone::strip_separators;
use crate::register_number::{MONGOLIAN_ALPHABET, RegisterNumber};
use crate::text::name_key;
use crate::{Phone, digits_prefix};

/// A name key with `ө` folded to `о` and `ү` to `у`: what a name is found by when it is typed
/// on a keyboard without the Mongolian letters. Applied to a [`crate::name_key`] (lower case).
pub fn fold_name_key(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            'ө' => 'о',
            'ү' => 'у',
            c => c,
        })
        .collect()
}

/// Whether a key holds a letter that folding changes or that stands for one folded: о, у, ө,
/// ү. A key without them starts a folded key exactly when it starts the key itself, so its
/// folded forms would find nobody new.
fn has_foldable(key: &str) -> bool {
    key.chars().any(|c| matches!(c, 'о' | 'у' | 'ө' | 'ү'))
}

/// The digits of a stored phone number, last first (`99112233` → `33221199`, `+79123456789`
/// → `98765432197`): a number's last digits are the start of this key, so "the last four
/// digits" is a range on its index. Stored beside every number
/// (`patient_phone.phone_number_rev`).
pub fn reversed_digits(number: &str) -> String {
    number.chars().rev().filter(char::is_ascii_digit).collect()
}

/// Fewest and most digits of a query that is a phone number's last digits.
pub const LAST_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;
/// Fewest and most digits after the two letters of a register number's start (eight are the
/// whole number).
pub const REGISTER_PREFIX_DIGITS: std::ops::RangeInclusive<usize> = 2..=7;

/// What a search query is, by its shape. Shapes exclude each other: a query with letters is
/// never a phone, one with only digits never a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchShape {
    /// Two Mongolian letters and eight digits, normalised as a register number (whether or
    /// not its date exists).
    RegisterNumber(String),
    /// Two Mongolian letters and two to seven digits, normalised: the start of register
    /// numbers.
    RegisterNumberPrefix(String),
    /// 4 to 8 digits (spaces, `-`, `.`, brackets ignored): the last digits of a number, or its
    /// first digits when there are at most 7; 8 are also a whole number.
    PhoneDigits(String),
    /// Any other whole phone number, normalised ([`Phone::parse`]).
    Phone(String),
    /// Anything else: the query's name key, and its two words when it has exactly two.
    Name {
        key: String,
        words: Option<(String, String)>,
    },
}

/// One way a query matches a patient. A shape's forms, in order, are its ranks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchForm {
    /// The register number is exactly this.
    RegisterNumber(String),
    /// The register number starts with this.
    RegisterNumberPrefix(String),
    /// A phone number is exactly this (normalised).
    Phone(String),
    /// A phone number ends with `last`, or starts with `first`.
    PhoneDigits { last: String, first: Option<String> },
    /// The names start with these.
    Names(NamePrefixes),
}

/// Prefixes of a patient's name keys, all of which must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePrefixes {
    /// Whether the prefixes are of the folded keys ([`fold_name_key`]) rather than the keys.
    pub folded: bool,
    /// The start of the last name's key.
    pub last: Option<String>,
    /// The start of the first name's key.
    pub first: Option<String>,
}

impl NamePrefixes {
    fn plain(last: Option<&str>, first: Option<&str>) -> NamePrefixes {
        NamePrefixes {
            folded: false,
            last: last.map(str::to_owned),
            first: first.map(str::to_owned),
        }
    }

    fn folded(&self) -> NamePrefixes {
        NamePrefixes {
            folded: true,
            last: self.last.as_deref().map(fold_name_key),
            first: self.first.as_deref().map(fold_name_key),
        }
    }

    /// Whether names with these keys match.
    pub fn matches(&self, last_name_key: &str, first_name_key: &str) -> bool {
        let key = |k: &str| {
            if self.folded {
                fold_name_key(k)
            } else {
                k.to_owned()
            }
        };
        let starts = |prefix: &Option<String>, k: &str| {
            prefix.as_deref().is_none_or(|p| key(k).starts_with(p))
        };
        starts(&self.last, last_name_key) && starts(&self.first, first_name_key)
    }
}

/// What [`SearchForm::matches`] looks at: a patient's register number, name keys and phone
/// numbers, as stored.
#[derive(Debug, Clone, Copy)]
pub struct SearchedPatient<'a> {
    pub register_number: &'a str,
    pub last_name_key: &'a str,
    pub first_name_key: &'a str,
    pub phones: &'a [&'a str],
}

impl SearchForm {
    /// Whether the form matches the patient: the rule the store's statements answer from
    /// indexes.
    pub fn matches(&self, p: &SearchedPatient<'_>) -> bool {
        match self {
            SearchForm::RegisterNumber(n) => p.register_number == n,
            SearchForm::RegisterNumberPrefix(n) => p.register_number.starts_with(n.as_str()),
            SearchForm::Phone(n) => p.phones.contains(&n.as_str()),
            SearchForm::PhoneDigits { last, first } => p.phones.iter().any(|number| {
                number.ends_with(last.as_str())
                    || first.as_deref().is_some_and(|f| number.starts_with(f))
            }),
            SearchForm::Names(names) => names.matches(p.last_name_key, p.first_name_key),
        }
    }
}

/// The digits of a query made of 4 to 8 digits and separators.
fn phone_digits(query: &str) -> Option<String> {
    let digits = strip_separators(query);
    (LAST_DIGITS.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// The normalised text when `s` is two Mongolian letters and 2 to 7 digits.
fn register_number_prefix(s: &str) -> Option<String> {
    let value = RegisterNumber::normalise(s);
    let chars: Vec<char> = value.chars().collect();
    (chars.len() >= 2
        && chars[..2].iter().all(|c| MONGOLIAN_ALPHABET.contains(*c))
        && REGISTER_PREFIX_DIGITS.contains(&(chars.len() - 2))
        && chars[2..].iter().all(char::is_ascii_digit))
    .then_some(value)
}

impl SearchShape {
    /// The shape of a query; None for a blank one (no search: every patient).
    pub fn of(query: &str) -> Option<SearchShape> {
        let query = query.trim();
        if query.is_empty() {
            return None;
        }
        if let Some(number) = RegisterNumber::shape_of(query) {
            return Some(SearchShape::RegisterNumber(number));
        }
        if let Some(prefix) = register_number_prefix(query) {
            return Some(SearchShape::RegisterNumberPrefix(prefix));
        }
        if let Some(digits) = phone_digits(query) {
            return Some(SearchShape::PhoneDigits(digits));
        }
        if let Ok(phone) = Phone::parse(query) {
            return Some(SearchShape::Phone(phone.as_str().to_owned()));
        }
        let key = name_key(query);
        let mut words = key.split_whitespace();
        let words = match (words.next(), words.next(), words.next()) {
            (Some(a), Some(b), None) => Some((a.to_owned(), b.to_owned())),
            _ => None,
        };
        Some(SearchShape::Name { key, words })
    }

    /// The forms the query matches, in rank order (a patient's rank is the first form they
    /// match):
    ///
    /// - a register number: that number; its start: numbers starting so;
    /// - 8 digits: that phone number, then numbers ending with them; 4 to 7 digits: numbers
    ///   ending or starting with them; another whole number: that number;
    /// - a name: last names starting with the query, then first names; with two words, last
    ///   and first names starting with one each, as written ("Бат-Эрдэнэ Сувд") and then the
    ///   other way round ("Сувд Бат-Эрдэнэ"); then all of these again on the folded keys
    ///   (ө as о, ү as у) when the query has one of о, у, ө, ү.
    pub fn forms(&self) -> Vec<SearchForm> {
        match self {
            SearchShape::RegisterNumber(n) => vec![SearchForm::RegisterNumber(n.clone())],
            SearchShape::RegisterNumberPrefix(n) => {
                vec![SearchForm::RegisterNumberPrefix(n.clone())]
            }
            SearchShape::PhoneDigits(digits) => {
                let whole = digits_prefix(digits).is_none();
                let mut forms = Vec::new();
                if whole {
                    forms.push(SearchForm::Phone(digits.clone()));
                }
                forms.push(SearchForm::PhoneDigits {
                    last: digits.clone(),
                    first: (!whole).then(|| digits.clone()),
                });
                forms
            }
            SearchShape::Phone(n) => vec![SearchForm::Phone(n.clone())],
            SearchShape::Name { key, words } => {
                let mut names = vec![
                    NamePrefixes::plain(Some(key), None),
                    NamePrefixes::plain(None, Some(key)),
                ];
                if let Some((a, b)) = words {
                    names.push(NamePrefixes::plain(Some(a), Some(b)));
                    if a != b {
                        names.push(NamePrefixes::plain(Some(b), Some(a)));
                    }
                }
                if has_foldable(key) {
                    let folded: Vec<NamePrefixes> =
                        names.iter().map(NamePrefixes::folded).collect();
                    names.extend(folded);
                }
                names.into_iter().map(SearchForm::Names).collect()
            }
        }
    }

    /// The rank at which a patient is found (the index of the first form they match), if
    /// they are.
    pub fn rank_of(&self, p: &SearchedPatient<'_>) -> Option<usize> {
        self.forms().iter().position(|form| form.matches(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shape(q: &str) -> SearchShape {
        SearchShape::of(q).unwrap()
    }

    fn name(key: &str, words: Option<(&str, &str)>) -> SearchShape {
        SearchShape::Name {
            key: key.into(),
            words: words.map(|(a, b)| (a.into(), b.into())),
        }
    }

    #[test]
    fn keys() {
        assert_eq!(fold_name_key("өлзий үүрийн"), "олзий уурийн");
        assert_eq!(fold_name_key("болд"), "болд");
        // Keys are lower case; upper-case letters are left alone.
        assert_eq!(fold_name_key("Ө"), "Ө");
        assert_eq!(reversed_digits("99112233"), "33221199");
        assert_eq!(reversed_digits("1321234567"), "7654321231");
        assert_eq!(reversed_digits("+79123456789"), "98765432197");
    }

    #[test]
    fn shapes() {
        use SearchShape::*;
        assert_eq!(SearchShape::of("  "), None);
        assert_eq!(shape(" уб 85031512"), RegisterNumber("УБ85031512".into()));
        assert_eq!(shape("єв12301260"), RegisterNumber("ӨВ12301260".into()));
        // Shaped like one, even when no such date exists: an exact match finds nobody.
        assert_eq!(shape("УБ85131512"), RegisterNumber("УБ85131512".into()));
        // The start of one: two letters and 2 to 7 digits.
        assert_eq!(shape("уб85"), RegisterNumberPrefix("УБ85".into()));
        assert_eq!(
            shape("УБ 850315 1"),
            RegisterNumberPrefix("УБ8503151".into())
        );
        assert_eq!(shape("їє12"), RegisterNumberPrefix("ҮӨ12".into()));
        assert_eq!(shape("уб8"), name("уб8", None));
        assert_eq!(shape("уб"), name("уб", None));
        assert_eq!(shape("UB85"), name("ub85", None));
        assert_eq!(shape("UB85031512"), name("ub85031512", None));
        assert_eq!(shape("УБ850315123"), name("уб850315123", None));
        // Digits: 4 to 8 (with separators) are last (and first) digits.
        assert_eq!(shape("2233"), PhoneDigits("2233".into()));
        assert_eq!(shape("99-11-223"), PhoneDigits("9911223".into()));
        assert_eq!(shape("9911 2233"), PhoneDigits("99112233".into()));
        assert_eq!(shape("991"), name("991", None));
        // Other whole numbers.
        assert_eq!(shape("+976 9911-2233"), Phone("99112233".into()));
        assert_eq!(shape("+7 912 345 67 89"), Phone("+79123456789".into()));
        assert_eq!(shape("132 12 3456"), Phone("132123456".into()));
        assert_eq!(shape("+9911"), name("+9911", None));
        // Names: the key, and two words.
        assert_eq!(shape(" ЄНХ "), name("өнх", None));
        assert_eq!(shape("Ї"), name("ү", None));
        assert_eq!(shape("a%_\\"), name("a%_\\", None));
        assert_eq!(
            shape("Бат-Эрдэнэ  Сувд"),
            name("бат-эрдэнэ  сувд", Some(("бат-эрдэнэ", "сувд")))
        );
        assert_eq!(shape("a b c"), name("a b c", None));
    }

    fn names(folded: bool, last: Option<&str>, first: Option<&str>) -> SearchForm {
        SearchForm::Names(NamePrefixes {
            folded,
            last: last.map(Into::into),
            first: first.map(Into::into),
        })
    }

    #[test]
    fn forms_in_rank_order() {
        use SearchForm::*;
        assert_eq!(
            shape("уб85031512").forms(),
            [RegisterNumber("УБ85031512".into())]
        );
        assert_eq!(shape("уб85").forms(), [RegisterNumberPrefix("УБ85".into())]);
        assert_eq!(
            shape("99112233").forms(),
            [
                Phone("99112233".into()),
                PhoneDigits {
                    last: "99112233".into(),
                    first: None
                }
            ]
        );
        assert_eq!(
            shape("2233").forms(),
            [PhoneDigits {
                last: "2233".into(),
                first: Some("2233".into())
            }]
        );
        assert_eq!(
            shape("+7 912 345 67 89").forms(),
            [Phone("+79123456789".into())]
        );
        // No letter that folds: the plain forms only.
        assert_eq!(
            shape("бат").forms(),
            [
                names(false, Some("бат"), None),
                names(false, None, Some("бат"))
            ]
        );
        assert_eq!(
            shape("Сувд Бат").forms(),
            [
                names(false, Some("сувд бат"), None),
                names(false, None, Some("сувд бат")),
                names(false, Some("сувд"), Some("бат")),
                names(false, Some("бат"), Some("сувд")),
                names(true, Some("сувд бат"), None),
                names(true, None, Some("сувд бат")),
                names(true, Some("сувд"), Some("бат")),
                names(true, Some("бат"), Some("сувд")),
            ]
        );
        assert_eq!(
            shape("Өлзий").forms(),
            [
                names(false, Some("өлзий"), None),
                names(false, None, Some("өлзий")),
                names(true, Some("олзий"), None),
                names(true, None, Some("олзий")),
            ]
        );
        // The same word twice: one pair.
        assert_eq!(shape("бат бат").forms().len(), 3);
    }

    fn patient<'a>(
        rn: &'a str,
        last: &'a str,
        first: &'a str,
        phones: &'a [&'a str],
    ) -> SearchedPatient<'a> {
        SearchedPatient {
            register_number: rn,
            last_name_key: last,
            first_name_key: first,
            phones,
        }
    }

    #[test]
    fn ranks() {
        let phones = ["99112233", "1321234567", "+79123456789"];
        let suvd = patient("УБ85031512", "бат-эрдэнэ", "сувд", &phones);
        let rank = |q: &str| shape(q).rank_of(&suvd);
        assert_eq!(rank("УБ85031512"), Some(0));
        assert_eq!(rank("УБ85031513"), None);
        assert_eq!(rank("уб8503"), Some(0));
        assert_eq!(rank("уб8504"), None);
        assert_eq!(rank("99112233"), Some(0));
        assert_eq!(rank("21234567"), Some(1), "the last 8 digits of a landline");
        assert_eq!(rank("4567"), Some(0), "the last four digits");
        assert_eq!(rank("6789"), Some(0), "of a foreign number too");
        assert_eq!(rank("9911"), Some(0), "the first four");
        assert_eq!(rank("1122"), None, "neither end");
        assert_eq!(rank("+7 912 345 67 89"), Some(0));
        assert_eq!(rank("бат"), Some(0));
        assert_eq!(rank("сув"), Some(1));
        assert_eq!(rank("Бат-Эрдэнэ Сувд"), Some(2));
        assert_eq!(rank("Сувд Бат"), Some(3));
        assert_eq!(rank("сувд сувд"), None);
        let olzii = patient("УБ85031512", "өлзий", "үүрцай", &phones);
        let rank = |q: &str| shape(q).rank_of(&olzii);
        assert_eq!(rank("өлз"), Some(0));
        assert_eq!(rank("олз"), Some(2), "folded, after the unfolded forms");
        assert_eq!(rank("уур"), Some(3));
        assert_eq!(rank("олзий уурцай"), Some(6));
        assert_eq!(rank("уур өлз"), Some(7));
        assert_eq!(rank("олж"), None);
        // Nothing else folds.
        let yondon = patient("УБ85031512", "ёндон", "йовуу", &phones);
        assert_eq!(shape("ендон").rank_of(&yondon), None);
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            if let Some(shape) = SearchShape::of(&s) {
                let forms = shape.forms();
                prop_assert!(!forms.is_empty() && forms.len() <= 8);
            }
        }

        #[test]
        fn a_patient_is_found_by_their_own_fields(
            last in "[а-яөүё]{1,8}",
            first in "[а-яөүё]{1,8}",
            digits in "[0-9]{8}",
            take in 1usize..8,
        ) {
            let phones = [digits.as_str()];
            let p = patient("УБ85031512", &last, &first, &phones);
            let found = |q: &str| SearchShape::of(q).and_then(|s| s.rank_of(&p)).is_some();
            let cut = |s: &str| s.chars().take(take).collect::<String>();
            prop_assert!(found(&cut(&last)));
            prop_assert!(found(&cut(&first)));
            let as_shown = format!("{} {}", cut(&last), cut(&first));
            let other_way = format!("{} {}", cut(&first), cut(&last));
            prop_assert!(found(&as_shown));
            prop_assert!(found(&other_way));
            prop_assert!(found(&fold_name_key(&cut(&last))));
            prop_assert!(found(&digits[8 - take.clamp(4, 8)..]));
            prop_assert!(found(&digits));
        }
    }
}
