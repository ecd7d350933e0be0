//! Mongolian names, register numbers and phone numbers for generated people.

use dcms_domain::{Gender, RegisterNumber};
use jiff::civil::Date;
use rand::Rng;
use rand::seq::SliceRandom;
use std::collections::HashSet;

/// Common men's given names; also the fathers' names that become family names.
pub const MALE_NAMES: &[&str] = &[
    "Бат-Эрдэнэ",
    "Ганбаатар",
    "Болд",
    "Баатар",
    "Эрдэнэбат",
    "Төмөр",
    "Мөнх-Эрдэнэ",
    "Ганзориг",
    "Батбаяр",
    "Энхбаяр",
    "Отгонбаяр",
    "Нямдорж",
    "Сүхбаатар",
    "Дорж",
    "Цогт",
    "Ариунболд",
    "Тэмүүлэн",
    "Билгүүн",
    "Анар",
    "Мөнхбат",
    "Түвшинбаяр",
    "Хүслэн",
    "Даваадорж",
    "Батжаргал",
    "Эрдэнэсайхан",
    "Ганхуяг",
    "Пүрэвдорж",
    "Жаргалсайхан",
    "Төгөлдөр",
    "Чингүүн",
    "Ананд",
    "Содбилэг",
    "Бямбадорж",
    "Лхагвасүрэн",
    "Баярсайхан",
    "Оюунбилэг",
    "Ган-Очир",
    "Мягмарсүрэн",
    "Энхтөр",
    "Амарсанаа",
    "Очирбат",
    "Батсүх",
    "Наранбаатар",
    "Цэвээндорж",
];

/// Common women's given names.
pub const FEMALE_NAMES: &[&str] = &[
    "Сарнай",
    "Оюунчимэг",
    "Энхжаргал",
    "Наранцэцэг",
    "Болормаа",
    "Алтанцэцэг",
    "Мөнхзул",
    "Ариунаа",
    "Номин",
    "Солонго",
    "Уянга",
    "Хулан",
    "Сайнзаяа",
    "Цэцэгмаа",
    "Отгонтуяа",
    "Батцэцэг",
    "Гэрэлмаа",
    "Энхтуяа",
    "Дөлгөөн",
    "Анужин",
    "Мишээл",
    "Нандин-Эрдэнэ",
    "Хонгорзул",
    "Сувд",
    "Туяа",
    "Оюунтуяа",
    "Мөнхцэцэг",
    "Ундрах",
    "Ирмүүн",
    "Азжаргал",
    "Бүжинлхам",
    "Золзаяа",
    "Ганчимэг",
    "Нармандах",
    "Цолмон",
    "Ханд",
    "Эрдэнэчимэг",
    "Сэлэнгэ",
    "Марал",
];

/// Aimag and district letters seen at the start of register numbers.
const REGISTER_LETTERS: &[&str] = &[
    "УБ", "УЮ", "УЧ", "УП", "УН", "УЗ", "УК", "УЛ", "УМ", "УО", "УС", "УХ", "ЧД", "ЧЕ", "ЧИ", "БД",
    "БЕ", "БИ", "БЮ", "АА", "АБ", "АЕ", "ГА", "ГЕ", "ДА", "ДЕ", "ЕА", "ЖА", "ЗА", "ИЕ", "КА", "ЛА",
    "МА", "НА", "ОА", "ПА", "РА", "СА", "ТА", "ФА", "ХА", "ЦА", "ШЕ", "ЭА", "ЮА", "ЯА", "ЙА", "ӨА",
    "ҮА", "ЩА",
];

/// First two digits of Mongolian mobile numbers (Unitel, Mobicom, Skytel, G-Mobile).
const MOBILE_PREFIXES: &[&str] = &[
    "88", "89", "86", "80", "99", "95", "94", "85", "91", "96", "90", "98", "97", "93", "83",
];

/// Labels of a patient's numbers after the first.
pub const OTHER_PHONE_LABELS: &[&str] = &["Ээж", "Аав", "Ажил", "Гэр", "Хань"];

/// A generated person.
#[derive(Debug, Clone)]
pub struct Person {
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub gender: Gender,
    pub birthday: Date,
    pub register_number: String,
}

/// Register numbers never given twice in one generation.
#[derive(Debug, Default)]
pub struct RegisterNumbers {
    given: HashSet<String>,
}

impl RegisterNumbers {
    /// Marks numbers already in the database as taken.
    pub fn taken(numbers: impl IntoIterator<Item = String>) -> RegisterNumbers {
        RegisterNumbers {
            given: numbers.into_iter().collect(),
        }
    }

    /// A person born between `born_from` and `born_until` with a valid, unused register
    /// number whose birthday and sex are the person's.
    pub fn person(&mut self, rng: &mut impl Rng, born_from: Date, born_until: Date) -> Person {
        let span_days = (born_until - born_from).get_days().max(1);
        loop {
            let birthday = born_from
                .checked_add(jiff::Span::new().days(rng.gen_range(0..span_days)))
                .unwrap_or(born_from);
            let gender = if rng.gen_bool(0.5) {
                Gender::Male
            } else {
                Gender::Female
            };
            let letters = REGISTER_LETTERS.choose(rng).copied().unwrap_or("УБ");
            let year = birthday.year();
            let month = i32::from(birthday.month()) + if year >= 2000 { 20 } else { 0 };
            // The seventh digit's parity is the sex: odd for men.
            let seventh = rng.gen_range(0..5) * 2 + u8::from(gender == Gender::Male);
            let number = format!(
                "{letters}{:02}{:02}{:02}{seventh}{}",
                year % 100,
                month,
                birthday.day(),
                rng.gen_range(0..10)
            );
            if self.given.contains(&number) {
                continue;
            }
            // Every number is checked by the rule the clinic's forms use.
            let Ok(parsed) = RegisterNumber::parse_on(&number, born_until) else {
                continue;
            };
            self.given.insert(number);
            let first_name = match gender {
                Gender::Female => FEMALE_NAMES.choose(rng).copied().unwrap_or("Сарнай"),
                _ => MALE_NAMES.choose(rng).copied().unwrap_or("Болд"),
            };
            return Person {
                first_name,
                last_name: MALE_NAMES.choose(rng).copied().unwrap_or("Дорж"),
                gender: parsed.sex(),
                birthday: parsed.birthday(),
                register_number: parsed.as_str().to_owned(),
            };
        }
    }
}

/// A Mongolian mobile number, normalised (8 digits).
pub fn mobile(rng: &mut impl Rng) -> String {
    let prefix = MOBILE_PREFIXES.choose(rng).copied().unwrap_or("99");
    format!("{prefix}{:06}", rng.gen_range(0..1_000_000))
}

/// A Latin e-mail address for some people.
pub fn email(rng: &mut impl Rng, n: u64) -> Option<String> {
    const DOMAINS: &[&str] = &["gmail.com", "yahoo.com", "mail.mn", "outlook.com"];
    rng.gen_bool(0.3).then(|| {
        format!(
            "patient{n}@{}",
            DOMAINS.choose(rng).copied().unwrap_or("mail.mn")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcms_domain::Phone;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn people_have_valid_unique_register_numbers_matching_their_birthday_and_sex() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut numbers = RegisterNumbers::default();
        let from = Date::constant(1950, 1, 1);
        let until = Date::constant(2026, 11, 1);
        let mut seen = HashSet::new();
        for _ in 0..5000 {
            let p = numbers.person(&mut rng, from, until);
            let parsed = RegisterNumber::parse_on(&p.register_number, until).unwrap();
            assert_eq!(parsed.birthday(), p.birthday);
            assert_eq!(parsed.sex(), p.gender);
            assert!(p.birthday >= from && p.birthday <= until);
            assert!(seen.insert(p.register_number));
        }
    }

    #[test]
    fn mobiles_parse_as_mongolian_numbers() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let number = mobile(&mut rng);
            let phone = Phone::parse(&number).unwrap();
            assert_eq!(phone.as_str(), number);
            assert!(phone.is_mongolian());
        }
    }
}
