//! Rules the code holds itself to, checked over the sources (as rust-analyzer's `tidy`
//! tests do): each names the rule and the file and line that break it.
//!
//! - every file in `src/` starts with a `//!` comment saying what it is for;
//! - pest is used only in `src/syntax/`, the language server's types only in `src/lsp/`;
//! - the file system is touched only by the loader (`load.rs`) and the command line
//!   (`cli.rs`, `output_dir.rs`);
//! - `emit/` is a translation of the IR: it never asks the capability table (`target`);
//! - no `unwrap()` outside tests (`expect` says which invariant holds);
//! - every target of the capability table is named where texts list the targets;
//! - no rule of the grammar refers to itself, directly or through others: the parser's
//!   depth is then bounded by the grammar, whatever the input (pest 2.8 has no stack guard).

use std::path::{Path, PathBuf};

fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new("src"), &mut files);
    files.sort();
    assert!(files.len() > 30, "the sources were not found");
    files
}

/// A file's lines before its unit tests (`#[cfg(test)]`), numbered from 1.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .enumerate()
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

/// Where a rule is broken: `path:line: text` for each line that matches `bad`, in files
/// `applies` selects.
fn breaches(applies: impl Fn(&str) -> bool, bad: impl Fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for path in sources() {
        let name = path.to_string_lossy().replace('\\', "/");
        if !applies(&name) {
            continue;
        }
        for (n, line) in code_lines(&path) {
            let code = line.split("//").next().unwrap_or_default();
            if bad(code) {
                found.push(format!("{name}:{n}: {}", line.trim()));
            }
        }
    }
    found
}

fn assert_none(rule: &str, found: Vec<String>) {
    assert!(found.is_empty(), "{rule}:\n{}", found.join("\n"));
}

#[test]
fn every_source_file_says_what_it_is_for() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|p| !std::fs::read_to_string(p).unwrap().starts_with("//!"))
        .map(|p| p.display().to_string())
        .collect();
    assert_none("these files do not start with a `//!` comment", missing);
}

#[test]
fn pest_stays_in_the_parser_and_lsp_types_in_the_language_server() {
    assert_none(
        "pest is used outside src/syntax/",
        breaches(
            |f| !f.starts_with("src/syntax/"),
            |l| l.contains("pest::") || l.contains("pest_derive"),
        ),
    );
    assert_none(
        "the language server's types are used outside src/lsp/",
        breaches(
            |f| !f.starts_with("src/lsp/"),
            |l| l.contains("lsp_types") || l.contains("lsp_server"),
        ),
    );
}

#[test]
fn only_the_loader_and_the_command_line_touch_the_file_system() {
    let allowed = ["src/load.rs", "src/cli.rs", "src/output_dir.rs"];
    assert_none(
        "the file system is used outside the loader and the command line",
        breaches(
            |f| !allowed.contains(&f),
            |l| l.contains("std::fs") || l.contains("fs::") || l.contains("File::open"),
        ),
    );
}

#[test]
fn emission_does_not_ask_the_capability_table() {
    assert_none(
        "emit/ imports the capability table: the checker decides, the IR carries it",
        breaches(
            |f| f.starts_with("src/emit/"),
            |l| l.contains("crate::target") || l.contains("target::"),
        ),
    );
}

#[test]
fn no_unwrap_outside_tests() {
    assert_none(
        "`unwrap()` outside tests: handle the case, or `expect` the invariant that rules it out",
        breaches(|_| true, |l| l.contains(".unwrap()")),
    );
}

#[test]
fn texts_that_list_the_targets_name_every_target() {
    use egwc::diagnostics::Code;
    use egwc::target::{Controller, TABLE, Target};
    let explain = |code: &str| {
        Code::ALL
            .iter()
            .find(|c| c.info().code == code)
            .map(|c| c.info().explanation)
            .unwrap_or_default()
    };
    let mut missing = Vec::new();
    for c in TABLE
        .iter()
        .filter(|c| c.controller() != Controller::GENERIC)
    {
        let named = format!("`{}`", c.name);
        if c.external_endpoints && !explain("E0509").contains(&named) {
            missing.push(format!("E0509 (external endpoints) does not name {named}"));
        }
        if Target::latest(c.controller()).dns() != egwc::target::Dns::Refused
            && c.external_endpoints
            && !explain("E0501").contains(&named)
        {
            missing.push(format!("E0501 (DNS names) does not name {named}"));
        }
    }
    assert_none(
        "src/diagnostics/catalog.rs: explanations that list targets miss some of the table's",
        missing,
    );
}

/// The rules of `grammar/egw.pest`, read by pest's own grammar parser, and the rules each
/// one's expression names.
fn grammar_rules() -> Vec<(String, Vec<String>)> {
    use pest_meta::optimizer::OptimizedExpr;
    let text = std::fs::read_to_string("grammar/egw.pest").unwrap();
    let (_, rules) = pest_meta::parse_and_optimize(&text).unwrap();
    rules
        .into_iter()
        .map(|rule| {
            let names = rule
                .expr
                .iter_top_down()
                .filter_map(|e| match e {
                    OptimizedExpr::Ident(name) => Some(name),
                    _ => None,
                })
                .collect();
            (rule.name, names)
        })
        .collect()
}

#[test]
fn no_grammar_rule_is_recursive() {
    let rules = grammar_rules();
    assert!(rules.len() > 100, "the grammar's rules were not found");
    assert!(
        rules.iter().any(|(name, _)| name == "file"),
        "the grammar's rules were not found"
    );
    let refs = |name: &str| -> Vec<&str> {
        rules
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, names)| names.iter().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let mut found = Vec::new();
    for (name, _) in &rules {
        let mut seen: Vec<&str> = Vec::new();
        let mut todo = refs(name);
        while let Some(next) = todo.pop() {
            if next == name {
                found.push(format!("grammar/egw.pest: rule `{name}` refers to itself"));
                break;
            }
            if !seen.contains(&next) {
                seen.push(next);
                todo.extend(refs(next));
            }
        }
    }
    assert_none("no grammar rule is recursive", found);
}
