//! The odontogram: a tooth chart drawn as inline SVG on the server, for two pages.
//!
//! * The treatment form (**form mode**, the default): the doctor clicks the teeth an item
//!   covers. The chart posts real checkboxes (`<input type="checkbox" name="teeth"
//!   value="P-UR-6">`, one per shown tooth, the value its `ui_key`), so the form works without
//!   a script; `static/odontogram.js` hides those checkboxes and lets clicks, Space and Enter
//!   on the drawn teeth tick them, and shows buttons that choose an arch or the whole mouth.
//! * The patient's chart (**chart mode**, [`Odontogram::chart`]): teeth coloured by their
//!   history ([`Mark`]), each tooth a link to its treatment items (`#tooth-P-UR-6` unless
//!   [`Odontogram::link`] gives another address).
//!
//! The layout is the dentist's view of the patient's mouth: upper arch on top, lower below,
//! the patient's right on the viewer's left (quadrant 1 top left, 2 top right, 3 bottom
//! right, 4 bottom left), teeth numbered from the midline outward. When both dentitions are
//! shown (a child with mixed teeth), the smaller primary rows sit inside the permanent ones,
//! next to the biting plane. Labels are in the clinic's notation; the form posts `ui_key`s,
//! which name the same physical tooth in every notation (`ToothCode::from_ui_key` reads
//! them back). Tooth names (the tooltips) are the dictionary's English names: they are the
//! medical terms the doctors read, and no checked Mongolian list exists yet.
//!
//! Everything here is computed in Rust (positions, shapes, classes): the page's CSP forbids
//! inline styles and scripts, so the SVG carries only presentation attributes and classes
//! (`app.css`, block `/* odontogram */`).
//!
//! # Use on a page
//!
//! The page's template struct has the fields `layout: &Layout` and `chart: Odontogram`, and
//! its template includes the component where the chart goes (inside the `<form>` in form
//! mode):
//!
//! ```text
//! #[derive(Template)]
//! #[template(path = "treatment_new.html")]
//! struct TreatmentForm<'a> { layout: &'a Layout, chart: Odontogram, ... }
//!
//! let chart = Odontogram::new(settings.tooth_system, &[Dentition::Permanent])
//!     .select(&form.teeth)
//!     .notation_links(|s| format!("?system={s}"))
//!     .dentition_links(|d| format!("?dentition={d}"));
//!
//! {# treatment_new.html #}
//! <form method="post">... {% include "_odontogram.html" %} ...</form>
//! ```
//!
//! A chart kept under another name is included with `{% let chart = history %}` first. The
//! component loads `odontogram.js` itself (the script is written to run once per page).
//! The form posts `teeth=P-UR-6&teeth=P-UR-7` (the name can be changed with
//! [`Odontogram::field_name`]); nothing is posted when no tooth is ticked.

use crate::http::pages::msg;
use dcms_domain::{Arch, Dentition, ToothCode, ToothSystem, teeth_of};
use silhouette::shapes;

// --- geometry, in the SVG's user units ------------------------------------------------------

/// Width of each permanent tooth of a quadrant, from the midline outward: incisors narrow,
/// molars wide, as the doctor expects to see them.
const PERMANENT_WIDTHS: [f32; 8] = [30.0, 26.0, 28.0, 27.0, 27.0, 40.0, 38.0, 35.0];
/// Width of each primary tooth of a quadrant, from the midline outward.
const PRIMARY_WIDTHS: [f32; 5] = [24.0, 22.0, 24.0, 30.0, 34.0];
/// Space between two teeth of a row.
const GAP: f32 = 4.0;
/// Space between the midline and the first tooth on either side.
const MIDLINE_GAP: f32 = 7.0;
/// Margin left and right of the rows.
const SIDE: f32 = 16.0;
/// The band above the rows that names the patient's right and left.
const HEADER: f32 = 18.0;
/// Margin under the last row.
const BOTTOM: f32 = 6.0;
/// Space between a permanent row and the primary row of the same arch.
const ROW_GAP: f32 = 8.0;
/// Space between the upper and the lower rows (the biting plane is drawn in its middle).
const OCCLUSAL_GAP: f32 = 18.0;
/// The SVG's natural size is its user units times this (CSS scales it down to fit).
const SCALE: f32 = 1.5;
/// The same for a chart of primary teeth alone.
const PRIMARY_ONLY_SCALE: f32 = 2.0;

/// Height of a tooth and of its label band, by dentition.
const fn row_size(dentition: Dentition) -> (f32, f32) {
    match dentition {
        Dentition::Permanent => (60.0, 16.0),
        Dentition::Primary => (44.0, 14.0),
    }
}

/// Width of one tooth: `index` counts from 1 at the midline.
fn tooth_width(dentition: Dentition, index: u8) -> f32 {
    let widths: &[f32] = match dentition {
        Dentition::Permanent => &PERMANENT_WIDTHS,
        Dentition::Primary => &PRIMARY_WIDTHS,
    };
    let i = usize::from(index.saturating_sub(1)).min(widths.len() - 1);
    widths[i]
}

/// Width of a whole quadrant of `dentition`, gaps included.
fn quadrant_width(dentition: Dentition) -> f32 {
    let (widths, n): (&[f32], f32) = match dentition {
        Dentition::Permanent => (&PERMANENT_WIDTHS, 8.0),
        Dentition::Primary => (&PRIMARY_WIDTHS, 5.0),
    };
    widths.iter().sum::<f32>() + GAP * (n - 1.0)
}

/// The distance from the midline gap to the inner edge of the tooth at `index`.
fn offset_from_midline(dentition: Dentition, index: u8) -> f32 {
    (1..index).map(|i| tooth_width(dentition, i) + GAP).sum()
}

// --- what the template shows ----------------------------------------------------------------

/// What the chart is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Choosing teeth in a form: each tooth a checkbox.
    Form,
    /// The patient's chart: each tooth a link to its history.
    Chart,
}

/// The shape drawn for a tooth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToothKind {
    /// Central and lateral incisors: a straight biting edge.
    Incisor,
    /// Canines: a pointed cusp.
    Canine,
    /// Premolars: two cusps, one root.
    Premolar,
    /// Molars (primary molars too): wide, several cusps and roots.
    Molar,
}

impl ToothKind {
    /// The kind of the tooth at `index` (from 1 at the midline) of a quadrant.
    pub const fn of(dentition: Dentition, index: u8) -> ToothKind {
        match (dentition, index) {
            (_, 1 | 2) => ToothKind::Incisor,
            (_, 3) => ToothKind::Canine,
            (Dentition::Permanent, 4 | 5) => ToothKind::Premolar,
            _ => ToothKind::Molar,
        }
    }

    /// The CSS class.
    pub const fn class(self) -> &'static str {
        match self {
            ToothKind::Incisor => "incisor",
            ToothKind::Canine => "canine",
            ToothKind::Premolar => "premolar",
            ToothKind::Molar => "molar",
        }
    }
}

/// What a tooth's history says, as the chart colours it. A tooth may carry several; the
/// stylesheet shows the later ones over the earlier ones (`Missing` wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// The tooth has treatment items (light blue).
    Treated,
    /// An item within the last year (amber): what the doctor looks at first.
    Recent,
    /// Extracted or absent (dashed outline, label struck through).
    Missing,
}

impl Mark {
    /// Every mark, in legend order.
    pub const ALL: [Mark; 3] = [Mark::Treated, Mark::Recent, Mark::Missing];

    /// The CSS class (`mark-treated`, `mark-recent`, `mark-missing`).
    pub const fn class(self) -> &'static str {
        match self {
            Mark::Treated => "mark-treated",
            Mark::Recent => "mark-recent",
            Mark::Missing => "mark-missing",
        }
    }

    /// The message naming the mark in the legend and the tooth's tooltip.
    pub const fn label_id(self) -> &'static str {
        match self {
            Mark::Treated => msg("odontogram-mark-treated"),
            Mark::Recent => msg("odontogram-mark-recent"),
            Mark::Missing => msg("odontogram-mark-missing"),
        }
    }
}

/// One link of the notation or dentition switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchLink {
    /// The message naming the choice.
    pub label_id: &'static str,
    /// Where the link goes, as the page built it.
    pub href: String,
    /// Whether this is what the chart shows now.
    pub current: bool,
}

/// One tooth as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartTooth {
    /// The key the form posts, the same in every notation (`P-UR-6`).
    pub ui_key: &'static str,
    /// The code in the chart's notation (`16`, `3`, `UR6`).
    pub label: &'static str,
    /// The dictionary's English name (`upper right first molar`); the pages say it in the
    /// reader's language (`Layout::tooth_name` of the `ui_key`).
    pub name: &'static str,
    pub arch: Arch,
    pub dentition: Dentition,
    /// 1 upper right, 2 upper left, 3 lower left, 4 lower right.
    pub quadrant: u8,
    /// From 1 at the midline.
    pub index_in_quadrant: u8,
    pub kind: ToothKind,
    /// The tooth's box (root and crown).
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// Where the label's baseline is centred.
    pub label_x: f32,
    pub label_y: f32,
    /// The clickable area: the tooth and its label, with a little room around.
    pub hit_x: f32,
    pub hit_y: f32,
    pub hit_width: f32,
    pub hit_height: f32,
    /// The SVG path of the root(s) and of the crown.
    pub root_path: String,
    pub crown_path: String,
    /// Chosen in the form; in the chart, the tooth whose items are shown.
    pub selected: bool,
    /// The history marks, in [`Mark`] order, without repeats.
    pub marks: Vec<Mark>,
    /// The link in chart mode, when not the default `#tooth-{ui_key}`.
    pub link: Option<String>,
    /// The five-area glyph with what is on each surface ([`Odontogram::with_surfaces`]);
    /// drawn instead of the crown.
    pub glyph: Option<Glyph>,
}

impl ChartTooth {
    /// The classes of the tooth's element: `tooth permanent molar selected mark-treated`.
    pub fn classes(&self) -> String {
        let mut classes = format!("tooth {} {}", self.dentition.as_str(), self.kind.class());
        if self.selected {
            classes.push_str(" selected");
        }
        for mark in &self.marks {
            classes.push(' ');
            classes.push_str(mark.class());
        }
        classes
    }

    /// Where the tooth links in chart mode: the given address, or `#tooth-{ui_key}` (the
    /// tooth's part of the page).
    pub fn href(&self) -> String {
        self.link
            .clone()
            .unwrap_or_else(|| format!("#tooth-{}", self.ui_key))
    }

    /// `upper` or `lower`, for `data-arch`.
    pub fn arch_name(&self) -> &'static str {
        self.arch.as_str()
    }

    /// `permanent` or `primary`, for `data-dentition`.
    pub fn dentition_name(&self) -> &'static str {
        self.dentition.as_str()
    }
}

/// One row of teeth: one arch of one dentition, left to right as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ToothRow {
    pub arch: Arch,
    pub dentition: Dentition,
    /// The message naming the arch.
    pub arch_id: &'static str,
    /// The message naming the dentition.
    pub dentition_id: &'static str,
    pub teeth: Vec<ChartTooth>,
}

/// A group of scope buttons (one per shown dentition).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeGroup {
    /// `permanent` or `primary`, for `data-dentition`.
    pub dentition: &'static str,
    /// The message naming the dentition.
    pub label_id: &'static str,
}

/// The tooth chart of one page; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Odontogram {
    /// The `id` of the component's element; the fieldset and summary ids start with it.
    pub id: String,
    /// The notation of the labels.
    pub system: ToothSystem,
    pub mode: Mode,
    /// The name the checkboxes post under (form mode).
    pub field_name: String,
    /// The rows, top to bottom.
    pub rows: Vec<ToothRow>,
    /// The SVG's user space (`viewBox="0 0 {view_width} {view_height}"`) and natural size.
    pub view_width: f32,
    pub view_height: f32,
    pub width: f32,
    pub height: f32,
    /// The vertical midline and the biting plane, drawn as guides.
    pub midline_x: f32,
    pub occlusal_y: f32,
    /// Where the "right"/"left" words stand (the patient's sides).
    pub right_x: f32,
    pub left_x: f32,
    pub side_y: f32,
    /// The notation switch; empty unless [`Odontogram::notation_links`] was called.
    pub notation_links: Vec<SwitchLink>,
    /// The dentition switch; empty unless [`Odontogram::dentition_links`] was called.
    pub dentition_links: Vec<SwitchLink>,
    /// A message about the chosen teeth (a form shown again with its error).
    pub error: Option<String>,
    /// The shown dentitions, permanent first.
    dentitions: Vec<Dentition>,
}

/// The dentitions named by a query value: `permanent`, `primary` or `both`.
pub fn parse_dentitions(value: &str) -> Option<&'static [Dentition]> {
    match value {
        "permanent" => Some(&[Dentition::Permanent]),
        "primary" => Some(&[Dentition::Primary]),
        "both" => Some(&[Dentition::Permanent, Dentition::Primary]),
        _ => None,
    }
}

/// The query value of a set of dentitions, the inverse of [`parse_dentitions`].
pub fn dentitions_value(dentitions: &[Dentition]) -> &'static str {
    match (
        dentitions.contains(&Dentition::Permanent),
        dentitions.contains(&Dentition::Primary),
    ) {
        (true, true) => "both",
        (false, true) => "primary",
        _ => "permanent",
    }
}

const fn dentition_id(dentition: Dentition) -> &'static str {
    match dentition {
        Dentition::Permanent => msg("odontogram-permanent"),
        Dentition::Primary => msg("odontogram-primary"),
    }
}

const fn arch_id(arch: Arch) -> &'static str {
    match arch {
        Arch::Upper => msg("odontogram-upper"),
        Arch::Lower => msg("odontogram-lower"),
    }
}

const fn notation_id(system: ToothSystem) -> &'static str {
    match system {
        ToothSystem::Fdi => msg("notation-fdi"),
        ToothSystem::Universal => msg("notation-universal"),
        ToothSystem::Palmer => msg("notation-palmer"),
    }
}

impl Odontogram {
    /// The chart of `dentitions` (permanent when none is given) labelled in `system`, in
    /// form mode, nothing selected or marked.
    pub fn new(system: ToothSystem, dentitions: &[Dentition]) -> Odontogram {
        let mut shown: Vec<Dentition> = [Dentition::Permanent, Dentition::Primary]
            .into_iter()
            .filter(|d| dentitions.contains(d))
            .collect();
        if shown.is_empty() {
            shown.push(Dentition::Permanent);
        }
        // Rows from top to bottom: the permanent rows outside, the primary rows inside.
        let order: Vec<(Dentition, Arch)> = match shown[..] {
            [one] => vec![(one, Arch::Upper), (one, Arch::Lower)],
            _ => vec![
                (Dentition::Permanent, Arch::Upper),
                (Dentition::Primary, Arch::Upper),
                (Dentition::Primary, Arch::Lower),
                (Dentition::Permanent, Arch::Lower),
            ],
        };
        let widest = quadrant_width(shown[0]);
        let midline_x = SIDE + widest + MIDLINE_GAP;
        let view_width = 2.0 * midline_x;

        let mut rows = Vec::with_capacity(order.len());
        let mut y = HEADER;
        let mut occlusal_y = y;
        let mut previous_arch = None;
        for (dentition, arch) in order {
            match previous_arch {
                Some(Arch::Upper) if arch == Arch::Lower => {
                    occlusal_y = y + OCCLUSAL_GAP / 2.0;
                    y += OCCLUSAL_GAP;
                }
                Some(_) => y += ROW_GAP,
                None => {}
            }
            previous_arch = Some(arch);
            let (tooth_height, label_band) = row_size(dentition);
            // Labels on the outer side: above the upper rows, below the lower ones.
            let (tooth_y, label_top) = match arch {
                Arch::Upper => (y + label_band, y),
                Arch::Lower => (y, y + tooth_height),
            };
            let mut teeth: Vec<ChartTooth> = teeth_of(system, dentition, Some(arch))
                .into_iter()
                .map(|code| {
                    draw_tooth(
                        code,
                        midline_x,
                        tooth_y,
                        tooth_height,
                        label_top,
                        label_band,
                    )
                })
                .collect();
            teeth.sort_by(|a, b| a.x.total_cmp(&b.x));
            rows.push(ToothRow {
                arch,
                dentition,
                arch_id: arch_id(arch),
                dentition_id: dentition_id(dentition),
                teeth,
            });
            y += tooth_height + label_band;
        }
        let view_height = y + BOTTOM;
        // A child's chart alone is small: drawn larger so that the teeth are easy to hit.
        let scale = if shown == [Dentition::Primary] {
            PRIMARY_ONLY_SCALE
        } else {
            SCALE
        };

        Odontogram {
            id: "odontogram".to_owned(),
            system,
            mode: Mode::Form,
            field_name: "teeth".to_owned(),
            rows,
            view_width,
            view_height,
            width: (view_width * scale).round(),
            height: (view_height * scale).round(),
            midline_x,
            occlusal_y,
            right_x: SIDE,
            left_x: view_width - SIDE,
            side_y: HEADER - 6.0,
            notation_links: Vec::new(),
            dentition_links: Vec::new(),
            error: None,
            dentitions: shown,
        }
    }

    /// Chart mode: each tooth a link to its history instead of a checkbox.
    pub fn chart(mut self) -> Self {
        self.mode = Mode::Chart;
        self
    }

    /// The `id` of the component (default `odontogram`), for a page with two charts.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// The name the checkboxes post under (default `teeth`).
    pub fn field_name(mut self, name: impl Into<String>) -> Self {
        self.field_name = name.into();
        self
    }

    /// Selects the teeth with these `ui_key`s (in any case; e.g. what the form posted).
    /// Keys of teeth not shown, or of no tooth, are ignored.
    pub fn select<I, S>(mut self, ui_keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for key in ui_keys {
            if let Some(tooth) = self.tooth_mut(key.as_ref()) {
                tooth.selected = true;
            }
        }
        self
    }

    /// Marks the tooth `ui_key` with what its history says; an unknown or hidden tooth is
    /// ignored.
    pub fn mark(mut self, ui_key: &str, mark: Mark) -> Self {
        if let Some(tooth) = self.tooth_mut(ui_key)
            && let Err(at) = tooth.marks.binary_search(&mark)
        {
            tooth.marks.insert(at, mark);
        }
        self
    }

    /// Makes the tooth `ui_key` link to `href` in chart mode (instead of `#tooth-{ui_key}`).
    pub fn link(mut self, ui_key: &str, href: impl Into<String>) -> Self {
        if let Some(tooth) = self.tooth_mut(ui_key) {
            tooth.link = Some(href.into());
        }
        self
    }

    /// A message shown under the chart (the form's error about the teeth).
    pub fn error(mut self, message: impl Into<String>) -> Self {
        self.error = Some(message.into());
        self
    }

    /// Shows the notation switch: one link per notation, to `href(system)`, e.g.
    /// `|s| format!("?system={s}")`. The page re-renders the chart in that notation.
    pub fn notation_links(mut self, href: impl Fn(ToothSystem) -> String) -> Self {
        self.notation_links = [
            ToothSystem::Fdi,
            ToothSystem::Universal,
            ToothSystem::Palmer,
        ]
        .into_iter()
        .map(|system| SwitchLink {
            label_id: notation_id(system),
            href: href(system),
            current: system == self.system,
        })
        .collect();
        self
    }

    /// Shows the dentition switch: permanent, primary, both, each linking to `href(value)`
    /// with `value` one of `permanent`, `primary`, `both` (read back by
    /// [`parse_dentitions`]).
    pub fn dentition_links(mut self, href: impl Fn(&'static str) -> String) -> Self {
        let now = dentitions_value(&self.dentitions);
        self.dentition_links = [
            ("permanent", msg("odontogram-permanent")),
            ("primary", msg("odontogram-primary")),
            ("both", msg("odontogram-both")),
        ]
        .into_iter()
        .map(|(value, label_id)| SwitchLink {
            label_id,
            href: href(value),
            current: value == now,
        })
        .collect();
        self
    }

    /// Whether the chart is a form's tooth picker.
    pub fn is_form(&self) -> bool {
        self.mode == Mode::Form
    }

    /// `form` or `chart`, for `data-mode`.
    pub fn mode_name(&self) -> &'static str {
        match self.mode {
            Mode::Form => "form",
            Mode::Chart => "chart",
        }
    }

    /// The shown dentitions, permanent first.
    pub fn dentitions(&self) -> &[Dentition] {
        &self.dentitions
    }

    /// Whether both dentitions are shown (then rows and buttons name their dentition).
    pub fn shows_both(&self) -> bool {
        self.dentitions.len() > 1
    }

    /// One group of scope buttons per shown dentition.
    pub fn scope_groups(&self) -> Vec<ScopeGroup> {
        self.dentitions
            .iter()
            .map(|&d| ScopeGroup {
                dentition: d.as_str(),
                label_id: dentition_id(d),
            })
            .collect()
    }

    /// Every tooth, row by row, left to right.
    pub fn teeth(&self) -> impl Iterator<Item = &ChartTooth> {
        self.rows.iter().flat_map(|row| row.teeth.iter())
    }

    /// The tooth with `ui_key`, if shown.
    pub fn tooth(&self, ui_key: &str) -> Option<&ChartTooth> {
        let key = ToothCode::from_ui_key(self.system, ui_key).ok()?.ui_key();
        self.teeth().find(|t| t.ui_key == key)
    }

    fn tooth_mut(&mut self, ui_key: &str) -> Option<&mut ChartTooth> {
        let key = ToothCode::from_ui_key(self.system, ui_key).ok()?.ui_key();
        self.rows
            .iter_mut()
            .flat_map(|row| row.teeth.iter_mut())
            .find(|t| t.ui_key == key)
    }

    /// The labels of the selected teeth, left to right, row by row (`18, 16, 36`).
    pub fn selected_labels(&self) -> String {
        self.teeth()
            .filter(|t| t.selected)
            .map(|t| t.label)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The marks some tooth carries, for the legend.
    pub fn marks_used(&self) -> Vec<Mark> {
        Mark::ALL
            .into_iter()
            .filter(|m| self.teeth().any(|t| t.marks.contains(m)))
            .collect()
    }
}

/// Places and draws one tooth of a row whose teeth span `tooth_y..tooth_y + height`.
fn draw_tooth(
    code: ToothCode,
    midline_x: f32,
    tooth_y: f32,
    height: f32,
    label_top: f32,
    label_band: f32,
) -> ChartTooth {
    let tooth = code.tooth();
    let dentition = tooth.dentition;
    let index = tooth.index_in_quadrant;
    let width = tooth_width(dentition, index);
    let offset = offset_from_midline(dentition, index);
    // Quadrants 1 and 4 are the patient's right: the viewer's left of the midline.
    let x = match tooth.quadrant {
        1 | 4 => midline_x - MIDLINE_GAP - offset - width,
        _ => midline_x + MIDLINE_GAP + offset,
    };
    let kind = ToothKind::of(dentition, index);
    let upper = tooth.arch == Arch::Upper;
    let (root_path, crown_path) = shapes(kind, upper, x, tooth_y, width, height);
    ChartTooth {
        ui_key: tooth.ui_key,
        label: code.code(),
        name: tooth.name,
        arch: tooth.arch,
        dentition,
        quadrant: tooth.quadrant,
        index_in_quadrant: index,
        kind,
        x,
        y: tooth_y,
        width,
        height,
        label_x: x + width / 2.0,
        // The band is a little taller than the text; the baseline sits 3 units above its foot.
        label_y: label_top + label_band - 3.0,
        hit_x: x - GAP / 2.0,
        hit_y: tooth_y.min(label_top),
        hit_width: width + GAP,
        hit_height: height + label_band,
        root_path,
        crown_path,
        selected: false,
        marks: Vec::new(),
        link: None,
        glyph: None,
    }
}

mod silhouette;
mod surfaces;
pub use surfaces::{Area, Glyph};
#[cfg(test)]
mod tests;
