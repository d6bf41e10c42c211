//! CLI tests: they run the built `egwc` binary as a user would.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn egwc(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_egwc"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const GOOD: &str = "examples/simple-http.egw";
const BAD: &str = "tests/cases/errors/unknown-service.egw";

#[test]
fn build_prints_yaml_and_exits_0() {
    let out = egwc(&["build", GOOD], None);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"));
    // Only the notes that EndpointSlices need a permission (N0513) and that Cilium may not
    // reach a private address on the nodes' subnet (N0517).
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("N0513 endpointslice-rbac"), "{stderr}");
    assert!(stderr.contains("\nN0517 node-subnet-defect\n"), "{stderr}");
    assert!(stderr.ends_with("\n2 notes\n"), "{stderr}");
}

#[test]
fn build_json_is_a_kubernetes_list() {
    let out = egwc(&["build", GOOD, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    assert!(list["items"].as_array().unwrap().len() >= 4);
}

#[test]
fn errors_exit_1_with_every_diagnostic_and_no_output() {
    let out = egwc(&["build", BAD], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unknown service `apii`"));
    assert!(stderr.contains("unknown service `grafana`"));
    assert!(stderr.contains("2 errors"));
    assert!(!stderr.contains('\u{1b}'), "NO_COLOR means no escape codes");
}

#[test]
fn warnings_alone_exit_0() {
    let out = egwc(&["check", "tests/cases/errors/all-weights-zero.egw"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("W0206 all-weights-zero"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(egwc(&["build"], None).status.code(), Some(2));
    assert_eq!(egwc(&["frobnicate"], None).status.code(), Some(2));
    let out = egwc(&["build", "no/such/file.egw"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read no/such/file.egw"));
    assert_eq!(egwc(&["explain", "E9999"], None).status.code(), Some(2));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let source = std::fs::read(GOOD).unwrap();
    let out = egwc(&["build", "-"], Some(&source));
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("egwc/source: <stdin>:4"));
    let out = egwc(&["check", "-"], Some(b"service x {"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("<stdin>:1:12"));
}

#[test]
fn check_json_reports_file_line_column_code() {
    let out = egwc(&["check", BAD, "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["diagnostics"][0];
    assert_eq!(first["file"], BAD);
    assert_eq!(first["line"], 8);
    assert_eq!(first["column"], 13);
    assert_eq!(first["code"], "E0100");
    assert_eq!(first["name"], "unknown-service");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["message"], "unknown service `apii`");
}

#[test]
fn explain_prints_the_catalog_entry() {
    let out = egwc(&["explain", "E0100"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("E0100 unknown-service (error)"));
    let by_name = egwc(&["explain", "unknown-service"], None);
    assert_eq!(by_name.stdout, out.stdout);
}

#[test]
fn version_and_help() {
    let out = egwc(&["--version"], None);
    assert!(text(&out.stdout).starts_with("egwc "));
    let out = egwc(&["--help"], None);
    assert!(text(&out.stdout).contains("egwc build cluster.egw"));
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn output_dir_gets_one_file_per_object_and_is_replaced_as_a_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let dir_arg = dir.to_str().unwrap();
    let out = egwc(&["build", GOOD, "--output-dir", dir_arg], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(files_in(&dir).contains(&"web.httproute.nas.yaml".to_string()));
    assert!(files_in(&dir).contains(&".egwc-output".to_string()));

    // A second build replaces the whole directory: stale objects disappear.
    let out = egwc(
        &[
            "build",
            "examples/weighted-canary.egw",
            "--output-dir",
            dir_arg,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let files = files_in(&dir);
    assert!(!files.contains(&"web.httproute.nas.yaml".to_string()));
    assert!(files.contains(&"apps.httproute.checkout.yaml".to_string()));
    // Nothing is left beside it.
    assert_eq!(files_in(tmp.path()), vec!["out"]);
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let dir_arg = dir.to_str().unwrap();
    assert_eq!(
        egwc(&["build", GOOD, "--output-dir", dir_arg], None)
            .status
            .code(),
        Some(0)
    );
    let before = files_in(&dir);
    let out = egwc(&["build", BAD, "--output-dir", dir_arg], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(files_in(&dir), before);
    assert_eq!(files_in(tmp.path()), vec!["out"]);
}

#[test]
fn a_directory_egwc_did_not_write_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("precious.txt"), "keep me").unwrap();
    let out = egwc(
        &["build", GOOD, "--output-dir", tmp.path().to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("was not written by egwc"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("precious.txt")).unwrap(),
        "keep me"
    );
}

#[test]
fn target_overrides_every_gateway_and_is_checked() {
    let api = "examples/external-api.egw";
    // The example names Envoy Gateway; --target istio gives a ServiceEntry instead.
    let out = egwc(&["build", api, "--target", "istio"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("kind: ServiceEntry"));
    assert!(!stdout.contains("kind: Backend\n"));
    // Cilium cannot reach a DNS name: exit 1, the error, and nothing on stdout.
    let out = egwc(&["check", api, "--target", "cilium"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("E0501 dns-unsupported-by-target"));
    // A version below the table's: NGINX Gateway Fabric routes ExternalName from 2.2.
    let out = egwc(&["build", api, "--target", "nginx@2.1"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    // A misspelt target is a usage error with a suggestion.
    let out = egwc(&["build", api, "--target", "istoi"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `istio`?"));
    let out = egwc(&["build", api, "--target", "cilium@1"], None);
    assert_eq!(out.status.code(), Some(2));
}

const UNFORMATTED: &str = "service api   {endpoint \"10.0.0.1\"}\n";
const FORMATTED: &str = "service api { endpoint \"10.0.0.1\" }\n";

#[test]
fn fmt_rewrites_only_files_that_change_and_keeps_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let messy = tmp.path().join("messy.egw");
    let tidy = tmp.path().join("sub/tidy.egw");
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    std::fs::write(&messy, UNFORMATTED).unwrap();
    std::fs::set_permissions(&messy, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::write(&tidy, FORMATTED).unwrap();
    std::fs::write(tmp.path().join("notes.txt"), UNFORMATTED).unwrap();
    let tidy_mtime = std::fs::metadata(&tidy).unwrap().modified().unwrap();

    // A directory is searched for .egw files.
    let out = egwc(&["fmt", tmp.path().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), FORMATTED);
    let mode = std::fs::metadata(&messy).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    assert_eq!(
        std::fs::metadata(&tidy).unwrap().modified().unwrap(),
        tidy_mtime
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
        UNFORMATTED
    );
    assert_eq!(files_in(tmp.path()), vec!["messy.egw", "notes.txt", "sub"]);
}

#[test]
fn fmt_check_lists_unformatted_files_changes_nothing_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let messy = tmp.path().join("messy.egw");
    let tidy = tmp.path().join("tidy.egw");
    std::fs::write(&messy, UNFORMATTED).unwrap();
    std::fs::write(&tidy, FORMATTED).unwrap();
    let (messy_arg, tidy_arg) = (messy.to_str().unwrap(), tidy.to_str().unwrap());

    let out = egwc(&["fmt", "--check", messy_arg, tidy_arg], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), format!("{messy_arg}\n"));
    assert!(text(&out.stderr).contains("1 file is not formatted"));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), UNFORMATTED);

    let out = egwc(&["fmt", "--check", tidy_arg], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn fmt_refuses_a_file_that_does_not_parse_and_leaves_it_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("broken.egw");
    let messy = tmp.path().join("messy.egw");
    let broken_text = "service api {\n  endpoint \"10.0.0.1\"\n  port\n}\n";
    std::fs::write(&broken, broken_text).unwrap();
    std::fs::write(&messy, UNFORMATTED).unwrap();

    let out = egwc(&["fmt", tmp.path().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("E0001 syntax-error"), "{stderr}");
    assert!(stderr.contains("broken.egw:4:1"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), broken_text);
    // The other files are still formatted.
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), FORMATTED);
}

#[test]
fn fmt_reads_standard_input_and_writes_standard_output() {
    let out = egwc(&["fmt", "-"], Some(UNFORMATTED.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), FORMATTED);

    let out = egwc(&["fmt", "--check", "-"], Some(UNFORMATTED.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "<stdin>\n");

    let out = egwc(&["fmt", "-"], Some(b"service {"));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing is printed for text that does not parse"
    );
}

#[test]
fn allow_hides_a_warning_or_note_but_never_an_error() {
    // The notes of simple-http.egw, by code or by name.
    for (a, b) in [
        ("N0513", "N0517"),
        ("endpointslice-rbac", "node-subnet-defect"),
    ] {
        let out = egwc(&["build", GOOD, "--allow", a, "--allow", b], None);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(text(&out.stderr), "");
    }
    let out = egwc(&["build", GOOD, "--allow", "N0513"], None);
    assert!(text(&out.stderr).starts_with("N0517 "));
    let out = egwc(&["check", BAD, "--allow", "E0100"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("errors cannot be allowed"),
        "{}",
        text(&out.stderr)
    );
    let out = egwc(&["check", GOOD, "--allow", "N0531"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `N0511`?"),
        "{}",
        text(&out.stderr)
    );
}

/// Runs egwc with standard output and error sent to files or devices.
fn egwc_to(args: &[&str], stdout: Stdio, stderr: Stdio) -> std::process::ExitStatus {
    Command::new(env!("CARGO_BIN_EXE_egwc"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::fs::File::open(GOOD).unwrap())
        .stdout(stdout)
        .stderr(stderr)
        .status()
        .unwrap()
}

fn dev_full() -> Stdio {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}

#[test]
fn a_full_output_is_exit_2_with_a_message() {
    let big = "examples/proxmox/main.egw";
    let out = Command::new(env!("CARGO_BIN_EXE_egwc"))
        .env("NO_COLOR", "1")
        .args(["build", big])
        .stdout(dev_full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("egwc: cannot write to standard output: No space left on device"),
        "{}",
        text(&out.stderr)
    );
    for args in [
        &["explain", "--all"][..],
        &["check", BAD, "--format", "json"],
        &["fmt", "-"],
    ] {
        let status = egwc_to(args, dev_full(), Stdio::null());
        assert_eq!(status.code(), Some(2), "{args:?}");
    }
    // Standard error full: the diagnostics cannot be shown, which is exit 2, not a panic.
    let status = egwc_to(&["check", BAD], Stdio::null(), dev_full());
    assert_eq!(status.code(), Some(2));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let cases: [(&[&str], bool); 4] = [
        (&["check", BAD, "--format", "json"], false),
        (&["explain", "--all"], false),
        (&["build", "examples/proxmox/main.egw"], false),
        (&["check", BAD], true), // standard error closed
    ];
    for (args, closed_stderr) in cases {
        // A pipe whose reading end is closed before egwc starts, so that its first write
        // fails (closing it after the spawn raced with that write).
        let (reader, closed) = std::io::pipe().unwrap();
        drop(reader);
        let mut command = Command::new(env!("CARGO_BIN_EXE_egwc"));
        command.env("NO_COLOR", "1").args(args).stdin(Stdio::null());
        if closed_stderr {
            command.stdout(Stdio::piped()).stderr(closed);
        } else {
            command.stdout(closed).stderr(Stdio::piped());
        }
        let out = command.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).contains("panicked"), "{args:?}");
    }
}

#[test]
fn a_file_with_many_errors_gives_bounded_output() {
    // 64 KB of `${`: each error once drew the whole line, 4 GB in all.
    let source = format!("service a {{ endpoint \"{}\" }}\n", "${".repeat(32_000));
    let out = egwc(&["check", "-"], Some(source.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 64 * 1024, "{} bytes", stderr.len());
    assert!(
        stderr.contains("… and 31,950 more in <stdin>: 31,950 E0005 invalid-interpolation"),
        "{stderr}"
    );
    assert!(stderr.ends_with("32000 errors\n"));
}

#[test]
fn output_dir_leftovers_read_only_dirs_and_links() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let dir_arg = dir.to_str().unwrap();
    // What runs killed at the wrong moment left: removed, as their processes are gone.
    for leftover in [".out.egwc-new-999999999", ".out.egwc-old-999999998"] {
        std::fs::create_dir(tmp.path().join(leftover)).unwrap();
        std::fs::write(tmp.path().join(leftover).join("x.yaml"), "stale").unwrap();
    }
    let out = egwc(&["build", GOOD, "--output-dir", dir_arg], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(files_in(tmp.path()), vec!["out"]);

    // A read-only output directory is still replaced whole, with nothing left beside it.
    // Permissions do not bind root, so as root egwc runs as `nobody` here.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let canary = std::fs::canonicalize("examples/weighted-canary.egw").unwrap();
    let mut command = if running_as_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_egwc"));
        std::process::Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(&dir)
            .status()
            .unwrap();
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_egwc"))
    };
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    let out = command
        .args(["build", canary.to_str().unwrap(), "--output-dir", dir_arg])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(files_in(tmp.path()), vec!["out"]);
    assert!(files_in(&dir).contains(&"apps.httproute.checkout.yaml".to_string()));

    // A symbolic link stays a link, to the new output.
    let link = tmp.path().join("current");
    std::os::unix::fs::symlink("out", &link).unwrap();
    let out = egwc(
        &["build", GOOD, "--output-dir", link.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(files_in(&dir).contains(&"web.httproute.nas.yaml".to_string()));
    assert_eq!(files_in(tmp.path()), vec!["current", "out"]);
}

#[test]
fn output_dir_dot_is_refused_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let good = std::fs::canonicalize(GOOD).unwrap();
    for dir in [".", "..", tmp.path().to_str().unwrap()] {
        let out = Command::new(env!("CARGO_BIN_EXE_egwc"))
            .env("NO_COLOR", "1")
            .args(["build", good.to_str().unwrap(), "--output-dir", dir])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{dir}");
        assert!(
            text(&out.stderr).contains("would replace the directory you are in"),
            "{dir}: {}",
            text(&out.stderr)
        );
    }
    assert!(files_in(tmp.path()).is_empty());
}

/// Whether the tests run as root, for whom file permissions do not apply.
fn running_as_root() -> bool {
    let id = Command::new("id").arg("-u").output().unwrap();
    text(&id.stdout).trim() == "0"
}

#[test]
fn fmt_walks_a_directory_without_links_ignored_or_special_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    std::fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
    std::fs::create_dir_all(root.join("build")).unwrap();
    std::fs::write(root.join("a.egw"), UNFORMATTED).unwrap();
    std::fs::write(root.join("node_modules/pkg/x.egw"), UNFORMATTED).unwrap();
    std::fs::write(root.join("build/x.egw"), UNFORMATTED).unwrap();
    std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
    std::fs::write(tmp.path().join("outside.egw"), UNFORMATTED).unwrap();
    for (name, to) in [("loop1", "."), ("loop2", "."), ("up", "..")] {
        std::os::unix::fs::symlink(to, root.join(name)).unwrap();
    }
    assert!(
        Command::new("mkfifo")
            .arg(root.join("pipe.egw"))
            .status()
            .unwrap()
            .success()
    );
    let out = egwc(&["fmt", "--check", root.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("{}\n", root.join("a.egw").display())
    );
}

/// The examples of docs/route.md are what `egwc route` and `egwc test` print: the document
/// stays true.
#[test]
fn route_and_test_print_what_docs_route_md_shows() {
    let doc = std::fs::read_to_string("docs/route.md").unwrap();
    // Each example: a line "`egwc route …`:" (or test), then a fenced block with its output.
    let mut checked = 0;
    let lines: Vec<&str> = doc.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(command) = line
            .strip_prefix("`egwc ")
            .and_then(|l| l.strip_suffix("`:"))
            .filter(|c| c.starts_with("route ") || c.starts_with("test "))
        else {
            continue;
        };
        let args: Vec<&str> = command.split_whitespace().collect();
        let start = i + 3; // the blank line, the fence
        let end = start + lines[start..].iter().position(|l| *l == "```").unwrap();
        let expected = lines[start..end].join("\n") + "\n";
        let out = egwc(&args, None);
        assert_eq!(text(&out.stdout), expected, "egwc {}", args.join(" "));
        checked += 1;
    }
    assert_eq!(checked, 3, "docs/route.md shows three examples");
}

#[test]
fn route_exits_0_when_forwarded_or_redirected_and_1_otherwise() {
    let code = |args: &[&str]| egwc(args, None).status.code();
    let shop = "examples/path-routing.egw";
    assert_eq!(
        code(&["route", shop, "--url", "http://shop.example.com/docs"]),
        Some(0)
    );
    assert_eq!(
        code(&["route", shop, "--url", "http://nowhere.example.com/"]),
        Some(1)
    );
    assert_eq!(
        code(&["route", shop, "--url", "https://shop.example.com/"]),
        Some(1)
    );
    let redirect = "tests/cases/valid/all-filters.egw";
    assert_eq!(
        code(&["route", redirect, "--url", "http://api.example.com/old"]),
        Some(0)
    );
    // `-H Host:` replaces the URL's host; `--gateway` keeps one Gateway.
    let out = egwc(
        &[
            "route",
            shop,
            "--url",
            "http://10.0.0.1/",
            "-H",
            "Host: shop.example.com:80",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = egwc(
        &[
            "route",
            shop,
            "--url",
            "http://shop.example.com/",
            "--gateway",
            "x/y",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "gateway x/y does not listen on port 80; apps/apps do\n"
    );
    // A bad URL or header is a usage error.
    let out = egwc(&["route", shop, "--url", "ftp://x/"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("a gateway takes `http` or `https`"));
    let out = egwc(
        &["route", shop, "--url", "http://x/", "-H", "nocolon"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

/// `--manifests` reads what `kubectl get … -o yaml` prints: a `v1` `List`.
#[test]
fn route_reads_gateway_api_yaml_as_kubectl_prints_it() {
    let built = egwc(
        &["build", "examples/path-routing.egw", "--format", "json"],
        None,
    );
    let list: serde_json::Value = serde_json::from_slice(&built.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    let yaml = serde_json::to_string(&list).unwrap(); // JSON is YAML
    let out = egwc(
        &[
            "route",
            "--manifests",
            "-",
            "--url",
            "http://shop.example.com/help",
            "--format",
            "json",
        ],
        Some(yaml.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let answers: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers[0]["rule_index"], 1);
    assert_eq!(answers[0]["backends"][0]["name"], "apps/docs");
    let out = egwc(
        &["route", "--manifests", "-", "--url", "http://x/"],
        Some(b"a: [\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not YAML"),
        "{}",
        text(&out.stderr)
    );
}

/// Hostile YAML for `route --manifests` is refused in bounded time and memory: aliases that
/// expand exponentially (a "billion laughs"), and a regular expression that backtracking
/// engines take exponential time on.
#[test]
fn route_manifests_are_read_within_bounds() {
    let mut laughs = String::from("a0: &a0 [\"lol\"]\n");
    for i in 1..40 {
        let p = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let start = std::time::Instant::now();
    let out = egwc(
        &["route", "--manifests", "-", "--url", "http://x/"],
        Some(laughs.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(start.elapsed() < std::time::Duration::from_secs(20));

    let route = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: g, namespace: n}
spec:
  gatewayClassName: x
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: n}
spec:
  parentRefs: [{name: g}]
  rules:
  - matches: [{path: {type: RegularExpression, value: "(a+)+$"}}]
"#;
    let path = format!("/{}b", "a".repeat(50_000));
    let url = format!("http://x{path}");
    let start = std::time::Instant::now();
    let out = egwc(
        &["route", "--manifests", "-", "--url", &url],
        Some(route.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

/// Every file of the examples with `test` blocks: `egwc test` passes on it, as CI runs it.
#[test]
fn the_examples_tests_pass() {
    let mut files = Vec::new();
    for dir in ["examples", "examples/proxmox", "examples/split"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let has_tests = path.extension().is_some_and(|e| e == "egw")
                && std::fs::read_to_string(&path)
                    .unwrap()
                    .lines()
                    .any(|l| l.starts_with("test "));
            if has_tests {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 10, "{files:?}");
    for f in files {
        let out = egwc(&["test", f.to_str().unwrap()], None);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}\n{stdout}{}",
            f.display(),
            text(&out.stderr)
        );
        assert!(stdout.contains(" passed, 0 failed\n"), "{stdout}");
    }
}

const FAILING: &str = "tests/cases/tests/failing.egw";

#[test]
fn a_failing_test_exits_1_with_the_failure_at_its_line() {
    let out = egwc(&["test", FAILING], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("FAIL shares (failing.egw:33)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok   shares pass (failing.egw:34)\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("7 tests: 1 passed, 6 failed\n"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("E0602 test-failed"), "{stderr}");
    assert!(
        stderr.contains("tests/cases/tests/failing.egw:33:53"),
        "{stderr}"
    );
    // `check` type-checks the tests without running them; `build` makes no objects of them.
    assert_eq!(egwc(&["check", FAILING], None).status.code(), Some(0));
    let built = egwc(&["build", FAILING], None);
    assert_eq!(built.status.code(), Some(0));
    let without_tests: String = std::fs::read_to_string(FAILING)
        .unwrap()
        .lines()
        .take_while(|l| !l.starts_with("test "))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("failing.egw");
    std::fs::write(&copy, without_tests).unwrap();
    let plain = egwc(&["build", copy.to_str().unwrap()], None);
    assert_eq!(text(&built.stdout), text(&plain.stdout));
}

#[test]
fn fail_under_fails_a_run_below_the_coverage() {
    let homelab = "examples/homelab.egw";
    let below = egwc(&["test", homelab, "--fail-under", "80"], None);
    assert_eq!(below.status.code(), Some(1));
    let stdout = text(&below.stdout);
    assert!(stdout.contains("coverage: 71.43% (5 of 7)"), "{stdout}");
    assert!(
        stdout.ends_with("coverage 71.43% is below --fail-under 80%\n"),
        "{stdout}"
    );
    let above = egwc(&["test", homelab, "--fail-under", "70%"], None);
    assert_eq!(above.status.code(), Some(0), "{}", text(&above.stdout));
    let bad = egwc(&["test", homelab, "--fail-under", "170"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("not a percentage from 0 to 100"));
    // Without --coverage, no coverage report.
    let plain = egwc(&["test", homelab], None);
    assert!(!text(&plain.stdout).contains("coverage"));
}

/// egwc.toml (docs/config.md) is read by every command from the file's directory or above,
/// not above the repository's root; `--target` wins over it and `--allow` adds to it.
#[test]
fn the_project_configuration_is_read_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let sub = repo.join("clusters/lab");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir(repo.join(".git")).unwrap();
    // Above the repository: never read.
    std::fs::write(dir.path().join("egwc.toml"), "target = \"istio\"\n").unwrap();
    std::fs::copy(GOOD, sub.join("main.egw")).unwrap();
    let main = sub.join("main.egw");
    let main = main.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = egwc(args, None);
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    // No egwc.toml in the repository: Cilium, from the class, and its notes.
    let (_, _, stderr) = run(&["check", main]);
    assert!(stderr.contains("N0513"), "{stderr}");
    assert!(
        !stderr.contains("istio"),
        "read above the repository: {stderr}"
    );

    std::fs::write(
        repo.join("egwc.toml"),
        "target = \"envoy-gateway\"\nallow = [\"N0513\"]\n",
    )
    .unwrap();
    for command in ["check", "build", "graph", "test"] {
        let (code, _, stderr) = run(&[command, main]);
        assert_eq!(code, Some(0), "{command}: {stderr}");
        assert!(!stderr.contains("N0513"), "{command}: {stderr}");
    }
    let (_, stdout, _) = run(&["build", main]);
    assert!(stdout.contains("gatewayClassName: cilium"), "{stdout}");
    // The target of egwc.toml: the class of another controller is W0516.
    let (_, _, stderr) = run(&["check", main]);
    assert!(stderr.contains("(from egwc.toml)"), "{stderr}");
    // `--target` wins: Cilium's own note is back.
    let (_, _, stderr) = run(&["check", main, "--target", "cilium"]);
    assert!(stderr.contains("N0517 node-subnet-defect"), "{stderr}");
    assert!(!stderr.contains("(from egwc.toml)"), "{stderr}");

    std::fs::write(repo.join("egwc.toml"), "allow = [\"E0100\"]\ntypo = 1\n").unwrap();
    for command in [
        &["check", main][..],
        &["build", main],
        &["fmt", "--check", main],
    ] {
        let (code, _, stderr) = run(command);
        assert_eq!(code, Some(1), "{command:?}: {stderr}");
        assert!(
            stderr.contains("E0016 invalid-config"),
            "{command:?}: {stderr}"
        );
        assert!(stderr.contains("egwc.toml:"), "{command:?}: {stderr}");
    }
}

/// `-o` is the output format, as in kubectl: `-o json` prints JSON and writes no directory
/// called `json`; the old `-o DIR` is refused with the new spelling, writing nothing.
#[test]
fn dash_o_is_the_output_format_as_in_kubectl() {
    let tmp = tempfile::tempdir().unwrap();
    let good = std::fs::canonicalize(GOOD).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_egwc"))
            .args(args)
            .current_dir(tmp.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let good = good.to_str().unwrap();
    let out = run(&["build", good, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["kind"], "List");
    let out = run(&["build", good, "--output", "yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("---\napiVersion:"));
    // The spelling of earlier versions still works.
    let out = run(&["build", good, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(files_in(tmp.path()).is_empty(), "no directory is written");

    let out = run(&["build", good, "-o", "manifests/"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("`-o` is the output format, yaml or json, as in kubectl")
            && err.contains("use `--output-dir manifests/`"),
        "{err}"
    );
    let out = run(&["import", "x.yaml", "-o", "cluster/"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`--output-dir cluster/`"));
    assert!(files_in(tmp.path()).is_empty(), "nothing is written");
}

/// A leading byte order mark is skipped, not E0001; `fmt` keeps a file's byte order mark and
/// its CRLF line endings, so that a Windows checkout passes `fmt --check`.
#[test]
fn byte_order_marks_and_crlf_line_endings_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let lf = std::fs::read_to_string(GOOD).unwrap();
    let crlf = lf.replace('\n', "\r\n");
    let cases = [
        ("bom.egw", format!("\u{feff}{lf}")),
        ("crlf.egw", crlf.clone()),
        ("both.egw", format!("\u{feff}{crlf}")),
    ];
    for (name, written) in &cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, written).unwrap();
        let path = path.to_str().unwrap();
        let out = egwc(&["check", path], None);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let out = egwc(&["fmt", "--check", path], None);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stdout));
        // Badly laid out, it is formatted in its own line endings and keeps its mark.
        std::fs::write(path, written.replacen("  ", "      ", 1)).unwrap();
        assert_eq!(egwc(&["fmt", path], None).status.code(), Some(0));
        assert_eq!(std::fs::read_to_string(path).unwrap(), *written, "{name}");
        let out = egwc(&["fmt", "-"], Some(written.as_bytes()));
        assert_eq!(text(&out.stdout), *written, "{name} through standard input");
    }
}

/// `--color` as other tools have it: `always` and `never` win; `auto` follows NO_COLOR,
/// FORCE_COLOR and CI, and otherwise colours only a terminal (the tests' stderr is a pipe).
#[test]
fn color_follows_the_flag_and_the_conventions() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_egwc"));
        command.args(["check", BAD]).args(args);
        for var in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CI"] {
            command.env_remove(var);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        out.stderr.contains(&0x1b)
    };
    assert!(!run(&[], &[]), "a pipe gets no colour");
    assert!(run(&["--color", "always"], &[]));
    assert!(run(&["--color=always"], &[("NO_COLOR", "1")]));
    assert!(!run(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    assert!(run(&[], &[("FORCE_COLOR", "1")]));
    assert!(!run(&[], &[("FORCE_COLOR", "0")]));
    assert!(run(&[], &[("CI", "true")]));
    assert!(!run(&[], &[("CI", "true"), ("NO_COLOR", "1")]));
    // Global: before the command too.
    let out = Command::new(env!("CARGO_BIN_EXE_egwc"))
        .args(["--color", "always", "check", BAD])
        .output()
        .unwrap();
    assert!(out.stderr.contains(&0x1b));
}

/// `egwc completions SHELL` prints a script the shell takes; `egwc man` a manual page;
/// `--version` the version and the commit it was built from.
#[test]
fn completions_man_page_and_version() {
    for (shell, marker) in [
        ("bash", "_egwc()"),
        ("zsh", "#compdef egwc"),
        ("fish", "complete -c egwc"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = egwc(&["completions", shell], None);
        assert_eq!(out.status.code(), Some(0));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}");
        assert!(script.contains("output-dir"), "{shell} completes the flags");
    }
    // bash takes the script and registers the completion.
    let bash = Command::new("bash")
        .args([
            "-c",
            "source <(\"$0\" completions bash) && complete -p egwc",
        ])
        .arg(env!("CARGO_BIN_EXE_egwc"))
        .output()
        .unwrap();
    assert!(
        text(&bash.stdout).contains("egwc"),
        "{}",
        text(&bash.stderr)
    );

    let out = egwc(&["man"], None);
    assert_eq!(out.status.code(), Some(0));
    let page = text(&out.stdout);
    assert!(
        page.contains(".TH egwc 1") && page.contains("build"),
        "{page}"
    );

    let out = egwc(&["--version"], None);
    let version = text(&out.stdout);
    let expected = format!("egwc {}", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected), "{version}");
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success());
    if let Some(head) = head {
        assert_eq!(
            version.trim(),
            format!("{expected} ({})", text(&head.stdout).trim()),
            "built from this checkout"
        );
    }
}

/// Several independent configurations in one call: `--each` checks every file as a build of
/// its own (the README's `egwc check --each examples/*.egw`), where one build of them all
/// finds every name defined many times.
#[test]
fn check_each_file_as_its_own_build() {
    let mut examples: Vec<String> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "egw"))
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    examples.sort();
    let args = |first: &[&'static str]| {
        let mut a: Vec<&str> = first.to_vec();
        a.extend(examples.iter().map(String::as_str));
        a
    };
    let together = egwc(&args(&["check"]), None);
    assert_eq!(
        together.status.code(),
        Some(1),
        "one build: names defined twice"
    );
    assert!(text(&together.stderr).contains("E0103"));
    let each = egwc(&args(&["check", "--each"]), None);
    assert_eq!(each.status.code(), Some(0), "{}", text(&each.stderr));
    // One JSON document for them all; an error in one file fails the run.
    let mut with_bad = args(&["check", "--each", "--format", "json"]);
    with_bad.push(BAD);
    let out = egwc(&with_bad, None);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: std::collections::BTreeSet<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(BAD) && files.len() > 1, "{files:?}");
}

/// The README's tour is `examples/homelab.egw` as it ships, and its sample error is what
/// `egwc check` prints for the tour with `apii` written for `api`.
#[test]
fn the_readme_shows_what_egwc_ships_and_prints() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let block = |opening: &str, after: &str| {
        let from = readme.find(after).expect(after) + after.len();
        let start = readme[from..].find(opening).unwrap() + from + opening.len();
        let end = readme[start..].find("```\n").unwrap() + start;
        readme[start..end].to_string()
    };
    let homelab = std::fs::read_to_string("examples/homelab.egw").unwrap();
    assert_eq!(block("```egw\n", "## A short tour"), homelab);

    let tmp = tempfile::tempdir().unwrap();
    let typo = homelab.replace("-> api 90,", "-> apii 90,");
    assert_ne!(typo, homelab);
    std::fs::write(tmp.path().join("cluster.egw"), typo).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_egwc"))
        .args(["check", "cluster.egw"])
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        block("```text\n", "A mistake is reported where you made it"),
        text(&out.stderr)
    );
}

/// Every command of the README's usage and formatting blocks runs as shown (exit 0), in a
/// directory with the examples, a `cluster.egw` (the tour) and a `values.yaml` (the chart's);
/// those that pipe into kubectl are left out.
#[test]
fn the_readme_commands_work_as_shown() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let copy = |from: &Path, to: &Path| {
        for entry in ignore::WalkBuilder::new(from).build() {
            let entry = entry.unwrap();
            let target = to.join(entry.path().strip_prefix(from).unwrap());
            if entry.path().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    };
    copy(Path::new("examples"), &tmp.path().join("examples"));
    std::fs::copy("examples/homelab.egw", tmp.path().join("cluster.egw")).unwrap();
    std::fs::copy(
        "tests/import/chart/proxmox.yaml",
        tmp.path().join("values.yaml"),
    )
    .unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(home.join(".local/share/bash-completion/completions")).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_egwc")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut ran = 0;
    for block in readme.split("```sh\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        for line in block.lines().filter(|l| l.starts_with("egwc ")) {
            let command = line.split(" # ").next().unwrap().trim();
            if command.contains('|') {
                continue;
            }
            let out = Command::new("sh")
                .args(["-c", command])
                .current_dir(tmp.path())
                .env("PATH", &path)
                .env("HOME", &home)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{command}\n{}",
                text(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 15, "{ran} commands");
}
