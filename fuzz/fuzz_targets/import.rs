//! `egwc import`: any text as either source never panics and writes formatted `.egw` (and
//! `egwc krm` reads it without a panic); the
//! same bytes as a structured program: the import of what it builds compiles.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use egwc_fuzz::program::Program;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        egwc_fuzz::import(text);
    }
    if let Ok(program) = Program::arbitrary_take_rest(Unstructured::new(data)) {
        egwc_fuzz::import_built(&program.0);
    }
});
