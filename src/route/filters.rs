//! The matched rule's filters, applied to a request: a redirect (`RequestRedirect`, with the
//! spec's rules for the port and the `Location`), or the request its backends receive
//! (`URLRewrite` of the host and path, `RequestHeaderModifier`).

use std::collections::BTreeMap;

use gateway_api::gateways::GatewayListeners;
use gateway_api::httproutes::{
    HttpRouteRulesFilters, HttpRouteRulesFiltersRequestRedirectPathType,
    HttpRouteRulesFiltersRequestRedirectScheme, HttpRouteRulesFiltersUrlRewritePathType,
};
use serde::Serialize;

use super::{BackendRequest, Request};

/// The answer of a `RequestRedirect`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Redirect {
    pub status: u16,
    pub scheme: String,
    pub hostname: String,
    pub port: u16,
    pub path: String,
    /// The `Location` header: no port when it is the scheme's default.
    pub location: String,
}

/// The redirect of a rule's filters, if it has one. `prefix` is the path prefix the request
/// matched, for `ReplacePrefixMatch`.
pub fn redirect(
    filters: &[HttpRouteRulesFilters],
    listener: &GatewayListeners,
    request: &Request,
    prefix: Option<&str>,
) -> Option<Redirect> {
    let r = filters.iter().find_map(|f| f.request_redirect.as_ref())?;
    let scheme = match r.scheme {
        Some(HttpRouteRulesFiltersRequestRedirectScheme::Http) => "http",
        Some(HttpRouteRulesFiltersRequestRedirectScheme::Https) => "https",
        None if request.https => "https",
        None => "http",
    };
    // The spec: a written port; else the scheme's well-known port when a scheme is
    // written; else the listener's port.
    let port = match (r.port, r.scheme.is_some()) {
        (Some(p), _) => u16::try_from(p).unwrap_or(request.port),
        (None, true) if scheme == "https" => 443,
        (None, true) => 80,
        (None, false) => u16::try_from(listener.port).unwrap_or(request.port),
    };
    let hostname = r.hostname.clone().unwrap_or_else(|| request.host.clone());
    let path = match &r.path {
        None => request.path.clone(),
        Some(p) => match p.r#type {
            HttpRouteRulesFiltersRequestRedirectPathType::ReplaceFullPath => {
                p.replace_full_path.clone().unwrap_or_else(|| "/".into())
            }
            HttpRouteRulesFiltersRequestRedirectPathType::ReplacePrefixMatch => replace_prefix(
                &request.path,
                prefix.unwrap_or("/"),
                p.replace_prefix_match.as_deref().unwrap_or_default(),
            ),
        },
    };
    let default_port = matches!((scheme, port), ("http", 80) | ("https", 443));
    let authority = if default_port {
        hostname.clone()
    } else {
        format!("{hostname}:{port}")
    };
    Some(Redirect {
        status: r
            .status_code
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(302),
        // The query is kept, as Envoy-based gateways keep it.
        location: match &request.query_string {
            Some(q) => format!("{scheme}://{authority}{path}?{q}"),
            None => format!("{scheme}://{authority}{path}"),
        },
        scheme: scheme.to_string(),
        hostname,
        port,
        path,
    })
}

/// The request the backends receive after the rule's `URLRewrite` and
/// `RequestHeaderModifier`.
pub fn backend_request(
    filters: &[HttpRouteRulesFilters],
    request: &Request,
    prefix: Option<&str>,
) -> BackendRequest {
    let mut host = request.host.clone();
    let mut path = request.path.clone();
    if let Some(w) = filters.iter().find_map(|f| f.url_rewrite.as_ref()) {
        if let Some(h) = &w.hostname {
            host = h.clone();
        }
        if let Some(p) = &w.path {
            path = match p.r#type {
                HttpRouteRulesFiltersUrlRewritePathType::ReplaceFullPath => {
                    p.replace_full_path.clone().unwrap_or_else(|| "/".into())
                }
                HttpRouteRulesFiltersUrlRewritePathType::ReplacePrefixMatch => replace_prefix(
                    &request.path,
                    prefix.unwrap_or("/"),
                    p.replace_prefix_match.as_deref().unwrap_or_default(),
                ),
            };
        }
    }
    let mut headers: BTreeMap<String, String> = request
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    let mut removed_headers = Vec::new();
    if let Some(m) = filters
        .iter()
        .find_map(|f| f.request_header_modifier.as_ref())
    {
        for s in m.set.iter().flatten() {
            headers.insert(s.name.to_ascii_lowercase(), s.value.clone());
        }
        for a in m.add.iter().flatten() {
            let name = a.name.to_ascii_lowercase();
            let value = match headers.get(&name) {
                Some(old) => format!("{old},{}", a.value),
                None => a.value.clone(),
            };
            headers.insert(name, value);
        }
        for r in m.remove.iter().flatten() {
            let name = r.to_ascii_lowercase();
            headers.remove(&name);
            removed_headers.push(name);
        }
    }
    BackendRequest {
        host,
        path,
        headers,
        removed_headers,
    }
}

/// The copies a rule's `RequestMirror` filters send, each with the share of requests copied
/// (`percent` or `fraction`; every request when neither is set).
pub fn mirrors(filters: &[HttpRouteRulesFilters], namespace: &str) -> Vec<Mirror> {
    filters
        .iter()
        .filter_map(|f| f.request_mirror.as_ref())
        .map(|m| {
            let b = &m.backend_ref;
            let share = match (&m.fraction, m.percent) {
                (Some(f), _) => {
                    let d = f64::from(f.denominator.unwrap_or(100).max(1));
                    f64::from(f.numerator.max(0)) / d
                }
                (None, Some(p)) => f64::from(p.clamp(0, 100)) / 100.0,
                (None, None) => 1.0,
            };
            Mirror {
                name: format!("{}/{}", b.namespace.as_deref().unwrap_or(namespace), b.name),
                share,
            }
        })
        .collect()
}

/// A copy of the request sent to a backend, whose answer is ignored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mirror {
    /// `namespace/name` of the backend (for `.egw` input, of the egwc service).
    pub name: String,
    /// The share of requests copied (0 to 1).
    pub share: f64,
}

/// The edits a rule's `ResponseHeaderModifier` makes to the response, if it has one.
pub fn response_headers(filters: &[HttpRouteRulesFilters]) -> Option<HeaderEdits> {
    let m = filters
        .iter()
        .find_map(|f| f.response_header_modifier.as_ref())?;
    let pairs = |v: Option<Vec<(String, String)>>| v.unwrap_or_default();
    Some(HeaderEdits {
        set: pairs(m.set.as_ref().map(|v| {
            v.iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect()
        })),
        add: pairs(m.add.as_ref().map(|v| {
            v.iter()
                .map(|h| (h.name.clone(), h.value.clone()))
                .collect()
        })),
        remove: m.remove.clone().unwrap_or_default(),
    })
}

/// Header edits, as a rule writes them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HeaderEdits {
    pub set: Vec<(String, String)>,
    pub add: Vec<(String, String)>,
    pub remove: Vec<String>,
}

/// `ReplacePrefixMatch`: the matched prefix (whole path elements, a trailing `/` ignored)
/// replaced, with the spec's slash rules (`/foo` by `` on `/foo/bar` is `/bar`; the empty
/// result is `/`).
pub fn replace_prefix(path: &str, prefix: &str, replacement: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let rest = path.strip_prefix(prefix).unwrap_or(path);
    let joined = format!("{}{rest}", replacement.trim_end_matches('/'));
    match joined.as_str() {
        "" => "/".to_string(),
        j if !j.starts_with('/') => format!("/{j}"),
        j => j.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_replacement_follows_the_spec_table() {
        let cases = [
            ("/foo/bar", "/foo", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo", "/xyz/", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz", "/xyz/bar"),
            ("/foo/bar", "/foo/", "/xyz/", "/xyz/bar"),
            ("/foo", "/foo", "/xyz", "/xyz"),
            ("/foo/", "/foo", "/xyz", "/xyz/"),
            ("/foo/bar", "/foo", "", "/bar"),
            ("/foo/", "/foo", "", "/"),
            ("/foo", "/foo", "", "/"),
            ("/foo/", "/foo", "/", "/"),
            ("/foo", "/foo", "/", "/"),
        ];
        for (path, prefix, replacement, want) in cases {
            assert_eq!(
                replace_prefix(path, prefix, replacement),
                want,
                "{path} {prefix} {replacement}"
            );
        }
    }
}
