//! Loading and checking the two kinds of YAML file: request files and connection files.
//!
//! Files become typed, validated specs here, with every mistake reported at its file, line and
//! column. Nothing in this module touches the network, the token store or the environment's
//! values (connection values are rendered later, by `connection`).

mod cdc;
mod connection;
mod request;
mod schema;
mod vars;
mod window;
mod write;
mod yaml;

pub use connection::{
    ConnectionSpec, Consent, EmulatorSettings, Environment, Limits, OAUTH_KEYS, QBO_MAX_IN_FLIGHT,
    QBO_MAX_REQUESTS_PER_MINUTE, RetrySettings, Timeouts,
};
pub use request::{
    BodySpec, Extract, HttpMethod, Incremental, Pagination, QBO_MAX_PAGE_SIZE, RequestSpec,
    StatementSlot,
};
pub use schema::{SchemaKind, schema};
pub use vars::{BUILTIN_VARIABLES, VarSpec};
pub use window::{
    DEFAULT_CONCURRENCY, MAX_CONCURRENCY, RANGE_VARIABLES, Window, WindowUnit, parse_day,
};
pub use write::{InputFormat, OnStale, QBO_MAX_BATCH_ITEMS, WriteOperation, WriteSpec};
pub use yaml::{SourceFile, to_yaml};

use crate::diagnostics::Error;
use crate::template::TemplateError;
use serde::Deserialize;

/// A YAML scalar (string, number or boolean) taken as text, so `minorversion: 75` works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar(pub String);

impl schemars::JsonSchema for Scalar {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scalar".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A template error placed in `file`: on the line holding the text at the error when it can be
/// found after the value's start (block and folded scalars), else at the value itself.
pub fn template_error(file: &SourceFile, error: &TemplateError) -> Error {
    let location = error
        .snippet
        .as_deref()
        .and_then(|snippet| file.find_in_value(&error.name, snippet, true))
        .unwrap_or_else(|| file.value_or_near(&error.name));
    Error::file(format!(
        "template error in `{}`: {}",
        error.name, error.message
    ))
    .at(location)
}
