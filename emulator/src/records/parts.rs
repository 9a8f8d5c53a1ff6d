//! The building blocks every record's QBO JSON is made of: ids as strings, money and decimals as
//! QBO writes them, references with names, `MetaData`, addresses, e-mail and phone objects.

use serde::{Serialize, Serializer};

use crate::data::Address;
use crate::time::Timestamp;

/// An id (or other number-like string) rendered as a JSON string without allocating.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdStr(pub(crate) u64);

impl Serialize for IdStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

pub(crate) fn id_of(index: usize) -> IdStr {
    IdStr(index as u64 + 1)
}

/// A money amount in cents: `0` when zero, otherwise a float (`275.0`, `554.46`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Money(pub(crate) i64);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == 0 {
            s.serialize_i64(0)
        } else {
            s.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

/// A price or quantity in hundredths: an integer when whole (`150`), else a float (`48.25`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decimal(pub(crate) i64);

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

#[derive(Serialize)]
pub(crate) struct Ref<'a, V: Serialize> {
    pub(crate) value: V,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<&'a str>,
}

pub(crate) fn named<V: Serialize>(value: V, name: &str) -> Ref<'_, V> {
    Ref {
        value,
        name: Some(name),
    }
}

pub(crate) fn bare<V: Serialize>(value: V) -> Ref<'static, V> {
    Ref { value, name: None }
}

pub(crate) const USD: Ref<'static, &str> = Ref {
    value: "USD",
    name: Some("United States Dollar"),
};

/// The `CurrencyRef` of `currency`.
pub(crate) fn currency_ref(currency: crate::currency::Currency) -> Ref<'static, &'static str> {
    Ref {
        value: currency.code,
        name: Some(currency.name),
    }
}

#[derive(Serialize)]
pub(crate) struct MetaData {
    #[serde(rename = "CreateTime")]
    pub(crate) create_time: Timestamp,
    #[serde(rename = "LastUpdatedTime")]
    pub(crate) last_updated_time: Timestamp,
}

pub(crate) fn meta(created: i64, updated: i64) -> MetaData {
    MetaData {
        create_time: Timestamp(created),
        last_updated_time: Timestamp(updated),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AddrView<'a> {
    pub(crate) id: IdStr,
    pub(crate) line1: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) line2: Option<&'a str>,
    pub(crate) city: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) country: Option<&'static str>,
    pub(crate) country_sub_division_code: &'a str,
    pub(crate) postal_code: &'a str,
}

pub(crate) fn addr<'a>(a: &'a Address, country: Option<&'static str>) -> AddrView<'a> {
    AddrView {
        id: IdStr(u64::from(a.id)),
        line1: &a.line1,
        line2: a.line2.as_deref(),
        city: a.city,
        country,
        country_sub_division_code: a.region,
        postal_code: &a.postal,
    }
}

#[derive(Serialize)]
pub(crate) struct EmailAddr<'a> {
    #[serde(rename = "Address")]
    pub(crate) address: &'a str,
}

#[derive(Serialize)]
pub(crate) struct Phone<'a> {
    #[serde(rename = "FreeFormNumber")]
    pub(crate) number: &'a str,
}

#[derive(Serialize)]
pub(crate) struct WebAddr<'a> {
    #[serde(rename = "URI")]
    pub(crate) uri: &'a str,
}

#[derive(Serialize)]
pub(crate) struct Empty {}

#[derive(Serialize)]
pub(crate) struct LinkedTxn {
    #[serde(rename = "TxnId")]
    pub(crate) txn_id: IdStr,
    #[serde(rename = "TxnType")]
    pub(crate) txn_type: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_decimal_render_like_qbo() {
        let json = serde_json::to_string(&[Money(0), Money(27500), Money(55446), Money(9650)])
            .expect("json");
        assert_eq!(json, "[0,275.0,554.46,96.5]");
        let json = serde_json::to_string(&[Decimal(15000), Decimal(4825)]).expect("json");
        assert_eq!(json, "[150,48.25]");
    }
}
