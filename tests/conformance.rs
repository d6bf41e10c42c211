//! `egwc::route` against the Gateway API's own conformance tests: every request of
//! `tests/conformance/requests.txt` (transcribed from the upstream tests' tables), on the
//! upstream objects (copied, with their license, into `tests/conformance/upstream/` from
//! Gateway API v1.6.1), gets the answer the spec gives.

use std::path::Path;

use egwc::route::{Objects, Request, resolve};

const UPSTREAM: &str = "tests/conformance/upstream";

fn pairs(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Runs every request of requests.txt on the objects `objects_for` gives for its test (the
/// base manifests and the test's), and returns how many were checked and the failures. A
/// test for which it gives `None` is skipped.
fn run_requests(objects_for: &dyn Fn(&str) -> Option<Objects>) -> (usize, Vec<String>) {
    let cases = std::fs::read_to_string("tests/conformance/requests.txt").unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut cache: Vec<(String, Option<Objects>)> = Vec::new();
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split(" | ").map(str::trim).collect();
        let [test, gateway, host, method, path, headers, query, expected] = f[..] else {
            panic!("a line has eight fields: {line}");
        };
        if !cache.iter().any(|(t, _)| t == test) {
            cache.push((test.to_string(), objects_for(test)));
        }
        let Some(objects) = cache
            .iter()
            .find(|(t, _)| t == test)
            .and_then(|(_, o)| o.as_ref())
        else {
            continue;
        };
        // `scheme://host:port`, or a host over http on port 80.
        let (https, host, port) = match host.split_once("://") {
            Some((scheme, rest)) => {
                let https = scheme == "https";
                let (h, p) = rest.split_once(':').unwrap_or((rest, ""));
                let default = if https { 443 } else { 80 };
                (https, h, p.parse().unwrap_or(default))
            }
            // A Host header's port is not matched.
            None => (false, host.split(':').next().unwrap_or_default(), 80),
        };
        let request = Request {
            https,
            // The suite sends requests to the Gateway's address when no host is given.
            host: if host.is_empty() { "192.0.2.1" } else { host }.to_string(),
            port,
            path: path.to_string(),
            method: method.to_string(),
            headers: pairs(headers),
            query: pairs(query),
            query_string: None,
        };
        let gateway = format!("gateway-conformance-infra/{gateway}");
        let answers = resolve(objects, &request);
        let Some(a) = answers.iter().find(|a| a.gateway == gateway) else {
            failures.push(format!("{line}\n    no answer from {gateway}"));
            continue;
        };
        let got = match (a.status, &a.redirect) {
            (_, Some(r)) => format!("redirect {} {}", r.status, r.location),
            (200, None) if expected.starts_with("shares ") => {
                let shares: Vec<String> = a
                    .backends
                    .iter()
                    .map(|b| {
                        let name = b.name.rsplit('/').next().unwrap_or_default();
                        format!("{name}={}", b.share)
                    })
                    .collect();
                format!("shares {}", shares.join(";"))
            }
            (200, None) => {
                let mut got = a
                    .backends
                    .iter()
                    .find(|b| b.invalid.is_none())
                    .map_or("200".to_string(), |b| b.name.clone());
                // What the backend receives, when the test says.
                let received = a.backend_request.as_ref().unwrap();
                if expected.contains(" host=") {
                    got.push_str(&format!(" host={}", received.host));
                }
                if expected.contains(" path=") {
                    got.push_str(&format!(" path={}", received.path));
                }
                got
            }
            (status, None) => status.to_string(),
        };
        if got != expected {
            failures.push(format!("{line}\n    got {got}"));
        }
        count += 1;
    }
    (count, failures)
}

/// The base manifests and a test's manifests, as YAML.
fn upstream(test: &str) -> (String, String) {
    let base = std::fs::read_to_string(Path::new(UPSTREAM).join("base-manifests.yaml")).unwrap();
    let manifests = Path::new(UPSTREAM).join(format!("tests/{test}.yaml"));
    (base, std::fs::read_to_string(manifests).unwrap())
}

#[test]
fn every_conformance_request_gets_the_answer_the_spec_gives() {
    let (count, failures) = run_requests(&|test| {
        let (base, manifests) = upstream(test);
        let mut objects = Objects::default();
        objects.add_yaml(&base).unwrap();
        objects.add_yaml(&manifests).unwrap();
        Some(objects)
    });
    assert!(count >= 161, "only {count} requests were checked");
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The conformance tests whose routing `.egw` cannot express, and why: egwc writes the
/// ReferenceGrants its references need and refuses references to what it does not define,
/// so a test of a missing or invalid reference has no `.egw` form.
const NOT_EXPRESSIBLE: &[(&str, &str)] = &[
    (
        "httproute-invalid-backendref-unknown-kind",
        "a backend of an unknown kind",
    ),
    (
        "httproute-invalid-cross-namespace-backend-ref",
        "egwc writes the grant",
    ),
    (
        "httproute-invalid-nonexistent-backendref",
        "a backend that does not exist",
    ),
    ("httproute-invalid-reference-grant", "egwc writes the grant"),
    (
        "httproute-cross-namespace",
        "a listener that takes routes from namespaces a label selector picks: egwc takes them \
from its own namespace or from all, and an import does not widen it",
    ),
    (
        "httproute-hostname-intersection",
        "hostnames that intersect no listener: egwc refuses them, as they never match (E0304)",
    ),
    (
        "httproute-partially-invalid-via-invalid-reference-grant",
        "egwc writes the grant",
    ),
];

/// The base manifests with each Service that selects Pods made a service outside the
/// cluster (selectorless, one address in an EndpointSlice), as egwc describes them.
fn external_backends(base: &str) -> String {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple_with_options(base, options).unwrap();
    let mut out = Vec::new();
    for (i, mut doc) in docs.into_iter().enumerate() {
        if doc["kind"] == "Service" && doc["spec"]["selector"].is_object() {
            doc["spec"].as_object_mut().unwrap().remove("selector");
            let port = doc["spec"]["ports"][0].clone();
            let slice = serde_json::json!({
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "name": format!("{}-ipv4", doc["metadata"]["name"].as_str().unwrap()),
                    "namespace": doc["metadata"]["namespace"],
                    "labels": {"kubernetes.io/service-name": doc["metadata"]["name"]},
                },
                "addressType": "IPv4",
                "endpoints": [{"addresses": [format!("10.99.0.{}", i + 1)]}],
                "ports": [{"name": port["name"], "port": port["targetPort"]}],
            });
            out.push(slice);
        }
        out.push(doc);
    }
    out.iter()
        .map(|d| format!("---\n{d}\n"))
        .collect::<String>()
}

/// The round trip on the Gateway API's own tests: each test's objects (with its backends
/// outside the cluster) imported, built again, and asked every request of the test: the
/// answers are the spec's.
#[test]
fn the_import_of_every_expressible_conformance_test_routes_as_the_spec_says() {
    let generic: egwc::target::Target = "generic".parse().unwrap();
    let (count, failures) = run_requests(&|test| {
        if NOT_EXPRESSIBLE.iter().any(|(t, _)| *t == test) {
            return None;
        }
        let (base, manifests) = upstream(test);
        let yaml = format!("{}---\n{manifests}", external_backends(&base));
        let imported = egwc::import::import(
            &[egwc::import::Input {
                name: format!("{test}.yaml"),
                text: yaml,
            }],
            Some(egwc::import::Source::Manifests),
            false,
        )
        .unwrap();
        let options = egwc::Options {
            target: Some(generic),
            ..egwc::Options::default()
        };
        let c = egwc::compile(
            &[egwc::load::Input::Stdin(imported.egw.clone().into_bytes())],
            &options,
        )
        .unwrap();
        let Some(manifests) = c.manifests else {
            let errors: Vec<String> = c
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.message.clone())
                .collect();
            panic!(
                "{test}: the import does not build: {errors:?}\n{}",
                imported.egw
            );
        };
        Some(Objects::from_manifests(manifests))
    });
    assert!(count >= 120, "only {count} requests were checked");
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
