//! The tree-sitter grammar for `.egw` files, compiled from the committed `src/parser.c`
//! (generated from `grammar.js` by `tree-sitter generate`).

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_egw() -> *const ();
}

/// The language, for `tree_sitter::Parser::set_language(&LANGUAGE.into())`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_egw) };

/// Highlights with the capture names of Neovim and Zed.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// The node types, as `tree-sitter generate` describes them.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");
