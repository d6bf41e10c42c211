//! Helpers shared by the integration tests.

// Each test binary includes this module and uses some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use egwc::emit::Manifest;
use egwc::load::Input;
use egwc::target::{Controller, Target};

/// The `.egw` files under `dir`, sorted, skipping imported helpers (names starting with `_`)
/// and, in a directory with a `main.egw`, every file but that one.
pub fn egw_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let has_main = dir.join("main.egw").exists();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            egw_files(&path, out);
        } else if name.ends_with(".egw")
            && !name.starts_with('_')
            && (!has_main || name == "main.egw")
        {
            out.push(path);
        }
    }
}

/// Every `.egw` file under `dir`, imported helpers included (`node_modules` skipped), sorted.
pub fn all_egw_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("node_modules") {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "egw") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// Every compilable input: the examples and the golden cases that produce manifests, and the
/// Proxmox, external-API, SSH-and-DNS, TLS-passthrough and gRPC examples compiled for every
/// target.
pub fn all_outputs() -> Vec<(String, Vec<Manifest>)> {
    let mut inputs = Vec::new();
    egw_files(Path::new("examples"), &mut inputs);
    egw_files(Path::new("tests/cases"), &mut inputs);
    let mut runs: Vec<(String, PathBuf, egwc::Options)> = inputs
        .into_iter()
        .map(|p| (p.display().to_string(), p, egwc::Options::default()))
        .collect();
    for example in [
        "examples/proxmox/main.egw",
        "examples/external-api.egw",
        "examples/ssh-and-dns.egw",
        "examples/tls-passthrough.egw",
        "examples/grpc.egw",
    ] {
        for controller in Controller::all() {
            runs.push((
                format!("{example} --target {}", controller.name()),
                PathBuf::from(example),
                egwc::Options {
                    target: Some(Target::latest(controller)),
                    ..egwc::Options::default()
                },
            ));
        }
    }
    runs.into_iter()
        .filter_map(|(name, p, options)| {
            let c = egwc::compile(&[Input::Path(p)], &options).unwrap();
            c.manifests.map(|m| (name, m))
        })
        .collect()
}

/// Whether the API server tier runs: `KUBECONFIG` is set (`.ci/run` starts a server). Without
/// it the tier is skipped, with a line saying so, unless `EGWC_REQUIRE_K8S` says it must run.
pub fn api_server_tier() -> bool {
    if std::env::var_os("KUBECONFIG").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("EGWC_REQUIRE_K8S").is_none(),
        "EGWC_REQUIRE_K8S is set but KUBECONFIG is not"
    );
    eprintln!("SKIPPED: set KUBECONFIG to run the API server tier (see README, `.ci/run`)");
    false
}
