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
use std::fmt::Write;

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
    /// The dictionary's English name (`upper right first molar`).
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
    }
}

/// A path in the tooth's own coordinates: `u` across (0 left, 1 right), `v` from the root's
/// tip (0) to the biting edge (1), turned upside down for the lower arch.
struct Pen {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    upper: bool,
    d: String,
}

impl Pen {
    fn point(&mut self, u: f32, v: f32) {
        let v = if self.upper { v } else { 1.0 - v };
        // Writing to a String cannot fail.
        let _ = write!(
            self.d,
            "{:.1} {:.1}",
            self.x + u * self.w,
            self.y + v * self.h
        );
    }

    fn cmd(&mut self, c: &str, points: &[(f32, f32)]) {
        if !self.d.is_empty() {
            self.d.push(' ');
        }
        self.d.push_str(c);
        for &(u, v) in points {
            self.d.push(' ');
            self.point(u, v);
        }
    }

    fn take(&mut self) -> String {
        std::mem::take(&mut self.d)
    }
}

/// The root(s) and the crown of a tooth in the box `x, y, w, h`: simple silhouettes, the
/// crown towards the biting plane, incisors flat-edged, canines pointed, premolars with two
/// cusps, molars with three and two (lower) or three (upper) roots.
fn shapes(kind: ToothKind, upper: bool, x: f32, y: f32, w: f32, h: f32) -> (String, String) {
    let mut pen = Pen {
        x,
        y,
        w,
        h,
        upper,
        d: String::new(),
    };

    // Roots: prongs side by side, each a rounded taper from the neck to its tip.
    let (roots, from, to) = match kind {
        ToothKind::Molar if upper => (3, 0.1, 0.9),
        ToothKind::Molar => (2, 0.14, 0.86),
        ToothKind::Premolar => (1, 0.24, 0.76),
        _ => (1, 0.27, 0.73),
    };
    let split = if roots > 2 { 0.03 } else { 0.06 };
    let prong = (to - from - split * (roots as f32 - 1.0)) / roots as f32;
    for r in 0..roots {
        let left = from + r as f32 * (prong + split);
        let right = left + prong;
        let mid = (left + right) / 2.0;
        let tip = if roots == 1 { 0.02 } else { 0.08 };
        pen.cmd("M", &[(left, 0.58)]);
        pen.cmd("C", &[(left, 0.3), (mid - prong * 0.25, tip), (mid, tip)]);
        pen.cmd(
            "C",
            &[(mid + prong * 0.25, tip), (right, 0.3), (right, 0.58)],
        );
        pen.cmd("Z", &[]);
    }
    let root = pen.take();

    // Crown: the neck, the right side, the biting edge (right to left), the left side.
    pen.cmd("M", &[(0.14, 0.5)]);
    pen.cmd("Q", &[(0.5, 0.46), (0.86, 0.5)]);
    pen.cmd("C", &[(1.0, 0.56), (1.0, 0.8), (0.94, 0.9)]);
    match kind {
        ToothKind::Incisor => {
            pen.cmd("Q", &[(0.92, 0.98), (0.8, 0.98)]);
            pen.cmd("L", &[(0.2, 0.98)]);
            pen.cmd("Q", &[(0.08, 0.98), (0.06, 0.9)]);
        }
        ToothKind::Canine => {
            pen.cmd("Q", &[(0.8, 0.97), (0.5, 1.0)]);
            pen.cmd("Q", &[(0.2, 0.97), (0.06, 0.9)]);
        }
        ToothKind::Premolar | ToothKind::Molar => {
            let cusps = if kind == ToothKind::Premolar { 2 } else { 3 };
            let step = 0.88 / cusps as f32;
            for c in 0..cusps {
                let a = 0.94 - c as f32 * step;
                let b = a - step;
                pen.cmd("Q", &[((a + b) / 2.0, 1.07), (b, 0.9)]);
            }
        }
    }
    pen.cmd("C", &[(0.0, 0.8), (0.0, 0.56), (0.14, 0.5)]);
    pen.cmd("Z", &[]);
    let crown = pen.take();
    (root, crown)
}

#[cfg(test)]
mod tests {
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
}
