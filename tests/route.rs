//! The matcher (`egwc::route`) on egwc's own output: requests against compiled examples get
//! the rule and the shares the Gateway API's precedence gives; with `Origins`, the answer
//! names the `.egw` services and rules.

use egwc::load::Input;
use egwc::route::{Answer, Objects, Request, resolve};

fn objects(path: &str) -> Objects {
    let c = egwc::compile(&[Input::Path(path.into())], &egwc::Options::default()).unwrap();
    Objects::from_manifests(c.manifests.unwrap())
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

fn forwarded(a: &Answer) -> (usize, Vec<(String, f64)>) {
    assert_eq!(a.status, 200, "{a:?}");
    let backends = a
        .backends
        .iter()
        .map(|b| (b.name.clone(), b.share))
        .collect();
    (a.rule_index.unwrap(), backends)
}

#[test]
fn the_longest_prefix_and_exact_paths_win_and_the_rest_falls_to_the_catch_all() {
    let o = objects("examples/path-routing.egw");
    let rule = |path: &str| {
        let answers = resolve(&o, &get("shop.example.com", path));
        assert_eq!(answers.len(), 1);
        forwarded(&answers[0]).0
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
    let o = objects("examples/weighted-canary.egw");
    let answers = resolve(&o, &get("elsewhere.example.com", "/"));
    assert_eq!(answers[0].status, 404);
    let answers = resolve(&o, &get("checkout.example.com", "/cart"));
    let (_, backends) = forwarded(&answers[0]);
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
    assert!(resolve(&o, &https).is_empty(), "no listener on 443");
}

#[test]
fn header_and_query_matches_beat_the_catch_all() {
    let o = objects("examples/header-routing.egw");
    let rule = |request: Request| forwarded(&resolve(&o, &request)[0]).0;
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
    // `~` is a regular expression over the whole value.
    let bot = Request {
        headers: vec![(
            "User-Agent".into(),
            "Mozilla/5.0 (compatible; Googlebot/2.1)".into(),
        )],
        ..get("app.example.com", "/")
    };
    assert_eq!(rule(bot), 1);
    let o = objects("tests/cases/valid/all-filters.egw");
    let canary = |v: &str, canary: &str| Request {
        query: vec![("v".into(), v.into())],
        headers: vec![("x-canary".into(), canary.into())],
        ..get("api.example.com", "/")
    };
    assert_eq!(resolve(&o, &canary("2", "yes"))[0].rule_index, Some(2));
    assert_eq!(
        resolve(&o, &canary("2a", "yes"))[0].status,
        404,
        "`^[0-9]+$`"
    );
    assert_eq!(
        resolve(&o, &canary("2", "yesno"))[0].status,
        404,
        "`true|yes`, whole"
    );
}

#[test]
fn rewrites_shape_the_backend_request_and_redirects_answer_with_a_location() {
    let o = objects("examples/path-routing.egw");
    let a = &resolve(&o, &get("shop.example.com", "/api/users"))[0];
    let request = a.backend_request.as_ref().unwrap();
    assert_eq!(
        request.path, "/users",
        "`rewrite path prefix \"/\"` on `/api`"
    );
    assert_eq!(
        a.source.as_deref(),
        Some("path-routing.egw:13"),
        "the route's line"
    );

    let o = objects("tests/cases/valid/all-filters.egw");
    let a = &resolve(&o, &get("api.example.com", "/old"))[0];
    let redirect = a.redirect.as_ref().unwrap();
    assert_eq!(a.status, 308);
    assert_eq!(redirect.location, "https://new.example.com:8443/new");
    let post = Request {
        method: "POST".into(),
        headers: vec![("x-debug".into(), "1".into())],
        ..get("api.example.com", "/v1/x")
    };
    let a = &resolve(&o, &post)[0];
    let request = a.backend_request.as_ref().unwrap();
    assert_eq!(request.host, "api.example.com");
    assert_eq!(request.path, "/api/v1/x");
    assert_eq!(
        request
            .headers
            .get("x-forwarded-prefix")
            .map(String::as_str),
        Some("/v1")
    );
    assert_eq!(request.removed_headers, ["x-debug"]);
    assert!(!request.headers.contains_key("x-debug"));
}

#[test]
fn a_backend_in_another_namespace_needs_its_reference_grant_or_answers_500() {
    let mut o = objects("tests/cases/valid/cross-namespace.egw");
    let https = Request {
        https: true,
        port: 443,
        ..get("api.example.com", "/")
    };
    let a = &resolve(&o, &https)[0];
    assert_eq!((a.gateway.as_str(), a.status), ("infra/edge", 200));
    assert!(a.backends.iter().all(|b| b.invalid.is_none()), "{a:?}");

    // Without egwc's ReferenceGrant, `backends/api` is invalid: its half answers 500.
    o.grants
        .retain(|g| g.metadata.namespace.as_deref() != Some("backends"));
    let a = &resolve(&o, &https)[0];
    let api = a
        .backends
        .iter()
        .find(|b| b.name == "backends/api")
        .unwrap();
    assert!(
        api.invalid.as_deref().unwrap().contains("ReferenceGrant"),
        "{api:?}"
    );
    assert_eq!(a.status, 200, "`apps/web` still takes its half");

    // Without any Service, the rule has no valid backend: 500.
    o.services.clear();
    assert_eq!(resolve(&o, &https)[0].status, 500);
    // A host the wildcard listener does not take: 404 from no listener.
    let other = Request {
        host: "example.org".into(),
        ..https.clone()
    };
    let a = &resolve(&o, &other)[0];
    assert_eq!((a.status, a.listener.as_deref()), (404, None));
}

#[test]
fn a_404_names_the_nearest_misses_and_why() {
    let o = objects("tests/cases/valid/all-filters.egw");
    let a = &resolve(&o, &get("api.example.com", "/v1/x"))[0];
    assert_eq!(a.status, 404);
    let reasons: Vec<&str> = a.misses.iter().map(|m| m.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "headers: the rule wants `x-canary: true|yes`",
            "method GET is not POST",
            "path `/v1/x` is not exactly `/old`",
        ],
        "the nearest first: rule 2 got past its path, rule 0 past its path too"
    );
    let o = objects("examples/weighted-canary.egw");
    let a = &resolve(&o, &get("shop.example.com", "/"))[0];
    assert_eq!(a.misses[0].rule_index, None);
    assert!(a.misses[0].reason.contains("checkout.example.com"));
}

/// Mirrors and response header edits are in the answer; with the model's origins, the
/// objects of a balanced service are one service, and the source is the rule's line.
#[test]
fn mirrors_response_headers_and_origins() {
    let o = objects("tests/cases/valid/all-filters.egw");
    let post = Request {
        method: "POST".into(),
        ..get("api.example.com", "/v1/x")
    };
    let a = &resolve(&o, &post)[0];
    let mirrors: Vec<(&str, f64)> = a
        .mirrors
        .iter()
        .map(|m| (m.name.as_str(), m.share))
        .collect();
    assert_eq!(mirrors, [("default/shadow", 0.1)]);
    let response = a.response_headers.as_ref().unwrap();
    assert_eq!(response.set[0].0, "strict-transport-security");

    let path = "tests/cases/targets/mirror-balanced.egw";
    let (c, model) =
        egwc::compile_with_model(&[Input::Path(path.into())], &egwc::Options::default()).unwrap();
    let objects = Objects::from_manifests(c.manifests.clone().unwrap());
    let mut answers = resolve(&objects, &get("app.example.com", "/"));
    assert_eq!(answers[0].mirrors.len(), 3, "one per object of `replay`");
    egwc::route::Origins::new(&model.unwrap(), &c.sources).apply(&mut answers);
    let a = &answers[0];
    assert_eq!(a.mirrors.len(), 1);
    assert_eq!(a.mirrors[0].name, "default/replay");
    assert!((a.mirrors[0].share - 1.0).abs() < 1e-9);
    assert_eq!(a.source.as_deref(), Some("mirror-balanced.egw:18"));
}

/// A balanced service is one backend with its per-endpoint split below it.
#[test]
fn a_balanced_service_is_one_backend_with_its_endpoints() {
    let path = "examples/weighted-canary.egw";
    let (c, model) =
        egwc::compile_with_model(&[Input::Path(path.into())], &egwc::Options::default()).unwrap();
    let objects = Objects::from_manifests(c.manifests.clone().unwrap());
    let mut answers = resolve(&objects, &get("checkout.example.com", "/"));
    assert_eq!(answers[0].backends.len(), 3);
    egwc::route::Origins::new(&model.unwrap(), &c.sources).apply(&mut answers);
    let b = &answers[0].backends;
    assert_eq!(b.len(), 2);
    assert_eq!((b[0].name.as_str(), b[0].endpoints.len()), ("apps/v1", 2));
    assert!((b[0].share - 0.9).abs() < 1e-9);
    assert_eq!(b[0].endpoints[1].address, "10.0.40.12:8080");
    assert!((b[0].endpoints[1].share - 0.45).abs() < 1e-9);
    assert!(b[1].endpoints.is_empty(), "one object: no split to show");
}

/// Routes of the other kinds are kept, from egwc's objects and from YAML, for `egwc graph`;
/// requests are not matched against them.
#[test]
fn other_route_kinds_are_kept_for_the_graph() {
    let o = objects("examples/grpc.egw");
    assert_eq!(o.other_routes.len(), 1);
    assert_eq!(o.other_routes[0].kind.kind(), "GRPCRoute");
    assert_eq!(
        o.other_routes[0].rule_matches[1], "helloworld.Greeter/*",
        "the service matched, any method"
    );
    let mut yaml = Objects::default();
    yaml.add_yaml(
        "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata:\n  name: ssh\n  \
namespace: infra\nspec:\n  parentRefs:\n  - name: edge\n  rules:\n  - backendRefs:\n    - name: \
bastion\n      port: 22\n",
    )
    .unwrap();
    assert_eq!(yaml.other_routes[0].kind.kind(), "TCPRoute");
    assert!(yaml.routes.is_empty(), "not an HTTPRoute");
    let bad = Objects::default().add_yaml(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata:\n  name: x\nspec:\n  rules: 3\n",
    );
    assert!(bad.unwrap_err().contains("TLSRoute"));
}
