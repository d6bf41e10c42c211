//! HTTPRoute objects.

use gateway_api::httproutes::*;

use serde::Serialize;

use super::{Context, api, external};
use crate::ir::{self, PathKind, ValueKind};

pub(super) fn route(cx: &Context<'_>, r: &ir::Route) -> HttpRoute {
    let parent_refs = r
        .parents
        .iter()
        .map(|p| HttpRouteParentRefs {
            name: p.gateway.name.clone(),
            namespace: (p.gateway.namespace != r.meta.namespace)
                .then(|| p.gateway.namespace.clone()),
            section_name: p.listener.clone(),
            ..Default::default()
        })
        .collect();
    HttpRoute {
        metadata: cx.meta(&r.meta.name, &r.meta, r.meta.origin),
        spec: HttpRouteSpec {
            parent_refs: Some(parent_refs),
            hostnames: (!r.hostnames.is_empty()).then(|| r.hostnames.clone()),
            rules: Some(
                r.rules
                    .iter()
                    .map(|rule| self::rule(&r.meta.namespace, rule))
                    .collect(),
            ),
        },
        status: None,
    }
}

/// The spec of a TCPRoute, UDPRoute or TLSRoute: parents, SNI hostnames (TLSRoute only), and
/// one rule of backends. The kinds have this shape in every version egwc writes;
/// gateway-api's types fix their version, so the fields egwc writes are declared here.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct L4RouteSpec {
    pub parent_refs: Vec<L4ParentRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    pub rules: Vec<L4Rule>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct L4ParentRef {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct L4Rule {
    pub backend_refs: Vec<L4BackendRef>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct L4BackendRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub port: u16,
    pub weight: u64,
}

/// A TCPRoute, UDPRoute or TLSRoute.
pub(super) fn l4_route(cx: &Context<'_>, r: &ir::Route) -> external::Object<L4RouteSpec> {
    let parent_refs = r
        .parents
        .iter()
        .map(|p| L4ParentRef {
            name: p.gateway.name.clone(),
            namespace: (p.gateway.namespace != r.meta.namespace)
                .then(|| p.gateway.namespace.clone()),
            section_name: p.listener.clone(),
        })
        .collect();
    let rules = r
        .rules
        .iter()
        .map(|rule| L4Rule {
            backend_refs: rule
                .backends
                .iter()
                .map(|b| {
                    let (name, namespace) = api::name_in(b, &r.meta.namespace);
                    L4BackendRef {
                        group: api::group_kind(b).map(|(g, _)| g.to_string()),
                        kind: api::group_kind(b).map(|(_, k)| k.to_string()),
                        name,
                        namespace,
                        port: b.port,
                        weight: b.weight,
                    }
                })
                .collect(),
        })
        .collect();
    external::Object {
        api_version: api::route_version(r.version),
        kind: r.kind.kind(),
        metadata: cx.meta(&r.meta.name, &r.meta, r.meta.origin),
        spec: L4RouteSpec {
            parent_refs,
            hostnames: r.hostnames.clone(),
            rules,
        },
    }
}

/// The invariant of [`grpc_route`]: an HTTPRoute's spec without URL rewrites, redirects and
/// timeouts, with gRPC matches, has a GRPCRoute's shape.
const SAME_SHAPE: &str = "a gRPC rule has only the fields GRPCRoute shares with HTTPRoute";

/// A GRPCRoute. Its parents, hostnames, backends and filters (header edits and mirrors: the
/// checker allows a gRPC rule no others) are an HTTPRoute's, field for field, so they are made
/// as for an HTTPRoute and carried over; the matches are gRPC's own.
pub(super) fn grpc_route(cx: &Context<'_>, r: &ir::Route) -> gateway_api::grpcroutes::GrpcRoute {
    let http = route(cx, r);
    let mut spec = serde_json::to_value(&http.spec).expect(SAME_SHAPE);
    if let Some(rules) = spec.get_mut("rules").and_then(|v| v.as_array_mut()) {
        for (rule, ir_rule) in rules.iter_mut().zip(&r.rules) {
            let Some(rule) = rule.as_object_mut() else {
                continue;
            };
            rule.remove("matches");
            if !ir_rule.matches.is_empty() {
                let matches: Vec<_> = ir_rule.matches.iter().map(grpc_match).collect();
                rule.insert(
                    "matches".into(),
                    serde_json::to_value(matches).expect(SAME_SHAPE),
                );
            }
        }
    }
    gateway_api::grpcroutes::GrpcRoute {
        metadata: http.metadata,
        spec: serde_json::from_value(spec).expect(SAME_SHAPE),
        status: None,
    }
}

fn grpc_match(m: &ir::Match) -> gateway_api::grpcroutes::GrpcRouteRulesMatches {
    use gateway_api::grpcroutes::*;
    GrpcRouteRulesMatches {
        method: m.grpc.as_ref().map(|g| GrpcRouteRulesMatchesMethod {
            service: g.service.clone(),
            method: g.method.clone(),
            r#type: Some(match g.kind {
                ValueKind::Exact => GrpcRouteRulesMatchesMethodType::Exact,
                ValueKind::Regex => GrpcRouteRulesMatchesMethodType::RegularExpression,
            }),
        }),
        headers: (!m.headers.is_empty()).then(|| {
            m.headers
                .iter()
                .map(|(name, kind, value)| GrpcRouteRulesMatchesHeaders {
                    name: name.clone(),
                    r#type: Some(match kind {
                        ValueKind::Exact => GrpcRouteRulesMatchesHeadersType::Exact,
                        ValueKind::Regex => GrpcRouteRulesMatchesHeadersType::RegularExpression,
                    }),
                    value: value.clone(),
                })
                .collect()
        }),
    }
}

fn rule(namespace: &str, rule: &ir::Rule) -> HttpRouteRules {
    let matches = (!rule.matches.is_empty()).then(|| rule.matches.iter().map(match_).collect());
    let backend_refs = (!rule.backends.is_empty()).then(|| {
        rule.backends
            .iter()
            .map(|b| {
                let (name, namespace) = api::name_in(b, namespace);
                HttpRouteRulesBackendRefs {
                    group: api::group_kind(b).map(|(g, _)| g.to_string()),
                    kind: api::group_kind(b).map(|(_, k)| k.to_string()),
                    name,
                    namespace,
                    port: Some(i32::from(b.port)),
                    // Weights are at most 1,000,000 (checked), so they fit in i32.
                    weight: Some(b.weight as i32),
                    ..Default::default()
                }
            })
            .collect()
    });
    let filters = filters(namespace, &rule.filters);
    HttpRouteRules {
        matches,
        backend_refs,
        filters: (!filters.is_empty()).then_some(filters),
        timeouts: rule.timeouts.as_ref().map(|t| HttpRouteRulesTimeouts {
            request: t.request.clone(),
            backend_request: t.backend.clone(),
        }),
        name: None,
    }
}

fn match_(m: &ir::Match) -> HttpRouteRulesMatches {
    HttpRouteRulesMatches {
        path: m
            .path
            .as_ref()
            .map(|(kind, value)| HttpRouteRulesMatchesPath {
                r#type: Some(match kind {
                    PathKind::Prefix => HttpRouteRulesMatchesPathType::PathPrefix,
                    PathKind::Exact => HttpRouteRulesMatchesPathType::Exact,
                    PathKind::Regex => HttpRouteRulesMatchesPathType::RegularExpression,
                }),
                value: Some(value.clone()),
            }),
        headers: (!m.headers.is_empty()).then(|| {
            m.headers
                .iter()
                .map(|(name, kind, value)| HttpRouteRulesMatchesHeaders {
                    name: name.clone(),
                    r#type: Some(match kind {
                        ValueKind::Exact => HttpRouteRulesMatchesHeadersType::Exact,
                        ValueKind::Regex => HttpRouteRulesMatchesHeadersType::RegularExpression,
                    }),
                    value: value.clone(),
                })
                .collect()
        }),
        query_params: (!m.query.is_empty()).then(|| {
            m.query
                .iter()
                .map(|(name, kind, value)| HttpRouteRulesMatchesQueryParams {
                    name: name.clone(),
                    r#type: Some(match kind {
                        ValueKind::Exact => HttpRouteRulesMatchesQueryParamsType::Exact,
                        ValueKind::Regex => HttpRouteRulesMatchesQueryParamsType::RegularExpression,
                    }),
                    value: value.clone(),
                })
                .collect()
        }),
        method: m.method.map(method),
    }
}

fn method(m: ir::Method) -> HttpRouteRulesMatchesMethod {
    use HttpRouteRulesMatchesMethod as M;
    match m {
        ir::Method::Get => M::Get,
        ir::Method::Head => M::Head,
        ir::Method::Post => M::Post,
        ir::Method::Put => M::Put,
        ir::Method::Delete => M::Delete,
        ir::Method::Connect => M::Connect,
        ir::Method::Options => M::Options,
        ir::Method::Trace => M::Trace,
        ir::Method::Patch => M::Patch,
    }
}

fn filters(namespace: &str, f: &ir::Filters) -> Vec<HttpRouteRulesFilters> {
    let mut out = Vec::new();
    if let Some(h) = &f.request_headers {
        out.push(HttpRouteRulesFilters {
            r#type: HttpRouteRulesFiltersType::RequestHeaderModifier,
            request_header_modifier: Some(HttpRouteRulesFiltersRequestHeaderModifier {
                set: pairs(&h.set, |name, value| {
                    HttpRouteRulesFiltersRequestHeaderModifierSet { name, value }
                }),
                add: pairs(&h.add, |name, value| {
                    HttpRouteRulesFiltersRequestHeaderModifierAdd { name, value }
                }),
                remove: (!h.remove.is_empty()).then(|| h.remove.clone()),
            }),
            ..Default::default()
        });
    }
    if let Some(h) = &f.response_headers {
        out.push(HttpRouteRulesFilters {
            r#type: HttpRouteRulesFiltersType::ResponseHeaderModifier,
            response_header_modifier: Some(HttpRouteRulesFiltersResponseHeaderModifier {
                set: pairs(&h.set, |name, value| {
                    HttpRouteRulesFiltersResponseHeaderModifierSet { name, value }
                }),
                add: pairs(&h.add, |name, value| {
                    HttpRouteRulesFiltersResponseHeaderModifierAdd { name, value }
                }),
                remove: (!h.remove.is_empty()).then(|| h.remove.clone()),
            }),
            ..Default::default()
        });
    }
    out.extend(f.rewrite.as_ref().map(rewrite));
    out.extend(f.redirect.as_ref().map(redirect));
    out.extend(f.mirrors.iter().map(|m| mirror(namespace, m)));
    out
}

fn rewrite(rw: &ir::Rewrite) -> HttpRouteRulesFilters {
    HttpRouteRulesFilters {
        r#type: HttpRouteRulesFiltersType::UrlRewrite,
        url_rewrite: Some(HttpRouteRulesFiltersUrlRewrite {
            hostname: rw.hostname.clone(),
            path: rw.path.as_ref().map(|p| match p {
                ir::PathEdit::Full(v) => HttpRouteRulesFiltersUrlRewritePath {
                    r#type: HttpRouteRulesFiltersUrlRewritePathType::ReplaceFullPath,
                    replace_full_path: Some(v.clone()),
                    replace_prefix_match: None,
                },
                ir::PathEdit::Prefix(v) => HttpRouteRulesFiltersUrlRewritePath {
                    r#type: HttpRouteRulesFiltersUrlRewritePathType::ReplacePrefixMatch,
                    replace_full_path: None,
                    replace_prefix_match: Some(v.clone()),
                },
            }),
        }),
        ..Default::default()
    }
}

fn redirect(rd: &ir::Redirect) -> HttpRouteRulesFilters {
    HttpRouteRulesFilters {
        r#type: HttpRouteRulesFiltersType::RequestRedirect,
        request_redirect: Some(HttpRouteRulesFiltersRequestRedirect {
            scheme: rd.scheme.map(|s| match s {
                ir::Scheme::Http => HttpRouteRulesFiltersRequestRedirectScheme::Http,
                ir::Scheme::Https => HttpRouteRulesFiltersRequestRedirectScheme::Https,
            }),
            hostname: rd.hostname.clone(),
            port: rd.port.map(i32::from),
            path: rd.path.as_ref().map(|p| match p {
                ir::PathEdit::Full(v) => HttpRouteRulesFiltersRequestRedirectPath {
                    r#type: HttpRouteRulesFiltersRequestRedirectPathType::ReplaceFullPath,
                    replace_full_path: Some(v.clone()),
                    replace_prefix_match: None,
                },
                ir::PathEdit::Prefix(v) => HttpRouteRulesFiltersRequestRedirectPath {
                    r#type: HttpRouteRulesFiltersRequestRedirectPathType::ReplacePrefixMatch,
                    replace_full_path: None,
                    replace_prefix_match: Some(v.clone()),
                },
            }),
            status_code: rd.status.map(i64::from),
        }),
        ..Default::default()
    }
}

fn mirror(namespace: &str, m: &ir::Mirror) -> HttpRouteRulesFilters {
    HttpRouteRulesFilters {
        r#type: HttpRouteRulesFiltersType::RequestMirror,
        request_mirror: Some(HttpRouteRulesFiltersRequestMirror {
            backend_ref: {
                let (name, namespace) = api::name_in(&m.backend, namespace);
                HttpRouteRulesFiltersRequestMirrorBackendRef {
                    group: api::group_kind(&m.backend).map(|(g, _)| g.to_string()),
                    kind: api::group_kind(&m.backend).map(|(_, k)| k.to_string()),
                    name,
                    namespace,
                    port: Some(i32::from(m.backend.port)),
                }
            },
            percent: m
                .share
                .filter(|f| f.denominator == 100)
                .map(|f| i32::try_from(f.numerator).unwrap_or(i32::MAX)),
            fraction: m.share.filter(|f| f.denominator != 100).map(|f| {
                HttpRouteRulesFiltersRequestMirrorFraction {
                    numerator: i32::try_from(f.numerator).unwrap_or(i32::MAX),
                    denominator: Some(i32::try_from(f.denominator).unwrap_or(i32::MAX)),
                }
            }),
        }),
        ..Default::default()
    }
}

fn pairs<T>(list: &[(String, String)], make: impl Fn(String, String) -> T) -> Option<Vec<T>> {
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|(n, v)| make(n.clone(), v.clone()))
            .collect()
    })
}
