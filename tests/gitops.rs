//! egwc in GitOps pipelines (docs/gitops.md), run as their hosts run it: the KRM function
//! (`egwc krm`, a ResourceList on standard input) and the exec plugin (`egwc krm FILE`)
//! directly, and in the API server tier through the standalone `kustomize` (`--enable-exec`)
//! and `kubectl kustomize` that `scripts/k8s-apiserver.sh` installs; the Argo CD plugin's
//! `generate` command from deploy/argocd/plugin.yaml, with Argo CD's environment.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const EGWC: &str = env!("CARGO_BIN_EXE_egwc");

/// The example every test builds, and its objects as `egwc build` writes them.
const EXAMPLE: &str = "examples/homelab.egw";

fn run(command: &mut Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// A command that finds `egwc` (and the API server tier's tools) on its PATH, as a
/// kustomization or plugin names it, without colour.
fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let bin = Path::new(EGWC).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut c = Command::new(program);
    c.current_dir(dir).env("PATH", path).env("NO_COLOR", "1");
    c
}

fn yaml_documents(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(text).unwrap()
}

/// The objects `egwc build` makes of `file` in `dir`.
fn built(dir: &Path, file: &str) -> Vec<Value> {
    let out = run(command(EGWC, dir).args(["build", file]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    yaml_documents(&text(&out.stdout))
}

/// A directory holding the example as `cluster.egw`, and `files` beside it.
fn app(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(EXAMPLE, dir.path().join("cluster.egw")).unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// The generator's configuration, as a kustomization's `generators` names it; `function`
/// adds the annotation that makes it a KRM exec function.
fn config(spec: &str, function: bool) -> String {
    let annotation = if function {
        "  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: egwc\n        \
args: [krm]\n"
    } else {
        ""
    };
    format!(
        "apiVersion: egwc/v1alpha1\nkind: Build\nmetadata:\n  name: gateway\n{annotation}spec:\n{spec}"
    )
}

/// A ResourceList as kustomize gives a generator: the function config is also an item,
/// marked local, and a resource of an earlier generator is kept.
fn resource_list(spec: &str) -> String {
    let config = config(spec, true);
    let indented = |text: &str| {
        text.lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    format!("- {l}\n")
                } else {
                    format!("  {l}\n")
                }
            })
            .collect::<String>()
    };
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{}{}functionConfig:\n{}",
        indented(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept\ndata:\n  on: \"yes\"\n"
        ),
        indented(&config),
        config
            .lines()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    )
}

#[test]
fn the_krm_function_gives_back_the_items_and_adds_the_objects() {
    let dir = app(&[]);
    let input = resource_list("  files: [cluster.egw]\n");
    let out = run(command(EGWC, dir.path()).arg("krm"), input.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let list: Value = serde_saphyr::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(list["kind"], "ResourceList");
    assert_eq!(list["apiVersion"], "config.kubernetes.io/v1");
    let items = list["items"].as_array().unwrap();
    // The items given come back first and unchanged (a string `on`, `"yes"` stays a string).
    assert_eq!(items[0]["metadata"]["name"], "kept");
    assert_eq!(items[0]["data"]["on"], "yes");
    assert_eq!(items[1]["kind"], "Build");
    assert_eq!(items[2..], built(dir.path(), "cluster.egw")[..]);
    // The notes of the build are on standard error, where kustomize shows them, and results.
    assert!(text(&out.stderr).contains("N0513 endpointslice-rbac"));
    assert_eq!(list["results"][0]["severity"], "info");
}

/// `egwc krm` typed at a terminal says what it reads instead of waiting for it. Python's
/// `pty` gives it a terminal; the alarm ends a run that waits (what it did before).
#[test]
fn the_krm_function_at_a_terminal_says_what_it_reads() {
    let script = r#"
import os, pty, signal, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "krm"])
signal.signal(signal.SIGALRM, lambda *_: (os.kill(pid, signal.SIGKILL), print("WAITED"), sys.exit(99)))
signal.alarm(20)
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let out = Command::new("python3")
        .args(["-c", script, EGWC])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("egwc krm reads a ResourceList on standard input"),
        "{stdout}"
    );
}

#[test]
fn the_krm_function_reports_errors_at_their_line_and_adds_nothing() {
    let source = std::fs::read_to_string(EXAMPLE)
        .unwrap()
        .replace("-> api 90, api-canary 10", "-> api 90, api-canery 10");
    let dir = app(&[("cluster.egw", &source)]);
    let input = resource_list("  files: [cluster.egw]\n");
    let out = run(command(EGWC, dir.path()).arg("krm"), input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("× unknown service `api-canery`"),
        "{stderr}"
    );
    assert!(stderr.contains("╭─[cluster.egw:27:16]"), "{stderr}");
    let list: Value = serde_saphyr::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "only the items given"
    );
    let error = list["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["severity"] == "error")
        .unwrap();
    assert_eq!(
        error["message"],
        "cluster.egw:27:16: E0100 unknown-service: unknown service `api-canery`"
    );
    assert_eq!(error["file"]["path"], "cluster.egw");
}

#[test]
fn a_bad_configuration_or_input_is_refused_with_what_to_write() {
    let dir = app(&[("secret/x.egw", "")]);
    let cases = [
        (
            resource_list("  files: [../x.egw]\n"),
            "`../x.egw` is not a path inside",
        ),
        (
            resource_list("  files: [/etc/passwd]\n"),
            "`/etc/passwd` is not a path inside",
        ),
        (resource_list("  files: []\n"), "`spec.files` is empty"),
        (
            resource_list("  file: cluster.egw\n"),
            "unknown field `file`",
        ),
        (
            resource_list("  files: [cluster.egw]\n  target: cilum\n"),
            "did you mean `cilium`",
        ),
        (
            resource_list("  files: [cluster.egw]\n").replace("kind: Build", "kind: Built"),
            "egwc's is `apiVersion: egwc/v1alpha1`, `kind: Build`",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\n".to_string(),
            "a `ConfigMap`, not a ResourceList",
        ),
        (
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n".to_string(),
            "has no functionConfig",
        ),
        ("{ not yaml".to_string(), "not a ResourceList"),
    ];
    for (input, expected) in cases {
        let out = run(command(EGWC, dir.path()).arg("krm"), input.as_bytes());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{input}\n{stderr}");
        assert!(stderr.contains(expected), "{input}\n{stderr}");
        assert!(out.stdout.is_empty(), "{input}");
    }
}

#[test]
fn the_exec_plugin_writes_what_build_writes() {
    let dir = app(&[("egwc.yaml", &config("  files: [cluster.egw]\n", false))]);
    let plugin = run(command(EGWC, dir.path()).args(["krm", "egwc.yaml"]), b"");
    assert_eq!(plugin.status.code(), Some(0), "{}", text(&plugin.stderr));
    let build = run(
        command(EGWC, dir.path()).args(["build", "cluster.egw"]),
        b"",
    );
    assert_eq!(text(&plugin.stdout), text(&build.stdout));
    // Its configuration is refused as the function's is.
    std::fs::write(
        dir.path().join("bad.yaml"),
        config("  files: [../x]\n", false),
    )
    .unwrap();
    let out = run(command(EGWC, dir.path()).args(["krm", "bad.yaml"]), b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("egwc: bad.yaml: `spec.files`: `../x` is not"));
}

/// A base that generates the objects with egwc, and an overlay that labels them: what
/// kustomize builds must be egwc's objects with the label.
fn overlay(function: bool) -> tempfile::TempDir {
    let dir = app(&[
        (
            "overlay/kustomization.yaml",
            "resources:\n- ../base\nlabels:\n- pairs:\n    team: platform\n",
        ),
        ("base/kustomization.yaml", "generators:\n- egwc.yaml\n"),
        (
            "base/egwc.yaml",
            &config("  files: [cluster.egw]\n", function),
        ),
    ]);
    std::fs::rename(
        dir.path().join("cluster.egw"),
        dir.path().join("base/cluster.egw"),
    )
    .unwrap();
    dir
}

fn assert_labelled_objects(dir: &Path, out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut expected = built(&dir.join("base"), "cluster.egw");
    for object in &mut expected {
        object["metadata"]["labels"]["team"] = "platform".into();
    }
    let key = |v: &Value| format!("{}/{}", v["kind"], v["metadata"]["name"]);
    let mut got = yaml_documents(&text(&out.stdout));
    expected.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got, expected);
}

#[test]
fn kustomize_builds_an_overlay_on_the_krm_function() {
    if !common::api_server_tier() {
        return;
    }
    let dir = overlay(true);
    let out = run(
        command("kustomize", dir.path()).args([
            "build",
            "--enable-alpha-plugins",
            "--enable-exec",
            "overlay",
        ]),
        b"",
    );
    assert_labelled_objects(dir.path(), &out);
}

#[test]
fn kubectl_kustomize_builds_an_overlay_on_the_exec_plugin() {
    if !common::api_server_tier() {
        return;
    }
    let dir = overlay(false);
    // Where kustomize looks for the plugin of `egwc/v1alpha1` `Build`.
    let plugins = dir
        .path()
        .join("config/kustomize/plugin/egwc/v1alpha1/build");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy("deploy/kustomize/Build", plugins.join("Build")).unwrap();
    let out = run(
        command("kubectl", dir.path())
            .args(["kustomize", "--enable-alpha-plugins", "overlay"])
            .env("XDG_CONFIG_HOME", dir.path().join("config")),
        b"",
    );
    assert_labelled_objects(dir.path(), &out);
}

/// Runs the `generate` command of deploy/argocd/plugin.yaml in `dir` with Argo CD's
/// environment and the Application's plugin variables (`ARGOCD_ENV_…`).
fn argocd_generate(dir: &Path, env: &[(&str, &str)]) -> Output {
    let plugin: Value =
        serde_saphyr::from_str(&std::fs::read_to_string("deploy/argocd/plugin.yaml").unwrap())
            .unwrap();
    let generate = &plugin["spec"]["generate"];
    let words: Vec<&str> = generate["command"]
        .as_array()
        .into_iter()
        .chain(generate["args"].as_array())
        .flatten()
        .map(|w| w.as_str().unwrap())
        .collect();
    let mut c = command(words[0], dir);
    c.args(&words[1..])
        .env_remove("NO_COLOR")
        .env("ARGOCD_APP_NAME", "edge")
        .env("ARGOCD_APP_NAMESPACE", "edge")
        .env("ARGOCD_APP_REVISION", "0123456789abcdef")
        .env("ARGOCD_APP_SOURCE_PATH", "clusters/edge")
        .env(
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://git.example.com/infra.git",
        );
    for (name, value) in env {
        c.env(format!("ARGOCD_ENV_{name}"), value);
    }
    run(&mut c, b"")
}

#[test]
fn the_argocd_plugin_generates_the_applications_objects() {
    let plugin: Value =
        serde_saphyr::from_str(&std::fs::read_to_string("deploy/argocd/plugin.yaml").unwrap())
            .unwrap();
    assert_eq!(plugin["spec"]["discover"]["fileName"], "*.egw");
    // A directory of one configuration: its .egw files are the build.
    let dir = app(&[]);
    let out = argocd_generate(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let objects = yaml_documents(&text(&out.stdout));
    assert_eq!(objects, built(dir.path(), "cluster.egw"));
    // Notes go to standard error, which Argo CD shows, without colour codes.
    let stderr = text(&out.stderr);
    assert!(stderr.contains("N0513 endpointslice-rbac"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn the_argocd_plugin_builds_the_root_the_application_names() {
    let simple = std::fs::read_to_string("examples/simple-http.egw").unwrap();
    let dir = app(&[
        ("lab.egw", &simple),
        ("egwc.toml", "roots = [\"cluster.egw\", \"lab.egw\"]\n"),
    ]);
    // Two roots: the Application must name one.
    let out = argocd_generate(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("names 2 roots"),
        "{}",
        text(&out.stderr)
    );
    let out = argocd_generate(dir.path(), &[("EGWC_ROOT", "lab.egw")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        yaml_documents(&text(&out.stdout)),
        built(dir.path(), "lab.egw")
    );
    // A name outside the directory is refused before egwc reads it.
    for outside in ["/etc/passwd", "../x.egw", "a/../../x.egw"] {
        let out = argocd_generate(dir.path(), &[("EGWC_ROOT", outside)]);
        assert_eq!(out.status.code(), Some(2), "{outside}");
        assert!(out.stdout.is_empty());
        assert!(text(&out.stderr).contains("inside the application's directory"));
    }
    // An error fails the generation with nothing on standard output, so nothing is applied.
    std::fs::write(dir.path().join("lab.egw"), "service {").unwrap();
    let out = argocd_generate(dir.path(), &[("EGWC_ROOT", "lab.egw")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("E0001"), "{}", text(&out.stderr));
}

#[test]
fn a_directory_stands_for_its_projects_builds() {
    let simple = std::fs::read_to_string("examples/simple-http.egw").unwrap();
    let dir = app(&[("clusters/lab.egw", &simple)]);
    let root: PathBuf = dir.path().into();
    // Without roots: the .egw files directly in it, as one build.
    let out = run(command(EGWC, &root).args(["build", "."]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        yaml_documents(&text(&out.stdout)),
        built(&root, "cluster.egw")
    );
    // With roots: each is a build of its own; `check` checks them all, `build` wants one.
    std::fs::write(
        root.join("egwc.toml"),
        "roots = [\"cluster.egw\", \"clusters/lab.egw\"]\n",
    )
    .unwrap();
    let out = run(
        command(EGWC, &root).args(["check", ".", "--format", "json"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: std::collections::BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["cluster.egw", "clusters/lab.egw"].into());
    // `test` runs each root's tests under its name.
    let out = run(command(EGWC, &root).args(["test", "."]), b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("cluster.egw\n"), "{stdout}");
    assert!(stdout.contains("\nclusters/lab.egw\n"), "{stdout}");
    let out = run(command(EGWC, &root).args(["build", "."]), b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "egwc: ./egwc.toml names 2 roots, each a build of its own (cluster.egw, \
clusters/lab.egw): name the one to use, as in `cluster.egw`\n"
    );
    // A directory is given alone, and its files stay in it.
    let out = run(
        command(EGWC, &root).args(["check", ".", "cluster.egw"]),
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    #[cfg(unix)]
    {
        std::fs::write(root.join("egwc.toml"), "roots = [\"clusters/out.egw\"]\n").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("clusters/out.egw")).unwrap();
        let out = run(command(EGWC, &root).args(["check", "."]), b"");
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            text(&out.stderr),
            "egwc: clusters/out.egw: a symbolic link out of .\n"
        );
    }
}

#[test]
fn hostile_input_to_the_function_is_refused() {
    let dir = app(&[]);
    // A billion laughs: nine levels of nine aliases.
    let mut bomb =
        String::from("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\na0: &a0 [x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    bomb.push_str("items: [*a9]\n");
    // Not UTF-8, and more than the 64 MiB a ResourceList may have.
    let cases: [(Vec<u8>, &str); 3] = [
        (bomb.into_bytes(), "not a ResourceList"),
        (b"kind: ResourceList\nitems: [\xff]\n".to_vec(), "not UTF-8"),
        (vec![b' '; (64 << 20) + 1], "larger than 64 MiB"),
    ];
    for (input, expected) in cases {
        let out = run(command(EGWC, dir.path()).arg("krm"), &input);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}
