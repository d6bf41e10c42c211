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

#[test]
fn every_conformance_request_gets_the_answer_the_spec_gives() {
    let base = std::fs::read_to_string(Path::new(UPSTREAM).join("base-manifests.yaml")).unwrap();
    let mut base_objects = Objects::default();
    base_objects.add_yaml(&base).unwrap();
    let cases = std::fs::read_to_string("tests/conformance/requests.txt").unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split(" | ").map(str::trim).collect();
        let [test, gateway, host, method, path, headers, query, expected] = f[..] else {
            panic!("a line has eight fields: {line}");
        };
        let mut objects = base_objects.clone();
        let manifests = Path::new(UPSTREAM).join(format!("tests/{test}.yaml"));
        objects
            .add_yaml(&std::fs::read_to_string(manifests).unwrap())
            .unwrap();
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
        let answers = resolve(&objects, &request);
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
    assert!(count >= 161, "only {count} requests were checked");
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
