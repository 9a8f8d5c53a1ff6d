//! qbo-run: run QuickBooks Online API methods declared in YAML files.
//!
//! Data flows one way: `spec` (load and check files) → `connection` (resolve URLs, realm,
//! secrets) → `auth` (tokens) → `render` (templates to HTTP requests) → `engine` (calls, retries,
//! paging) → `extract` (records by JSONPath; `report`: tidy rows of QBO reports) → `output` (JSON,
//! JSON Lines, CSV). `app` wires the stages for each command. The built-in QBO that tests and newcomers
//! run against is the `qbo-emulator` crate (`emulator/`), which never depends on this one.

pub mod app;
pub mod auth;
pub mod cassette;
pub mod cdc;
pub mod cli;
pub mod clock;
pub mod complete;
pub mod connection;
pub mod cursor;
pub mod db;
pub mod diagnostics;
pub mod engine;
pub mod extract;
pub mod http;
pub mod memory;
pub mod output;
pub mod render;
pub mod report;
pub mod scaffold;
pub mod secret;
pub mod spec;
pub mod state;
pub mod statement;
pub mod template;
pub mod tls;
pub mod write;
