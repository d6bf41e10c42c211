//! Golden tests: every `tests/cases/<topic>/<name>.egw` and every example is compiled, and
//! its manifests (`.yaml`), rendered diagnostics (`.stderr`) and, when it has `test` blocks,
//! what `egwc test --coverage` reports (`.tests`) are compared with the files beside it
//! (examples: under `tests/expected/examples/`). Files starting with `_` are
//! imported helpers, not cases.
//!
//! Regenerate after an intended change with `UPDATE_EXPECT=1 cargo test --test golden`, then
//! review the diff.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use egwc::diagnostics::{self, Code, Severity, Style};
use egwc::emit::{self, Format};
use egwc::load::Input;
use egwc::target::{Controller, Target, table_markdown};

mod common;
use common::egw_files;

fn update() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

/// Compares `actual` (None: must not exist) with the file at `path`; returns a failure text.
fn compare(path: &Path, actual: Option<&str>) -> Option<String> {
    let expected = std::fs::read_to_string(path).ok();
    if expected.as_deref() == actual {
        return None;
    }
    if update() {
        match actual {
            Some(text) => std::fs::write(path, text).unwrap(),
            None => std::fs::remove_file(path).unwrap(),
        }
        return None;
    }
    Some(match (expected, actual) {
        (None, Some(a)) => format!("{}: missing; the output is:\n{a}", path.display()),
        (Some(_), None) => format!("{}: expected, but nothing was produced", path.display()),
        (Some(e), Some(a)) => format!(
            "{}: differs\n--- expected\n{e}\n--- actual\n{a}",
            path.display()
        ),
        (None, None) => unreachable!(),
    })
}

/// Compiles one case; returns failures and the codes it reported.
fn run_case(input: &Path, expected_base: &Path) -> (Vec<String>, Vec<Code>) {
    run_case_with(input, expected_base, &egwc::Options::default())
}

fn run_case_with(
    input: &Path,
    expected_base: &Path,
    options: &egwc::Options,
) -> (Vec<String>, Vec<Code>) {
    let (c, model) =
        egwc::compile_with_model(&[Input::Path(input.to_path_buf())], options).unwrap();
    let stderr = (!c.diagnostics.is_empty())
        .then(|| diagnostics::render_human(&c.sources, &c.diagnostics, Style::Plain));
    let yaml = c
        .manifests
        .as_ref()
        .map(|m| emit::to_stream(m, Format::Yaml));
    let mut failures = Vec::new();
    failures.extend(compare(
        &expected_base.with_extension("stderr"),
        stderr.as_deref(),
    ));
    failures.extend(compare(
        &expected_base.with_extension("yaml"),
        yaml.as_deref(),
    ));
    // Its `test` blocks, as `egwc test --coverage` reports them: `.tests`.
    let mut codes: Vec<Code> = c.diagnostics.iter().map(|d| d.code).collect();
    let tests = match (&model, &c.manifests) {
        (Some(model), Some(manifests)) if !model.tests.is_empty() => {
            let r = egwc::verify::run(model, manifests, &c.sources);
            codes.extend(r.diagnostics.iter().map(|d| d.code));
            let failures = (!r.diagnostics.is_empty())
                .then(|| diagnostics::render_human(&c.sources, &r.diagnostics, Style::Plain));
            Some(format!(
                "{}{}{}",
                failures.unwrap_or_default(),
                r.summary(),
                r.coverage.text()
            ))
        }
        _ => None,
    };
    failures.extend(compare(
        &expected_base.with_extension("tests"),
        tests.as_deref(),
    ));
    // `egwc check` stops before emission and must report the same.
    let analyzed = egwc::analyze(&[Input::Path(input.to_path_buf())], options).unwrap();
    if analyzed.diagnostics != c.diagnostics || analyzed.manifests.is_some() {
        failures.push(format!("{}: `check` differs from `build`", input.display()));
    }
    (failures, codes)
}

#[test]
fn cases_match_their_expected_output_and_cover_every_code() {
    let mut inputs = Vec::new();
    egw_files(Path::new("tests/cases"), &mut inputs);
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for input in &inputs {
        let (f, codes) = run_case(input, input);
        failures.extend(f);
        seen.extend(codes);
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !seen.contains(c))
        .map(|c| c.info().code)
        .collect();
    assert!(
        failures.is_empty(),
        "{} golden failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        missing.is_empty(),
        "diagnostic codes without a golden case: {missing:?}"
    );
}

/// The root files of the examples: `examples/*.egw` and `examples/*/main.egw`.
pub fn example_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.extension().is_some_and(|e| e == "egw") {
            roots.push(path);
        } else if path.join("main.egw").exists() {
            roots.push(path.join("main.egw"));
        }
    }
    roots
}

/// An example's name: its file's stem, or its directory's name for `*/main.egw`.
fn example_name(root: &Path) -> std::ffi::OsString {
    if root.file_name().unwrap() == "main.egw" {
        root.parent().unwrap().file_name().unwrap().to_owned()
    } else {
        root.file_stem().unwrap().to_owned()
    }
}

#[test]
fn examples_build_cleanly_and_match_their_expected_output() {
    let mut failures = Vec::new();
    for root in example_roots() {
        let name = example_name(&root);
        let base = Path::new("tests/expected/examples")
            .join(name)
            .with_extension("egw");
        let (f, codes) = run_case(&root, &base);
        let loud: Vec<&Code> = codes
            .iter()
            .filter(|c| c.info().severity != Severity::Note)
            .collect();
        assert!(
            loud.is_empty(),
            "{} reports errors or warnings: {loud:?}",
            root.display()
        );
        failures.extend(f);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The examples whose output differs most between controllers, compiled for every target:
/// `tests/expected/targets/<example>.<target>.{yaml,stderr}`.
#[test]
fn examples_compile_for_every_target() {
    let mut failures = Vec::new();
    for (name, root) in [
        ("proxmox", "examples/proxmox/main.egw"),
        ("external-api", "examples/external-api.egw"),
        ("ssh-and-dns", "examples/ssh-and-dns.egw"),
        ("tls-passthrough", "examples/tls-passthrough.egw"),
        ("grpc", "examples/grpc.egw"),
    ] {
        for controller in Controller::all() {
            let base = Path::new("tests/expected/targets")
                .join(format!("{name}.{}.egw", controller.name()));
            let options = egwc::Options {
                target: Some(Target::latest(controller)),
                ..egwc::Options::default()
            };
            failures.extend(run_case_with(Path::new(root), &base, &options).0);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn docs_targets_md_matches_the_capability_table() {
    let failure = compare(Path::new("docs/targets.md"), Some(&table_markdown()));
    assert!(
        failure.is_none(),
        "{}\nregenerate with UPDATE_EXPECT=1",
        failure.unwrap()
    );
}

#[test]
fn docs_diagnostics_md_matches_the_catalog() {
    let path = Path::new("docs/diagnostics.md");
    let failure = compare(path, Some(&diagnostics::catalog_markdown()));
    assert!(
        failure.is_none(),
        "{}\nregenerate with UPDATE_EXPECT=1",
        failure.unwrap()
    );
}

#[test]
fn output_is_deterministic() {
    for root in example_roots() {
        let render = || {
            let c = egwc::compile(&[Input::Path(root.clone())], &egwc::Options::default()).unwrap();
            emit::to_stream(&c.manifests.unwrap(), Format::Yaml)
        };
        assert_eq!(render(), render(), "{}", root.display());
    }
}

/// `--format json` is a `v1 List` of the objects, each with its fields in the order of the
/// YAML (as kubectl prints them), also when its items are written on several threads.
#[test]
fn json_stream_is_a_list_of_the_objects_in_field_order() {
    let root = example_roots()
        .into_iter()
        .find(|r| r.ends_with("homelab.egw"))
        .unwrap();
    let c = egwc::compile(&[Input::Path(root)], &egwc::Options::default()).unwrap();
    let one = c.manifests.unwrap();
    // Enough copies that the items are split between threads.
    let many: Vec<_> = std::iter::repeat_n(one.iter().cloned(), 5000 / one.len() + 1)
        .flatten()
        .collect();
    for manifests in [&[][..], &one[..1], &one[..], &many[..]] {
        let text = emit::to_stream(manifests, Format::Json);
        let items: Vec<_> = manifests
            .iter()
            .map(|m| serde_json::to_value(m).unwrap())
            .collect();
        let expected = serde_json::json!({ "apiVersion": "v1", "kind": "List", "items": items });
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, expected, "{} objects", manifests.len());
        assert!(text.starts_with("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n"));
        assert!(text.ends_with("}\n"));
        for m in manifests.iter().take(one.len()) {
            let pretty = serde_json::to_string_pretty(m)
                .unwrap()
                .replace('\n', "\n    ");
            assert!(
                text.contains(&pretty),
                "{} is not written in field order",
                m.kind()
            );
        }
    }
}

/// `egwc build` to standard output makes and writes the objects a run at a time
/// (`compile_for_stream`, `emit::write_stream`); that is the text of `to_stream` of the
/// objects `compile` keeps. Over every example and a file of 3,000 services and routes
/// (several threads, several waves of runs).
/// Services and routes are checked over every core when there are many (`on_cores` in
/// src/check/mod.rs): each mistake is reported once, at its definition, and the model keeps
/// the order of the file.
#[test]
fn many_definitions_are_checked_as_in_one_pass() {
    let n = 1500;
    let file = |mistakes: bool| {
        let mut text = String::from(
            "gateway gw {\n  class \"eg\"\n  listener http { port 80 protocol HTTP }\n}\n",
        );
        let mut expected = Vec::new();
        for i in 0..n {
            let line = 5 + 2 * i;
            let port = if mistakes && i % 7 == 3 {
                expected.push((Code::find("E0200").unwrap(), line));
                70000
            } else {
                8080
            };
            let to = if mistakes && i % 5 == 1 {
                expected.push((Code::find("E0100").unwrap(), line + 1));
                format!("missing{i}")
            } else {
                format!("s{i}")
            };
            text.push_str(&format!(
                "service s{i} {{ endpoints \"a{i}.example.internal\" port {port} }}\n\
                 route r{i} {{ on gw host \"r{i}.example.com\" rule {{ -> {to} }} }}\n"
            ));
        }
        (Input::Stdin(text.into_bytes()), expected)
    };
    let (input, expected) = file(true);
    let c = egwc::analyze(&[input], &egwc::Options::default()).unwrap();
    let found: Vec<(Code, usize)> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let at = d.primary_span();
            (d.code, c.sources.get(at.file).line_col(at.start).0)
        })
        .collect();
    assert_eq!(found, expected);

    let (input, _) = file(false);
    let (c, model) = egwc::compile_for_stream(&[input], &egwc::Options::default()).unwrap();
    assert!(!c.has_errors());
    let model = model.unwrap();
    let names = |names: Vec<&str>, prefix: &str| {
        let want: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
        assert_eq!(names, want);
    };
    names(
        model
            .services
            .iter()
            .map(|s| s.meta.name.as_str())
            .collect(),
        "s",
    );
    names(
        model.routes.iter().map(|r| r.meta.name.as_str()).collect(),
        "r",
    );
}

#[test]
fn streamed_build_writes_the_stream_of_the_objects() {
    let mut big = String::from(
        "gateway gw {\n  class \"eg\"\n  listener http { port 80 protocol HTTP }\n}\n",
    );
    for i in 0..3000 {
        big.push_str(&format!(
            "service s{i} {{ endpoints \"a{i}.example.internal\" \"b{i}.example.internal\" port 8080 rewrite host off }}\n\
             route r{i} {{ on gw host \"r{i}.example.com\" rule {{ -> s{i} 90, s{} 10 }} }}\n",
            (i + 1) % 3000
        ));
    }
    let inputs = example_roots()
        .into_iter()
        .map(Input::Path)
        .chain([Input::Stdin(big.into_bytes())]);
    for input in inputs {
        let name = match &input {
            Input::Path(p) => p.display().to_string(),
            Input::Stdin(_) => "3,000 services".into(),
        };
        let options = egwc::Options::default();
        let c = egwc::compile(std::slice::from_ref(&input), &options).unwrap();
        assert!(!c.has_errors(), "{name}");
        let manifests = c.manifests.unwrap();
        let (s, model) = egwc::compile_for_stream(std::slice::from_ref(&input), &options).unwrap();
        assert!(
            s.manifests.is_none(),
            "{name}: the objects are the stream's to make"
        );
        let model = model.unwrap();
        for format in [Format::Yaml, Format::Json] {
            let mut out = Vec::new();
            let objects = emit::write_stream(&model, &s.sources, format, &mut out).unwrap();
            assert_eq!(objects, manifests.len(), "{name}");
            assert!(
                out == emit::to_stream(&manifests, format).as_bytes(),
                "{name}, {format:?}: the streamed build differs"
            );
        }
    }
}

/// A fix does what its help says: with the replacement made (as an editor holds the file,
/// through `Options::edited`), the diagnostic it belongs to is gone. Over every case.
#[test]
fn every_fix_removes_its_diagnostic() {
    let mut cases = Vec::new();
    egw_files(Path::new("tests/cases"), &mut cases);
    let mut fixes = 0;
    let mut failures = Vec::new();
    for case in cases {
        let input = [Input::Path(case.clone())];
        let c = egwc::compile(&input, &egwc::Options::default()).unwrap();
        for d in &c.diagnostics {
            let Some(fix) = &d.fix else { continue };
            let file = c.sources.get(fix.span.file);
            let mut text = file.text.to_string();
            text.replace_range(
                fix.span.start as usize..fix.span.end as usize,
                &fix.replacement,
            );
            let options = egwc::Options {
                edited: [(file.path.clone(), text)].into(),
                ..egwc::Options::default()
            };
            let after = egwc::compile(&input, &options).unwrap();
            let start = fix.span.start;
            if after
                .diagnostics
                .iter()
                .any(|a| a.code == d.code && a.primary_span().start == start)
            {
                failures.push(format!(
                    "{}: the fix of {:?} leaves it",
                    case.display(),
                    d.code
                ));
            }
            fixes += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(fixes >= 5, "only {fixes} fixes among the cases");
}

/// `egwc graph` of every example, in Mermaid, and of the Proxmox example in dot:
/// `tests/expected/graph/<example>.{mmd,dot}`.
#[test]
fn graphs_match_their_expected_output() {
    use egwc::route::{GraphFormat, graph};
    let mut failures = Vec::new();
    for root in example_roots() {
        let name = example_name(&root);
        let c = egwc::compile(&[Input::Path(root.clone())], &egwc::Options::default()).unwrap();
        let manifests = c.manifests.unwrap();
        let base = Path::new("tests/expected/graph").join(&name);
        let mermaid = graph(&manifests, GraphFormat::Mermaid);
        failures.extend(compare(&base.with_extension("mmd"), Some(&mermaid)));
        if name == "proxmox" {
            let dot = graph(&manifests, GraphFormat::Dot);
            failures.extend(compare(&base.with_extension("dot"), Some(&dot)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The README's Mermaid picture is `egwc graph examples/weighted-canary.egw`.
#[test]
fn the_readme_shows_a_true_graph() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let expected = std::fs::read_to_string("tests/expected/graph/weighted-canary.mmd").unwrap();
    assert!(
        readme.contains(&format!("```mermaid\n{expected}```")),
        "README.md shows another graph than tests/expected/graph/weighted-canary.mmd"
    );
}
