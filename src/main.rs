//! The `egwc` command line. All I/O of the tool lives here and in `load`.

#![deny(clippy::unwrap_used)]

mod cli;
mod output_dir;

fn main() -> std::process::ExitCode {
    cli::main()
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
