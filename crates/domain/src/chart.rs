//! The dentist's chart: tooth surfaces, what a doctor finds on a tooth, and treatment plans
//! with their statuses (domain.md, "Tooth findings and surfaces", "Treatment plans and
//! estimates").

use crate::enums::code_enum;
use crate::tooth::ToothCode;

code_enum! {
    /// A surface of a tooth. On incisors and canines `occlusal` is called incisal and
    /// `buccal` labial; the stored surface is the same.
    pub enum Surface("surface") {
        /// Towards the midline.
        Mesial = 1 => "mesial",
        /// The biting surface (incisal edge on front teeth).
        Occlusal = 2 => "occlusal",
        /// Away from the midline.
        Distal = 4 => "distal",
        /// Towards the cheek (labial on front teeth).
        Buccal = 8 => "buccal",
        /// Towards the tongue (palatal on upper teeth).
        Lingual = 16 => "lingual",
    }
}

impl Surface {
    /// The dentists' one-letter abbreviation of the stored surface (`M O D B L`).
    pub const fn letter(self) -> char {
        match self {
            Self::Mesial => 'M',
            Self::Occlusal => 'O',
            Self::Distal => 'D',
            Self::Buccal => 'B',
            Self::Lingual => 'L',
        }
    }

    /// The name of the surface on `tooth`: `incisal` and `labial` on incisors and canines.
    pub fn name_on(self, tooth: ToothCode) -> &'static str {
        match (self, is_anterior(tooth)) {
            (Self::Occlusal, true) => "incisal",
            (Self::Buccal, true) => "labial",
            _ => self.as_str(),
        }
    }
}

/// Incisors and canines (the first three teeth of a quadrant in either dentition).
pub fn is_anterior(tooth: ToothCode) -> bool {
    tooth.tooth().index_in_quadrant <= 3
}

/// A set of surfaces, stored as the sum of their codes (a small bit set, 0 for none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Surfaces(u8);

/// Why a list of surfaces is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurfaceError {
    #[error(
        "unknown surface '{0}'; expected one of: mesial, occlusal, distal, buccal, lingual (incisal, labial on incisors and canines)"
    )]
    Unknown(String),
    #[error("tooth {tooth} has no {surface} surface")]
    NotOnTooth { tooth: String, surface: String },
    #[error("surface {0} is given twice")]
    Repeated(String),
    #[error("a {0} has no surfaces")]
    NotForKind(&'static str),
}

impl Surfaces {
    pub const NONE: Surfaces = Surfaces(0);

    /// The set stored as `bits`; unknown bits are dropped.
    pub const fn from_bits(bits: i16) -> Surfaces {
        Surfaces((bits & 0x1f) as u8)
    }

    /// The stored form.
    pub const fn bits(self) -> i16 {
        self.0 as i16
    }

    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn contains(self, surface: Surface) -> bool {
        self.0 & (surface.code() as u8) != 0
    }

    pub const fn with(self, surface: Surface) -> Surfaces {
        Surfaces(self.0 | surface.code() as u8)
    }

    /// Whether every surface of `other` is in this set.
    pub const fn covers(self, other: Surfaces) -> bool {
        self.0 & other.0 == other.0
    }

    /// The surfaces in the order `mesial occlusal distal buccal lingual`.
    pub fn iter(self) -> impl Iterator<Item = Surface> {
        Surface::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }

    /// The stored names, in order (what the API answers).
    pub fn names(self) -> Vec<&'static str> {
        self.iter().map(Surface::as_str).collect()
    }

    /// `MOD`, the dentists' abbreviation.
    pub fn letters(self) -> String {
        self.iter().map(Surface::letter).collect()
    }

    /// Parses surface names given for `tooth`: the five stored names on any tooth, and
    /// `incisal`/`labial` on incisors and canines; a surface twice is refused.
    pub fn parse_on<S: AsRef<str>>(
        tooth: ToothCode,
        names: &[S],
    ) -> Result<Surfaces, SurfaceError> {
        let mut set = Surfaces::NONE;
        for name in names {
            let name = name.as_ref().trim().to_ascii_lowercase();
            let surface = match name.as_str() {
                "incisal" | "labial" if !is_anterior(tooth) => {
                    return Err(SurfaceError::NotOnTooth {
                        tooth: tooth.code().to_owned(),
                        surface: name,
                    });
                }
                "incisal" => Surface::Occlusal,
                "labial" => Surface::Buccal,
                other => other
                    .parse::<Surface>()
                    .map_err(|_| SurfaceError::Unknown(name.clone()))?,
            };
            if set.contains(surface) {
                return Err(SurfaceError::Repeated(name));
            }
            set = set.with(surface);
        }
        Ok(set)
    }
}

code_enum! {
    /// What a doctor finds on a tooth.
    pub enum FindingKind("finding kind") {
        Caries = 1 => "caries",
        Fracture = 2 => "fracture",
        PeriapicalLesion = 3 => "periapical_lesion",
        Mobility = 4 => "mobility",
        Impacted = 5 => "impacted",
        Missing = 6 => "missing",
        Filling = 7 => "filling",
        Crown = 8 => "crown",
        RootCanal = 9 => "root_canal",
        Implant = 10 => "implant",
        Bridge = 11 => "bridge",
        Veneer = 12 => "veneer",
        Sealant = 13 => "sealant",
    }
}

/// The three groups the chart colours differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingGroup {
    /// Something to treat (red).
    Pathology,
    /// The tooth is not there (struck out).
    Absence,
    /// Work done elsewhere (blue).
    ExistingWork,
}

impl FindingKind {
    /// Whether the kind is recorded on surfaces (caries, filling, veneer, fracture).
    pub const fn takes_surfaces(self) -> bool {
        matches!(
            self,
            Self::Caries | Self::Filling | Self::Veneer | Self::Fracture
        )
    }

    pub const fn group(self) -> FindingGroup {
        match self {
            Self::Caries
            | Self::Fracture
            | Self::PeriapicalLesion
            | Self::Mobility
            | Self::Impacted => FindingGroup::Pathology,
            Self::Missing => FindingGroup::Absence,
            _ => FindingGroup::ExistingWork,
        }
    }

    /// Checks the surfaces given with a finding of this kind.
    pub fn check_surfaces(self, surfaces: Surfaces) -> Result<(), SurfaceError> {
        if !surfaces.is_empty() && !self.takes_surfaces() {
            return Err(SurfaceError::NotForKind(self.as_str()));
        }
        Ok(())
    }
}

code_enum! {
    /// Where a treatment plan stands.
    pub enum PlanStatus("plan status") {
        Draft = 1 => "draft",
        Presented = 2 => "presented",
        Accepted = 3 => "accepted",
        Rejected = 4 => "rejected",
        Completed = 5 => "completed",
        Canceled = 6 => "canceled",
    }
}

impl PlanStatus {
    /// The state machine: `draft → presented → accepted | rejected`, `accepted →
    /// completed`, and any open plan (draft, presented, accepted) `→ canceled`. A plan goes
    /// back from presented to draft to be changed again.
    pub const fn can_move_to(self, to: PlanStatus) -> bool {
        use PlanStatus::*;
        matches!(
            (self, to),
            (Draft, Presented)
                | (Presented, Draft | Accepted | Rejected)
                | (Accepted, Completed)
                | (Draft | Presented | Accepted, Canceled)
        )
    }

    /// Whether the plan's items may be added, removed or changed (draft and presented).
    pub const fn items_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Presented)
    }

    /// Whether the plan is still open (its planned items show on the chart).
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Draft | Self::Presented | Self::Accepted)
    }

    /// Whether treatment may be recorded from its items (an accepted plan).
    pub const fn may_record(self) -> bool {
        matches!(self, Self::Accepted)
    }
}

code_enum! {
    /// Where an item of a plan stands.
    pub enum PlanItemStatus("plan item status") {
        Planned = 1 => "planned",
        Done = 2 => "done",
        Dropped = 3 => "dropped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::ToothSystem;

    fn tooth(code: &str) -> ToothCode {
        ToothCode::parse(ToothSystem::Fdi, code).unwrap()
    }

    #[test]
    fn surfaces_parse_with_front_teeth_names() {
        let s = Surfaces::parse_on(tooth("36"), &["mesial", "occlusal"]).unwrap();
        assert_eq!(s.names(), ["mesial", "occlusal"]);
        assert_eq!(s.letters(), "MO");
        assert_eq!(Surfaces::from_bits(s.bits()), s);
        let front = Surfaces::parse_on(tooth("11"), &["incisal", "Labial"]).unwrap();
        assert_eq!(front.names(), ["occlusal", "buccal"]);
        assert_eq!(Surface::Occlusal.name_on(tooth("11")), "incisal");
        assert_eq!(Surface::Occlusal.name_on(tooth("36")), "occlusal");
        assert!(matches!(
            Surfaces::parse_on(tooth("36"), &["incisal"]),
            Err(SurfaceError::NotOnTooth { .. })
        ));
        assert!(matches!(
            Surfaces::parse_on(tooth("36"), &["top"]),
            Err(SurfaceError::Unknown(_))
        ));
        assert!(matches!(
            Surfaces::parse_on(tooth("36"), &["distal", "distal"]),
            Err(SurfaceError::Repeated(_))
        ));
        assert!(Surfaces::parse_on(tooth("53"), &["labial"]).is_ok());
        assert!(Surfaces::parse_on(tooth("55"), &["labial"]).is_err());
    }

    #[test]
    fn kinds_take_surfaces_where_they_apply() {
        let mo = Surfaces::NONE.with(Surface::Mesial);
        assert!(FindingKind::Caries.check_surfaces(mo).is_ok());
        assert!(FindingKind::Crown.check_surfaces(mo).is_err());
        assert!(FindingKind::Missing.check_surfaces(Surfaces::NONE).is_ok());
        assert_eq!(FindingKind::Caries.group(), FindingGroup::Pathology);
        assert_eq!(FindingKind::Crown.group(), FindingGroup::ExistingWork);
        assert_eq!(FindingKind::Missing.group(), FindingGroup::Absence);
    }

    #[test]
    fn plan_status_machine() {
        use PlanStatus::*;
        let allowed: Vec<(PlanStatus, PlanStatus)> = PlanStatus::ALL
            .iter()
            .flat_map(|&a| PlanStatus::ALL.iter().map(move |&b| (a, b)))
            .filter(|(a, b)| a.can_move_to(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Draft, Presented),
                (Draft, Canceled),
                (Presented, Draft),
                (Presented, Accepted),
                (Presented, Rejected),
                (Presented, Canceled),
                (Accepted, Completed),
                (Accepted, Canceled),
            ]
        );
        assert!(!Completed.is_open() && !Rejected.is_open() && Accepted.is_open());
        assert!(Presented.items_editable() && !Accepted.items_editable());
    }
}
