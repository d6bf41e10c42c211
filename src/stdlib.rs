//! The standard library: `.egw` modules under `stdlib/`, embedded in the binary and imported
//! as `import "std/NAME.egw"`. They define filter groups only, so importing one adds no
//! object to the output.

use std::path::{Path, PathBuf};

use crate::source::FileId;
use crate::syntax::{self, ast};

/// One module: the path it is imported by, and its text.
#[derive(Clone, Copy, Debug)]
pub struct Module {
    pub path: &'static str,
    pub text: &'static str,
}

/// Every module, in the order `egwc` lists them.
pub const MODULES: &[Module] = &[Module {
    path: "std/headers.egw",
    text: include_str!("../stdlib/headers.egw"),
}];

/// The prefix of import paths that name the standard library.
pub const PREFIX: &str = "std/";

/// The module imported as `path` (`std/headers.egw`).
pub fn module(path: &str) -> Option<Module> {
    MODULES.iter().copied().find(|m| m.path == path)
}

/// The path a module has in a build's sources: not a path on disk, so the name shows where
/// it comes from, and it cannot clash with a file of the user's.
pub fn source_path(module: Module) -> PathBuf {
    PathBuf::from(format!("<{}>", module.path))
}

/// The module whose path in a build's sources is `path` ([`source_path`]), if any.
pub fn of_source_path(path: &Path) -> Option<Module> {
    MODULES.iter().copied().find(|m| source_path(*m) == path)
}

/// The module that defines the filter group `name`, for the help of an unknown `use`.
pub fn defining_filters(name: &str) -> Option<&'static str> {
    MODULES.iter().find_map(|m| {
        let (file, _) = syntax::parse(FileId(u32::MAX), m.text);
        file.items
            .iter()
            .any(|item| matches!(&item.node, ast::Item::Filters(f) if f.name.text == name))
            .then_some(m.path)
    })
}
