//! egwc: compiles `.egw` descriptions of external services, gateways and routes into
//! Gateway API manifests. The pipeline is `load` (files and imports) → `syntax` → `check`
//! (names and rules, producing the `ir`) → `emit` (typed Kubernetes objects).

#![deny(clippy::unwrap_used)]

pub mod check;
pub mod complete;
pub mod config;
pub mod diagnostics;
pub mod emit;
pub mod hints;
pub mod import;
pub mod index;
pub mod ir;
pub mod keywords;
pub mod krm;
pub mod load;
pub mod lsp;
mod parallel;
pub mod pem;
pub mod route;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod target;
pub mod verify;

pub use check::Options;

use std::time::{Duration, Instant};

use diagnostics::Diagnostic;
use load::{Input, LoadError};
use source::SourceMap;

/// The result of compiling some files: the sources (to render diagnostics against), every
/// diagnostic, and the objects when there were no errors and they were asked for.
pub struct Compilation {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub manifests: Option<Vec<emit::Manifest>>,
    /// How long each stage took, for `egwc build --timings` and the benchmark.
    pub timings: Timings,
}

/// Wall time per stage. Loading includes parsing: imports are found by parsing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub load_and_parse: Duration,
    pub check: Duration,
    /// Making the objects (none for [`compile_for_stream`], which leaves that to its caller).
    pub emit: Duration,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads, parses, checks and emits. Fails only when a file named by the caller cannot be read.
pub fn compile(inputs: &[Input], options: &Options) -> Result<Compilation, LoadError> {
    run(inputs, options, Make::Objects).map(|(c, _, _)| c)
}

/// [`compile`], keeping the checked model beside the objects: what `egwc route` and `egwc
/// test` read the rules' lines, the services behind the objects and the tests from.
pub fn compile_with_model(
    inputs: &[Input],
    options: &Options,
) -> Result<(Compilation, Option<ir::Model>), LoadError> {
    run(inputs, options, Make::Objects).map(|(c, model, _)| (c, model))
}

/// [`compile`] without making the objects: the checked model when there are no errors,
/// with the syntax trees already freed, for [`emit::write_stream`] to make and write the
/// objects a run at a time (`egwc build` to standard output): they are never all in memory
/// at once, nor is their text.
pub fn compile_for_stream(
    inputs: &[Input],
    options: &Options,
) -> Result<(Compilation, Option<ir::Model>), LoadError> {
    run(inputs, options, Make::Model).map(|(c, model, _)| (c, model))
}

/// Loads, parses and checks, without making the objects (`egwc check`): the diagnostics are
/// those of [`compile`], as emission reports none.
pub fn analyze(inputs: &[Input], options: &Options) -> Result<Compilation, LoadError> {
    run(inputs, options, Make::Nothing).map(|(c, _, _)| c)
}

/// [`analyze`], leaving what it is done with to the caller to free: the language server
/// publishes the diagnostics first and frees after, so that the editor does not wait for
/// the freeing (and the syntax trees go back to the kept parses then).
pub fn analyze_leaving(
    inputs: &[Input],
    options: &Options,
) -> Result<(Compilation, Leftovers), LoadError> {
    run(inputs, options, Make::Nothing).map(|(c, model, trees)| {
        (
            c,
            Leftovers {
                _trees: trees,
                _model: model,
            },
        )
    })
}

/// The syntax trees and the model of a check, to be dropped when convenient (held only to
/// be dropped).
pub struct Leftovers {
    _trees: Option<load::Trees>,
    _model: Option<ir::Model>,
}

/// Loads and checks, keeping the syntax trees beside the model (when there was no error):
/// what the language server's inlay hints read. The diagnostics are in `Loaded::diags`.
pub fn analyze_trees(
    inputs: &[Input],
    options: &Options,
) -> Result<(load::Loaded, Option<ir::Model>), LoadError> {
    let (mut loaded, options) = load_configured(inputs, options)?;
    let (model, diags) = check::check(&mut loaded, &options);
    loaded.diags.extend(diags);
    Ok((loaded, model))
}

/// Loads the files and the project configuration (its mistakes join the diagnostics), and
/// the options with the configuration's under them.
fn load_configured(
    inputs: &[Input],
    options: &Options,
) -> Result<(load::Loaded, Options), LoadError> {
    let mut loaded = load::load(inputs, &options.edited, options.parses.as_ref())?;
    let (config, config_diags) = load::config(inputs, &options.edited, &mut loaded.sources);
    loaded.diags.extend(config_diags);
    Ok((loaded, options.with_config(&config)))
}

/// What [`run`] makes of a checked model.
#[derive(Clone, Copy, PartialEq)]
enum Make {
    /// Only the diagnostics (`egwc check`): the syntax trees and the model are left.
    Nothing,
    /// The objects.
    Objects,
    /// The model to make the objects of, the syntax trees freed.
    Model,
}

fn run(
    inputs: &[Input],
    options: &Options,
    make: Make,
) -> Result<(Compilation, Option<ir::Model>, Option<load::Trees>), LoadError> {
    let start = Instant::now();
    let (mut loaded, options) = load_configured(inputs, options)?;
    let options = &options;
    let loaded_at = Instant::now();
    let (model, check_diags) = check::check(&mut loaded, options);
    // The syntax trees are not needed past checking. A build frees them now (or gives them
    // back to the kept parses), so that emission reuses their memory instead of faulting new
    // memory in; a check leaves them to its caller.
    let emit = make != Make::Nothing;
    let trees = if emit {
        loaded.release_trees();
        None
    } else {
        Some(loaded.take_trees())
    };
    let sources = std::mem::take(&mut loaded.sources);
    let load_diags = std::mem::take(&mut loaded.diags);
    let checked_at = Instant::now();
    let emitted = emit && !load_diags.iter().any(Diagnostic::is_error);
    let model_to_emit = model.as_ref().filter(|_| emitted);
    let manifests = match make {
        Make::Objects => model_to_emit.map(|m| emit::emit(m, &sources)),
        Make::Nothing | Make::Model => None,
    };
    let timings = Timings {
        load_and_parse: loaded_at - start,
        check: checked_at - loaded_at,
        emit: checked_at.elapsed(),
    };
    let mut diagnostics = load_diags;
    diagnostics.extend(check_diags);
    diagnostics.retain(|d| !options.allow.iter().any(|a| a.0 == d.code));
    diagnostics::sort(&mut diagnostics);
    let compilation = Compilation {
        sources,
        diagnostics,
        manifests,
        timings,
    };
    // A build that made no objects has no model to read; a check's is left to be freed.
    Ok((compilation, model.filter(|_| emitted || !emit), trees))
}
