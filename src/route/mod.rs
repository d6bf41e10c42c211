//! Where a request goes: the Gateway API's matching (`design/gateway-api-facts.md` §3b and
//! §3e) over the objects egwc emits, or any cluster's, as typed Gateway API objects. Pure: no
//! I/O, no diagnostics. Stage by stage: the listeners on the request's port and protocol, the
//! most specific listener hostname the host matches (listener isolation: no fall-through),
//! the routes attached to it whose hostnames intersect it and match the host, the winning
//! match by the spec's precedence, then its rule's backends and their shares.
//!
//! The matched rule's filters then shape the answer: a redirect (its `Location`, with the
//! spec's port and path rules), or the request the backends get (Host and path rewrites,
//! header edits); a rule without a valid backend answers 500.
//!
//! Regular expressions match whole values (RE2, as Envoy does), and a regular-expression
//! path ranks below every prefix: their precedence is implementation-specific.
//!
//! The answer also lists the rule's request mirrors and its response header edits.

mod host;

mod filters;
mod graph;
mod origins;
mod text;
mod yaml;

use gateway_api::gateways::Gateway;
use gateway_api::httproutes::{
    HttpRoute, HttpRouteRules, HttpRouteRulesMatches, HttpRouteRulesMatchesHeadersType,
    HttpRouteRulesMatchesMethod, HttpRouteRulesMatchesPathType,
    HttpRouteRulesMatchesQueryParamsType,
};
use gateway_api::referencegrants::ReferenceGrant;
use k8s_openapi::api::core::v1::Service;
use serde::Serialize;

use crate::emit::Manifest;
use crate::ir::RouteKind;

pub use graph::{GraphFormat, graph, match_text};
pub use host::{host_matches, intersect};
pub use origins::Origins;
pub use text::{percent, text};

/// A request, as the gateway sees it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// `https` when the request arrives over TLS.
    pub https: bool,
    /// The host, without a port.
    pub host: String,
    pub port: u16,
    pub path: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// The query parameters, decoded, and the query as written (for a redirect's
    /// `Location`).
    pub query: Vec<(String, String)>,
    pub query_string: Option<String>,
}

impl Request {
    /// A request for `url` (`http://` or `https://`; without a port, 80 or 443; its query
    /// parameters are matched) with `method`. The error says what is wrong with the URL.
    pub fn new(url: &str, method: &str) -> Result<Request, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let https = match parsed.scheme() {
            "http" => false,
            "https" => true,
            other => {
                return Err(format!(
                    "`{url}`: the scheme is `{other}`; a gateway takes `http` or `https`"
                ));
            }
        };
        let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
            return Err(format!("`{url}` has no host"));
        };
        Ok(Request {
            https,
            host: host.to_ascii_lowercase(),
            port: parsed
                .port_or_known_default()
                .unwrap_or(if https { 443 } else { 80 }),
            path: parsed.path().to_string(),
            method: method.to_ascii_uppercase(),
            headers: Vec::new(),
            query: parsed
                .query_pairs()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect(),
            query_string: parsed.query().map(str::to_string),
        })
    }

    /// Adds a header; `Host` replaces the host instead (its port is ignored for matching).
    pub fn header(&mut self, name: &str, value: &str) {
        if name.eq_ignore_ascii_case("host") {
            let host = value.rsplit_once(':').map_or(value, |(h, _)| h);
            self.host = host.to_ascii_lowercase();
        } else {
            self.headers.push((name.to_string(), value.to_string()));
        }
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }
}

/// The objects requests are matched against.
#[derive(Clone, Debug, Default)]
pub struct Objects {
    pub gateways: Vec<Gateway>,
    pub routes: Vec<HttpRoute>,
    pub services: Vec<Service>,
    pub grants: Vec<ReferenceGrant>,
    /// Backend objects of other kinds, as `(group, kind, namespace/name)`: Envoy Gateway's
    /// `Backend`s. Istio's `Hostname` refers to a host, and is always taken as valid.
    pub others: Vec<(String, String, String)>,
    /// Routes of the other kinds (GRPCRoute, TCPRoute, UDPRoute, TLSRoute), for `egwc graph`:
    /// requests are not matched against them.
    pub other_routes: Vec<OtherRoute>,
}

/// A route of another kind than HTTPRoute, in HTTPRoute's shape: its parents, hostnames and
/// rules of backends (matches left out), with its kind and each rule's matches as text.
#[derive(Clone, Debug)]
pub struct OtherRoute {
    pub kind: crate::ir::RouteKind,
    pub route: HttpRoute,
    pub rule_matches: Vec<String>,
}

impl OtherRoute {
    /// From a route object's kind, metadata and spec (as JSON); `None` when the spec does not
    /// have the shape of one.
    fn new(
        kind: crate::ir::RouteKind,
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
        mut spec: serde_json::Value,
    ) -> Option<OtherRoute> {
        let mut rule_matches = Vec::new();
        for rule in spec.get_mut("rules")?.as_array_mut()? {
            let matches = rule.as_object_mut()?.remove("matches");
            rule_matches.push(grpc_matches(matches.as_ref()));
        }
        Some(OtherRoute {
            kind,
            route: HttpRoute {
                metadata,
                spec: serde_json::from_value(spec).ok()?,
                status: None,
            },
            rule_matches,
        })
    }

    /// Whether a listener whose protocol is named `protocol` takes this kind.
    fn fits(&self, protocol: &str) -> bool {
        crate::ir::LISTENER_PROTOCOLS
            .iter()
            .any(|(name, p)| *name == protocol && self.kind.fits(*p))
    }
}

/// A GRPCRoute rule's matches as text (`any` without them): service, method and headers.
fn grpc_matches(matches: Option<&serde_json::Value>) -> String {
    let list = matches
        .and_then(|m| m.as_array())
        .cloned()
        .unwrap_or_default();
    if list.is_empty() {
        return "any".to_string();
    }
    let text =
        |v: &serde_json::Value, key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_string);
    list.iter()
        .map(|m| {
            let mut parts = Vec::new();
            if let Some(method) = m.get("method") {
                let regex = text(method, "type").as_deref() == Some("RegularExpression");
                let op = if regex { "~ " } else { "" };
                match (text(method, "service"), text(method, "method")) {
                    (Some(s), Some(n)) => parts.push(format!("{op}{s}/{n}")),
                    (Some(s), None) => parts.push(format!("{op}{s}/*")),
                    (None, Some(n)) => parts.push(format!("{op}*/{n}")),
                    (None, None) => {}
                }
            }
            for h in m
                .get("headers")
                .and_then(|h| h.as_array())
                .into_iter()
                .flatten()
            {
                if let (Some(n), Some(v)) = (text(h, "name"), text(h, "value")) {
                    parts.push(format!("{n}: {v}"));
                }
            }
            if parts.is_empty() {
                "any".to_string()
            } else {
                parts.join(" ")
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

impl Objects {
    pub fn from_manifests(manifests: impl IntoIterator<Item = Manifest>) -> Objects {
        let mut o = Objects::default();
        for m in manifests {
            match m {
                Manifest::Gateway(g) => o.gateways.push(*g),
                Manifest::HttpRoute(r) => o.routes.push(*r),
                Manifest::Service(s) => o.services.push(*s),
                Manifest::ReferenceGrant(g) => o.grants.push(*g),
                Manifest::GrpcRoute(r) => {
                    let spec = serde_json::to_value(&r.spec).unwrap_or_default();
                    o.other_routes
                        .extend(OtherRoute::new(RouteKind::Grpc, r.metadata, spec));
                }
                Manifest::L4Route(r) => {
                    let spec = serde_json::to_value(&r.spec).unwrap_or_default();
                    let kind = RouteKind::from_kind(r.kind);
                    o.other_routes
                        .extend(kind.and_then(|k| OtherRoute::new(k, r.metadata, spec)));
                }
                Manifest::EnvoyBackend(b) => o.others.push((
                    crate::emit::api::ENVOY_GROUP.into(),
                    "Backend".into(),
                    format!(
                        "{}/{}",
                        b.metadata.namespace.as_deref().unwrap_or_default(),
                        b.metadata.name.as_deref().unwrap_or_default()
                    ),
                )),
                _ => {}
            }
        }
        o
    }
}

/// What one Gateway does with a request; the JSON form of `egwc route` (docs/route.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    /// `namespace/name` of the Gateway.
    pub gateway: String,
    /// The listener that took the request, if one did.
    pub listener: Option<String>,
    /// 200 forwarded, the redirect's status, 404 no listener or rule, 500 no valid backend.
    pub status: u16,
    /// `namespace/name` of the route, and the rule's index in it.
    pub route: Option<String>,
    pub rule_index: Option<usize>,
    pub rule_name: Option<String>,
    /// Which of the rule's matches took the request (`None`: the rule has none).
    pub match_index: Option<usize>,
    /// Where the route was written (its `egwc/source` annotation), if known.
    pub source: Option<String>,
    pub backends: Vec<Backend>,
    pub backend_request: Option<BackendRequest>,
    /// Copies of the request the rule sends elsewhere (their answers are ignored).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<filters::Mirror>,
    /// The edits the rule makes to the response's headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<filters::HeaderEdits>,
    pub redirect: Option<filters::Redirect>,
    /// For a 404 from a listener: the routes and rules that came closest, and why each
    /// missed (at most three, the nearest first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub misses: Vec<Miss>,
}

/// A route or rule that did not take the request, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Miss {
    pub route: String,
    pub rule_index: Option<usize>,
    pub reason: String,
}

/// A backend of the matched rule and its share of the traffic (0 to 1).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Backend {
    pub name: String,
    pub share: f64,
    /// Why the backend is invalid (its share then answers 500), if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<String>,
    /// For `.egw` input, when the service is several Kubernetes objects (a balanced
    /// service): each object, its endpoint and its share.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<Endpoint>,
}

/// One Kubernetes object of a service and its share of the traffic (0 to 1).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Endpoint {
    /// `namespace/name` of the object.
    pub object: String,
    /// The endpoint(s) it sends to, as written.
    pub address: String,
    pub share: f64,
}

/// The request as the backends receive it, after the rule's filters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackendRequest {
    pub host: String,
    pub path: String,
    pub headers: std::collections::BTreeMap<String, String>,
    pub removed_headers: Vec<String>,
}

impl Answer {
    fn not_found(gateway: String, listener: Option<String>) -> Answer {
        Answer {
            gateway,
            listener,
            status: 404,
            route: None,
            rule_index: None,
            rule_name: None,
            match_index: None,
            source: None,
            backends: Vec::new(),
            backend_request: None,
            mirrors: Vec::new(),
            response_headers: None,
            redirect: None,
            misses: Vec::new(),
        }
    }
}

/// The answer of every Gateway with a listener on the request's port and protocol.
pub fn resolve(objects: &Objects, request: &Request) -> Vec<Answer> {
    let mut answers = Vec::new();
    for g in &objects.gateways {
        let protocol = if request.https { "HTTPS" } else { "HTTP" };
        let on_port: Vec<_> = g
            .spec
            .listeners
            .iter()
            .filter(|l| l.port == i32::from(request.port) && l.protocol == protocol)
            .collect();
        if on_port.is_empty() {
            continue;
        }
        let namespace = g.metadata.namespace.clone().unwrap_or_default();
        let name = g.metadata.name.clone().unwrap_or_default();
        let gateway = format!("{namespace}/{name}");
        // Listener isolation: the most specific hostname that matches, and only it.
        let Some(l) = on_port
            .iter()
            .filter(|l| host_matches(l.hostname.as_deref(), &request.host))
            .max_by_key(|l| host::specificity(l.hostname.as_deref()))
        else {
            answers.push(Answer::not_found(gateway, None));
            continue;
        };
        let attached = objects
            .routes
            .iter()
            .filter(|r| attaches(r, &namespace, &name, &l.name, l.port));
        let Some((route, rule, matched)) = best(attached.clone(), l.hostname.as_deref(), request)
        else {
            let mut a = Answer::not_found(gateway, Some(l.name.clone()));
            a.misses = misses(attached, l.hostname.as_deref(), request);
            answers.push(a);
            continue;
        };
        answers.push(answer(objects, gateway, l, route, rule, matched, request));
    }
    answers
}

/// The answer of rule `rule` of `route`, whose match `matched` took the request.
fn answer(
    objects: &Objects,
    gateway: String,
    listener: &gateway_api::gateways::GatewayListeners,
    route: &HttpRoute,
    rule: usize,
    matched: Option<usize>,
    request: &Request,
) -> Answer {
    let r = &route.spec.rules.as_deref().unwrap_or_default()[rule];
    let mut a = Answer::not_found(gateway, Some(listener.name.clone()));
    a.route = Some(object_name(route));
    a.rule_index = Some(rule);
    a.rule_name = r.name.clone();
    a.match_index = matched;
    let matched = matched.and_then(|i| r.matches.as_deref()?.get(i));
    a.source = route
        .metadata
        .annotations
        .as_ref()
        .and_then(|m| m.get(crate::ir::SOURCE_ANNOTATION).cloned());
    let prefix = matched.and_then(|m| m.path.as_ref()).and_then(|p| {
        let prefix = p.r#type.as_ref() == Some(&HttpRouteRulesMatchesPathType::PathPrefix)
            || p.r#type.is_none();
        prefix.then(|| p.value.clone().unwrap_or_else(|| "/".into()))
    });
    let fs = r.filters.as_deref().unwrap_or_default();
    if let Some(redirect) = filters::redirect(fs, listener, request, prefix.as_deref()) {
        a.status = redirect.status;
        a.redirect = Some(redirect);
        return a;
    }
    a.backend_request = Some(filters::backend_request(fs, request, prefix.as_deref()));
    let namespace = route.metadata.namespace.as_deref().unwrap_or_default();
    a.mirrors = filters::mirrors(fs, namespace);
    a.response_headers = filters::response_headers(fs);
    a.backends = backends(objects, route, r);
    let valid: f64 = a
        .backends
        .iter()
        .filter(|b| b.invalid.is_none())
        .map(|b| b.share)
        .sum();
    a.status = if valid > 0.0 { 200 } else { 500 };
    a
}

fn object_name(r: &HttpRoute) -> String {
    format!(
        "{}/{}",
        r.metadata.namespace.as_deref().unwrap_or_default(),
        r.metadata.name.as_deref().unwrap_or_default()
    )
}

/// Whether route `r` names listener `listener` of Gateway `namespace/name` as a parent (all
/// its listeners when `sectionName` and `port` are unset).
fn attaches(r: &HttpRoute, namespace: &str, name: &str, listener: &str, port: i32) -> bool {
    let route_namespace = r.metadata.namespace.as_deref().unwrap_or_default();
    r.spec.parent_refs.iter().flatten().any(|p| {
        p.name == name
            && p.namespace.as_deref().unwrap_or(route_namespace) == namespace
            && p.section_name.as_deref().is_none_or(|s| s == listener)
            && p.port.is_none_or(|q| q == port)
    })
}

/// The rank of a match (§3b stage 3): compared as a tuple, greater wins.
type Rank = (bool, usize, bool, usize, usize);

/// The best candidate so far: its hostname rank, match rank, route age and name, rule index,
/// route, and the index of the match that took the request (`None`: the rule has none).
type Candidate<'r> = (
    (usize, usize),
    Rank,
    (String, String),
    usize,
    &'r HttpRoute,
    Option<usize>,
);

/// The winning route and rule among `routes` for a request on a listener with `listener_host`:
/// route hostnames first (stage 2), then the match (stage 3), then the route's name (stage 4,
/// as every object here is as old as the others), then the rule's order (stage 5).
fn best<'r>(
    routes: impl Iterator<Item = &'r HttpRoute>,
    listener_host: Option<&str>,
    request: &Request,
) -> Option<(&'r HttpRoute, usize, Option<usize>)> {
    let mut found: Option<Candidate<'r>> = None;
    for r in routes {
        let Some(hostname_rank) = route_host_rank(r, listener_host, &request.host) else {
            continue;
        };
        // Stage 4: older routes first, then `namespace/name`; compared as "smaller wins".
        let age = r
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string())
            .unwrap_or_default();
        let key = (age, object_name(r));
        for (i, rule) in r.spec.rules.iter().flatten().enumerate() {
            let Some((rank, matched)) = rule_rank(rule, request) else {
                continue;
            };
            let better = match &found {
                None => true,
                Some((h, k, n, j, _, _)) => {
                    (hostname_rank, rank) > (*h, *k)
                        || ((hostname_rank, rank) == (*h, *k) && (&key, i) < (n, *j))
                }
            };
            if better {
                found = Some((hostname_rank, rank, key.clone(), i, r, matched));
            }
        }
    }
    found.map(|(_, _, _, i, r, m)| (r, i, m))
}

/// Stage 2: `None` when no hostname of the route both intersects the listener's and matches
/// the host; otherwise the characters of the longest matching non-wildcard hostname, then of
/// the longest matching hostname.
fn route_host_rank(r: &HttpRoute, listener: Option<&str>, host: &str) -> Option<(usize, usize)> {
    let hostnames = r.spec.hostnames.as_deref().unwrap_or_default();
    if hostnames.is_empty() {
        return host_matches(listener, host).then_some((0, 0));
    }
    hostnames
        .iter()
        .filter_map(|h| intersect(listener, h))
        .filter(|h| host_matches(Some(h), host))
        .map(|h| (if h.starts_with("*.") { 0 } else { h.len() }, h.len()))
        .max()
}

/// The best rank among a rule's matches that the request satisfies, and that match's index
/// (no match: the default `PathPrefix /`; the first of equals).
fn rule_rank(rule: &HttpRouteRules, request: &Request) -> Option<(Rank, Option<usize>)> {
    match rule.matches.as_deref() {
        None | Some([]) => {
            path_prefix(&request.path, "/").then_some(((false, 1, false, 0, 0), None))
        }
        Some(matches) => matches
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match_rank(m, request).map(|r| (r, Some(i))))
            .rev()
            .max_by_key(|(r, _)| *r),
    }
}

fn match_rank(m: &HttpRouteRulesMatches, request: &Request) -> Option<Rank> {
    let (exact, prefix_len) = match &m.path {
        None => (false, path_prefix(&request.path, "/").then_some(1)?),
        Some(p) => {
            let value = p.value.as_deref().unwrap_or("/");
            match p
                .r#type
                .as_ref()
                .unwrap_or(&HttpRouteRulesMatchesPathType::PathPrefix)
            {
                HttpRouteRulesMatchesPathType::Exact => {
                    (request.path == value).then_some((true, 0))?
                }
                HttpRouteRulesMatchesPathType::PathPrefix => (
                    false,
                    path_prefix(&request.path, value).then_some(value.len())?,
                ),
                // Ranked below every prefix: the precedence of regular expressions is
                // implementation-specific.
                HttpRouteRulesMatchesPathType::RegularExpression => {
                    (false, full_match(value, &request.path).then_some(0)?)
                }
            }
        }
    };
    if let Some(method) = &m.method
        && method_name(method) != request.method
    {
        return None;
    }
    let headers = m.headers.as_deref().unwrap_or_default();
    for h in headers {
        let value = request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&h.name))
            .map(|(_, v)| v)?;
        let regex = h.r#type == Some(HttpRouteRulesMatchesHeadersType::RegularExpression);
        if !value_matches(regex, &h.value, value) {
            return None;
        }
    }
    let query = m.query_params.as_deref().unwrap_or_default();
    for q in query {
        let value = request
            .query
            .iter()
            .find(|(n, _)| *n == q.name)
            .map(|(_, v)| v)?;
        let regex = q.r#type == Some(HttpRouteRulesMatchesQueryParamsType::RegularExpression);
        if !value_matches(regex, &q.value, value) {
            return None;
        }
    }
    Some((
        exact,
        prefix_len,
        m.method.is_some(),
        headers.len(),
        query.len(),
    ))
}

/// Whether a header's or query parameter's `value` matches what a rule wants: equal, or
/// matched whole by the regular expression.
fn value_matches(regex: bool, wanted: &str, value: &str) -> bool {
    if regex {
        full_match(wanted, value)
    } else {
        value == wanted
    }
}

/// Whether `pattern` (RE2 syntax, as Envoy-based gateways read it) matches all of `text`.
/// A pattern that does not compile matches nothing (the API server or the controller would
/// have refused it); the `regex` crate runs in linear time, whatever the pattern.
/// Compiled patterns are kept (at most [`REGEX_CACHE`] of them) for the next requests, as
/// `egwc test` sends many through the same routes.
fn full_match(pattern: &str, text: &str) -> bool {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
            std::cell::RefCell::default();
    }
    COMPILED.with_borrow_mut(|compiled| {
        if !compiled.contains_key(pattern) {
            if compiled.len() >= REGEX_CACHE {
                compiled.clear();
            }
            let built = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
                .size_limit(1 << 20)
                .build()
                .ok();
            compiled.insert(pattern.to_string(), built);
        }
        compiled
            .get(pattern)
            .and_then(Option::as_ref)
            .is_some_and(|r| r.is_match(text))
    })
}

const REGEX_CACHE: usize = 4096;

/// The nearest misses among `routes`: for each rule, how far its closest match got (path,
/// then method, headers, query) and what stopped it; a route whose hostnames do not match the
/// host gets no further.
fn misses<'r>(
    routes: impl Iterator<Item = &'r HttpRoute>,
    listener_host: Option<&str>,
    request: &Request,
) -> Vec<Miss> {
    let mut found: Vec<(usize, Miss)> = Vec::new();
    for r in routes {
        let route = object_name(r);
        if route_host_rank(r, listener_host, &request.host).is_none() {
            let hosts = r.spec.hostnames.as_deref().unwrap_or_default().join(", ");
            let reason = format!("host `{}` is not one of {hosts}", request.host);
            found.push((
                0,
                Miss {
                    route,
                    rule_index: None,
                    reason,
                },
            ));
            continue;
        }
        for (i, rule) in r.spec.rules.iter().flatten().enumerate() {
            let nearest = rule
                .matches
                .iter()
                .flatten()
                .filter_map(|m| miss(m, request))
                .max_by_key(|(level, _)| *level);
            if let Some((level, reason)) = nearest {
                let miss = Miss {
                    route: route.clone(),
                    rule_index: Some(i),
                    reason,
                };
                found.push((level, miss));
            }
        }
    }
    found.sort_by_key(|m| std::cmp::Reverse(m.0));
    found.into_iter().take(3).map(|(_, m)| m).collect()
}

/// How far a match got (1 path, 2 method, 3 headers, 4 query) and what stopped it; `None`
/// when it matches.
fn miss(m: &HttpRouteRulesMatches, request: &Request) -> Option<(usize, String)> {
    let mut partial = HttpRouteRulesMatches {
        path: m.path.clone(),
        ..HttpRouteRulesMatches::default()
    };
    if match_rank(&partial, request).is_none() {
        let p = m.path.as_ref();
        let value = p.and_then(|p| p.value.as_deref()).unwrap_or("/");
        let how = match p.and_then(|p| p.r#type.as_ref()) {
            Some(HttpRouteRulesMatchesPathType::Exact) => "exactly",
            Some(HttpRouteRulesMatchesPathType::RegularExpression) => "the expression",
            _ => "the prefix",
        };
        return Some((1, format!("path `{}` is not {how} `{value}`", request.path)));
    }
    partial.method = m.method.clone();
    if match_rank(&partial, request).is_none() {
        let want = m.method.as_ref().map(method_name).unwrap_or_default();
        return Some((2, format!("method {} is not {want}", request.method)));
    }
    partial.headers = m.headers.clone();
    if match_rank(&partial, request).is_none() {
        let want: Vec<String> = m
            .headers
            .iter()
            .flatten()
            .map(|h| format!("`{}: {}`", h.name, h.value))
            .collect();
        return Some((3, format!("headers: the rule wants {}", want.join(", "))));
    }
    partial.query_params = m.query_params.clone();
    if match_rank(&partial, request).is_none() {
        let want: Vec<String> = m
            .query_params
            .iter()
            .flatten()
            .map(|q| format!("`{}={}`", q.name, q.value))
            .collect();
        return Some((4, format!("query: the rule wants {}", want.join(", "))));
    }
    None
}

/// `PathPrefix` semantics: whole path elements, a trailing `/` in the prefix ignored.
pub fn path_prefix(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

pub(crate) fn method_name(m: &HttpRouteRulesMatchesMethod) -> &'static str {
    use HttpRouteRulesMatchesMethod as M;
    match m {
        M::Get => "GET",
        M::Head => "HEAD",
        M::Post => "POST",
        M::Put => "PUT",
        M::Delete => "DELETE",
        M::Connect => "CONNECT",
        M::Options => "OPTIONS",
        M::Trace => "TRACE",
        M::Patch => "PATCH",
    }
}

/// A rule's backends and their shares (weight ÷ the sum of weights, 1 each by default), each
/// checked: a Service that exists, a kind the objects know, and a ReferenceGrant for a
/// Service in another namespace.
fn backends(objects: &Objects, route: &HttpRoute, rule: &HttpRouteRules) -> Vec<Backend> {
    let namespace = route.metadata.namespace.as_deref().unwrap_or_default();
    let refs = rule.backend_refs.as_deref().unwrap_or_default();
    refs.iter()
        .zip(shares(rule))
        .map(|(b, share)| {
            let group = b.group.as_deref().unwrap_or_default();
            let kind = b.kind.as_deref().unwrap_or("Service");
            let ns = b.namespace.as_deref().unwrap_or(namespace);
            let name = format!("{ns}/{}", b.name);
            let invalid = match (group, kind) {
                ("", "Service") if !has_service(objects, ns, &b.name) => {
                    Some("no such Service".to_string())
                }
                ("", "Service") => None,
                ("networking.istio.io", "Hostname") => None,
                (g, k)
                    if objects
                        .others
                        .iter()
                        .any(|o| o.0 == g && o.1 == k && o.2 == name) =>
                {
                    None
                }
                (g, k) => Some(format!("no {k} of group `{g}` by this name")),
            }
            .or_else(|| {
                (ns != namespace && !granted(objects, namespace, ns, group, kind, &b.name))
                    .then(|| format!("no ReferenceGrant in `{ns}` allows it"))
            });
            Backend {
                name,
                share,
                invalid,
                endpoints: Vec::new(),
            }
        })
        .collect()
}

/// The share of each of a rule's backendRefs: its weight (1 by default) ÷ the sum of
/// weights, 0 when they are all 0.
pub(crate) fn shares(rule: &HttpRouteRules) -> Vec<f64> {
    let refs = rule.backend_refs.as_deref().unwrap_or_default();
    let weight = |w: Option<i32>| f64::from(w.unwrap_or(1).max(0));
    let total: f64 = refs.iter().map(|b| weight(b.weight)).sum();
    refs.iter()
        .map(|b| {
            if total > 0.0 {
                weight(b.weight) / total
            } else {
                0.0
            }
        })
        .collect()
}

fn has_service(objects: &Objects, namespace: &str, name: &str) -> bool {
    objects.services.iter().any(|s| {
        s.metadata.namespace.as_deref() == Some(namespace)
            && s.metadata.name.as_deref() == Some(name)
    })
}

/// Whether a ReferenceGrant in `to_namespace` lets HTTPRoutes of `from` refer to the object.
fn granted(
    objects: &Objects,
    from: &str,
    to_namespace: &str,
    group: &str,
    kind: &str,
    name: &str,
) -> bool {
    objects.grants.iter().any(|g| {
        g.metadata.namespace.as_deref() == Some(to_namespace)
            && g.spec.from.iter().any(|f| {
                f.group == "gateway.networking.k8s.io"
                    && f.kind == "HTTPRoute"
                    && f.namespace == from
            })
            && g.spec.to.iter().any(|t| {
                t.group == group && t.kind == kind && t.name.as_deref().is_none_or(|n| n == name)
            })
    })
}
