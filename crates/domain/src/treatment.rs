//! Treatment item scopes and the teeth they cover.

use std::collections::HashSet;

use crate::enums::{Arch, Dentition, ToothSystem, code_enum};
use crate::tooth::{ToothCode, teeth_of};

code_enum! {
    /// Which teeth a treatment item covers.
    pub enum TreatmentScope("treatment scope") {
        /// No teeth (e.g. a consultation).
        None = 0 => "none",
        /// Exactly one tooth.
        SingleTooth = 1 => "single_tooth",
        /// Two or more teeth.
        MultiTooth = 2 => "multi_tooth",
        /// The upper arch.
        UpperArch = 3 => "upper_arch",
        /// The lower arch.
        LowerArch = 4 => "lower_arch",
        /// Both arches.
        FullMouth = 5 => "full_mouth",
    }
}

impl TreatmentScope {
    /// The arch of an arch scope; `None` for the others (full mouth covers both).
    pub const fn arch(self) -> Option<Arch> {
        match self {
            Self::UpperArch => Some(Arch::Upper),
            Self::LowerArch => Some(Arch::Lower),
            _ => None,
        }
    }

    /// Whether the item is charged per tooth (single and multi tooth).
    pub const fn per_tooth(self) -> bool {
        matches!(self, Self::SingleTooth | Self::MultiTooth)
    }

    /// How many times an item's unit price is charged: the number of teeth for single and
    /// multi tooth scopes, once for the others.
    pub fn quantity(self, teeth: usize) -> i64 {
        if self.per_tooth() {
            i64::try_from(teeth).unwrap_or(i64::MAX)
        } else {
            1
        }
    }
}

impl TreatmentScope {
    /// The scope a form proposes for `teeth` when none was chosen, given the scope the
    /// service is usually recorded with (`usual`, if known): the teeth decide, the usual
    /// scope breaks the ties.
    ///
    /// * No teeth: the usual scope (an arch or the mouth covers every tooth of it; a
    ///   per-tooth scope then asks for its teeth), else `none`.
    /// * Teeth that all lie in a usual arch or mouth scope: that scope (the teeth done in it).
    /// * Otherwise one tooth is `single_tooth`, more are `multi_tooth`.
    ///
    /// The answer is a proposal: [`select_teeth`] still checks it (repeats, dentitions).
    pub fn following(usual: Option<TreatmentScope>, teeth: &[ToothCode]) -> TreatmentScope {
        let covers = |scope: TreatmentScope| {
            matches!(scope, Self::UpperArch | Self::LowerArch | Self::FullMouth)
                && teeth
                    .iter()
                    .all(|tooth| scope.arch().is_none_or(|arch| tooth.arch() == arch))
        };
        match (usual, teeth.len()) {
            (Some(usual), 0) => usual,
            (None, 0) => Self::None,
            (Some(usual), _) if covers(usual) => usual,
            (_, 1) => Self::SingleTooth,
            _ => Self::MultiTooth,
        }
    }
}

/// Why a set of teeth does not fit a treatment scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// Teeth given with scope `none`.
    #[error("none takes no teeth, got {got}")]
    NoTeethAllowed {
        /// How many teeth were given.
        got: usize,
    },
    /// Not exactly one tooth for `single_tooth`.
    #[error("single_tooth needs exactly one tooth, got {got}")]
    NotOneTooth {
        /// How many teeth were given.
        got: usize,
    },
    /// Fewer than two teeth for `multi_tooth`.
    #[error("multi_tooth needs two or more teeth, got {got}")]
    TooFewTeeth {
        /// How many teeth were given.
        got: usize,
    },
    /// The same physical tooth given twice.
    #[error("tooth {tooth} is listed twice")]
    Repeated {
        /// The repeated tooth, as given (second occurrence).
        tooth: ToothCode,
    },
    /// A tooth outside the scope's arch.
    #[error("tooth {tooth} is not in the {arch} arch")]
    NotInArch {
        /// The tooth, as given.
        tooth: ToothCode,
        /// The scope's arch.
        arch: Arch,
    },
    /// A tooth of another dentition than the one named.
    #[error("tooth {tooth} is not a {dentition} tooth")]
    WrongDentition {
        /// The tooth, as given.
        tooth: ToothCode,
        /// The dentition named.
        dentition: Dentition,
    },
}

/// The teeth a treatment item covers, as FDI codes.
///
/// * `none`: `given` must be empty; no teeth.
/// * `single_tooth`: exactly one tooth; `multi_tooth`: two or more, no repeats.
/// * `upper_arch`, `lower_arch`, `full_mouth`: with no teeth given, every tooth of that arch
///   (or both) of `named_dentition`, or else of `patient_dentition` (16/16/32 permanent,
///   10/10/20 primary, third molars included). With teeth given, they must not repeat, must
///   lie in that arch, and must be of `named_dentition` when it is given; they are returned
///   in the order given.
///
/// Teeth may be given in any notation; "the same tooth" means the same `ui_key`.
pub fn select_teeth(
    scope: TreatmentScope,
    given: &[ToothCode],
    patient_dentition: Dentition,
    named_dentition: Option<Dentition>,
) -> Result<Vec<ToothCode>, ScopeError> {
    let got = given.len();
    match scope {
        TreatmentScope::None if got > 0 => return Err(ScopeError::NoTeethAllowed { got }),
        TreatmentScope::SingleTooth if got != 1 => return Err(ScopeError::NotOneTooth { got }),
        TreatmentScope::MultiTooth if got < 2 => return Err(ScopeError::TooFewTeeth { got }),
        TreatmentScope::UpperArch | TreatmentScope::LowerArch | TreatmentScope::FullMouth
            if got == 0 =>
        {
            let dentition = named_dentition.unwrap_or(patient_dentition);
            return Ok(teeth_of(ToothSystem::Fdi, dentition, scope.arch()));
        }
        _ => {}
    }

    let mut seen = HashSet::with_capacity(got);
    for &tooth in given {
        if !seen.insert(tooth.ui_key()) {
            return Err(ScopeError::Repeated { tooth });
        }
        if scope.per_tooth() {
            continue;
        }
        if let Some(arch) = scope.arch().filter(|&arch| tooth.arch() != arch) {
            return Err(ScopeError::NotInArch { tooth, arch });
        }
        if let Some(dentition) = named_dentition.filter(|&d| tooth.dentition() != d) {
            return Err(ScopeError::WrongDentition { tooth, dentition });
        }
    }
    Ok(given
        .iter()
        .map(|tooth| tooth.in_system(ToothSystem::Fdi))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dentition::{Permanent, Primary};
    use TreatmentScope::{FullMouth, LowerArch, MultiTooth, SingleTooth, UpperArch};
    use proptest::prelude::*;

    fn fdi(codes: &[&str]) -> Vec<ToothCode> {
        codes
            .iter()
            .map(|c| ToothCode::parse(ToothSystem::Fdi, c).unwrap())
            .collect()
    }

    fn codes(teeth: &[ToothCode]) -> Vec<&'static str> {
        teeth.iter().map(ToothCode::code).collect()
    }

    #[test]
    fn names_and_codes() {
        assert_eq!(TreatmentScope::from_code(5), Some(FullMouth));
        assert_eq!(TreatmentScope::None.code(), 0);
        assert_eq!("upper_arch".parse(), Ok(UpperArch));
        assert_eq!(
            serde_json::to_string(&SingleTooth).unwrap(),
            "\"single_tooth\""
        );
        assert_eq!(
            "arch".parse::<TreatmentScope>().unwrap_err().to_string(),
            "unknown treatment scope 'arch'; expected one of: none, single_tooth, multi_tooth, upper_arch, lower_arch, full_mouth"
        );
    }

    #[test]
    fn a_proposed_scope_follows_the_teeth_and_the_usual_one() {
        use TreatmentScope::None as NoTeeth;
        let following = TreatmentScope::following;
        // Nothing known: the teeth decide.
        assert_eq!(following(None, &[]), NoTeeth);
        assert_eq!(following(None, &fdi(&["16"])), SingleTooth);
        assert_eq!(following(None, &fdi(&["16", "17"])), MultiTooth);
        // No teeth: the usual scope, even one that needs teeth (the form then asks for them).
        assert_eq!(following(Some(SingleTooth), &[]), SingleTooth);
        assert_eq!(following(Some(UpperArch), &[]), UpperArch);
        assert_eq!(following(Some(NoTeeth), &[]), NoTeeth);
        // Teeth clicked: per tooth, unless they lie in the usual arch or mouth.
        assert_eq!(
            following(Some(SingleTooth), &fdi(&["16", "17"])),
            MultiTooth
        );
        assert_eq!(following(Some(MultiTooth), &fdi(&["16"])), SingleTooth);
        assert_eq!(following(Some(NoTeeth), &fdi(&["16"])), SingleTooth);
        assert_eq!(following(Some(UpperArch), &fdi(&["16", "26"])), UpperArch);
        assert_eq!(following(Some(UpperArch), &fdi(&["16", "36"])), MultiTooth);
        assert_eq!(following(Some(LowerArch), &fdi(&["36"])), LowerArch);
        assert_eq!(following(Some(FullMouth), &fdi(&["16", "36"])), FullMouth);
    }

    #[test]
    fn quantities() {
        assert_eq!(SingleTooth.quantity(1), 1);
        assert_eq!(MultiTooth.quantity(3), 3);
        assert_eq!(UpperArch.quantity(16), 1);
        assert_eq!(FullMouth.quantity(32), 1);
        assert_eq!(TreatmentScope::None.quantity(0), 1);
    }

    #[test]
    fn none_and_single() {
        assert_eq!(
            select_teeth(TreatmentScope::None, &[], Permanent, None),
            Ok(vec![])
        );
        assert_eq!(
            select_teeth(TreatmentScope::None, &fdi(&["16"]), Permanent, None),
            Err(ScopeError::NoTeethAllowed { got: 1 })
        );
        let one = select_teeth(SingleTooth, &fdi(&["36"]), Permanent, None).unwrap();
        assert_eq!(codes(&one), ["36"]);
        let e = select_teeth(SingleTooth, &fdi(&["16", "17", "18"]), Permanent, None).unwrap_err();
        assert_eq!(e.to_string(), "single_tooth needs exactly one tooth, got 3");
        assert_eq!(
            select_teeth(SingleTooth, &[], Permanent, None),
            Err(ScopeError::NotOneTooth { got: 0 })
        );
    }

    #[test]
    fn multi_tooth() {
        // Given in Palmer notation, returned as FDI.
        let given: Vec<_> = ["UR6", "ur7", "LLA"]
            .iter()
            .map(|c| ToothCode::parse(ToothSystem::Palmer, c).unwrap())
            .collect();
        let teeth = select_teeth(MultiTooth, &given, Permanent, None).unwrap();
        assert_eq!(codes(&teeth), ["16", "17", "71"]);
        assert!(teeth.iter().all(|t| t.system() == ToothSystem::Fdi));

        let e = select_teeth(MultiTooth, &fdi(&["16"]), Permanent, None).unwrap_err();
        assert_eq!(e.to_string(), "multi_tooth needs two or more teeth, got 1");
        let e = select_teeth(MultiTooth, &fdi(&["16", "17", "16"]), Permanent, None).unwrap_err();
        assert_eq!(e.to_string(), "tooth 16 is listed twice");
        // The same physical tooth in two notations is a repeat.
        let mixed = [
            ToothCode::parse(ToothSystem::Fdi, "16").unwrap(),
            ToothCode::parse(ToothSystem::Universal, "3").unwrap(),
        ];
        assert_eq!(
            select_teeth(MultiTooth, &mixed, Permanent, None),
            Err(ScopeError::Repeated { tooth: mixed[1] })
        );
    }

    #[test]
    fn whole_arches() {
        let upper = select_teeth(UpperArch, &[], Permanent, None).unwrap();
        assert_eq!(upper.len(), 16);
        assert!(upper.iter().all(|t| t.arch() == Arch::Upper));
        assert!(codes(&upper).contains(&"18") && codes(&upper).contains(&"28"));

        let lower_child = select_teeth(LowerArch, &[], Primary, None).unwrap();
        assert_eq!(lower_child.len(), 10);
        assert!(
            lower_child
                .iter()
                .all(|t| t.arch() == Arch::Lower && t.dentition() == Primary)
        );

        assert_eq!(
            select_teeth(FullMouth, &[], Permanent, None).unwrap().len(),
            32
        );
        assert_eq!(
            select_teeth(FullMouth, &[], Primary, None).unwrap().len(),
            20
        );
        assert_eq!(
            select_teeth(UpperArch, &[], Primary, None).unwrap().len(),
            10
        );
        // A named dentition overrides the patient's.
        assert_eq!(
            select_teeth(FullMouth, &[], Primary, Some(Permanent))
                .unwrap()
                .len(),
            32
        );
        let lower = select_teeth(LowerArch, &[], Permanent, Some(Primary)).unwrap();
        assert_eq!(codes(&lower)[0], "71");
    }

    #[test]
    fn listed_arch_teeth() {
        let teeth = select_teeth(UpperArch, &fdi(&["11", "21", "55"]), Permanent, None).unwrap();
        assert_eq!(codes(&teeth), ["11", "21", "55"]);
        let e = select_teeth(UpperArch, &fdi(&["11", "36"]), Permanent, None).unwrap_err();
        assert_eq!(e.to_string(), "tooth 36 is not in the upper arch");
        let e = select_teeth(LowerArch, &fdi(&["16"]), Permanent, None).unwrap_err();
        assert_eq!(e.to_string(), "tooth 16 is not in the lower arch");
        let e =
            select_teeth(UpperArch, &fdi(&["11", "55"]), Permanent, Some(Permanent)).unwrap_err();
        assert_eq!(e.to_string(), "tooth 55 is not a permanent tooth");
        let e = select_teeth(FullMouth, &fdi(&["46", "16", "46"]), Permanent, None).unwrap_err();
        assert_eq!(e.to_string(), "tooth 46 is listed twice");
        let teeth = select_teeth(FullMouth, &fdi(&["46", "16"]), Primary, None).unwrap();
        assert_eq!(codes(&teeth), ["46", "16"]);
        // Errors name the tooth as the user wrote it.
        let given = [ToothCode::parse(ToothSystem::Palmer, "LL6").unwrap()];
        let e = select_teeth(UpperArch, &given, Permanent, None).unwrap_err();
        assert_eq!(e.to_string(), "tooth LL6 is not in the upper arch");
    }

    fn any_scope() -> impl Strategy<Value = TreatmentScope> {
        proptest::sample::select(TreatmentScope::ALL.to_vec())
    }

    fn any_tooth() -> impl Strategy<Value = ToothCode> {
        (0usize..156).prop_map(|p| ToothCode::from_position(p).unwrap())
    }

    fn any_dentition() -> impl Strategy<Value = Dentition> {
        proptest::sample::select(Dentition::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".*") {
            let _ = s.parse::<TreatmentScope>();
        }

        #[test]
        fn display_parse_round_trip(scope in any_scope()) {
            prop_assert_eq!(scope.to_string().parse::<TreatmentScope>(), Ok(scope));
        }

        #[test]
        fn selections_fit_the_scope(
            scope in any_scope(),
            given in proptest::collection::vec(any_tooth(), 0..6),
            patient in any_dentition(),
            named in proptest::option::of(any_dentition()),
        ) {
            if let Ok(teeth) = select_teeth(scope, &given, patient, named) {
                prop_assert!(teeth.iter().all(|t| t.system() == ToothSystem::Fdi));
                let keys: HashSet<_> = teeth.iter().map(ToothCode::ui_key).collect();
                prop_assert_eq!(keys.len(), teeth.len());
                if let Some(arch) = scope.arch() {
                    prop_assert!(teeth.iter().all(|t| t.arch() == arch));
                }
                match scope {
                    TreatmentScope::None => prop_assert!(teeth.is_empty()),
                    SingleTooth => prop_assert_eq!(teeth.len(), 1),
                    MultiTooth => prop_assert!(teeth.len() >= 2),
                    _ => prop_assert!(!teeth.is_empty()),
                }
            }
        }
    }
}
