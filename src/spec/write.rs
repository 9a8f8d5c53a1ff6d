//! The keys of a request file that turn it into a write driven by an input file: `input`
//! (where the rows come from and how each row's `requestid` is made), `write` (the entity and
//! the operation), `batch` (rows per `POST /batch`) and `on_stale` (what a 5010 Stale Object
//! Fault does). Checked here against the rest of the file, every mistake at its line and
//! column.

use super::Scalar;
use super::yaml::SourceFile;
use crate::diagnostics::Error;
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// QBO's most items in one batch request.
pub const QBO_MAX_BATCH_ITEMS: u32 = 30;

/// `input:` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInput {
    /// `csv` or `jsonl` (default: from the input file's extension).
    #[serde(default)]
    format: Option<InputFormat>,
    /// The input file used without `--input`, relative to the request file's folder.
    #[serde(default)]
    path: Option<String>,
    /// Template of each row's `requestid` (at most 50 characters, e.g. `inv-{{ row.ref }}`);
    /// default: derived from the row's content.
    #[serde(default)]
    pub(super) requestid: Option<String>,
}

/// `write:` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWrite {
    /// The QBO entity as written in JSON, e.g. `Invoice`; the path ends in it.
    entity: String,
    /// `create` (default), `update`, `delete` or `void`.
    #[serde(default)]
    operation: Option<WriteOperation>,
}

/// `batch:` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBatch {
    /// Rows per batch request, 1 to 30 (QBO's limit; default 30).
    #[serde(default)]
    size: Option<u32>,
}

/// How the rows of an input file are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Comma-separated values; the header row names the fields, every value is a string.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl InputFormat {
    /// The format a file's extension says (`.csv`, `.jsonl`/`.ndjson`), if it says one.
    pub fn from_extension(path: &Path) -> Option<InputFormat> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Some(InputFormat::Csv),
            Some("jsonl" | "ndjson") => Some(InputFormat::Jsonl),
            _ => None,
        }
    }
}

/// What a write does to each row's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WriteOperation {
    /// `POST /{entity}`.
    Create,
    /// `POST /{entity}?operation=update` (full, or sparse with `"sparse": true`).
    Update,
    /// `POST /{entity}?operation=delete`.
    Delete,
    /// `POST /{entity}?operation=void`.
    Void,
}

impl WriteOperation {
    /// The name QBO uses (`operation=` and batch items).
    pub fn as_str(self) -> &'static str {
        match self {
            WriteOperation::Create => "create",
            WriteOperation::Update => "update",
            WriteOperation::Delete => "delete",
            WriteOperation::Void => "void",
        }
    }
}

/// What a 5010 Stale Object Fault does to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnStale {
    /// The row is reported as a fault.
    #[default]
    Fail,
    /// The object is read again by `Id`, its current `SyncToken` put in the body, and the row
    /// sent once more (with a new `requestid`).
    Reread,
}

/// A checked write: what each input row becomes.
#[derive(Debug, Clone)]
pub struct WriteSpec {
    /// The QBO entity written, as in JSON (`Invoice`).
    pub entity: String,
    /// The operation.
    pub operation: WriteOperation,
    /// The input format, when the file fixes it (else the input file's extension says).
    pub input_format: Option<InputFormat>,
    /// The input file used without `--input` (relative paths are relative to the request
    /// file's folder).
    pub input_path: Option<PathBuf>,
    /// Whether `input.requestid` is a template (its name in the template set is
    /// `input.requestid`); otherwise each row's `requestid` is derived from its content.
    pub requestid_template: bool,
    /// Rows per `POST /batch`, when rows are batched.
    pub batch_size: Option<usize>,
    /// What a stale `SyncToken` does.
    pub on_stale: OnStale,
    /// The fields of `row` the templates read (a CSV header must have them all).
    pub row_fields: Vec<String>,
}

/// The write keys of a request file, as written.
pub(super) struct WriteKeys {
    pub(super) input: Option<RawInput>,
    pub(super) write: Option<RawWrite>,
    pub(super) batch: Option<RawBatch>,
    pub(super) on_stale: Option<OnStale>,
}

/// The rest of the request file the write keys are checked against.
pub(super) struct RequestShape<'a> {
    pub(super) method_is_post: bool,
    pub(super) path: &'a str,
    pub(super) params: &'a IndexMap<String, Scalar>,
    pub(super) has_body: bool,
    pub(super) json_body: bool,
    pub(super) paginated: bool,
    pub(super) has_records: bool,
    pub(super) incremental: bool,
}

/// Checks the write keys; `None` when the file is not a write.
pub(super) fn check(
    file: &SourceFile,
    keys: WriteKeys,
    shape: &RequestShape<'_>,
) -> Result<Option<WriteSpec>, Error> {
    let Some(input) = keys.input else {
        for key in ["write", "batch", "on_stale"] {
            if file.key_location(key).is_some() {
                return Err(Error::file(format!(
                    "`{key}` belongs to a write, which needs `input:` (where the rows come from)"
                ))
                .at(file.key_or_near(key))
                .note("add e.g. `input: { format: csv }` and give the file with --input PATH"));
            }
        }
        return Ok(None);
    };
    let Some(write) = keys.write else {
        return Err(Error::file(
            "a request with `input` needs `write: { entity: ..., operation: ... }`",
        )
        .at(file.key_or_near("input"))
        .note("e.g. `write: { entity: Invoice, operation: create }`"));
    };
    let entity = write.entity.trim().to_string();
    let mut chars = entity.chars();
    if !(chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(Error::file(format!(
            "`write.entity` must be a QBO entity name as written in JSON, like `Invoice` or `SalesReceipt`, not `{entity}`"
        ))
        .at(file.value_or_near("write.entity")));
    }
    let operation = write.operation.unwrap_or(WriteOperation::Create);
    if !shape.method_is_post {
        return Err(Error::file("a write is sent with `method: POST`")
            .at(file
                .value_location("method")
                .unwrap_or_else(|| file.key_or_near("write")))
            .note("QBO creates, updates, deletes and voids with POST"));
    }
    if !shape.has_body {
        return Err(Error::file(
            "a write needs a `body`: the entity's JSON, rendered for each row",
        )
        .at(file.key_or_near("write"))
        .note("e.g. body: '{\"Id\": {{ row.id }}, \"SyncToken\": {{ row.sync_token }}}'"));
    }
    if !shape.json_body {
        return Err(Error::file("the body of a write must be JSON")
            .at(file.value_or_near("content_type"))
            .note("remove `content_type` (JSON is the default)"));
    }
    for (key, applies) in [
        ("paginate", shape.paginated),
        ("records", shape.has_records),
        ("incremental", shape.incremental),
    ] {
        if applies {
            return Err(Error::file(format!(
                "`{key}` does not apply to a write: it gives one result row per input row"
            ))
            .at(file.key_or_near(key)));
        }
    }
    match shape.params.get("operation") {
        Some(Scalar(value))
            if !value.contains("{{") && !value.eq_ignore_ascii_case(operation.as_str()) =>
        {
            return Err(Error::file(format!(
                "`params.operation` is `{value}` but `write.operation` is `{}`",
                operation.as_str()
            ))
            .at(file.value_or_near("params.operation"))
            .note("remove `params.operation`: qbo-run adds it from `write.operation`"));
        }
        _ => {}
    }
    let last = shape
        .path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    if !last.contains("{{") && !last.eq_ignore_ascii_case(&entity) {
        return Err(Error::file(format!(
            "the path ends in `{last}` but `write.entity` is `{entity}`"
        ))
        .at(file.value_or_near("path"))
        .note(format!(
            "a write of {entity} goes to /v3/company/{{{{ realm_id }}}}/{}",
            entity.to_ascii_lowercase()
        )));
    }
    let batch_size = match keys.batch {
        None => None,
        Some(batch) => {
            let size = batch.size.unwrap_or(QBO_MAX_BATCH_ITEMS);
            if size == 0 || size > QBO_MAX_BATCH_ITEMS {
                return Err(Error::file(format!(
                    "`batch.size` must be between 1 and {QBO_MAX_BATCH_ITEMS} (QBO's limit of items per batch), not {size}"
                ))
                .at(file
                    .value_location("batch.size")
                    .unwrap_or_else(|| file.key_or_near("batch"))));
            }
            Some(size as usize)
        }
    };
    let on_stale = keys.on_stale.unwrap_or_default();
    if on_stale == OnStale::Reread && operation == WriteOperation::Create {
        return Err(Error::file(
            "`on_stale: reread` applies to update, delete and void: a create has no SyncToken",
        )
        .at(file.value_or_near("on_stale")));
    }
    let input_path = input.path.as_deref().map(|p| {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            file.path()
                .parent()
                .map(|dir| dir.join(p))
                .unwrap_or_else(|| p.to_path_buf())
        }
    });
    Ok(Some(WriteSpec {
        entity,
        operation,
        input_format: input.format,
        input_path,
        requestid_template: input.requestid.is_some(),
        batch_size,
        on_stale,
        row_fields: Vec::new(),
    }))
}
