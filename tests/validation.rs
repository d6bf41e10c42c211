//! docs/validation.md maps every constraint of every Gateway API field egwc writes to how egwc
//! enforces it. This test reads the CRDs egwc targets (tests/crds: Gateway API v1.6.1, copied
//! unchanged from upstream, every version each one holds), collects the fields that egwc's
//! outputs set (every example and golden case, and five examples for every target), and fails
//! on a constraint of such a field without a row, and on a row that names no constraint.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use egwc::emit::{self, Format};
use serde_json::Value;

mod common;

/// Kind, field path (`spec.rules[].matches[].path.value`) and constraint (`maxLength 1024`,
/// `pattern`, `enum A B`, `CEL: message`), as docs/validation.md writes them.
type Constraint = (String, String, String);

/// The fields egwc's outputs set, by kind and API version.
fn emitted() -> BTreeMap<(String, String), BTreeSet<String>> {
    fn walk(value: &Value, path: &str, out: &mut BTreeSet<String>) {
        out.insert(path.to_string());
        match value {
            Value::Object(fields) => {
                for (k, v) in fields {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(v, &p, out);
                }
            }
            Value::Array(items) => {
                for v in items {
                    walk(v, &format!("{path}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (_, manifests) in common::all_outputs() {
        for m in &manifests {
            let value: Value = serde_json::from_str(&emit::to_document(m, Format::Json)).unwrap();
            let Some(version) = value["apiVersion"]
                .as_str()
                .and_then(|v| v.strip_prefix("gateway.networking.k8s.io/"))
            else {
                continue;
            };
            let key = (
                value["kind"].as_str().unwrap().to_string(),
                version.to_string(),
            );
            walk(&value, "", out.entry(key).or_default());
        }
    }
    out
}

/// The schema of each kind and version in tests/crds.
fn schemas() -> BTreeMap<(String, String), Value> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir("tests/crds").unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let crd: Value = serde_saphyr::from_str(&text).unwrap();
        let kind = crd["spec"]["names"]["kind"].as_str().unwrap();
        for version in crd["spec"]["versions"].as_array().unwrap() {
            out.insert(
                (
                    kind.to_string(),
                    version["name"].as_str().unwrap().to_string(),
                ),
                version["schema"]["openAPIV3Schema"].clone(),
            );
        }
    }
    out
}

/// The constraints of the schema's fields that are in `paths`.
fn constraints(
    kind: &str,
    schema: &Value,
    paths: &BTreeSet<String>,
    out: &mut BTreeSet<Constraint>,
) {
    fn walk(
        kind: &str,
        s: &Value,
        path: &str,
        paths: &BTreeSet<String>,
        out: &mut BTreeSet<Constraint>,
    ) {
        if !path.is_empty() && paths.contains(path) {
            let mut add = |c: String| {
                out.insert((kind.to_string(), path.to_string(), c));
            };
            for key in [
                "maxLength",
                "minLength",
                "maxItems",
                "minItems",
                "minimum",
                "maximum",
                "format",
                "maxProperties",
                "minProperties",
            ] {
                if let Some(v) = s.get(key) {
                    add(format!("{key} {}", plain(v)));
                }
            }
            if s.get("pattern").is_some() {
                add("pattern".to_string());
            }
            if let Some(values) = s.get("enum").and_then(Value::as_array) {
                let values: Vec<String> = values.iter().map(plain).collect();
                add(format!("enum {}", values.join(" ")));
            }
            for rule in s
                .get("x-kubernetes-validations")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let message = rule.get("message").unwrap_or(&rule["rule"]);
                add(format!("CEL: {}", plain(message)));
            }
        }
        if let Some(fields) = s.get("properties").and_then(Value::as_object) {
            for (k, v) in fields {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(kind, v, &p, paths, out);
            }
        }
        if let Some(items) = s.get("items") {
            walk(kind, items, &format!("{path}[]"), paths, out);
        }
    }
    walk(kind, schema, "", paths, out);
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of a table of docs/validation.md: `| Kinds | `path` | constraint | how |`, one
/// constraint for each kind named.
fn rows(doc: &str) -> Vec<(Constraint, String)> {
    let mut out = Vec::new();
    for line in doc.lines() {
        let Some(inner) = line.strip_prefix("| ").and_then(|l| l.strip_suffix(" |")) else {
            continue;
        };
        // `\|` is a `|` inside a cell.
        let cells: Vec<String> = inner
            .replace("\\|", "\u{0}")
            .split(" | ")
            .map(|c| c.replace('\u{0}', "|"))
            .collect();
        let [kinds, path, constraint, how] = &cells[..] else {
            continue;
        };
        let Some(path) = path.strip_prefix('`').and_then(|p| p.strip_suffix('`')) else {
            continue;
        };
        for kind in kinds.split(", ") {
            out.push((
                (kind.to_string(), path.to_string(), constraint.clone()),
                how.clone(),
            ));
        }
    }
    out
}

#[test]
fn every_constraint_of_an_emitted_field_has_a_row() {
    let schemas = schemas();
    let mut wanted = BTreeSet::new();
    for ((kind, version), paths) in emitted() {
        let schema = schemas
            .get(&(kind.clone(), version.clone()))
            .unwrap_or_else(|| panic!("egwc writes {kind} {version}, which tests/crds lacks"));
        constraints(&kind, schema, &paths, &mut wanted);
    }
    assert!(
        wanted.len() > 300,
        "only {} constraints found",
        wanted.len()
    );
    let doc = std::fs::read_to_string(Path::new("docs/validation.md")).unwrap();
    // The section of Gateway API kinds; the others are kept by hand.
    let (_, section) = doc
        .split_once("\n## Gateway API kinds\n")
        .expect("docs/validation.md has a section `## Gateway API kinds`");
    let section = section.split("\n## ").next().unwrap();
    let rows = rows(section);
    let mut documented = BTreeSet::new();
    let mut problems = Vec::new();
    for (row, how) in &rows {
        if how.trim().is_empty() {
            problems.push(format!("row without an answer: {row:?}"));
        }
        if !wanted.contains(row) {
            problems.push(format!(
                "row names no constraint of a field egwc writes (stale?): {row:?}"
            ));
        }
        documented.insert(row.clone());
    }
    for c in wanted.difference(&documented) {
        problems.push(format!(
            "no row in docs/validation.md: | {} | `{}` | {} |",
            c.0, c.1, c.2
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
