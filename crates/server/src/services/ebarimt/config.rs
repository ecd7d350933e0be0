//! The clinic's PosAPI settings (`settings.ebarimt_*`): read, validated when changed, and
//! audited, as the rest of the settings are (`services::settings` calls these).

use crate::services::FieldError;
use dcms_domain::{TaxType, Tin};
use dcms_store::entity::settings;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// How DCMS reaches the clinic's PosAPI 3.0 service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct EbarimtSettings {
    /// Whether payments are receipted (default off).
    pub enabled: bool,
    /// The PosAPI service's base URL, e.g. `http://127.0.0.1:7080`.
    pub url: Option<String>,
    /// The clinic's taxpayer number (ТТД).
    pub merchant_tin: Option<String>,
    pub pos_no: Option<String>,
    pub branch_no: Option<String>,
    /// The district (дүүрэг/сум) code the tax authority gave the branch.
    pub district_code: Option<String>,
    /// The tax type of a service that names none.
    pub default_tax_type: Option<TaxType>,
}

impl EbarimtSettings {
    pub fn from_row(row: &settings::Model) -> EbarimtSettings {
        EbarimtSettings {
            enabled: row.ebarimt_enabled,
            url: row.ebarimt_url.clone(),
            merchant_tin: row.ebarimt_merchant_tin.clone(),
            pos_no: row.ebarimt_pos_no.clone(),
            branch_no: row.ebarimt_branch_no.clone(),
            district_code: row.ebarimt_district_code.clone(),
            default_tax_type: row.ebarimt_default_tax_type.parse().ok(),
        }
    }

    /// The tax type of a service: its own, else the clinic's (VAT_FREE when unset).
    pub fn tax_type_of(&self, service: Option<&str>) -> TaxType {
        service
            .and_then(|t| t.parse().ok())
            .or(self.default_tax_type)
            .unwrap_or(TaxType::VatFree)
    }
}

/// A change of the PosAPI settings (absent: kept; blank text: cleared).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EbarimtChanges {
    pub enabled: Option<bool>,
    /// `http://` or `https://`, at most 300 characters.
    #[schema(max_length = 300)]
    pub url: Option<String>,
    /// 7 digits (an organisation), or 11 or 12.
    pub merchant_tin: Option<String>,
    /// At most 20 characters.
    #[schema(max_length = 20)]
    pub pos_no: Option<String>,
    /// At most 10 characters.
    #[schema(max_length = 10)]
    pub branch_no: Option<String>,
    /// At most 10 characters.
    #[schema(max_length = 10)]
    pub district_code: Option<String>,
    /// VAT_ABLE, VAT_FREE, VAT_ZERO or NO_VAT.
    pub default_tax_type: Option<String>,
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&String>,
    max: usize,
) -> Option<Option<String>> {
    crate::services::fields::optional_text(errors, field, Some(value?.as_str()), max)
}

/// Checks `asked` and writes it into `row`; errors on `ebarimt.<field>`. Enabling needs the
/// URL, the merchant's TIN, the POS number, the branch and the district.
pub fn apply(errors: &mut Vec<FieldError>, asked: &EbarimtChanges, row: &mut settings::Model) {
    let before = errors.len();
    let url = text(errors, "ebarimt.url", asked.url.as_ref(), 300);
    if let Some(Some(u)) = &url {
        let ok = reqwest::Url::parse(u)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            errors.push(FieldError::coded(
                "ebarimt.url",
                "url",
                "must be an http:// or https:// address",
            ));
        }
    }
    let tin = text(
        errors,
        "ebarimt.merchant_tin",
        asked.merchant_tin.as_ref(),
        12,
    );
    if let Some(Some(t)) = &tin
        && let Err(e) = Tin::parse(t)
    {
        errors.push(FieldError::coded(
            "ebarimt.merchant_tin",
            "tin",
            e.to_string(),
        ));
    }
    let pos_no = text(errors, "ebarimt.pos_no", asked.pos_no.as_ref(), 20);
    let branch_no = text(errors, "ebarimt.branch_no", asked.branch_no.as_ref(), 10);
    let district = text(
        errors,
        "ebarimt.district_code",
        asked.district_code.as_ref(),
        10,
    );
    let tax = asked.default_tax_type.as_deref().map(|t| {
        t.parse::<TaxType>().map_err(|e| {
            errors.push(FieldError::coded(
                "ebarimt.default_tax_type",
                "choose",
                e.to_string(),
            ))
        })
    });
    if errors.len() > before {
        return;
    }
    if let Some(v) = url {
        row.ebarimt_url = v;
    }
    if let Some(v) = tin {
        row.ebarimt_merchant_tin = v;
    }
    if let Some(v) = pos_no {
        row.ebarimt_pos_no = v;
    }
    if let Some(v) = branch_no {
        row.ebarimt_branch_no = v;
    }
    if let Some(v) = district {
        row.ebarimt_district_code = v;
    }
    if let Some(Ok(t)) = tax {
        row.ebarimt_default_tax_type = t.as_str().to_owned();
    }
    if let Some(enabled) = asked.enabled {
        row.ebarimt_enabled = enabled;
    }
    if row.ebarimt_enabled {
        for (field, value) in [
            ("ebarimt.url", &row.ebarimt_url),
            ("ebarimt.merchant_tin", &row.ebarimt_merchant_tin),
            ("ebarimt.pos_no", &row.ebarimt_pos_no),
            ("ebarimt.branch_no", &row.ebarimt_branch_no),
            ("ebarimt.district_code", &row.ebarimt_district_code),
        ] {
            if value.is_none() {
                errors.push(FieldError::coded(
                    field,
                    "ebarimt-required",
                    "is needed to receipt payments through PosAPI",
                ));
            }
        }
    }
}

/// The audited PosAPI settings.
pub fn audited(row: &settings::Model) -> Value {
    json!({
        "enabled": row.ebarimt_enabled,
        "url": row.ebarimt_url,
        "merchant_tin": row.ebarimt_merchant_tin,
        "pos_no": row.ebarimt_pos_no,
        "branch_no": row.ebarimt_branch_no,
        "district_code": row.ebarimt_district_code,
        "default_tax_type": row.ebarimt_default_tax_type,
    })
}
