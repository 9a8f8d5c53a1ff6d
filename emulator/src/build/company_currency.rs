//! CompanyCurrency: a currency the company deals in, added by its ISO 4217 code once
//! multicurrency is on. The code never changes; a currency the books' customers or vendors deal
//! in stays active.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::names::{active, enumeration, text};
use super::refusals::{business, duplicate_name, required};
use crate::currency::{CAD, EUR, HOME};
use crate::entity::Entity;
use crate::fault::Fault;

/// QBO's key order of a CompanyCurrency (seeded ones read the same).
pub(super) const COMPANY_CURRENCY_ORDER: [&str; 8] = [
    "Code",
    "Name",
    "Active",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
];

/// The currencies QBO offers, by ISO 4217 code, with QBO's names.
#[rustfmt::skip]
const ISO_CURRENCIES: [(&str, &str); 32] = [
    ("AED", "UAE Dirham"), ("ARS", "Argentine Peso"), ("AUD", "Australian Dollar"),
    ("BRL", "Brazilian Real"), ("CAD", "Canadian Dollar"), ("CHF", "Swiss Franc"),
    ("CLP", "Chilean Peso"), ("CNY", "Chinese Yuan Renminbi"), ("COP", "Colombian Peso"),
    ("CZK", "Czech Koruna"), ("DKK", "Danish Krone"), ("EUR", "Euro"),
    ("GBP", "British Pound Sterling"), ("HKD", "Hong Kong Dollar"), ("HUF", "Hungarian Forint"),
    ("IDR", "Indonesian Rupiah"), ("ILS", "Israeli New Shekel"), ("INR", "Indian Rupee"),
    ("JPY", "Japanese Yen"), ("KRW", "South Korean Won"), ("MXN", "Mexican Peso"),
    ("MYR", "Malaysian Ringgit"), ("NOK", "Norwegian Krone"), ("NZD", "New Zealand Dollar"),
    ("PHP", "Philippine Peso"), ("PLN", "Polish Zloty"), ("SAR", "Saudi Riyal"),
    ("SEK", "Swedish Krona"), ("SGD", "Singapore Dollar"), ("THB", "Thai Baht"),
    ("TRY", "Turkish Lira"), ("ZAR", "South African Rand"),
];

/// A CompanyCurrency: `Code` one QBO offers and the company does not have yet (not the home
/// currency), its `Name` QBO's; on an update the same code, and active while the books deal in
/// it.
pub(super) fn company_currency(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
) -> Result<(), Fault> {
    if !ctx.ds.currencies.on {
        return Err(business(
            "multicurrency is off for this company: a currency is added once it is on (the emulator's --multicurrency)",
        ));
    }
    let code = text(fields, "Code")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| required("Code"))?
        .to_ascii_uppercase();
    if let Some(previous) = ctx.previous
        && previous.get("Code").and_then(Value::as_str) != Some(code.as_str())
    {
        return Err(business("a company currency's Code cannot change"));
    }
    if code == HOME.code {
        return Err(business(format!("{code} is the company's home currency")));
    }
    let &(_, name) = ISO_CURRENCIES
        .iter()
        .find(|(c, _)| *c == code)
        .ok_or_else(|| enumeration("Code", &code))?;
    let taken = (0..ctx.overlay.count(ctx.ds, Entity::CompanyCurrency))
        .filter(|&index| index != ctx.index)
        .filter_map(|index| ctx.overlay.json(ctx.ds, Entity::CompanyCurrency, index))
        .any(|record| record.get("Code").and_then(Value::as_str) == Some(code.as_str()));
    if taken {
        return Err(duplicate_name());
    }
    fields.insert("Code".into(), json!(code));
    fields.insert("Name".into(), json!(name));
    active(fields)?;
    if fields.get("Active") == Some(&Value::Bool(false))
        && [CAD.code, EUR.code].contains(&code.as_str())
    {
        return Err(business(format!(
            "{code} stays active: the company's customers or vendors deal in it"
        )));
    }
    Ok(())
}
