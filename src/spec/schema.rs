//! The JSON Schemas (draft 2020-12) of request and connection files, derived from the same
//! serde types the loader reads, so an editor's completion and squiggles agree with `check`
//! about which keys exist (unknown keys are refused) and what each one means.

use super::connection::RawConnection;
use super::request::RawRequest;
use serde_json::Value;

/// Which kind of file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// Request files (`requests/NAME.yaml`).
    Request,
    /// Connection files (`connections/NAME.yaml`).
    Connection,
}

impl SchemaKind {
    /// Every kind, in the order `qbo-run schema` documents them.
    pub const ALL: [SchemaKind; 2] = [SchemaKind::Request, SchemaKind::Connection];

    /// The name on the command line (`qbo-run schema request`).
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaKind::Request => "request",
            SchemaKind::Connection => "connection",
        }
    }

    /// The committed file's name under `schemas/`.
    pub fn file_name(self) -> String {
        format!("{}.schema.json", self.as_str())
    }
}

/// The schema of `kind`, as JSON.
pub fn schema(kind: SchemaKind) -> Value {
    let schema = match kind {
        SchemaKind::Request => schemars::schema_for!(RawRequest),
        SchemaKind::Connection => schemars::schema_for!(RawConnection),
    };
    schema.to_value()
}
