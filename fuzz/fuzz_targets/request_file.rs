//! A request file of any bytes: it loads, or the error says file, line and column.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("requests/fuzz.yaml");
    let text = String::from_utf8_lossy(data).into_owned();
    let file = qbo_run::spec::SourceFile::from_text(path, text);
    if let Err(error) = qbo_run::spec::RequestSpec::from_file(file) {
        assert!(error.location().is_some(), "{}", error.message());
    }
});
