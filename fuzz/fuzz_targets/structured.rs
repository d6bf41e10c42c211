//! Programs made of the grammar's blocks, so most inputs parse and reach the checker and
//! emission: compiling never panics, and formatting keeps the build.
#![no_main]

use egwc_fuzz::program::Program;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|program: Program| {
    egwc_fuzz::compile(program.0.as_bytes());
    egwc_fuzz::format(&program.0);
});
