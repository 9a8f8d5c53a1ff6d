//! What a server may send, as any bytes: Faults (JSON either casing, XML), token-endpoint
//! errors, reports, CDC answers and batch items are read or refused as Remote errors, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qbo_run::diagnostics::ErrorKind;

fuzz_target!(|data: &[u8]| {
    let _ = qbo_run::http::parse_fault(data);
    let _ = qbo_run::http::parse_oauth_error(data);
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Err(error) = qbo_run::report::flatten(&value) {
            assert_eq!(error.kind(), ErrorKind::Remote);
        }
        if let Err(error) = qbo_run::cdc::for_each_record(&value, &mut |_| Ok(())) {
            assert_eq!(error.kind(), ErrorKind::Remote);
        }
        let _ = qbo_run::http::fault_from_json(&value);
    }
});
