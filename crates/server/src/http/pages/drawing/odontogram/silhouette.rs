//! The silhouette of one tooth: its root(s) and crown as SVG paths, in the box the chart
//! gives it.

use super::ToothKind;
use std::fmt::Write;

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
pub(super) fn shapes(
    kind: ToothKind,
    upper: bool,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
) -> (String, String) {
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
