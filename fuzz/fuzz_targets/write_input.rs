//! A write's input file of any bytes, as CSV and as JSON Lines: rows, or errors located in the
//! file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qbo_run::spec::InputFormat;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    for (name, format) in [
        ("rows.csv", InputFormat::Csv),
        ("rows.jsonl", InputFormat::Jsonl),
    ] {
        let path = dir.path().join(name);
        if std::fs::write(&path, data).is_err() {
            return;
        }
        match qbo_run::write::InputRows::open(&path, format) {
            Ok(rows) => {
                for row in rows {
                    if let Err(error) = row {
                        assert!(error.location().is_some(), "{}", error.message());
                        break;
                    }
                }
            }
            Err(error) => assert!(error.location().is_some(), "{}", error.message()),
        }
    }
});
