//! What a record is built with besides the client's fields.

use serde_json::{Map, Value};

use crate::changes::Overlay;
use crate::data::Dataset;
use crate::entity::Entity;

/// What a record is built with besides the client's fields.
pub(crate) struct Ctx<'a> {
    pub(crate) ds: &'a Dataset,
    pub(crate) overlay: &'a Overlay,
    pub(crate) entity: Entity,
    /// The record's index (`Id` is `index + 1`).
    pub(crate) index: usize,
    /// The new `SyncToken`.
    pub(crate) sync_token: u64,
    /// `MetaData.CreateTime` (kept from the record on update).
    pub(crate) created: Value,
    /// `MetaData.LastUpdatedTime`, Unix seconds.
    pub(crate) updated: i64,
    /// The record as it read before this write (updates), for amounts already paid.
    pub(crate) previous: Option<&'a Map<String, Value>>,
}

/// The builder of a stored record from the client's fields (`build::build`), handed to a
/// builder that builds another record inside its own (a recurring template's transaction), so
/// that it need not import its parent.
pub(crate) type Builder =
    fn(&Ctx<'_>, &Map<String, Value>) -> Result<Map<String, Value>, crate::fault::Fault>;
