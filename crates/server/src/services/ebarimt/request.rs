//! What DCMS sends PosAPI 3.0 (`POST /rest/receipt`), built when a receipt is queued and
//! stored with it, so a retry sends the very same body. Field names and casing are those of
//! the `ebarimt-pos-sdk` models (camelCase, `totalVAT`).
//!
//! A receipt covers a slice of a treatment's charges: the lines in their order, from what
//! was paid before to what is paid now (`allocate`). Lines are grouped into one sub-receipt
//! per tax type; amounts are whole tugrik, VAT in möngö shown with two decimals
//! (`TaxType::vat_mongo`: VAT_ABLE prices include 10% VAT, so VAT is a eleventh).

use super::config::EbarimtSettings;
use dcms_domain::{PaymentMethod, TaxType, mongo_to_json};
use serde_json::{Value, json};

/// A line of the treatment as a receipt sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The service's name for patients.
    pub name: String,
    pub tax_type: TaxType,
    pub classification_code: Option<String>,
    /// Units (teeth) and the line's charge after its discount.
    pub quantity: i64,
    pub charge: i64,
}

/// The parts of `lines` that the money from `from` to `from + amount` covers, in order:
/// each line with the amount of it covered.
pub fn allocate(lines: &[Line], from: i64, amount: i64) -> Vec<(Line, i64)> {
    let (start, end) = (from.max(0), from.max(0) + amount.max(0));
    let mut at = 0i64;
    let mut parts = Vec::new();
    for line in lines {
        let (a, b) = (at, at + line.charge.max(0));
        at = b;
        let covered = end.min(b) - start.max(a);
        if covered > 0 {
            parts.push((line.clone(), covered));
        }
    }
    parts
}

/// The PosAPI code of a payment method: cash is `CASH`; card, transfer and QPay are paid
/// electronically, `PAYMENT_CARD` (the two codes PosAPI 3.0 knows).
pub fn payment_code(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Cash => "CASH",
        _ => "PAYMENT_CARD",
    }
}

/// One item: the whole line (its units and unit price) when it is wholly covered and the
/// price divides evenly, else one unit of the amount covered.
fn item(line: &Line, covered: i64) -> Value {
    let (qty, unit) = if covered == line.charge && line.quantity > 1 && covered % line.quantity == 0
    {
        (line.quantity, covered / line.quantity)
    } else {
        (1, covered)
    };
    let mut item = json!({
        "name": line.name,
        "measureUnit": "ш",
        "qty": qty,
        "unitPrice": unit,
        "totalAmount": covered,
        "totalVAT": mongo_to_json(line.tax_type.vat_mongo(covered)),
        "totalCityTax": 0,
    });
    if let Some(code) = &line.classification_code {
        item["classificationCode"] = json!(code);
    }
    item
}

/// The body of `POST /rest/receipt` for `parts`, paid by `method`; B2B with the payer
/// organisation's `customer_tin`.
pub fn issue(
    settings: &EbarimtSettings,
    bill_id_suffix: &str,
    parts: &[(Line, i64)],
    method: PaymentMethod,
    customer_tin: Option<&str>,
) -> Value {
    let mut by_tax: Vec<(TaxType, Vec<&(Line, i64)>)> = Vec::new();
    for part in parts {
        match by_tax.iter_mut().find(|(t, _)| *t == part.0.tax_type) {
            Some((_, list)) => list.push(part),
            None => by_tax.push((part.0.tax_type, vec![part])),
        }
    }
    let merchant = settings.merchant_tin.clone().unwrap_or_default();
    let mut total = 0i64;
    let mut total_vat = 0i64;
    let receipts: Vec<Value> = by_tax
        .iter()
        .map(|(tax, list)| {
            let sum: i64 = list.iter().map(|(_, c)| c).sum();
            let vat: i64 = list.iter().map(|(_, c)| tax.vat_mongo(*c)).sum();
            total += sum;
            total_vat += vat;
            let mut sub = json!({
                "totalAmount": sum,
                "totalVAT": mongo_to_json(vat),
                "totalCityTax": 0,
                "taxType": tax.as_str(),
                "merchantTin": merchant,
                "items": list.iter().map(|(l, c)| item(l, *c)).collect::<Vec<_>>(),
            });
            if let Some(tin) = customer_tin {
                sub["customerTin"] = json!(tin);
            }
            sub
        })
        .collect();
    let mut body = json!({
        "branchNo": settings.branch_no.clone().unwrap_or_default(),
        "totalAmount": total,
        "totalVAT": mongo_to_json(total_vat),
        "totalCityTax": 0,
        "districtCode": settings.district_code.clone().unwrap_or_default(),
        "merchantTin": merchant,
        "posNo": settings.pos_no.clone().unwrap_or_default(),
        "type": if customer_tin.is_some() { "B2B_RECEIPT" } else { "B2C_RECEIPT" },
        "billIdSuffix": bill_id_suffix,
        "receipts": receipts,
        "payments": [{"code": payment_code(method), "status": "PAID", "paidAmount": total}],
    });
    if let Some(tin) = customer_tin {
        body["customerTin"] = json!(tin);
    }
    body
}

/// The `billIdSuffix` of a receipt: its row id, six digits at least. Unique (the column's
/// index) and fixed when the receipt is queued, so a resend after a crash or a timeout is
/// the same bill to PosAPI and never a second one.
pub fn bill_id_suffix(receipt_id: i64) -> String {
    format!("{receipt_id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, tax: TaxType, quantity: i64, charge: i64) -> Line {
        Line {
            name: name.into(),
            tax_type: tax,
            classification_code: Some("8610000".into()),
            quantity,
            charge,
        }
    }

    #[test]
    fn a_payment_covers_the_lines_after_what_was_paid() {
        let lines = [
            line("a", TaxType::VatFree, 1, 30_000),
            line("b", TaxType::VatAble, 2, 50_000),
        ];
        assert_eq!(
            allocate(&lines, 0, 30_000),
            vec![(lines[0].clone(), 30_000)]
        );
        assert_eq!(
            allocate(&lines, 20_000, 30_000),
            vec![(lines[0].clone(), 10_000), (lines[1].clone(), 20_000)]
        );
        assert_eq!(allocate(&lines, 80_000, 10), vec![]);
    }

    #[test]
    fn the_body_sums_and_its_vat() {
        let settings = EbarimtSettings {
            merchant_tin: Some("5317878".into()),
            ..EbarimtSettings::default()
        };
        let lines = [
            line("a", TaxType::VatFree, 1, 30_000),
            line("b", TaxType::VatAble, 2, 50_000),
        ];
        let parts = allocate(&lines, 0, 80_000);
        let body = issue(
            &settings,
            "000001",
            &parts,
            PaymentMethod::Card,
            Some("1234567"),
        );
        assert_eq!(body["totalAmount"], 80_000);
        assert_eq!(body["type"], "B2B_RECEIPT");
        assert_eq!(body["receipts"].as_array().unwrap().len(), 2);
        assert_eq!(body["receipts"][1]["taxType"], "VAT_ABLE");
        assert_eq!(body["receipts"][1]["totalVAT"].as_f64(), Some(4545.45));
        assert_eq!(body["receipts"][1]["items"][0]["qty"], 2);
        assert_eq!(body["receipts"][1]["items"][0]["unitPrice"], 25_000);
        assert_eq!(body["payments"][0]["code"], "PAYMENT_CARD");
        assert_eq!(body["payments"][0]["paidAmount"], 80_000);
    }
}
