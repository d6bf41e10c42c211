//! Diagnostics for tools (docs/json.md): the JSON document against its schema, which is
//! generated from the types that print it (docs/diagnostics.schema.json, regenerated with
//! `UPDATE_EXPECT=1`); SARIF against the SARIF 2.1.0 schema (tests/schemas); GitHub's
//! workflow commands. The schemas are checked with Python's `jsonschema` when it is there;
//! `.ci/run` installs it and sets `EGWC_REQUIRE_JSONSCHEMA`, so that CI never skips them.

use std::path::Path;
use std::process::Command;

mod common;

const SCHEMA: &str = "docs/diagnostics.schema.json";

fn check(format: &str, files: &[&Path]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_egwc"))
        .args(["check", "--each", "--format", format])
        .args(files)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)));
    String::from_utf8(out.stdout).unwrap()
}

/// The golden cases and examples: every code egwc reports, and builds without any.
fn inputs() -> Vec<std::path::PathBuf> {
    let mut files = common::all_egw_files(Path::new("tests/cases"));
    files.extend(common::all_egw_files(Path::new("examples")));
    files
}

/// Validates `document` against `schema` with Python's jsonschema; false when it is not
/// installed (and not required).
fn validate(document: &str, schema: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("doc.json");
    std::fs::write(&doc, document).unwrap();
    let script = "import json, sys\n\
try:\n    import jsonschema\nexcept ImportError:\n    sys.exit(3)\n\
schema = json.load(open(sys.argv[2]))\n\
cls = jsonschema.validators.validator_for(schema)\n\
errors = list(cls(schema).iter_errors(json.load(open(sys.argv[1]))))\n\
for e in errors[:5]:\n    print(list(e.absolute_path), e.message)\n\
sys.exit(1 if errors else 0)\n";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&doc)
        .arg(schema)
        .output();
    let required = std::env::var_os("EGWC_REQUIRE_JSONSCHEMA").is_some();
    match out.map(|o| (o.status.code(), o)) {
        Ok((Some(0), _)) => true,
        Ok((Some(3), _)) | Err(_) if !required => {
            eprintln!("SKIPPED: python3 with jsonschema is needed to check {schema}");
            false
        }
        Ok((_, o)) => panic!(
            "not valid against {schema}:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("python3: {e}"),
    }
}

#[test]
fn the_json_schema_is_generated_from_the_types() {
    let generated = egwc::diagnostics::machine::json_schema();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(SCHEMA, &generated).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(SCHEMA).unwrap(),
        generated,
        "{SCHEMA} is not the schema of the types; regenerate with UPDATE_EXPECT=1"
    );
}

#[test]
fn json_output_is_versioned_and_valid_against_its_schema() {
    let files = inputs();
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let json = check("json", &refs);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["version"], 1);
    let items = doc["diagnostics"].as_array().unwrap();
    assert!(items.len() > 100, "{} diagnostics", items.len());
    validate(&json, SCHEMA);
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let files = inputs();
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let sarif = check("sarif", &refs);
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let i = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], result["ruleId"]);
        assert!(result["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
    }
    validate(&sarif, "tests/schemas/sarif-2.1.0.json");
}

#[test]
fn github_workflow_commands_one_line_each() {
    let bad = Path::new("tests/cases/errors/unknown-service.egw");
    let out = check("github", &[bad]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(
            line.starts_with("::error file=")
                || line.starts_with("::warning file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
    }
    assert!(
        lines.iter().any(
            |l| l.starts_with(&format!("::error file={},line=", bad.display()))
                && l.contains("title=E0100 unknown-service::")
        ),
        "{out}"
    );
}
