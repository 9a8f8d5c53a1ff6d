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
