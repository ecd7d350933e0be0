//! Message templates with `{placeholder}`s: the SMS gateway's URL and body, and the clinic's
//! reminder text. A template is parsed once against the placeholders its use allows, then
//! rendered with each placeholder's value escaped for where it goes.

/// The placeholders of the reminder template (the clinic's settings).
pub const REMINDER_PLACEHOLDERS: &[&str] = &["patient", "date", "time", "doctor", "clinic"];

/// The placeholders of the recall template (the clinic's settings).
pub const RECALL_PLACEHOLDERS: &[&str] = &["patient", "service", "date", "clinic"];

/// The longest reminder template, in characters (about seven SMS parts in Cyrillic).
pub const REMINDER_TEMPLATE_MAX: usize = 480;

/// One piece of a parsed template: literal text or a placeholder name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Placeholder(String),
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{name}` with a name that is not one of the allowed placeholders.
    #[error("unknown placeholder {{{0}}}")]
    Unknown(String),
    /// A `{` without its `}`.
    #[error("a '{{' without its '}}'")]
    Unclosed,
}

/// Splits a template into text and `{placeholder}`s, every placeholder one of `allowed`. A
/// `{` that does not start a placeholder (`{ "to": ...}` in a JSON body) is text: a placeholder
/// name is made of ASCII letters and `_` only.
pub fn parse_template(template: &str, allowed: &[&str]) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        if !name.is_empty() && after[name_len..].starts_with('}') {
            if !allowed.contains(&name) {
                return Err(TemplateError::Unknown(name.to_owned()));
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(Piece::Placeholder(name.to_owned()));
            rest = &after[name_len + 1..];
        } else if !name.is_empty() && name_len == after.len() {
            return Err(TemplateError::Unclosed);
        } else {
            text.push('{');
            rest = after;
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Renders parsed pieces, each placeholder's value passed through `escape`.
pub fn render(
    pieces: &[Piece],
    value: impl Fn(&str) -> String,
    escape: impl Fn(&str) -> String,
) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder(name) => out.push_str(&escape(&value(name))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_only_known_placeholders() {
        let pieces = parse_template(r#"{"to": "{to}", "t": "{text}"}"#, &["to", "text"]).unwrap();
        assert_eq!(
            render(&pieces, |n| n.to_uppercase(), |v| v.to_owned()),
            r#"{"to": "TO", "t": "TEXT"}"#
        );
        assert_eq!(
            parse_template("a {phone} b", &["to", "text"]),
            Err(TemplateError::Unknown("phone".into()))
        );
        assert_eq!(
            parse_template("a {to", &["to", "text"]),
            Err(TemplateError::Unclosed)
        );
        assert!(parse_template("{ }{1}", &["to", "text"]).is_ok());
    }
}
