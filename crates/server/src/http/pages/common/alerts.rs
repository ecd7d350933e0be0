//! Medical alerts as the pages show them: on the patient's header, on the book's blocks and
//! on the treatment form (`dcms_domain::MedicalHistory::alerts` decides which).

use crate::http::pages::Layout;
use dcms_domain::Alert;

/// One alert, worded for the page.
#[derive(Debug, Clone)]
pub struct AlertView {
    /// `Аллерги: лидокаин (анафилакс)`, `Антикоагулянт уудаг: warfarin`.
    pub text: String,
    /// A severe allergy (drawn in red, acknowledged before treating).
    pub severe: bool,
    /// An allergy rather than a condition.
    pub allergy: bool,
}

impl AlertView {
    pub fn of(layout: &Layout, alert: &Alert) -> AlertView {
        let allergy = alert.kind == "allergy";
        let label = if allergy {
            layout.t("alert-allergy")
        } else {
            layout.t(&format!("condition-{}", alert.kind.replace('_', "-")))
        };
        let text = if alert.text.is_empty() {
            label
        } else {
            format!("{label}: {}", alert.text)
        };
        AlertView {
            text,
            severe: alert.severe,
            allergy,
        }
    }

    pub fn all(layout: &Layout, alerts: &[Alert]) -> Vec<AlertView> {
        alerts.iter().map(|a| AlertView::of(layout, a)).collect()
    }

    /// The alerts in one line (a block's hover text).
    pub fn line(alerts: &[AlertView]) -> String {
        alerts
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>()
            .join(" · ")
    }
}
