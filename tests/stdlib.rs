//! The standard library (`stdlib/`, imported as `std/…`): every file is embedded, every
//! module checks without a diagnostic and adds no object, and docs/stdlib.md names every
//! filter group it defines.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use egwc::load::Input;
use egwc::source::FileId;
use egwc::stdlib::{self, MODULES};
use egwc::syntax::{self, ast};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_stdlib_file_is_embedded_under_its_std_path() {
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir(root().join("stdlib"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "egw"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (format!("std/{name}"), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    on_disk.sort();
    let mut embedded: Vec<(String, String)> = MODULES
        .iter()
        .map(|m| (m.path.to_string(), m.text.to_string()))
        .collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "src/stdlib.rs MODULES must list every stdlib/*.egw"
    );
}

#[test]
fn every_module_imports_cleanly_and_adds_no_object() {
    for module in MODULES {
        let input = Input::Stdin(format!("import \"{}\"\n", module.path).into_bytes());
        let c = egwc::compile(&[input], &egwc::Options::default()).unwrap();
        assert_eq!(c.diagnostics, vec![], "{}", module.path);
        assert_eq!(c.manifests.map(|m| m.len()), Some(0), "{}", module.path);
    }
}

/// The filter groups a module defines.
fn groups(text: &str) -> Vec<String> {
    let (file, diags) = syntax::parse(FileId(0), text);
    assert!(diags.is_empty());
    file.items
        .iter()
        .filter_map(|item| match &item.node {
            ast::Item::Filters(f) => Some(f.name.text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn docs_name_every_group_and_the_help_finds_its_module() {
    let docs = std::fs::read_to_string(root().join("docs/stdlib.md")).unwrap();
    for module in MODULES {
        assert!(
            docs.contains(module.path),
            "docs/stdlib.md lacks {}",
            module.path
        );
        let names = groups(module.text);
        assert!(!names.is_empty(), "{} defines no filter group", module.path);
        for name in names {
            assert!(
                docs.contains(&format!("`{name}`")),
                "docs/stdlib.md lacks `{name}` of {}",
                module.path
            );
            assert_eq!(stdlib::defining_filters(&name), Some(module.path));
        }
    }
    assert_eq!(stdlib::defining_filters("no-such-group"), None);
}
