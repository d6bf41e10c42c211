//! `egwc import`: the chart's values as golden files (the `.egw` and the notes), and the
//! round trip: for egwc's own output, `build → import → build` gives the same objects (but
//! for the `egwc/source` line), on every example for every target and on every golden case
//! that builds, and on generated programs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use egwc::emit::{self, Format};
use egwc::import::{Input as ImportInput, Source, import};
use egwc::load::Input;
use egwc::target::{Controller, Target};
use proptest::prelude::*;
use serde_json::Value;

fn update() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

/// Compares `actual` with the file, or writes it with `UPDATE_EXPECT=1`.
fn golden(path: &Path, actual: &str) -> Option<String> {
    if update() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{} differs (UPDATE_EXPECT=1 to accept):\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )
    })
}

fn egwc() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_egwc"));
    // Plain text, whatever the environment (`CI` colours diagnostics).
    command.env("NO_COLOR", "1");
    command
}

/// The error codes `egwc check` reports for a text.
fn error_codes(text: &str, options: &egwc::Options) -> Vec<String> {
    let c = egwc::analyze(&[Input::Stdin(text.as_bytes().to_vec())], options).unwrap();
    c.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.info().code.to_string())
        .collect()
}

/// Each of the chart's examples imports to the golden `.egw` and notes. The `.egw` builds,
/// but for the errors its input's `# check:` line names (the chart's Cilium default with DNS
/// names, a backend that is no service): what `egwc check` is there to report.
#[test]
fn chart_values_import_to_their_golden_egw_and_notes() {
    let mut failures = Vec::new();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir("tests/import/chart")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 5);
    for input in inputs {
        let out = egwc().arg("import").arg(&input).output().unwrap();
        let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
        let base = Path::new("tests/expected/import/chart").join(&stem);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "{stem}: {stderr}");
        failures.extend(golden(&base.with_extension("egw"), &stdout));
        failures.extend(golden(&base.with_extension("notes"), &stderr));
        let source = std::fs::read_to_string(&input).unwrap();
        let expected: Vec<String> = source
            .lines()
            .find_map(|l| l.strip_prefix("# check:"))
            .map(|codes| codes.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let mut got = error_codes(&stdout, &egwc::Options::default());
        got.dedup();
        if got != expected {
            failures.push(format!(
                "{stem}: check reports {got:?}, the input says {expected:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every chart defect of peers-baseline §1.3 that a value can show has a note in some golden.
#[test]
fn every_chart_defect_gets_a_note() {
    let mut notes = String::new();
    for e in std::fs::read_dir("tests/expected/import/chart").unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "notes") {
            notes.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    for (defect, words) in [
        (1, "Sprig's `default` reads false"),
        (2, "loses the header match"),
        (3, "with the first service's endpoint count"),
        (
            4,
            "gives each endpoint of a balanced service the service's weight",
        ),
        (5, "which the API server refuses (not a DNS name)"),
        (6, "the chart fails to render"),
        (7, "writes the description only when some annotation is set"),
        (8, "`address` is not a Gateway API field"),
    ] {
        assert!(
            notes.contains(words),
            "no note shows defect {defect}: {words}"
        );
    }
}

/// egwc's objects as comparable values: each object as JSON without `egwc/source` (the
/// line of the `.egw`, which an import moves), sorted by kind, namespace and name.
fn comparable(manifests: &[emit::Manifest]) -> Vec<Value> {
    let mut out: Vec<Value> = manifests
        .iter()
        .map(|m| {
            let mut v = serde_json::to_value(m).unwrap();
            if let Some(a) = v
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
            {
                a.remove("egwc/source");
                if a.is_empty() {
                    v["metadata"].as_object_mut().unwrap().remove("annotations");
                }
            }
            v
        })
        .collect();
    let key = |v: &Value| {
        format!(
            "{} {} {}",
            v["kind"], v["metadata"]["namespace"], v["metadata"]["name"]
        )
    };
    out.sort_by_key(key);
    out
}

/// Builds `input`, imports the YAML, builds the import (from a directory holding the CA
/// files it wrote) and says how the two object sets differ, if they do. `None` when the
/// input does not build.
fn round_trip(input: Input, options: &egwc::Options) -> Option<Result<(), String>> {
    let first = egwc::compile(&[input], options).unwrap();
    let manifests = first.manifests?;
    let yaml = emit::to_stream(&manifests, Format::Yaml);
    let imported = match import(
        &[ImportInput {
            name: "built.yaml".into(),
            text: yaml.clone(),
        }],
        Some(Source::Manifests),
        true,
    ) {
        Ok(i) => i,
        Err(e) => return Some(Err(format!("import failed: {e}"))),
    };
    let warnings: Vec<String> = imported
        .notes
        .iter()
        .filter(|n| n.warning)
        .map(|n| format!("{}: {}: {}", n.line, n.at, n.message))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &imported.files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let main = dir.path().join("main.egw");
    std::fs::write(&main, &imported.egw).unwrap();
    let second = egwc::compile(&[Input::Path(main)], options).unwrap();
    let Some(again) = second.manifests else {
        let errors: Vec<String> = second
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}: {}", d.code.info().code, d.message))
            .collect();
        return Some(Err(format!(
            "the import does not build: {errors:?}\n{}",
            imported.egw
        )));
    };
    let (a, b) = (comparable(&manifests), comparable(&again));
    if a == b && warnings.is_empty() {
        return Some(Ok(()));
    }
    let differs = a
        .iter()
        .zip(&b)
        .find(|(x, y)| x != y)
        .map(|(x, y)| format!("first difference:\n{x}\n{y}"))
        .unwrap_or_else(|| format!("{} objects, then {}", a.len(), b.len()));
    Some(Err(format!(
        "{differs}\nwarnings: {warnings:?}\n{}",
        imported.egw
    )))
}

/// The root files of the examples and of the golden cases.
fn roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    common::egw_files(Path::new("examples"), &mut roots);
    common::egw_files(Path::new("tests/cases"), &mut roots);
    roots
}

#[test]
fn build_import_build_is_a_fixed_point_for_every_example_and_case_and_target() {
    let mut failures = Vec::new();
    let mut built = 0;
    for root in roots() {
        for controller in Controller::all() {
            let options = egwc::Options {
                target: Some(Target::latest(controller)),
                ..egwc::Options::default()
            };
            match round_trip(Input::Path(root.clone()), &options) {
                None => {}
                Some(Ok(())) => built += 1,
                Some(Err(e)) => {
                    failures.push(format!("{} for {}: {e}", root.display(), controller.name()))
                }
            }
        }
    }
    assert!(built >= 200, "only {built} builds were compared");
    assert!(
        failures.is_empty(),
        "{} differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A generated program: a gateway with HTTP and HTTPS listeners, services of IP endpoints
/// (balanced or not), and routes with matches, weights, header edits, rewrites, redirects,
/// mirrors and timeouts.
fn program() -> impl Strategy<Value = String> {
    let service = (1usize..5, any::<bool>(), 0u8..3);
    let path = prop_oneof![
        "/[a-z]{1,6}".prop_map(|p| format!("path \"{p}\"")),
        "/[a-z]{1,6}".prop_map(|p| format!("path = \"{p}\"")),
        "[a-z]{1,4}".prop_map(|p| format!("path ~ \"^/{p}.*\"")),
    ];
    let method = prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]);
    let condition = (
        prop::option::of(path),
        prop::option::of(method),
        prop::collection::vec("[a-z0-9]{1,5}", 0..3),
        prop::option::of("[a-z0-9]{1,5}"),
    )
        .prop_map(|(path, method, headers, query)| {
            let mut parts: Vec<String> = path.into_iter().collect();
            parts.extend(method.map(|m| format!("method {m}")));
            for (i, v) in headers.iter().enumerate() {
                parts.push(format!("header \"x-h{i}\" = \"{v}\""));
            }
            parts.extend(query.map(|v| format!("query \"q\" ~ \"^{v}\"")));
            if parts.is_empty() {
                parts.push("path \"/\"".to_string());
            }
            parts
        });
    let extra = prop_oneof![
        Just(String::new()),
        ("x-[a-z]{1,5}", "[a-z]{1,5}").prop_map(|(n, v)| format!("set header \"{n}\" = \"{v}\"")),
        "x-[a-z]{1,5}".prop_map(|n| format!("response remove header \"{n}\"")),
        "[a-z]{1,5}".prop_map(|h| format!("rewrite host \"{h}.example.com\"")),
        (1u32..100).prop_map(|s| format!("timeout {s}s")),
        (1u32..60).prop_map(|s| format!("timeout 1m backend {s}s")),
    ];
    let rule = (
        prop::collection::vec(condition, 0..3),
        prop::collection::vec((0usize..4, 0u32..20), 1..3),
        extra,
        0u8..6,
    );
    (
        prop::collection::vec(service, 1..4),
        prop::collection::vec(prop::collection::vec(rule, 1..3), 1..3),
    )
        .prop_map(|(services, routes)| {
            let mut text = String::from(
                "gateway edge {\n  class \"eg\"\n  listener http { port 80 protocol HTTP }\n  \
listener https { port 443 protocol HTTPS tls { cert \"edge-tls\" } }\n}\n",
            );
            for (i, (n, balanced, port)) in services.iter().enumerate() {
                let endpoints: Vec<String> = (0..*n)
                    .map(|e| format!("\"10.{i}.0.{}:{}\"", e + 1, 8080 + u32::from(*port)))
                    .collect();
                let balance = if *balanced || *n == 1 {
                    ""
                } else {
                    " balance off"
                };
                text.push_str(&format!(
                    "service s{i} {{ endpoints {}{balance} }}\n",
                    endpoints.join(" ")
                ));
            }
            for (r, rules) in routes.iter().enumerate() {
                text.push_str(&format!(
                    "route r{r} {{\n  on edge\n  host \"r{r}.example.com\"\n"
                ));
                for (matches, backends, extra, mirror) in rules {
                    text.push_str("  rule {\n");
                    for m in matches {
                        text.push_str(&format!("    match {}\n", m.join(" ")));
                    }
                    let mut seen = Vec::new();
                    let refs: Vec<String> = backends
                        .iter()
                        .map(|(s, w)| (s % services.len(), w))
                        .filter(|(s, _)| {
                            let new = !seen.contains(s);
                            seen.push(*s);
                            new
                        })
                        .map(|(s, w)| format!("s{s} {w}"))
                        .collect();
                    text.push_str(&format!("    -> {}\n", refs.join(", ")));
                    if !extra.is_empty() {
                        text.push_str(&format!("    {extra}\n"));
                    }
                    if *mirror < 2 {
                        let m = usize::from(*mirror + 1) % services.len();
                        text.push_str(&format!("    mirror s{m} {}%\n", 10 * (mirror + 1)));
                    }
                    text.push_str("  }\n");
                }
                text.push_str("}\n");
            }
            text
        })
}

/// A balanced service folded back keeps its endpoints' share: with `-> s1 1, s0 3`, each of
/// s0's three endpoints weighs what s1 weighs, so the import must not write `-> s1, s0`
/// (which gives s0 half). Found by the property test below in CI.
#[test]
fn a_folded_service_keeps_the_weight_of_its_endpoints() {
    let text = "gateway edge {\n  class \"eg\"\n  listener http { port 80 protocol HTTP }\n}\n\
service s0 { endpoints \"10.0.0.1:8080\" \"10.0.0.2:8080\" \"10.0.0.3:8080\" }\n\
service s1 { endpoints \"10.1.0.1:8080\" }\n\
route r0 {\n  on edge\n  rule { -> s1 1, s0 3 }\n}\n";
    let result = round_trip(
        Input::Stdin(text.as_bytes().to_vec()),
        &egwc::Options::default(),
    );
    let result = result.expect("the program builds");
    assert!(result.is_ok(), "{}", result.unwrap_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Every generated program builds, and gives the same objects after an import.
    #[test]
    fn generated_programs_survive_the_round_trip(text in program()) {
        let options = egwc::Options::default();
        let result = round_trip(Input::Stdin(text.clone().into_bytes()), &options);
        let Some(result) = result else {
            let c = egwc::analyze(&[Input::Stdin(text.clone().into_bytes())], &options).unwrap();
            let errors: Vec<&str> = c.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.message.as_str()).collect();
            return Err(TestCaseError::fail(format!("the generator made a program that does not build: {errors:?}\n{text}")));
        };
        prop_assert!(result.is_ok(), "{}\n{}", text, result.unwrap_err());
    }
}

/// Imports `text` (written to `dir/name`) with `-o`: it must fail with exit code 1, say
/// `expected`, and write nothing.
fn refused(dir: &Path, name: &str, text: &str, expected: &str) {
    let input = dir.join(name);
    std::fs::write(&input, text).unwrap();
    let out_dir = dir.join(format!("{name}.out"));
    let out = egwc()
        .arg("import")
        .arg(&input)
        .arg("--output-dir")
        .arg(&out_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
    assert!(stderr.contains(expected), "{name}: {stderr}");
    assert!(!out_dir.exists(), "{name}: wrote {}", out_dir.display());
}

/// Malformed or unknown input: an error with its file and line, exit code 1, nothing
/// written.
#[test]
fn malformed_input_is_an_error_with_its_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "syntax.yaml",
            "kind: Gateway\nmetadata: {name: x\n",
            "syntax.yaml: line",
        ),
        (
            "not-an-object.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\nhello: world\n",
            "not-an-object.yaml: line 6: not a Kubernetes object",
        ),
        (
            "wrong-type.yaml",
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: g\nspec:\n  gatewayClassName: [a]\n  listeners: []\n",
            "wrong-type.yaml: line 6: Gateway default/g: spec.gatewayClassName is a list, not a string",
        ),
        (
            "bad-values.yaml",
            "externalServices:\n  - name: a\n    endpoints: []\n",
            "bad-values.yaml: line 2: externalServices[0].endpoints needs at least one endpoint",
        ),
        (
            "scalar.yaml",
            "just text\n",
            "scalar.yaml: line 1: a document is \"just text\", not a mapping",
        ),
    ];
    for (name, text, expected) in cases {
        refused(dir.path(), name, text, expected);
    }
}

/// `-o DIR` writes a new directory with the `.egw` and the CA certificates, and never
/// replaces files: a directory that holds something is refused, and left as it was.
#[test]
fn output_directories_are_new_and_hold_the_ca_files() {
    let dir = tempfile::tempdir().unwrap();
    let built = egwc()
        .args(["build", "examples/proxmox/main.egw"])
        .output()
        .unwrap();
    assert!(built.status.success());
    let yaml = dir.path().join("pve.yaml");
    std::fs::write(&yaml, &built.stdout).unwrap();
    let out = dir.path().join("pve");
    let run = |target: &Path| {
        egwc()
            .arg("import")
            .arg(&yaml)
            .arg("--output-dir")
            .arg(target)
            .output()
            .unwrap()
    };
    let first = run(&out);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let main = std::fs::read_to_string(out.join("main.egw")).unwrap();
    assert!(main.contains("ca file \"pve-ca.pem\""), "{main}");
    let pem = std::fs::read_to_string(out.join("pve-ca.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    std::fs::write(out.join("main.egw"), "// my edits\n").unwrap();
    let second = run(&out);
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("exists and is not empty"));
    assert_eq!(
        std::fs::read_to_string(out.join("main.egw")).unwrap(),
        "// my edits\n"
    );
}

/// Standard input, a `v1 List` as `kubectl get -o yaml` prints it, and notes that name each
/// object that is not carried over.
#[test]
fn a_kubectl_list_on_standard_input_imports_with_warnings_for_what_has_no_form() {
    let list = r#"apiVersion: v1
kind: List
items:
- apiVersion: gateway.networking.k8s.io/v1
  kind: Gateway
  metadata:
    name: edge
    namespace: web
    uid: 0b5f
    resourceVersion: "42"
  spec:
    gatewayClassName: eg
    listeners:
    - name: http
      port: 80
      protocol: HTTP
  status:
    conditions: []
- apiVersion: v1
  kind: Service
  metadata:
    name: app
    namespace: web
  spec:
    type: ExternalName
    externalName: app.example.net
    ports:
    - port: 80
- apiVersion: gateway.networking.k8s.io/v1
  kind: HTTPRoute
  metadata:
    name: app
    namespace: web
  spec:
    parentRefs:
    - name: edge
    rules:
    - backendRefs:
      - name: app
        port: 80
      sessionPersistence:
        sessionName: s
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: other
    namespace: web
- apiVersion: gateway.envoyproxy.io/v1alpha1
  kind: Backend
  metadata:
    name: socket
    namespace: web
  spec:
    appProtocols:
    - gateway.envoyproxy.io/ws
    endpoints:
    - fqdn:
        hostname: socket.example.net
        port: 8080
"#;
    let mut child = egwc()
        .args(["import", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("namespace \"web\""), "{stdout}");
    assert!(
        stdout.contains("endpoint \"app.example.net:80\""),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "warning: <stdin>:42: HTTPRoute web/app: spec.rules[0].sessionPersistence: this \
field has no .egw form: not imported"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "warning: <stdin>:43: Deployment web/other: Deployment (apps/v1) has no .egw form"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "warning: <stdin>:54: Backend web/socket: spec.appProtocols: \
`gateway.envoyproxy.io/ws`: not imported"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("uid"),
        "server fields are not reported: {stderr}"
    );
    let codes = error_codes(&stdout, &egwc::Options::default());
    assert!(codes.is_empty(), "{codes:?}\n{stdout}");
}

/// Hostile input: a FIFO is refused before it is read, an alias bomb and deep nesting are
/// errors within serde-saphyr's budgets, and nothing is written.
#[test]
fn hostile_input_is_refused_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let out = egwc().arg("import").arg(&fifo).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));

    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    let mut previous = "a".to_string();
    for i in 0..12 {
        let refs = vec![format!("*{previous}"); 9].join(", ");
        bomb.push_str(&format!("b{i}: &b{i} [{refs}]\n"));
        previous = format!("b{i}");
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for (name, text, expected) in [
        ("bomb.yaml", bomb, "budget breached"),
        ("deep.yaml", deep, "recursion limit exceeded"),
    ] {
        refused(dir.path(), name, &text, expected);
    }
}
