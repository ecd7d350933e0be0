//! Schemas of the request values that several bodies and parameters share (a phone number,
//! a register number, an e-mail address, a bound of a list), and [`InputText`], which states
//! on every request string the rule that `http::input` applies to all of them. The patterns
//! describe what the services accept, never less: a value they match may still be refused
//! for what a pattern cannot say (a register number's date in the future, a phone number of
//! 9 digits that is not a fixed line), one they do not match always is.

use utoipa::openapi::schema::{
    AdditionalProperties, AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat,
    SchemaType, Type,
};
use utoipa::openapi::{OpenApi, RefOr};

/// The control characters `http::input` refuses in every string of a request (NUL, the other
/// C0 controls but tab, line feed and carriage return, DEL, the C1 controls).
pub const NO_CONTROL: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";

/// White space that a value may have around it (or, for a phone or register number, inside):
/// what Rust's `trim` removes, less the control characters `http::input` refuses. A pattern
/// says this rather than `\s`, which takes in vertical tab, form feed and U+001C-U+001F.
pub const SPACE: &str = r"[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";

/// A separator a phone number may have: white space, `(`, `)`, `.`, `-`.
const PHONE_SEPARATOR: &str =
    r"[\t\n\r \u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000().\-]";

/// A phone number as typed: 8 to 17 digits (a national number, or one with `+`, `00`,
/// `001976` or `976` in front), with separators anywhere.
fn phone_pattern(digits: &str) -> String {
    let s = PHONE_SEPARATOR;
    format!(r"^{s}*\+?({s}*[0-9]){{{digits}}}{s}*$")
}

/// A string schema.
fn text(description: &str, pattern: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
}

/// A phone number in any usual writing: `9911 2233`, `+976 9911-2233`, `011 45 2222`,
/// `+7 912 345 67 89`; stored normalised (national digits, or `+` and 8 to 15 digits).
pub struct PhoneNumberText;

impl utoipa::PartialSchema for PhoneNumberText {
    fn schema() -> RefOr<Schema> {
        text(
            "A phone number in any usual writing (`9911 2233`, `+976 9911-2233`, `011 45 2222`, `+7 912 345 67 89`): a Mongolian number of 8 digits, a fixed line of 9 or 10 digits starting with 1 or 2 (a trunk 0 before it is dropped), or a foreign number of 8 to 15 digits after `+` or `00`; white space, `-`, `.`, `(` and `)` are ignored",
            &phone_pattern("8,17"),
        )
        .examples(["9911 2233"])
        .build()
        .into()
    }
}

impl utoipa::ToSchema for PhoneNumberText {}

/// A phone number to look up: a whole number, or its first 4 to 7 digits.
pub struct PhonePrefixText;

impl utoipa::PartialSchema for PhonePrefixText {
    fn schema() -> RefOr<Schema> {
        text(
            "A whole phone number in any usual writing, or its first 4 to 7 digits",
            &phone_pattern("4,17"),
        )
        .examples(["9911"])
        .build()
        .into()
    }
}

impl utoipa::ToSchema for PhonePrefixText {}

/// A national register number as typed.
pub struct RegisterNumberText;

impl utoipa::PartialSchema for RegisterNumberText {
    fn schema() -> RefOr<Schema> {
        // Two letters of the Mongolian alphabet (either case; Є and Ї stand for Ө and Ү),
        // the birth year's last two digits, the month (01-12, or 21-32 for a birth from
        // 2000), the day, two more digits; white space anywhere is removed.
        const LETTER: &str = r"[А-ЯЁӨҮЄЇа-яёөүєї]";
        let w = format!("{SPACE}*");
        let pattern = format!(
            r"^{w}{LETTER}{w}{LETTER}({w}[0-9]){{2}}{w}(0{w}[1-9]|1{w}[0-2]|2{w}[1-9]|3{w}[0-2]){w}(0{w}[1-9]|[12]{w}[0-9]|3{w}[01])({w}[0-9]){{2}}{w}$"
        );
        text(
            "A national register number: two Mongolian Cyrillic letters and eight digits, the first six the birth date (YYMMDD, the month plus 20 for a birth from 2000), not in the future; white space, lower case, Є and Ї are normalised",
            &pattern,
        )
        .examples(["УБ85031512"])
        .build()
        .into()
    }
}

impl utoipa::ToSchema for RegisterNumberText {}

/// An e-mail address, or blank for none.
pub struct EmailText;

impl utoipa::PartialSchema for EmailText {
    fn schema() -> RefOr<Schema> {
        let w = format!("{SPACE}*");
        let c = r"\s@\u0000-\u001F\u007F-\u009F";
        text(
            "An e-mail address (one `@`, 1 to 64 characters before it without white space, a domain of at least two dot-separated labels of letters, digits and `-`), at most 254 characters; blank for none",
            &format!(r"^{w}([^{c}]{{1,64}}@[^{c}.]+(\.[^{c}.]+)+)?{w}$"),
        )
        .max_length(Some(254))
        .examples(["bolormaa@example.mn"])
        .build()
        .into()
    }
}

impl utoipa::ToSchema for EmailText {}

/// A date of the clinic's calendar as the staff records and the reports take it:
/// `YYYY-MM-DD` in the years 1900 to 2100.
pub struct DateText;

impl utoipa::PartialSchema for DateText {
    fn schema() -> RefOr<Schema> {
        text(
            "A date, `YYYY-MM-DD`, in the years 1900 to 2100",
            r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        )
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .examples(["2024-09-01"])
        .build()
        .into()
    }
}

impl utoipa::ToSchema for DateText {}

/// An instant to store: RFC 3339 with an offset, from 1971 to 2037 (the server's rule,
/// `services::fields::STORED_INSTANTS`, starts at 1970-01-02: the pattern keeps to whole
/// years).
pub struct InstantText;

impl utoipa::PartialSchema for InstantText {
    fn schema() -> RefOr<Schema> {
        text(
            "An instant, RFC 3339 with an offset (`2026-03-02T10:00:00+08:00`), in the years 1971 to 2037 (what every supported database stores)",
            r"^(197[1-9]|19[89][0-9]|20[0-2][0-9]|203[0-7])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$",
        )
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .examples(["2026-03-02T10:00:00+08:00"])
        .build()
        .into()
    }
}

impl utoipa::ToSchema for InstantText {}

/// A bound of a list: a date of the clinic's calendar or an RFC 3339 instant.
pub struct DateOrInstant;

impl utoipa::PartialSchema for DateOrInstant {
    fn schema() -> RefOr<Schema> {
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
                .build()
        };
        let any = AnyOfBuilder::new()
            .item(string(KnownFormat::Date))
            .item(string(KnownFormat::DateTime))
            .description(Some(
                "A date (`YYYY-MM-DD`, the clinic's calendar) or an RFC 3339 instant",
            ))
            .build();
        RefOr::T(Schema::AnyOf(any))
    }
}

impl utoipa::ToSchema for DateOrInstant {}

/// States the rule of `http::input` in the document: on every string of a request body or a
/// parameter that has no pattern, format or enumeration of its own, the pattern
/// [`NO_CONTROL`]. Component schemas that answers use as well are left alone: the rule is the
/// requests'.
///
/// The rule also holds for the names and values of members a body has beyond its schema's
/// (ignored otherwise), which the document leaves unsaid: `propertyNames` said it for the
/// names, but made schemathesis 4.32 (on Python 3.11, two workers) draw arbitrary extra
/// members whose strategy's description races in CPython's `ast.parse` and errors the run.
pub struct InputText;

/// The component a `$ref` names.
fn component(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// Adds the components `schema` refers to (transitively) to `names`.
fn references(
    schema: &RefOr<Schema>,
    components: &std::collections::BTreeMap<String, RefOr<Schema>>,
    names: &mut std::collections::BTreeSet<String>,
) {
    let mut children: Vec<&RefOr<Schema>> = Vec::new();
    match schema {
        RefOr::Ref(r) => {
            if let Some(name) = component(&r.ref_location)
                && names.insert(name.to_owned())
                && let Some(target) = components.get(name)
            {
                references(target, components, names);
            }
            return;
        }
        RefOr::T(Schema::Object(object)) => {
            children.extend(object.properties.values());
            if let Some(additional) = object.additional_properties.as_deref()
                && let AdditionalProperties::RefOr(child) = additional
            {
                children.push(child);
            }
        }
        RefOr::T(Schema::Array(array)) => {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &array.items {
                children.push(items);
            }
        }
        RefOr::T(Schema::OneOf(one)) => children.extend(one.items.iter()),
        RefOr::T(Schema::AnyOf(any)) => children.extend(any.items.iter()),
        RefOr::T(Schema::AllOf(all)) => children.extend(all.items.iter()),
        RefOr::T(_) => {}
    }
    for child in children {
        references(child, components, names);
    }
}

fn is_string(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(types) => types.contains(&Type::String),
        SchemaType::AnyValue => false,
    }
}

/// Puts the rule on `schema` and the schemas inside it (not through references).
fn apply(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            if is_string(&object.schema_type)
                && object.pattern.is_none()
                && object.format.is_none()
                && object.enum_values.is_none()
            {
                object.pattern = Some(NO_CONTROL.to_owned());
            }
            for property in object.properties.values_mut() {
                apply(property);
            }
        }
        Schema::Array(array) => {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut array.items {
                apply(items);
            }
        }
        Schema::OneOf(one) => one.items.iter_mut().for_each(apply),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(apply),
        Schema::AllOf(all) => all.items.iter_mut().for_each(apply),
        _ => {}
    }
}

impl utoipa::Modify for InputText {
    fn modify(&self, openapi: &mut OpenApi) {
        use std::collections::BTreeSet;
        let empty = Default::default();
        let components = openapi.components.as_ref().map_or(&empty, |c| &c.schemas);
        let (mut requested, mut answered) = (BTreeSet::new(), BTreeSet::new());
        for item in openapi.paths.paths.values() {
            for operation in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                if let Some(body) = &operation.request_body {
                    for content in body.content.values() {
                        if let Some(schema) = &content.schema {
                            references(schema, components, &mut requested);
                        }
                    }
                }
                for parameter in operation.parameters.iter().flatten() {
                    if let Some(schema) = &parameter.schema {
                        references(schema, components, &mut requested);
                    }
                }
                for response in operation.responses.responses.values() {
                    if let RefOr::T(response) = response {
                        for content in response.content.values() {
                            if let Some(schema) = &content.schema {
                                references(schema, components, &mut answered);
                            }
                        }
                    }
                }
            }
        }
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                if let Some(body) = &mut operation.request_body {
                    for content in body.content.values_mut() {
                        if let Some(schema) = &mut content.schema {
                            apply(schema);
                        }
                    }
                }
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let Some(schema) = &mut parameter.schema {
                        apply(schema);
                    }
                }
            }
        }
        if let Some(components) = &mut openapi.components {
            for name in requested.difference(&answered) {
                if let Some(schema) = components.schemas.get_mut(name) {
                    apply(schema);
                }
            }
        }
    }
}
