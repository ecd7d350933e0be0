//! The odontogram's tests: layout, notation, selection, marks and the rendered SVG.

use super::*;
use crate::http::pages::Layout;
use Dentition::{Permanent, Primary};
use askama::Template;
use axum::http::{HeaderMap, Uri};
use dcms_domain::Language;

fn upper_row(chart: &Odontogram, dentition: Dentition) -> &ToothRow {
    chart
        .rows
        .iter()
        .find(|r| r.arch == Arch::Upper && r.dentition == dentition)
        .unwrap()
}

#[test]
fn counts_of_teeth() {
    let fdi = ToothSystem::Fdi;
    assert_eq!(Odontogram::new(fdi, &[Permanent]).teeth().count(), 32);
    assert_eq!(Odontogram::new(fdi, &[Primary]).teeth().count(), 20);
    assert_eq!(
        Odontogram::new(fdi, &[Primary, Permanent]).teeth().count(),
        52
    );
    assert_eq!(Odontogram::new(fdi, &[]).teeth().count(), 32);
    let both = Odontogram::new(fdi, &[Permanent, Primary]);
    assert_eq!(both.rows.len(), 4);
    assert!(both.shows_both());
    let keys: std::collections::HashSet<_> = both.teeth().map(|t| t.ui_key).collect();
    assert_eq!(keys.len(), 52);
}

#[test]
fn the_dentists_view() {
    let chart = Odontogram::new(ToothSystem::Fdi, &[Permanent]);
    let at = |code: &str| {
        let key = ToothCode::parse(ToothSystem::Fdi, code).unwrap().ui_key();
        chart.tooth(key).unwrap()
    };
    // Quadrant 1 left of the midline, 2 right; 4 bottom left, 3 bottom right.
    assert!(at("11").x < chart.midline_x && at("21").x > chart.midline_x);
    assert!(at("18").x < at("11").x && at("28").x > at("21").x);
    assert!(at("41").x < chart.midline_x && at("31").x > chart.midline_x);
    assert!(at("48").x < at("41").x);
    // Upper above lower, the biting plane between them.
    assert!(at("16").y + at("16").height <= chart.occlusal_y);
    assert!(at("46").y >= chart.occlusal_y);
    // The midline is the middle of the picture.
    assert_eq!(chart.midline_x * 2.0, chart.view_width);
    // Molars wider than incisors.
    assert!(at("16").width > at("11").width);
    assert_eq!(at("16").kind, ToothKind::Molar);
    assert_eq!(at("13").kind, ToothKind::Canine);
    assert_eq!(at("14").kind, ToothKind::Premolar);
    // The same tooth sits at the same place upper and lower, mirrored.
    assert_eq!(at("16").x, at("46").x);
    // Everything inside the picture.
    for t in chart.teeth() {
        assert!(
            t.x >= SIDE && t.x + t.width <= chart.view_width - SIDE,
            "{t:?}"
        );
        assert!(t.hit_y >= 0.0 && t.hit_y + t.hit_height <= chart.view_height);
    }
}

#[test]
fn primary_rows_sit_inside_and_are_smaller() {
    let chart = Odontogram::new(ToothSystem::Fdi, &[Primary, Permanent]);
    let order: Vec<_> = chart.rows.iter().map(|r| (r.dentition, r.arch)).collect();
    assert_eq!(
        order,
        [
            (Permanent, Arch::Upper),
            (Primary, Arch::Upper),
            (Primary, Arch::Lower),
            (Permanent, Arch::Lower),
        ]
    );
    for pair in chart.rows.windows(2) {
        let bottom = pair[0].teeth[0].hit_y + pair[0].teeth[0].hit_height;
        assert!(bottom <= pair[1].teeth[0].hit_y, "rows overlap");
    }
    let p = upper_row(&chart, Permanent);
    let d = upper_row(&chart, Primary);
    assert!(d.teeth[0].height < p.teeth[0].height);
    // The primary row is narrower and centred on the same midline.
    assert!(d.teeth[0].x > p.teeth[0].x);
    let d_last = d.teeth.last().unwrap();
    assert!(d_last.x + d_last.width < chart.view_width - SIDE);
    assert_eq!(d.teeth[0].label, "55");
    assert_eq!(d.teeth.len(), 10);
    // Primary only: a narrower picture.
    let small = Odontogram::new(ToothSystem::Fdi, &[Primary]);
    assert!(small.view_width < chart.view_width);
}

#[test]
fn no_two_teeth_overlap_in_a_row() {
    for dentitions in [&[Permanent][..], &[Primary], &[Permanent, Primary]] {
        let chart = Odontogram::new(ToothSystem::Universal, dentitions);
        for row in &chart.rows {
            for pair in row.teeth.windows(2) {
                assert!(
                    pair[0].x + pair[0].width + GAP <= pair[1].x + 0.001,
                    "{} and {} overlap",
                    pair[0].label,
                    pair[1].label
                );
            }
        }
    }
}

#[test]
fn labels_in_each_notation() {
    let leftmost_upper = |system| {
        let chart = Odontogram::new(system, &[Permanent]);
        let row = upper_row(&chart, Permanent);
        (row.teeth[0].label, row.teeth[0].ui_key, row.teeth[15].label)
    };
    assert_eq!(leftmost_upper(ToothSystem::Fdi), ("18", "P-UR-8", "28"));
    assert_eq!(
        leftmost_upper(ToothSystem::Universal),
        ("1", "P-UR-8", "16")
    );
    assert_eq!(
        leftmost_upper(ToothSystem::Palmer),
        ("UR8", "P-UR-8", "UL8")
    );
    let chart = Odontogram::new(ToothSystem::Universal, &[Permanent]);
    let lower: Vec<_> = chart.rows[1].teeth.iter().map(|t| t.label).collect();
    assert_eq!(lower.first(), Some(&"32"));
    assert_eq!(lower.last(), Some(&"17"));
    let first_molar = chart.tooth("P-UR-6").unwrap();
    assert_eq!(first_molar.label, "3");
    assert_eq!(first_molar.name, "upper right first molar");
    let primary = Odontogram::new(ToothSystem::Palmer, &[Primary]);
    assert_eq!(primary.rows[0].teeth[0].label, "URE");
}

#[test]
fn selection_marks_and_links() {
    let chart = Odontogram::new(ToothSystem::Fdi, &[Permanent])
        .select(["P-UR-6", "p-ll-7", "D-UR-1", "nonsense"])
        .mark("P-UR-6", Mark::Recent)
        .mark("P-UR-6", Mark::Treated)
        .mark("P-UR-6", Mark::Treated)
        .mark("P-LL-8", Mark::Missing)
        .link("P-LL-8", "/treatments/7");
    let selected: Vec<_> = chart
        .teeth()
        .filter(|t| t.selected)
        .map(|t| t.ui_key)
        .collect();
    assert_eq!(selected, ["P-UR-6", "P-LL-7"]);
    assert_eq!(chart.selected_labels(), "16, 37");
    let molar = chart.tooth("P-UR-6").unwrap();
    assert_eq!(molar.marks, [Mark::Treated, Mark::Recent]);
    assert_eq!(
        molar.classes(),
        "tooth permanent molar selected mark-treated mark-recent"
    );
    assert_eq!(molar.href(), "#tooth-P-UR-6");
    assert_eq!(chart.tooth("P-LL-8").unwrap().href(), "/treatments/7");
    assert_eq!(
        chart.marks_used(),
        [Mark::Treated, Mark::Recent, Mark::Missing]
    );
    assert_eq!(
        chart.tooth("P-UR-1").unwrap().classes(),
        "tooth permanent incisor"
    );
}

#[test]
fn switch_links() {
    let chart = Odontogram::new(ToothSystem::Palmer, &[Primary, Permanent])
        .notation_links(|s| format!("?system={s}"))
        .dentition_links(|d| format!("?dentition={d}"));
    let notation: Vec<_> = chart
        .notation_links
        .iter()
        .map(|l| (l.href.as_str(), l.current))
        .collect();
    assert_eq!(
        notation,
        [
            ("?system=fdi", false),
            ("?system=universal", false),
            ("?system=palmer", true)
        ]
    );
    let current: Vec<_> = chart
        .dentition_links
        .iter()
        .filter(|l| l.current)
        .map(|l| l.href.as_str())
        .collect();
    assert_eq!(current, ["?dentition=both"]);
    for value in ["permanent", "primary", "both"] {
        assert_eq!(dentitions_value(parse_dentitions(value).unwrap()), value);
    }
    assert_eq!(parse_dentitions("mixed"), None);
}

/// A page that includes the component, as the pages will.
#[derive(Template)]
#[template(source = "{% include \"_odontogram.html\" %}", ext = "html")]
struct Page<'a> {
    layout: &'a Layout,
    chart: Odontogram,
}

fn render(chart: Odontogram) -> String {
    let mut layout = Layout::anonymous(&HeaderMap::new(), &Uri::from_static("/"));
    layout.lang = Language::En;
    Page {
        layout: &layout,
        chart,
    }
    .render()
    .unwrap()
}

#[test]
fn renders_a_form_chart() {
    let html = render(
        Odontogram::new(ToothSystem::Fdi, &[Permanent])
            .select(["P-UR-6", "P-LL-1"])
            .mark("P-UL-7", Mark::Treated)
            .notation_links(|s| format!("?system={s}"))
            .dentition_links(|d| format!("?dentition={d}")),
    );
    assert_eq!(html.matches("<svg").count(), 1, "{html}");
    assert!(html.contains("role=\"group\""));
    assert_eq!(html.matches("data-ui-key=").count(), 32);
    assert_eq!(html.matches("role=\"checkbox\"").count(), 32);
    assert_eq!(html.matches("aria-checked=\"true\"").count(), 2);
    assert_eq!(html.matches("aria-checked=\"false\"").count(), 30);
    for label in ["18", "11", "21", "28", "48", "38"] {
        assert!(html.contains(&format!(">{label}</text>")), "label {label}");
    }
    assert!(html.contains(
        "<g class=\"tooth permanent molar selected\" data-ui-key=\"P-UR-6\" data-arch=\"upper\" data-dentition=\"permanent\" tabindex=\"0\" role=\"checkbox\" aria-checked=\"true\">"
    ), "{html}");
    assert!(html.contains("mark-treated"));
    // The checkboxes that work without the script.
    assert_eq!(html.matches("type=\"checkbox\" name=\"teeth\"").count(), 32);
    assert!(html.contains(
        "<input type=\"checkbox\" name=\"teeth\" value=\"P-UR-6\" id=\"tooth-P-UR-6\" checked>"
    ));
    assert!(html.contains("value=\"P-UR-5\" id=\"tooth-P-UR-5\">"));
    for scope in ["upper", "lower", "all", "none"] {
        assert!(html.contains(&format!("type=\"button\" data-select=\"{scope}\"")));
    }
    assert!(html.contains("href=\"?system=universal\""));
    assert!(html.contains("href=\"?dentition=primary\""));
    assert!(html.contains("Upper arch") && html.contains("Whole mouth"));
    assert!(html.contains("<title>16 · upper right first molar</title>"));
    assert!(html.contains("/static/odontogram.js?v="));
    assert!(!html.contains("style="), "no inline styles under the CSP");
    assert!(
        !html.contains("<script>"),
        "no inline scripts under the CSP"
    );
}

#[test]
fn renders_both_dentitions_and_the_chart_mode() {
    let html = render(Odontogram::new(ToothSystem::Fdi, &[Permanent, Primary]));
    assert_eq!(html.matches("data-ui-key=").count(), 52);
    assert!(html.contains(">55</text>") && html.contains(">85</text>"));
    assert!(html.contains("data-dentition=\"primary\""));

    let html = render(
        Odontogram::new(ToothSystem::Universal, &[Permanent])
            .chart()
            .select(["P-UR-6"])
            .mark("P-UR-6", Mark::Recent)
            .link("P-UL-1", "/treatments/3"),
    );
    assert_eq!(html.matches("data-ui-key=").count(), 32);
    assert_eq!(html.matches("<a class=\"tooth").count(), 32);
    assert!(html.contains("href=\"#tooth-P-UR-6\""));
    assert!(html.contains("href=\"/treatments/3\""));
    assert!(html.contains("aria-current=\"true\""));
    assert!(!html.contains("role=\"checkbox\""));
    assert!(!html.contains("type=\"checkbox\""));
    assert!(!html.contains("data-select="));
    assert!(html.contains("Treated within the last year"));
    assert!(html.contains(">3</text>"));
    assert!(!html.contains("style="));
}

#[test]
fn renders_in_mongolian() {
    let mut layout = Layout::anonymous(&HeaderMap::new(), &Uri::from_static("/"));
    layout.lang = Language::Mn;
    let html = Page {
        layout: &layout,
        chart: Odontogram::new(ToothSystem::Fdi, &[Permanent]).error("Нэг шүд сонгоно уу."),
    }
    .render()
    .unwrap();
    for text in [
        "Дээд эрүү",
        "Доод эрүү",
        "Бүх шүд",
        "Цэвэрлэх",
        "Нэг шүд сонгоно уу.",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains("aria-invalid=\"true\""));
}
