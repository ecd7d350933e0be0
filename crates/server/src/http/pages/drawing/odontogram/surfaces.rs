//! The five-area tooth glyph of the chart (chart mode): a square at the crown's end of each
//! tooth, its centre the occlusal (incisal) surface, its four sides the mesial, distal,
//! buccal (labial) and lingual surfaces as the dentist sees them on the chart: mesial towards
//! the midline, buccal on the outer side of each arch (upper teeth: up; lower: down).
//!
//! Each area carries the classes of what is on it (`s-path` a pathology finding, `s-work`
//! work found done elsewhere, `s-done` an item done here, `s-planned` a planned item) and the
//! lines its tooltip says; a tooth carries whole-tooth marks the same way (`w-path`,
//! `w-work`, `w-done`, `w-planned`) and `missing` (struck out).

use super::{ChartTooth, Odontogram};
use crate::http::pages::msg;
use dcms_domain::{Arch, Surface};

/// One area of the glyph.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub surface: Surface,
    /// The message naming it on this tooth (`surface-incisal` on a front tooth's centre).
    pub label_id: &'static str,
    /// The SVG polygon's points.
    pub points: String,
    /// What is on it, as classes (`s-path s-planned`), in the order marked, without repeats.
    pub marks: Vec<&'static str>,
    /// The tooltip's lines (date, what, where from).
    pub titles: Vec<String>,
}

impl Area {
    /// `surface surface-mesial s-path ...`.
    pub fn classes(&self) -> String {
        let mut classes = format!("surface surface-{}", self.surface.as_str());
        for m in &self.marks {
            classes.push(' ');
            classes.push_str(m);
        }
        classes
    }
}

/// The glyph of one tooth.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Glyph {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub areas: Vec<Area>,
    /// Whole-tooth marks (`w-path`, `w-work`, `w-done`, `w-planned`).
    pub whole: Vec<&'static str>,
    /// The tooltip lines of the whole-tooth marks.
    pub titles: Vec<String>,
    /// Struck out (a missing tooth).
    pub missing: bool,
}

impl Glyph {
    pub fn classes(&self) -> String {
        let mut classes = String::from("glyph");
        for m in &self.whole {
            classes.push(' ');
            classes.push_str(m);
        }
        if self.missing {
            classes.push_str(" missing");
        }
        classes
    }

    /// Whether anything is drawn on the tooth.
    pub fn is_marked(&self) -> bool {
        self.missing || !self.whole.is_empty() || self.areas.iter().any(|a| !a.marks.is_empty())
    }

    /// Every tooltip line of the tooth, whole-tooth first.
    pub fn all_titles(&self) -> Vec<&str> {
        self.titles
            .iter()
            .chain(self.areas.iter().flat_map(|a| a.titles.iter()))
            .map(String::as_str)
            .collect()
    }
}

fn points(corners: &[(f32, f32)]) -> String {
    corners
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The glyph of a drawn tooth, placed at its crown's end.
pub(super) fn glyph_of(tooth: &ChartTooth) -> Glyph {
    let size = (tooth.width - 6.0).clamp(12.0, 26.0);
    let x = tooth.x + (tooth.width - size) / 2.0;
    let upper = tooth.arch == Arch::Upper;
    let y = if upper {
        tooth.y + tooth.height - size - 1.0
    } else {
        tooth.y + 1.0
    };
    let k = size * 0.3;
    let (x0, y0, x1, y1) = (x, y, x + size, y + size);
    let (ix0, iy0, ix1, iy1) = (x + k, y + k, x + size - k, y + size - k);
    let top = points(&[(x0, y0), (x1, y0), (ix1, iy0), (ix0, iy0)]);
    let bottom = points(&[(x0, y1), (x1, y1), (ix1, iy1), (ix0, iy1)]);
    let left = points(&[(x0, y0), (ix0, iy0), (ix0, iy1), (x0, y1)]);
    let right = points(&[(x1, y0), (ix1, iy0), (ix1, iy1), (x1, y1)]);
    let centre = points(&[(ix0, iy0), (ix1, iy0), (ix1, iy1), (ix0, iy1)]);
    // The patient's right (quadrants 1 and 4) is the viewer's left: its midline is right.
    let midline_right = matches!(tooth.quadrant, 1 | 4);
    let (mesial, distal) = if midline_right {
        (right, left)
    } else {
        (left, right)
    };
    let (buccal, lingual) = if upper { (top, bottom) } else { (bottom, top) };
    let front = tooth.index_in_quadrant <= 3;
    let area = |surface, points| Area {
        surface,
        label_id: surface_label(surface, front),
        points,
        marks: Vec::new(),
        titles: Vec::new(),
    };
    Glyph {
        x,
        y,
        size,
        areas: vec![
            area(Surface::Mesial, mesial),
            area(Surface::Occlusal, centre),
            area(Surface::Distal, distal),
            area(Surface::Buccal, buccal),
            area(Surface::Lingual, lingual),
        ],
        ..Glyph::default()
    }
}

/// The message naming a surface (incisal and labial on incisors and canines).
pub const fn surface_label(surface: Surface, front: bool) -> &'static str {
    match (surface, front) {
        (Surface::Mesial, _) => msg("surface-mesial"),
        (Surface::Occlusal, false) => msg("surface-occlusal"),
        (Surface::Occlusal, true) => msg("surface-incisal"),
        (Surface::Distal, _) => msg("surface-distal"),
        (Surface::Buccal, false) => msg("surface-buccal"),
        (Surface::Buccal, true) => msg("surface-labial"),
        (Surface::Lingual, _) => msg("surface-lingual"),
    }
}

fn push_unique(marks: &mut Vec<&'static str>, mark: &'static str) {
    if !marks.contains(&mark) {
        marks.push(mark);
    }
}

impl Odontogram {
    /// Draws every tooth as the five-area glyph (the chart's surfaces), nothing marked yet.
    pub fn with_surfaces(mut self) -> Self {
        for row in &mut self.rows {
            for tooth in &mut row.teeth {
                tooth.glyph = Some(glyph_of(tooth));
            }
        }
        self
    }

    fn glyph_mut(&mut self, ui_key: &str) -> Option<&mut Glyph> {
        let key = dcms_domain::ToothCode::from_ui_key(self.system, ui_key)
            .ok()?
            .ui_key();
        self.rows
            .iter_mut()
            .flat_map(|row| row.teeth.iter_mut())
            .find(|t| t.ui_key == key)
            .and_then(|t| t.glyph.as_mut())
    }

    /// Marks surfaces of a tooth (`class` one of `s-path s-work s-done s-planned`), or the
    /// whole tooth when `surfaces` is empty (the class's `w-` form), with a tooltip line.
    /// A tooth not drawn is ignored.
    pub fn mark_surfaces(
        mut self,
        ui_key: &str,
        surfaces: &[Surface],
        class: &'static str,
        title: String,
    ) -> Self {
        if let Some(glyph) = self.glyph_mut(ui_key) {
            if surfaces.is_empty() {
                let whole = match class {
                    "s-path" => "w-path",
                    "s-work" => "w-work",
                    "s-done" => "w-done",
                    _ => "w-planned",
                };
                push_unique(&mut glyph.whole, whole);
                glyph.titles.push(title);
            } else {
                for area in glyph
                    .areas
                    .iter_mut()
                    .filter(|a| surfaces.contains(&a.surface))
                {
                    push_unique(&mut area.marks, class);
                    area.titles.push(title.clone());
                }
            }
        }
        self
    }

    /// Strikes a tooth out (missing), with a tooltip line.
    pub fn strike(mut self, ui_key: &str, title: String) -> Self {
        if let Some(glyph) = self.glyph_mut(ui_key) {
            glyph.missing = true;
            glyph.titles.push(title);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcms_domain::{Dentition, ToothSystem};

    fn area<'a>(chart: &'a Odontogram, key: &str, surface: Surface) -> &'a Area {
        let tooth = chart.tooth(key).unwrap();
        let glyph = tooth.glyph.as_ref().unwrap();
        glyph.areas.iter().find(|a| a.surface == surface).unwrap()
    }

    #[test]
    fn mesial_faces_the_midline_and_buccal_the_outside() {
        let chart = Odontogram::new(ToothSystem::Fdi, &[Dentition::Permanent]).with_surfaces();
        // 16 (patient's upper right, drawn left of the midline): mesial on the right side,
        // buccal on top.
        let t16 = chart.tooth("P-UR-6").unwrap();
        let g = t16.glyph.as_ref().unwrap();
        let mesial = &area(&chart, "P-UR-6", Surface::Mesial).points;
        assert!(
            mesial.starts_with(&format!("{:.1}", g.x + g.size)),
            "{mesial}"
        );
        let buccal = &area(&chart, "P-UR-6", Surface::Buccal).points;
        assert!(buccal.contains(&format!(",{:.1}", g.y)), "{buccal}");
        // 36 (lower left, right of the midline): mesial on the left, buccal at the bottom.
        let t36 = chart.tooth("P-LL-6").unwrap();
        let g = t36.glyph.as_ref().unwrap();
        let mesial = &area(&chart, "P-LL-6", Surface::Mesial).points;
        assert!(mesial.starts_with(&format!("{:.1}", g.x)), "{mesial}");
        let buccal = &area(&chart, "P-LL-6", Surface::Buccal).points;
        assert!(
            buccal.contains(&format!(",{:.1}", g.y + g.size)),
            "{buccal}"
        );
    }

    #[test]
    fn marks_land_on_their_surfaces_or_the_whole_tooth() {
        let chart = Odontogram::new(ToothSystem::Fdi, &[Dentition::Permanent])
            .chart()
            .with_surfaces()
            .mark_surfaces(
                "P-LL-6",
                &[Surface::Mesial, Surface::Occlusal],
                "s-path",
                "caries".into(),
            )
            .mark_surfaces("P-LL-6", &[Surface::Mesial], "s-planned", "filling".into())
            .mark_surfaces("P-UR-1", &[], "s-work", "crown".into())
            .strike("P-LR-6", "missing".into());
        assert_eq!(
            area(&chart, "P-LL-6", Surface::Mesial).classes(),
            "surface surface-mesial s-path s-planned"
        );
        assert!(area(&chart, "P-LL-6", Surface::Distal).marks.is_empty());
        let crown = chart.tooth("P-UR-1").unwrap().glyph.as_ref().unwrap();
        assert_eq!(crown.classes(), "glyph w-work");
        assert!(
            chart
                .tooth("P-LR-6")
                .unwrap()
                .glyph
                .as_ref()
                .unwrap()
                .missing
        );
        assert!(
            !chart
                .tooth("P-UR-2")
                .unwrap()
                .glyph
                .as_ref()
                .unwrap()
                .is_marked()
        );
    }
}
