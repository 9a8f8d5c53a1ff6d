//! `qbo-run new`: starting files for a request (an entity or a report) or a connection, written
//! from what this module knows about QBO's entities and reports.

mod catalog;
mod text;

pub use catalog::{
    ENTITIES, EntityInfo, REPORTS, ReportInfo, ReportParam, find_entity, find_report,
};
pub use text::{RequestScaffold, Source, connection_text, request_text};

#[cfg(test)]
mod tests;
