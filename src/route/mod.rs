//! Where a request goes: the Gateway API's matching (`design/gateway-api-facts.md` §3b and
//! §3e) over the objects egwc emits, or any cluster's, as typed Gateway API objects. Pure: no
//! I/O, no diagnostics. Stage by stage: the listeners on the request's port and protocol, the
//! most specific listener hostname the host matches (listener isolation: no fall-through),
//! the routes attached to it whose hostnames intersect it and match the host, the winning
//! match by the spec's precedence, then its rule's backends and their shares.
//!
//! Not yet here (issue 14): filters (redirects, rewrites, header edits), invalid backends
//! (500), ReferenceGrants, regular expressions, route age, and the `egwc route` command.

mod host;

use gateway_api::gateways::Gateway;
use gateway_api::httproutes::{
    HttpRoute, HttpRouteRules, HttpRouteRulesMatches, HttpRouteRulesMatchesHeadersType,
    HttpRouteRulesMatchesMethod, HttpRouteRulesMatchesPathType,
    HttpRouteRulesMatchesQueryParamsType,
};

pub use host::{host_matches, intersect};

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
    pub query: Vec<(String, String)>,
}

/// What one Gateway does with a request.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// `namespace/name` of the Gateway.
    pub gateway: String,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// No listener, route or rule matches: 404.
    NotFound,
    /// Forwarded by rule `rule` of route `route` (`namespace/name`) from `listener`, to these
    /// backends (`namespace/name`) with their shares of the traffic (0 to 1).
    Forward {
        listener: String,
        route: String,
        rule: usize,
        backends: Vec<(String, f64)>,
    },
}

/// The answer of every Gateway with a listener on the request's port and protocol.
pub fn resolve(gateways: &[Gateway], routes: &[HttpRoute], request: &Request) -> Vec<Answer> {
    let mut answers = Vec::new();
    for g in gateways {
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
        // Listener isolation: the most specific hostname that matches, and only it.
        let listener = on_port
            .iter()
            .filter(|l| host_matches(l.hostname.as_deref(), &request.host))
            .max_by_key(|l| host::specificity(l.hostname.as_deref()));
        let outcome = match listener {
            None => Outcome::NotFound,
            Some(l) => {
                let attached = routes
                    .iter()
                    .filter(|r| attaches(r, &namespace, &name, &l.name, l.port));
                best(attached, l.hostname.as_deref(), request).map_or(
                    Outcome::NotFound,
                    |(route, rule)| Outcome::Forward {
                        listener: l.name.clone(),
                        route: object_name(route),
                        rule,
                        backends: shares(route, rule),
                    },
                )
            }
        };
        answers.push(Answer {
            gateway: format!("{namespace}/{name}"),
            outcome,
        });
    }
    answers
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

/// The best candidate so far: its hostname rank, match rank, route name, rule index, route.
type Candidate<'r> = ((usize, usize), Rank, String, usize, &'r HttpRoute);

/// The winning route and rule among `routes` for a request on a listener with `listener_host`:
/// route hostnames first (stage 2), then the match (stage 3), then the route's name (stage 4,
/// as every object here is as old as the others), then the rule's order (stage 5).
fn best<'r>(
    routes: impl Iterator<Item = &'r HttpRoute>,
    listener_host: Option<&str>,
    request: &Request,
) -> Option<(&'r HttpRoute, usize)> {
    let mut found: Option<Candidate<'r>> = None;
    for r in routes {
        let Some(hostname_rank) = route_host_rank(r, listener_host, &request.host) else {
            continue;
        };
        let name = object_name(r);
        for (i, rule) in r.spec.rules.iter().flatten().enumerate() {
            let Some(rank) = rule_rank(rule, request) else {
                continue;
            };
            let better = match &found {
                None => true,
                Some((h, k, n, j, _)) => {
                    (hostname_rank, rank) > (*h, *k)
                        || ((hostname_rank, rank) == (*h, *k) && (&name, i) < (n, *j))
                }
            };
            if better {
                found = Some((hostname_rank, rank, name.clone(), i, r));
            }
        }
    }
    found.map(|(_, _, _, i, r)| (r, i))
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

/// The best rank among a rule's matches that the request satisfies (no match: the default
/// `PathPrefix /`).
fn rule_rank(rule: &HttpRouteRules, request: &Request) -> Option<Rank> {
    match rule.matches.as_deref() {
        None | Some([]) => path_prefix(&request.path, "/").then_some((false, 1, false, 0, 0)),
        Some(matches) => matches.iter().filter_map(|m| match_rank(m, request)).max(),
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
                // Implementation-specific, and not evaluated here yet.
                HttpRouteRulesMatchesPathType::RegularExpression => return None,
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
        if h.r#type == Some(HttpRouteRulesMatchesHeadersType::RegularExpression) {
            return None;
        }
        let value = request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&h.name))
            .map(|(_, v)| v);
        if value != Some(&h.value) {
            return None;
        }
    }
    let query = m.query_params.as_deref().unwrap_or_default();
    for q in query {
        if q.r#type == Some(HttpRouteRulesMatchesQueryParamsType::RegularExpression) {
            return None;
        }
        let value = request
            .query
            .iter()
            .find(|(n, _)| *n == q.name)
            .map(|(_, v)| v);
        if value != Some(&q.value) {
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

/// `PathPrefix` semantics: whole path elements, a trailing `/` in the prefix ignored.
pub fn path_prefix(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

fn method_name(m: &HttpRouteRulesMatchesMethod) -> &'static str {
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

/// A rule's backends and their shares: weight ÷ the sum of weights (1 each by default).
fn shares(route: &HttpRoute, rule: usize) -> Vec<(String, f64)> {
    let namespace = route.metadata.namespace.as_deref().unwrap_or_default();
    let Some(rule) = route.spec.rules.as_deref().and_then(|r| r.get(rule)) else {
        return Vec::new();
    };
    let refs = rule.backend_refs.as_deref().unwrap_or_default();
    let weight = |w: Option<i32>| f64::from(w.unwrap_or(1).max(0));
    let total: f64 = refs.iter().map(|b| weight(b.weight)).sum();
    refs.iter()
        .map(|b| {
            let share = if total > 0.0 {
                weight(b.weight) / total
            } else {
                0.0
            };
            let ns = b.namespace.as_deref().unwrap_or(namespace);
            (format!("{ns}/{}", b.name), share)
        })
        .collect()
}
