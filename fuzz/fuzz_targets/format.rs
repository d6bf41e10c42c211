//! Any text: formatting re-parses, is a fixed point, keeps comments and builds the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    egwc_fuzz::format(text);
});
