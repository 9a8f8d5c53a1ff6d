//! A QBO query statement of any text: the emulator parses it or says why (a 4000 Fault's
//! detail), never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(statement) = std::str::from_utf8(data) {
        let _ = qbo_emulator::parse_statement(statement);
    }
});
