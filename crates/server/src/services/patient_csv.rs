//! The patients' CSV file (issue 5): reading an import and writing an export. Columns:
//! `register_number, first_name, last_name, email, birthday, gender`, then `phone1,
//! phone1_label, phone2, phone2_label, ...` (the first phone is the primary). UTF-8 (a
//! byte-order mark is ignored) with a header row; comma or semicolon, whichever the header
//! uses. This module only reads and writes the file; the rows are validated by the same
//! service as the API (`services::patients`).

use std::collections::HashMap;

/// One phone of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvPhone {
    pub number: String,
    pub label: Option<String>,
}

/// One patient row as written in the file (not yet validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvPatient {
    /// The line of the file this row is on (the header is line 1).
    pub line: u64,
    pub register_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub birthday: Option<String>,
    pub gender: Option<String>,
    pub phones: Vec<CsvPhone>,
}

/// Something wrong with a line of the file, naming the column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

const REQUIRED: [&str; 3] = ["register_number", "first_name", "last_name"];
const OPTIONAL: [&str; 3] = ["email", "birthday", "gender"];

/// The delimiter the header line uses: `;` when it has more semicolons than commas.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// Reads a whole file. Problems with the header stop the reading (`Err`); problems with a
/// row are reported beside the rows that were read, so the caller can import the good ones.
pub fn read(bytes: &[u8]) -> Result<(Vec<CsvPatient>, Vec<CsvProblem>), Vec<CsvProblem>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![CsvProblem {
            line: 1,
            field: "file".into(),
            message: "the file is not UTF-8 text".into(),
        }]);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(e) => {
            return Err(vec![CsvProblem {
                line: 1,
                field: "header".into(),
                message: e.to_string(),
            }]);
        }
    };
    let column: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut problems = Vec::new();
    for name in REQUIRED {
        if !column.contains_key(name) {
            problems.push(CsvProblem {
                line: 1,
                field: name.into(),
                message: "this column is missing from the header".into(),
            });
        }
    }
    for name in &header {
        let known = REQUIRED.contains(&name.as_str())
            || OPTIONAL.contains(&name.as_str())
            || phone_column(name).is_some();
        if !known {
            problems.push(CsvProblem {
                line: 1,
                field: name.clone(),
                message: "unknown column".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Phone columns in order of their number.
    let mut phone_numbers: Vec<(u32, usize, Option<usize>)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, name)| match phone_column(name) {
            Some((n, false)) => Some((
                n,
                i,
                column.get(format!("phone{n}_label").as_str()).copied(),
            )),
            _ => None,
        })
        .collect();
    phone_numbers.sort();

    let mut rows = Vec::new();
    let mut lines = Lines::new(text);
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(CsvProblem {
                    line,
                    field: "row".into(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = record
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        if record.iter().all(str::is_empty) {
            continue;
        }
        // The one rule every text input obeys (http::input for the other bodies).
        if let Some(i) = record.iter().position(dcms_domain::has_forbidden_control) {
            problems.push(CsvProblem {
                line,
                field: header.get(i).cloned().unwrap_or_else(|| "row".into()),
                message: "must not contain control characters".into(),
            });
            continue;
        }
        let at = |i: usize| record.get(i).map(restore).filter(|v| !v.is_empty());
        let cell = |name: &str| -> Option<String> {
            column.get(name).and_then(|&i| at(i)).map(str::to_owned)
        };
        let phones = phone_numbers
            .iter()
            .filter_map(|(_, number_col, label_col)| {
                let number = at(*number_col)?;
                Some(CsvPhone {
                    number: number.to_owned(),
                    label: label_col.and_then(at).map(str::to_owned),
                })
            })
            .collect();
        rows.push(CsvPatient {
            line,
            register_number: cell("register_number").unwrap_or_default(),
            first_name: cell("first_name").unwrap_or_default(),
            last_name: cell("last_name").unwrap_or_default(),
            email: cell("email"),
            birthday: cell("birthday"),
            gender: cell("gender"),
            phones,
        });
    }
    Ok((rows, problems))
}

/// Line numbers of byte offsets, counted once over the file: records come in order, so each
/// count starts where the last one ended (a file of thousands of lines is read in linear
/// time).
struct Lines<'a> {
    bytes: &'a [u8],
    /// Where counting stopped, and the line number there.
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            bytes: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The line number (from 1) of the record starting at `byte`; the reader's own count
    /// starts a record at the blank lines before it, which it skips.
    fn line_at(&mut self, byte: usize) -> u64 {
        let bytes = self.bytes;
        let mut start = byte.min(bytes.len());
        while start < bytes.len() && (bytes[start] == b'\n' || bytes[start] == b'\r') {
            start += 1;
        }
        if start < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += bytes[self.at..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.at = start;
        self.line
    }
}

/// `phone3` -> (3, false); `phone3_label` -> (3, true).
fn phone_column(name: &str) -> Option<(u32, bool)> {
    let rest = name.strip_prefix("phone")?;
    let (digits, label) = match rest.strip_suffix("_label") {
        Some(d) => (d, true),
        None => (rest, false),
    };
    let n: u32 = digits.parse().ok().filter(|n| *n >= 1)?;
    Some((n, label))
}

/// Writes patients as the import reads them (comma-separated, a header row, as many phone
/// column pairs as the patient with the most phones needs, the primary phone first).
/// Whether a spreadsheet would read a cell starting with `c` as a formula (OWASP, "CSV
/// Injection"): `=`, `+`, `-`, `@`, tab, carriage return.
fn starts_a_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A cell as written: one that a spreadsheet would run as a formula gets a leading `'`
/// (OWASP's rule), and so does one that already reads as such a neutralised cell (`'` then
/// a formula character, after any number of `'`), so that [`restore`] gives every text back
/// exactly.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.trim_start_matches('\'').starts_with(starts_a_formula) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Undoes [`neutralise`]: one leading `'` is dropped from a cell that, past its `'`s, starts
/// a formula; every other cell is read as it is.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(starts_a_formula) => rest,
        _ => cell,
    }
}

/// The UTF-8 byte-order mark an export starts with.
pub const BOM: &str = "\u{feff}";

pub fn write(patients: &[CsvPatient]) -> Result<Vec<u8>, csv::Error> {
    let most_phones = patients
        .iter()
        .map(|p| p.phones.len())
        .max()
        .unwrap_or(2)
        .max(2);
    // A UTF-8 byte-order mark first: Excel, which many clinics open the file with, reads
    // Cyrillic names right only with it ([`read`] skips it).
    let mut writer = csv::WriterBuilder::new().from_writer(BOM.as_bytes().to_vec());
    let mut header: Vec<String> = REQUIRED
        .iter()
        .chain(OPTIONAL.iter())
        .map(|s| (*s).to_owned())
        .collect();
    for n in 1..=most_phones {
        header.push(format!("phone{n}"));
        header.push(format!("phone{n}_label"));
    }
    writer.write_record(&header)?;
    for p in patients {
        let mut record = vec![
            p.register_number.clone(),
            p.first_name.clone(),
            p.last_name.clone(),
            p.email.clone().unwrap_or_default(),
            p.birthday.clone().unwrap_or_default(),
            p.gender.clone().unwrap_or_default(),
        ];
        for n in 0..most_phones {
            let phone = p.phones.get(n);
            record.push(phone.map(|ph| ph.number.clone()).unwrap_or_default());
            record.push(phone.and_then(|ph| ph.label.clone()).unwrap_or_default());
        }
        writer.write_record(record.iter().map(|cell| neutralise(cell).into_owned()))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_semicolons_a_bom_and_any_number_of_phones() {
        let file = "\u{feff}register_number;first_name;last_name;email;birthday;gender;phone1;phone1_label;phone2;phone2_label;phone3\n\
                    УБ85031512;Бат;Дорж;;;;99112233;гар;88112233;гэр;\n\
                    \n\
                    УБ90121518;Сараа;Болд;s@example.mn;;female;95112233;;70112233;ажил;91112233\n";
        let (rows, problems) = read(file.as_bytes()).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].phones.len(), 2);
        assert_eq!(rows[0].phones[0].label.as_deref(), Some("гар"));
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].email.as_deref(), Some("s@example.mn"));
        assert_eq!(rows[1].phones.len(), 3);
        assert_eq!(rows[1].phones[2].label, None);
    }

    #[test]
    fn a_bad_header_is_refused_naming_the_column() {
        let problems = read(b"register_number,first_name,surname\n").unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["last_name", "surname"]);
        assert!(read(&[0xff, 0xfe, 0x00]).is_err());
    }

    #[test]
    fn a_cell_with_a_control_character_is_a_problem_of_its_row() {
        let file = "register_number,first_name,last_name,phone1,phone2\n\
                    УБ85031512,Бат\u{0},Дорж,99112233,88112233\n\
                    УБ85031513,Сувд,Дорж,99112234,88112234\n";
        let (rows, problems) = read(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (problems[0].line, problems[0].field.as_str()),
            (2, "first_name")
        );
    }

    #[test]
    fn formulas_are_neutralised_and_read_back_exactly() {
        for text in [
            "=HYPERLINK(\"http://x\")",
            "+976 8811 2233",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=already",
            "''+two",
            "'plain",
            "plain",
            "",
            "'",
        ] {
            let written = neutralise(text);
            let first = written.chars().next();
            assert!(
                !first.is_some_and(starts_a_formula),
                "{text:?} is written as {written:?}"
            );
            assert_eq!(restore(&written), text, "{text:?} via {written:?}");
        }
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("Бат"), "Бат");
    }

    #[test]
    fn what_is_written_reads_back() {
        let patients = vec![CsvPatient {
            line: 2,
            register_number: "УБ85031512".into(),
            first_name: "Бат, \"Бага\"".into(),
            last_name: "Дорж".into(),
            email: None,
            birthday: Some("1985-03-15".into()),
            gender: Some("male".into()),
            phones: vec![
                CsvPhone {
                    number: "99112233".into(),
                    label: Some("гар".into()),
                },
                CsvPhone {
                    number: "88112233".into(),
                    label: Some("=cmd|' /C calc'!A0".into()),
                },
                CsvPhone {
                    number: "+447700900123".into(),
                    label: None,
                },
            ],
        }];
        let bytes = write(&patients).unwrap();
        let (rows, problems) = read(&bytes).unwrap();
        assert!(problems.is_empty());
        assert_eq!(rows, patients);
    }
}
