//! The project's boundaries against a hostile repository: imports and CA files stay inside
//! the project's root however the root is named and whatever links it holds, only regular
//! files of bounded size are read, a private key never reaches a ConfigMap, and the output
//! does not depend on where egwc was run from. Each test runs the binary in a new project.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const SERVICE: &str = "namespace \"edge\"\ngateway edge { class \"envoy\" listener http { port 80 protocol HTTP } }\nroute r { on edge.http rule { -> api } }\n";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

/// Runs egwc in `dir`, killed after 20 s (a FIFO must not block it).
fn egwc_in(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_egwc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("egwc {args:?} did not finish in 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temporary directory holding `project/` (returned second) and a file outside it.
fn project(main: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("project");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("main.egw"), main).unwrap();
    std::fs::write(
        tmp.path().join("outside.egw"),
        "service api { endpoint \"10.0.0.1:80\" }\n// SECRET-OUTSIDE\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("secret.pem"), format!("{CERT}// SECRET\n")).unwrap();
    (tmp, dir)
}

fn https_service(ca: &str) -> String {
    format!(
        "{SERVICE}service api {{\n  endpoint \"10.0.0.1:443\"\n  protocol HTTPS\n  tls {{ hostname \"api.example.com\" ca file \"{ca}\" }}\n}}\n"
    )
}

#[test]
fn a_bare_root_file_name_keeps_its_directory_as_the_root() {
    let (_tmp, dir) = project(&format!("import \"../outside.egw\"\n{SERVICE}"));
    for root in ["main.egw", "./main.egw"] {
        let out = egwc_in(&dir, &["build", root]);
        assert_eq!(out.status.code(), Some(1), "{root}: {}", stderr(&out));
        assert!(stderr(&out).contains("E0011"), "{root}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
    // Deep `..` never reads a file outside, nor prints its lines.
    std::fs::write(
        dir.join("main.egw"),
        "import \"../../../../../../../etc/passwd\"\n",
    )
    .unwrap();
    let out = egwc_in(&dir, &["check", "main.egw"]);
    assert!(stderr(&out).contains("E0011"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("root:"), "{}", stderr(&out));
    // A CA file above the root is refused too.
    std::fs::write(dir.join("main.egw"), https_service("../secret.pem")).unwrap();
    let out = egwc_in(&dir, &["build", "main.egw"]);
    assert!(stderr(&out).contains("E0011"), "{}", stderr(&out));
    assert!(!stdout(&out).contains("SECRET"));
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_root_is_refused_and_named() {
    use std::os::unix::fs::symlink;
    let (tmp, dir) = project(&format!("import \"./up/outside.egw\"\n{SERVICE}"));
    symlink("..", dir.join("up")).unwrap();
    let out = egwc_in(&dir, &["build", "main.egw"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`up` is a symbolic link to `..`"),
        "{}",
        stderr(&out)
    );
    // A link to a file, and a CA file through a directory link.
    symlink(tmp.path().join("outside.egw"), dir.join("linked.egw")).unwrap();
    std::fs::write(
        dir.join("main.egw"),
        format!("import \"linked.egw\"\n{SERVICE}"),
    )
    .unwrap();
    let out = egwc_in(&dir, &["build", "main.egw"]);
    assert!(
        stderr(&out).contains("`linked.egw` is a symbolic link"),
        "{}",
        stderr(&out)
    );
    symlink(tmp.path(), dir.join("etc")).unwrap();
    std::fs::write(dir.join("main.egw"), https_service("etc/secret.pem")).unwrap();
    let out = egwc_in(&dir, &["build", "main.egw"]);
    assert!(stderr(&out).contains("E0011"), "{}", stderr(&out));
    assert!(stderr(&out).contains("`etc` is a symbolic link"));
    assert!(stdout(&out).is_empty());
    // A link that stays inside the project is followed.
    std::fs::create_dir(dir.join("shared")).unwrap();
    std::fs::write(
        dir.join("shared/api.egw"),
        "service api { endpoint \"10.0.0.1:80\" }\n",
    )
    .unwrap();
    symlink("shared", dir.join("common")).unwrap();
    std::fs::write(
        dir.join("main.egw"),
        format!("import \"common/api.egw\"\n{SERVICE}"),
    )
    .unwrap();
    let out = egwc_in(&dir, &["build", "main.egw"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_ca_file_with_a_private_key_is_refused_and_only_certificates_are_copied() {
    let (_tmp, dir) = project(&https_service("combined.pem"));
    let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
    std::fs::write(dir.join("combined.pem"), format!("{CERT}{key}")).unwrap();
    let out = egwc_in(&dir, &["build", "main.egw"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("E0218 private-key-in-ca-file"), "{err}");
    assert!(
        err.contains("`-----BEGIN RSA PRIVATE KEY-----`, line 4"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());

    std::fs::write(
        dir.join("combined.pem"),
        format!("Bag Attributes: friendlyName x\n{CERT}"),
    )
    .unwrap();
    let out = egwc_in(&dir, &["build", "main.egw"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("MIIBszCCAVmgAwIBAgIU"));
    assert!(!stdout(&out).contains("Bag Attributes"));
}

#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let (_tmp, dir) = project(&format!("import \"pipe.egw\"\n{SERVICE}"));
    let fifo = dir.join("pipe.egw");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = egwc_in(&dir, &["check", "main.egw"]);
    assert!(
        stderr(&out).contains("it is a FIFO, not a regular file"),
        "{}",
        stderr(&out)
    );

    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.pem")).unwrap();
    std::fs::write(dir.join("main.egw"), https_service("zero.pem")).unwrap();
    let out = egwc_in(&dir, &["check", "main.egw"]);
    // `/dev/zero` is outside the project, and not a regular file either way.
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("E0011"), "{}", stderr(&out));

    // A root file given by its user may be a pipe (`<(…)`), read up to the limit.
    std::fs::write(
        dir.join("main.egw"),
        format!("{SERVICE}service api {{ endpoint \"10.0.0.1:80\" }}\n"),
    )
    .unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{} check <(cat main.egw)",
            env!("CARGO_BIN_EXE_egwc")
        ))
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_large_ca_file_is_refused() {
    let (_tmp, dir) = project(&https_service("big.pem"));
    let big = CERT.repeat((2 << 20) / CERT.len());
    std::fs::write(dir.join("big.pem"), big).unwrap();
    let out = egwc_in(&dir, &["check", "main.egw"]);
    assert!(
        stderr(&out).contains("it is larger than 1 MiB"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn imports_nested_too_deep_are_one_clear_error() {
    let (_tmp, dir) = project(&format!("import \"f1.egw\"\n{SERVICE}"));
    for i in 1..=100 {
        std::fs::write(
            dir.join(format!("f{i}.egw")),
            format!("import \"f{}.egw\"\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("f101.egw"),
        "service api { endpoint \"10.0.0.1:80\" }\n",
    )
    .unwrap();
    let out = egwc_in(&dir, &["check", "main.egw"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("E0015 imports-too-deep"), "{err}");
    assert!(err.contains("f63.egw"), "{err}");
    assert!(!err.contains("E0001"), "{err}");
}

#[test]
fn the_source_annotation_is_relative_to_the_project_root() {
    let (tmp, dir) = project(&format!("import \"services/api.egw\"\n{SERVICE}"));
    std::fs::create_dir(dir.join("services")).unwrap();
    std::fs::write(
        dir.join("services/api.egw"),
        "service api { endpoint \"10.0.0.1:80\" }\n",
    )
    .unwrap();
    let absolute = dir.join("main.egw").display().to_string();
    let runs = [
        egwc_in(&dir, &["build", "main.egw"]),
        egwc_in(&dir, &["build", "./main.egw"]),
        egwc_in(tmp.path(), &["build", "project/main.egw"]),
        egwc_in(tmp.path(), &["build", &absolute]),
    ];
    let first = stdout(&runs[0]);
    assert!(first.contains("egwc/source: main.egw:3"), "{first}");
    assert!(first.contains("egwc/source: services/api.egw:1"), "{first}");
    for run in &runs {
        assert_eq!(run.status.code(), Some(0), "{}", stderr(run));
        assert_eq!(stdout(run), first);
    }
}

/// A CA file open in an editor is read as the editor holds it, like an `.egw` file, and its
/// unsaved text is capped and checked like the disk's.
#[test]
fn a_ca_file_is_read_as_the_editor_holds_it() {
    use egwc::emit::{Format, to_stream};
    use egwc::load::Input;
    let (_tmp, dir) = project(&https_service("ca.pem"));
    std::fs::write(dir.join("ca.pem"), CERT).unwrap();
    let ca = std::path::absolute(dir.join("ca.pem")).unwrap();
    let main = dir.join("main.egw");
    let unsaved = CERT.replace("MIIBszCCAVmgAwIBAgIU", "MIIBEDITEDINTHEEDITOR");
    let compile = |text: &str| {
        let options = egwc::Options {
            edited: [(ca.clone(), text.to_string())].into(),
            ..egwc::Options::default()
        };
        egwc::compile(&[Input::Path(main.clone())], &options).unwrap()
    };
    let built = compile(&unsaved);
    let yaml = to_stream(built.manifests.as_ref().unwrap(), Format::Yaml);
    assert!(yaml.contains("MIIBEDITEDINTHEEDITOR"), "{yaml}");
    assert!(!yaml.contains("MIIBszCCAVmgAwIBAgIU"), "{yaml}");

    let key = format!("{CERT}-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
    let refused = compile(&key);
    assert!(refused.manifests.is_none());
    assert!(
        refused
            .diagnostics
            .iter()
            .any(|d| d.code.info().code == "E0218")
    );
}
