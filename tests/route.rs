//! The matcher (`egwc::route`) on egwc's own output: requests against compiled examples get
//! the rule and the shares the Gateway API's precedence gives (issue 14, in progress).

use egwc::emit::Manifest;
use egwc::load::Input;
use egwc::route::{Outcome, Request, resolve};
use gateway_api::gateways::Gateway;
use gateway_api::httproutes::HttpRoute;

fn objects(path: &str) -> (Vec<Gateway>, Vec<HttpRoute>) {
    let c = egwc::compile(&[Input::Path(path.into())], &egwc::Options::default()).unwrap();
    let (mut gateways, mut routes) = (Vec::new(), Vec::new());
    for m in c.manifests.unwrap() {
        match m {
            Manifest::Gateway(g) => gateways.push(*g),
            Manifest::HttpRoute(r) => routes.push(*r),
            _ => {}
        }
    }
    (gateways, routes)
}

fn get(host: &str, path: &str) -> Request {
    Request {
        host: host.into(),
        port: 80,
        path: path.into(),
        method: "GET".into(),
        ..Request::default()
    }
}

fn forwarded(outcome: &Outcome) -> (usize, Vec<(String, f64)>) {
    match outcome {
        Outcome::Forward { rule, backends, .. } => (*rule, backends.clone()),
        other => panic!("not forwarded: {other:?}"),
    }
}

#[test]
fn the_longest_prefix_and_exact_paths_win_and_the_rest_falls_to_the_catch_all() {
    let (gateways, routes) = objects("examples/path-routing.egw");
    let rule = |path: &str| {
        let answers = resolve(&gateways, &routes, &get("shop.example.com", path));
        assert_eq!(answers.len(), 1);
        forwarded(&answers[0].outcome).0
    };
    assert_eq!(rule("/api/users"), 0);
    assert_eq!(rule("/api"), 0);
    assert_eq!(rule("/apis"), 2, "a prefix matches whole path elements");
    assert_eq!(rule("/docs/x"), 1);
    assert_eq!(rule("/help"), 1);
    assert_eq!(rule("/help/me"), 2, "`= \"/help\"` is exact");
    assert_eq!(rule("/"), 2);
}

#[test]
fn other_hosts_get_404_and_weights_become_shares() {
    let (gateways, routes) = objects("examples/weighted-canary.egw");
    let answers = resolve(&gateways, &routes, &get("elsewhere.example.com", "/"));
    assert_eq!(answers[0].outcome, Outcome::NotFound);
    let answers = resolve(&gateways, &routes, &get("checkout.example.com", "/cart"));
    let (_, backends) = forwarded(&answers[0].outcome);
    let v1: f64 = backends
        .iter()
        .filter(|(n, _)| n.starts_with("apps/v1"))
        .map(|(_, s)| s)
        .sum();
    assert!((v1 - 0.9).abs() < 1e-9, "{backends:?}");
    let https = Request {
        https: true,
        port: 443,
        ..get("checkout.example.com", "/")
    };
    assert!(
        resolve(&gateways, &routes, &https).is_empty(),
        "no listener on 443"
    );
}

#[test]
fn header_and_query_matches_beat_the_catch_all() {
    let (gateways, routes) = objects("examples/header-routing.egw");
    let rule = |request: Request| forwarded(&resolve(&gateways, &routes, &request)[0].outcome).0;
    let beta = Request {
        headers: vec![("X-Channel".into(), "beta".into())],
        ..get("app.example.com", "/")
    };
    assert_eq!(rule(beta), 0, "header names are case-insensitive");
    let query = Request {
        query: vec![("beta".into(), "1".into())],
        ..get("app.example.com", "/")
    };
    assert_eq!(rule(query), 0);
    let other = Request {
        headers: vec![("x-channel".into(), "stable".into())],
        ..get("app.example.com", "/")
    };
    assert_eq!(rule(other), 2);
}
