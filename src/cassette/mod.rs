//! Cassettes: a request file's exchanges with QBO, recorded once (scrubbed of tokens, secrets,
//! realm ids and `intuit_tid`s) and replayed offline by `qbo-run test`, which checks that the
//! requests a run sends still match the recorded ones and that its output is as expected.

mod expect;
mod format;
mod junit;
mod scrub;
mod server;

pub use expect::{Outcome, check_output, diff, summary};
pub use format::{
    Cassette, Expect, Interaction, PathCheck, REALM_PLACEHOLDER, RecordedRequest, RecordedResponse,
    cassette_path,
};
pub use junit::junit_xml;
pub use scrub::Scrubber;
pub use server::{Exchange, Recorder, ReplayReport, Replayer, Unmatched};
