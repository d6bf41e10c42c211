//! Any bytes: the whole compile, rendering and serialization never panic, and the formatter
//! holds its properties on whatever parses.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    egwc_fuzz::compile(data);
    if let Ok(text) = std::str::from_utf8(data) {
        egwc_fuzz::format(text);
    }
});
