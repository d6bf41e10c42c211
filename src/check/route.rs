//! Checking `route` blocks: parents, hostnames, rules, matches, backends and filters.

use std::collections::HashMap;
use std::rc::Rc;

use super::weights;
use super::{Checker, Once, missing, validate};
use crate::diagnostics::{Code, Diagnostic, Spelling};
use crate::ir::{self, PathKind, ValueKind};
use crate::source::Span;
use crate::syntax::ast::{
    self, Condition, HeaderAction, Op, RedirectPart, RewritePart, RouteItem, RuleItem,
};

const METHODS: &[(&str, ir::Method)] = &[
    ("GET", ir::Method::Get),
    ("HEAD", ir::Method::Head),
    ("POST", ir::Method::Post),
    ("PUT", ir::Method::Put),
    ("DELETE", ir::Method::Delete),
    ("CONNECT", ir::Method::Connect),
    ("OPTIONS", ir::Method::Options),
    ("TRACE", ir::Method::Trace),
    ("PATCH", ir::Method::Patch),
];

const SCHEMES: &[(&str, ir::Scheme)] = &[("http", ir::Scheme::Http), ("https", ir::Scheme::Https)];

/// A rule's header edits in one direction (requests or responses), with where each header
/// was first edited, by lower-cased name.
struct HeaderEditor<'a> {
    /// `requests` or `responses`.
    direction: &'static str,
    edits: ir::HeaderEdits,
    first: HashMap<String, Edit<'a>>,
}

/// Where a header edit was written: its header name, and the `use` line that took it in from
/// a filter group (with the group's name), if it came from one.
#[derive(Clone, Copy)]
struct Edit<'a> {
    name: &'a ast::Str,
    via: Option<(Span, &'a str)>,
}

impl<'a> HeaderEditor<'a> {
    fn new(direction: &'static str) -> HeaderEditor<'a> {
        HeaderEditor {
            direction,
            edits: ir::HeaderEdits::default(),
            first: HashMap::new(),
        }
    }

    /// A `set`, `add` or `remove` line was written or used, valid or not.
    fn used(&self) -> bool {
        !self.first.is_empty()
    }
}

impl<'a> Checker<'a> {
    pub(super) fn route(
        &mut self,
        r: &'a ast::Route,
        file_namespace: &'a str,
    ) -> Option<ir::Route> {
        let mut ok = self.object_name(&r.name, 0);
        let mut on = Once::new("on");
        let mut hosts = Once::new("host");
        let mut namespace = Once::new("namespace");
        let mut labels = Vec::new();
        let mut annotations = Vec::new();
        let mut rules = Vec::new();
        for item in &r.items {
            match &item.node {
                RouteItem::On(parents) => on.set(self, parents, item.span),
                RouteItem::Hosts(h) => hosts.set(self, (h, item.span), item.span),
                RouteItem::Namespace(ns) => {
                    self.namespace_name(ns);
                    namespace.set(self, ns.value.as_str(), item.span);
                }
                RouteItem::Label(kv) => labels.push(kv),
                RouteItem::Annotation(kv) => annotations.push(kv),
                RouteItem::Rule(rule) => rules.push((rule, item.span)),
            }
        }
        let namespace = namespace.get().unwrap_or(file_namespace);

        // Parents: gateways and listeners.
        let mut parents = Vec::new();
        let mut listeners: Vec<(ir::Listener, Span)> = Vec::new();
        match on.get() {
            None => {
                self.report(missing(&r.name, "route", "on", "on gateway-name"));
                ok = false;
            }
            Some(refs) => {
                for p in refs {
                    if let Some(first) = refs.iter().take_while(|q| q.span != p.span).find(|q| {
                        q.gateway.text == p.gateway.text
                            && q.listener.as_ref().map(|l| &l.text)
                                == p.listener.as_ref().map(|l| &l.text)
                    }) {
                        self.report(
                            Diagnostic::new(
                                Code::DuplicateParent,
                                p.span,
                                format!(
                                    "route `{}` attaches to `{}` twice",
                                    r.name.text,
                                    p.display()
                                ),
                                "again here",
                            )
                            .with_label(first.span, "first here")
                            .with_help("remove the repeated target"),
                        );
                        ok = false;
                        continue;
                    }
                    match self.parent(p, namespace) {
                        Some((parent, ls)) => {
                            parents.push(parent);
                            listeners.extend(ls.into_iter().map(|l| (l, p.span)));
                        }
                        None => ok = false,
                    }
                }
                ok &= self.limit(parents.len(), 32, "parents", r.name.span);
            }
        }

        // Hostnames.
        let mut hostnames = Vec::new();
        if let Some((hs, span)) = hosts.get() {
            ok &= self.limit(hs.len(), 16, "hostnames", span);
            for h in hs {
                if !self.hostname(h, true) {
                    ok = false;
                    continue;
                }
                let matched = listeners.is_empty()
                    || listeners.iter().any(|(l, _)| {
                        validate::hostnames_intersect(l.hostname.as_deref(), &h.value)
                    });
                if !matched {
                    let names: Vec<String> = listeners
                        .iter()
                        .filter_map(|(l, _)| l.hostname.as_ref().map(|n| format!("`{n}`")))
                        .collect();
                    let (_, parent_span) = listeners[0];
                    self.report(
                        Diagnostic::new(Code::HostnameMismatch, h.span, format!("`{}` matches no hostname of the listeners this route attaches to", h.value), "matches no listener")
                            .with_label(parent_span, format!("listeners here take {}", names.join(", ")))
                            .with_help("use a hostname under one of the listeners' hostnames, or attach the route to a listener that takes it"),
                    );
                    ok = false;
                }
                hostnames.push(h.value.clone());
            }
        }

        // Rules.
        if rules.is_empty() {
            self.report(missing(
                &r.name,
                "route",
                "rule",
                "rule { -> service-name }",
            ));
            ok = false;
        }
        ok &= self.limit(rules.len(), 16, "rules", r.name.span);
        let mut checked = Vec::new();
        for (rule, span) in &rules {
            match self.rule(rule, *span) {
                Some(ir) => checked.push(ir),
                None => ok = false,
            }
        }
        let total_matches: usize = checked.iter().map(|r: &ir::Rule| r.matches.len()).sum();
        ok &= self.limit(total_matches, 128, "matches in one route", r.name.span);
        let (labels, annotations) = self.metadata(&labels, &annotations, None);
        ok.then(|| ir::Route {
            meta: ir::Meta {
                name: r.name.text.clone(),
                namespace: namespace.to_string(),
                labels,
                annotations,
                origin: r.name.span,
            },
            parents,
            hostnames,
            rules: checked,
        })
    }

    /// Resolves `gateway[.listener]`; returns the parent and the listeners it attaches to.
    fn parent(
        &mut self,
        p: &ast::ParentRef,
        route_namespace: &str,
    ) -> Option<(ir::Parent, Vec<ir::Listener>)> {
        let Some(def) = self.gateways.get(p.gateway.text.as_str()).copied() else {
            let candidates = self
                .gateways
                .iter()
                .map(|(n, d)| (*n, Some(d.node.name.span)));
            let d = Diagnostic::new(
                Code::UnknownGateway,
                p.gateway.span,
                format!("unknown gateway `{}`", p.gateway.text),
                "no gateway has this name",
            )
            .did_you_mean(&p.gateway.text, p.gateway.span, candidates, Spelling::Bare, || {
                "define it with `gateway NAME { class \"...\" listener ... }`, or import the file that does".to_string()
            });
            self.report(d);
            return None;
        };
        // A gateway with errors has been reported already; only its listener names are
        // still checked here.
        let Some(gateway) = self.gateway_irs.get(&p.gateway.text).cloned() else {
            if let Some(l) = &p.listener {
                let known = def.node.items.iter().any(
                    |i| matches!(&i.node, ast::GatewayItem::Listener(x) if x.name.text == l.text),
                );
                if !known {
                    self.report(
                        Diagnostic::new(
                            Code::UnknownListener,
                            l.span,
                            format!("gateway `{}` has no listener `{}`", p.gateway.text, l.text),
                            "no such listener",
                        )
                        .with_label(def.node.name.span, "gateway defined here"),
                    );
                }
            }
            return None;
        };
        let listeners: Vec<ir::Listener> = match &p.listener {
            None => gateway.listeners.clone(),
            Some(l) => match gateway.listeners.iter().find(|x| x.name == l.text) {
                Some(x) => vec![x.clone()],
                None => {
                    let names: Vec<&str> =
                        gateway.listeners.iter().map(|x| x.name.as_str()).collect();
                    let list = names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let best = crate::diagnostics::closest(&l.text, names.iter().copied());
                    let help = match best {
                        Some(best) => {
                            format!("did you mean `{best}`? `{}` has {list}", gateway.meta.name)
                        }
                        None => format!("`{}` has {list}", gateway.meta.name),
                    };
                    let mut d = Diagnostic::new(
                        Code::UnknownListener,
                        l.span,
                        format!(
                            "gateway `{}` has no listener `{}`",
                            gateway.meta.name, l.text
                        ),
                        "no such listener",
                    )
                    .with_label(def.node.name.span, "gateway defined here")
                    .with_help(help);
                    if let Some(best) = best {
                        d = d.with_fix(l.span, best);
                    }
                    self.report(d);
                    return None;
                }
            },
        };
        let mut ok = true;
        for l in &listeners {
            if !accepts_http_routes(l) {
                if p.listener.is_some() {
                    let (what, label) = match l.tls {
                        Some(ir::ListenerTls::Passthrough) => {
                            ("passes TLS through", "a TLS passthrough listener")
                        }
                        _ => ("is a TLS listener", "a TLS listener: it takes TLS routes"),
                    };
                    self.report(
                        Diagnostic::new(
                            Code::ListenerRejectsHttp,
                            p.span,
                            format!(
                                "listener `{}` {what} and does not accept HTTP routes",
                                l.name
                            ),
                            label,
                        )
                        .with_help(format!("attach the route to an HTTP or HTTPS listener; to terminate TLS for HTTP routes, make `{}` a `protocol HTTPS` listener", l.name)),
                    );
                    ok = false;
                }
                continue;
            }
            if gateway.meta.namespace != route_namespace && !l.routes_from_all {
                self.report(
                    Diagnostic::new(Code::NamespaceNotAllowed, p.span, format!("listener `{}` of gateway `{}` (namespace `{}`) accepts routes only from its own namespace, and this route is in `{route_namespace}`", l.name, gateway.meta.name, gateway.meta.namespace), "from another namespace")
                        .with_help(format!("add `routes from all` to listener `{}`, or move the route to namespace `{}`", l.name, gateway.meta.namespace)),
                );
                ok = false;
            }
        }
        let http_listeners: Vec<ir::Listener> =
            listeners.into_iter().filter(accepts_http_routes).collect();
        if ok && http_listeners.is_empty() {
            self.report(
                Diagnostic::new(
                    Code::ListenerRejectsHttp,
                    p.span,
                    format!(
                        "gateway `{}` has no listener that accepts HTTP routes",
                        gateway.meta.name
                    ),
                    "only TLS listeners",
                )
                .with_help("add an HTTP or HTTPS listener to the gateway"),
            );
            ok = false;
        }
        ok.then(|| {
            (
                ir::Parent {
                    gateway: ir::ObjectRef {
                        namespace: gateway.meta.namespace.clone(),
                        name: gateway.meta.name.clone(),
                    },
                    listener: p.listener.as_ref().map(|l| l.text.clone()),
                },
                http_listeners,
            )
        })
    }

    fn rule(&mut self, rule: &'a ast::Rule, span: Span) -> Option<ir::Rule> {
        // The `rule` keyword: where rule-wide findings point, rather than the whole block.
        let keyword = Span {
            end: span.start + "rule".len() as u32,
            ..span
        };
        let mut ok = true;
        let mut matches = Vec::new();
        let mut backends_attr = Once::new("->");
        let mut request = HeaderEditor::new("requests");
        let mut response = HeaderEditor::new("responses");
        let mut rewrite = Once::new("rewrite");
        let mut redirect = Once::new("redirect");
        let mut timeout = Once::new("timeout");
        let mut mirrors = Vec::new();
        // Filter groups used so far, with their `use` lines.
        let mut used: Vec<(&str, Span)> = Vec::new();
        for item in &rule.items {
            match &item.node {
                RuleItem::Match(conds) => match self.match_(conds, item.span) {
                    Some(m) => matches.push((m, item.span)),
                    None => ok = false,
                },
                RuleItem::Backends(refs) => backends_attr.set(self, (refs, item.span), item.span),
                RuleItem::RequestHeader(a) => ok &= self.header_action(a, &mut request),
                RuleItem::ResponseHeader(a) => ok &= self.header_action(a, &mut response),
                RuleItem::Rewrite(parts) => rewrite.set(self, parts, item.span),
                RuleItem::Redirect(parts) => redirect.set(self, parts, item.span),
                RuleItem::Mirror { service, percent } => {
                    mirrors.push((service, percent, item.span))
                }
                RuleItem::Timeout { request, backend } => {
                    timeout.set(self, (request, backend), item.span)
                }
                RuleItem::Use(name) => {
                    if let Some(&(_, first)) = used.iter().find(|(n, _)| *n == name.text) {
                        self.report(
                            Diagnostic::new(
                                Code::DuplicateAttribute,
                                name.span,
                                format!("filter group `{}` is used twice", name.text),
                                "used again here",
                            )
                            .with_label(first, "first used here")
                            .with_help(format!(
                                "a rule takes a group's edits in once; remove one `use {}`",
                                name.text
                            )),
                        );
                        ok = false;
                        continue;
                    }
                    used.push((&name.text, name.span));
                    ok &= self.use_filters(name, &mut request, &mut response);
                }
            }
        }
        ok &= self.limit(matches.len(), 64, "matches", span);
        ok &= self.header_limits([&request, &response], span);

        // Backends, with weights split over balanced services' endpoints.
        let mut backends = Vec::new();
        let backends_attr = backends_attr.get();
        if let Some((refs, attr_span)) = backends_attr {
            let mut resolved = Vec::new();
            for b in refs {
                let weight = match &b.weight {
                    Some(w) if w.value > weights::MAX_WEIGHT => {
                        self.report(
                            Diagnostic::new(Code::WeightOutOfRange, w.span, format!("weight {} is out of range", w.value), "larger than 1,000,000")
                                .with_help("weights are relative, 0 to 1,000,000: `-> a 90, b 10` is the same as `-> a 9, b 1`"),
                        );
                        ok = false;
                        continue;
                    }
                    Some(w) => w.value,
                    None => 1,
                };
                match self.resolve_service(&b.service) {
                    Some(service) => resolved.push((service, weight)),
                    None => ok = false,
                }
            }
            if ok && !resolved.is_empty() {
                if resolved.iter().all(|(_, w)| *w == 0) {
                    self.report(
                        Diagnostic::new(Code::AllWeightsZero, attr_span, "every backend of this rule has weight 0", "no traffic goes anywhere")
                            .with_help("controllers answer 500 or 503 for such a rule; give a backend a weight above 0"),
                    );
                }
                let counts: Vec<(u64, usize)> = resolved
                    .iter()
                    .map(|(s, w)| (*w, s.backends.len()))
                    .collect();
                for ((service, _), split) in resolved.iter().zip(weights::split(&counts)) {
                    for (b, weight) in service.backends.iter().zip(split) {
                        backends.push(ir::BackendRef {
                            service: ir::ObjectRef {
                                namespace: service.meta.namespace.clone(),
                                name: b.name.clone(),
                            },
                            port: b.port,
                            weight,
                            kind: ir::RefKind::Service, // fitted by check::target
                        });
                    }
                }
                if backends.len() > 16 {
                    self.report(
                        Diagnostic::new(Code::TooMany, attr_span, format!("{} backends after balancing, the Gateway API allows at most 16", backends.len()), "each endpoint of a balanced service is one backend")
                            .with_help("use fewer backends in this rule, or `balance off` on a service whose endpoints are IP addresses"),
                    );
                    ok = false;
                }
            }
        }

        // Mirrors.
        let mut ir_mirrors = Vec::new();
        for (service, percent, origin) in mirrors {
            let percent = match percent {
                Some(p) if p.value > 100 => {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidPercent,
                            p.span,
                            format!("{}% is more than all requests", p.value),
                            "more than 100%",
                        )
                        .with_help("mirror between 0% and 100% of requests"),
                    );
                    ok = false;
                    None
                }
                Some(p) => Some(p.value as u8),
                None => None,
            };
            if let Some(s) = self.resolve_service(service) {
                // A balanced service is mirrored to each of its endpoints' Services, each
                // copying its part of the requests.
                let share = weights::mirror_share(percent, s.backends.len());
                for b in &s.backends {
                    ir_mirrors.push(ir::Mirror {
                        backend: ir::BackendRef {
                            service: ir::ObjectRef {
                                namespace: s.meta.namespace.clone(),
                                name: b.name.clone(),
                            },
                            port: b.port,
                            weight: 1,
                            kind: ir::RefKind::Service, // fitted by check::target
                        },
                        share,
                        origin,
                    });
                }
            } else {
                ok = false;
            }
        }

        // Rewrite and redirect.
        let rewrite_parts = rewrite.get();
        let redirect_parts = redirect.get();
        let rewrite = match rewrite_parts {
            Some(parts) => {
                let r = self.rewrite(parts, &matches);
                ok &= r.is_some();
                r
            }
            None => None,
        };
        let redirect = match redirect_parts {
            Some(parts) => {
                let r = self.redirect(parts, &matches);
                ok &= r.is_some();
                r
            }
            None => None,
        };
        if let (Some(_), Some(_)) = (&rewrite_parts, &redirect_parts) {
            let rs = rule
                .items
                .iter()
                .find(|i| matches!(i.node, RuleItem::Rewrite(_)))
                .map(|i| i.span);
            let ds = rule
                .items
                .iter()
                .find(|i| matches!(i.node, RuleItem::Redirect(_)))
                .map(|i| i.span);
            if let (Some(rs), Some(ds)) = (rs, ds) {
                self.report(
                    Diagnostic::new(Code::ConflictingFilters, rs, "a rule cannot both rewrite and redirect", "rewrite")
                        .with_label(ds, "redirect")
                        .with_help("a redirect answers the client itself, so nothing is forwarded to rewrite; keep one"),
                );
            }
            ok = false;
        }
        if let (Some(_), Some((_, attr_span))) = (&redirect_parts, backends_attr) {
            self.report(
                Diagnostic::new(
                    Code::RedirectWithBackends,
                    attr_span,
                    "a rule cannot both redirect and forward to backends",
                    "backends",
                )
                .with_help("remove the `->` line, or the redirect"),
            );
            ok = false;
        }
        if redirect_parts.is_none() && backends_attr.is_none() {
            self.report(
                Diagnostic::new(
                    Code::RuleWithoutAction,
                    keyword,
                    "this rule neither forwards nor redirects",
                    "answers 500",
                )
                .with_help("add `-> service-name` or a `redirect`"),
            );
        }

        // Timeouts.
        let mut timeouts = None;
        if let Some((request, backend)) = timeout.get() {
            for d in std::iter::once(request).chain(backend) {
                if let Err(reason) = validate::duration(&d.value) {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidDuration,
                            d.span,
                            format!("`{}` is not a valid duration", d.value),
                            reason,
                        )
                        .with_help("write durations like `10s`, `1m30s` or `500ms`"),
                    );
                    ok = false;
                }
            }
            if let Some(b) = backend {
                let (req, back) = (
                    validate::duration_ms(&request.value),
                    validate::duration_ms(&b.value),
                );
                if req != 0 && back > req {
                    self.report(
                        Diagnostic::new(Code::InvalidDuration, b.span, "the backend timeout is longer than the request timeout", "longer than the request timeout")
                            .with_label(request.span, "request timeout")
                            .with_help("the request timeout covers the whole exchange, backend included; make the backend timeout shorter"),
                    );
                    ok = false;
                }
            }
            timeouts = Some(ir::Timeouts {
                request: Some(request.value.clone()),
                backend: backend.as_ref().map(|b| b.value.clone()),
            });
        }

        let filter_count = usize::from(request.used())
            + usize::from(response.used())
            + usize::from(rewrite.is_some())
            + usize::from(redirect.is_some())
            + ir_mirrors.len();
        ok &= self.limit(filter_count, 16, "filters", span);
        ok.then(|| ir::Rule {
            matches: matches.into_iter().map(|(m, _)| m).collect(),
            filters: ir::Filters {
                request_headers: request.used().then_some(request.edits),
                response_headers: response.used().then_some(response.edits),
                rewrite,
                redirect,
                mirrors: ir_mirrors,
            },
            backends,
            timeouts,
            origin: keyword,
        })
    }

    fn resolve_service(&mut self, name: &ast::Ident) -> Option<Rc<ir::Service>> {
        if let Some(s) = self.service_irs.get(&name.text) {
            return Some(s.clone());
        }
        if self.services.contains_key(name.text.as_str()) {
            return None; // defined, but with errors already reported
        }
        let candidates = self
            .services
            .iter()
            .map(|(n, d)| (*n, Some(d.node.name.span)));
        let d = Diagnostic::new(
            Code::UnknownService,
            name.span,
            format!("unknown service `{}`", name.text),
            "no service has this name",
        )
        .did_you_mean(&name.text, name.span, candidates, Spelling::Bare, || {
            format!(
                "define it with `service {} {{ endpoint \"host:port\" }}`, or import the file that does",
                name.text
            )
        });
        self.report(d);
        None
    }

    fn match_(&mut self, conds: &[ast::Spanned<Condition>], span: Span) -> Option<ir::Match> {
        let mut ok = true;
        let mut m = ir::Match::default();
        let mut path = Once::new("path");
        let mut method = Once::new("method");
        for c in conds {
            match &c.node {
                Condition::Path { op, value } => {
                    let kind = match op {
                        Op::Prefix => PathKind::Prefix,
                        Op::Exact => PathKind::Exact,
                        Op::Regex => PathKind::Regex,
                    };
                    let valid = if kind == PathKind::Regex {
                        self.regex(value, 1024)
                    } else {
                        match validate::path(&value.value) {
                            Ok(()) => true,
                            Err(reason) => {
                                self.report(
                                    Diagnostic::new(Code::InvalidPath, value.span, format!("`{}` is not a valid path", crate::diagnostics::brief(&value.value)), reason)
                                        .with_help(if value.value.starts_with('/') { "paths use letters, digits and `-._~!$&'()*+,;=:@/`; percent-encode anything else" } else { "paths start with `/`, like \"/api\"" }),
                                );
                                false
                            }
                        }
                    };
                    ok &= valid;
                    path.set(self, (kind, value.value.clone()), c.span);
                }
                Condition::Header { name, op, value } => {
                    ok &= self.match_value(name, *op, value, 4096, "header");
                    if m.headers
                        .iter()
                        .any(|(n, _, _)| n.eq_ignore_ascii_case(&name.value))
                    {
                        let first_span = conds.iter().find_map(|x| match &x.node {
                            Condition::Header { name: n, .. }
                                if n.value.eq_ignore_ascii_case(&name.value) =>
                            {
                                Some(x.span)
                            }
                            _ => None,
                        });
                        self.report(
                            Diagnostic::new(Code::DuplicateAttribute, c.span, format!("header `{}` is matched twice in one match", name.value), "matched again here")
                                .with_label(first_span.unwrap_or(c.span), "first matched here")
                                .with_help("header names are case-insensitive, and only the first entry counts; use a regular expression to accept several values"),
                        );
                        ok = false;
                    }
                    m.headers
                        .push((name.value.clone(), value_kind(*op), value.value.clone()));
                }
                Condition::Query { name, op, value } => {
                    ok &= self.match_value(name, *op, value, 1024, "query parameter");
                    if m.query.iter().any(|(n, _, _)| *n == name.value) {
                        self.report(
                            Diagnostic::new(
                                Code::DuplicateAttribute,
                                c.span,
                                format!(
                                    "query parameter `{}` is matched twice in one match",
                                    name.value
                                ),
                                "matched again here",
                            )
                            .with_help("use a regular expression to accept several values"),
                        );
                        ok = false;
                    }
                    m.query
                        .push((name.value.clone(), value_kind(*op), value.value.clone()));
                }
                Condition::Method(word) => match self.one_of(word, "method", METHODS) {
                    Some(m) => method.set(self, m, c.span),
                    None => ok = false,
                },
            }
        }
        ok &= self.limit(m.headers.len(), 16, "header matches", span);
        ok &= self.limit(m.query.len(), 16, "query matches", span);
        m.path = path.get();
        m.method = method.get();
        ok.then_some(m)
    }

    fn match_value(
        &mut self,
        name: &ast::Str,
        op: Op,
        value: &ast::Str,
        max: usize,
        what: &str,
    ) -> bool {
        let mut ok = self.header_name(name, what);
        if op == Op::Regex {
            ok &= self.regex(value, max);
        } else if value.value.is_empty() || value.value.len() > max {
            self.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    value.span,
                    format!("a {what} value is 1 to {max} characters"),
                    format!("{} characters", value.value.len()),
                )
                .with_help(format!("to match any value of the {what}, use `~ \".*\"`")),
            );
            ok = false;
        } else {
            ok &= self.field_value(value, what);
        }
        ok
    }

    fn header_name(&mut self, name: &ast::Str, what: &str) -> bool {
        match validate::header_name(&name.value) {
            Ok(()) => true,
            Err(reason) => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidHeaderName,
                        name.span,
                        format!("`{}` is not a valid {what} name", name.value),
                        reason,
                    )
                    .with_help("names are RFC 7230 tokens: letters, digits and !#$%&'*+-.^_`|~"),
                );
                false
            }
        }
    }

    /// A header or query value that is sent or matched: an HTTP field value.
    fn field_value(&mut self, value: &ast::Str, what: &str) -> bool {
        match validate::field_value(&value.value) {
            Ok(()) => true,
            Err(reason) => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidValue,
                        value.span,
                        format!("this {what} value holds a control character"),
                        reason,
                    )
                    .with_help("write the value without it; `\\t` is the only control character a header value may hold"),
                );
                false
            }
        }
    }

    fn regex(&mut self, value: &ast::Str, max: usize) -> bool {
        match validate::regex(&value.value, max) {
            Ok(()) => true,
            Err(reason) => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidRegex,
                        value.span,
                        format!(
                            "`{}` is not a valid regular expression",
                            crate::diagnostics::brief(&value.value)
                        ),
                        reason,
                    )
                    .with_help(
                        "regular expressions use RE2 syntax: no look-around or back-references",
                    ),
                );
                false
            }
        }
    }

    /// Checks one header edit written in a rule or a filter group, and adds it to `editor`.
    fn header_action(&mut self, action: &'a HeaderAction, editor: &mut HeaderEditor<'a>) -> bool {
        let (name, value) = match action {
            HeaderAction::Set { name, value } | HeaderAction::Add { name, value } => {
                (name, Some(value))
            }
            HeaderAction::Remove { name } => (name, None),
        };
        let mut ok = self.header_name(name, "header");
        if let Some(v) = value
            && (v.value.is_empty() || v.value.len() > 4096)
        {
            self.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    v.span,
                    "a header value is 1 to 4096 characters",
                    format!("{} characters", v.value.len()),
                )
                .with_help("to drop a header, use `remove header \"name\"`"),
            );
            ok = false;
        } else if let Some(v) = value {
            ok &= self.field_value(v, "header");
        }
        self.record_header(action, None, editor) && ok
    }

    /// Adds a checked header edit to `editor`; a header edited twice is reported. `via` is
    /// the `use` line that took the edit in from a filter group.
    fn record_header(
        &mut self,
        action: &'a HeaderAction,
        via: Option<(Span, &'a str)>,
        editor: &mut HeaderEditor<'a>,
    ) -> bool {
        let name = match action {
            HeaderAction::Set { name, .. }
            | HeaderAction::Add { name, .. }
            | HeaderAction::Remove { name } => name,
        };
        let again = Edit { name, via };
        let key = name.value.to_ascii_lowercase();
        if let Some(&first) = editor.first.get(&key) {
            self.report(duplicate_header_edit(
                &name.value,
                editor.direction,
                first,
                again,
            ));
            return false;
        }
        editor.first.insert(key, again);
        let edits = &mut editor.edits;
        match action {
            HeaderAction::Set { name, value } => {
                edits.set.push((name.value.clone(), value.value.clone()))
            }
            HeaderAction::Add { name, value } => {
                edits.add.push((name.value.clone(), value.value.clone()))
            }
            HeaderAction::Remove { name } => edits.remove.push(name.value.clone()),
        }
        true
    }

    /// Checks a filter group once, where it is defined: its header names and values, and
    /// that it edits each header once. Returns whether it is free of errors.
    pub(super) fn filter_group(&mut self, group: &'a ast::Filters) -> bool {
        let mut request = HeaderEditor::new("requests");
        let mut response = HeaderEditor::new("responses");
        let mut ok = true;
        for item in &group.items {
            ok &= match &item.node {
                ast::FiltersItem::RequestHeader(a) => self.header_action(a, &mut request),
                ast::FiltersItem::ResponseHeader(a) => self.header_action(a, &mut response),
            };
        }
        ok & self.header_limits([&request, &response], group.name.span)
    }

    /// The Gateway API's limit of 16 edits of each kind per direction.
    fn header_limits(&mut self, editors: [&HeaderEditor<'_>; 2], span: Span) -> bool {
        let mut ok = true;
        for edits in editors.map(|e| &e.edits) {
            ok &= self.limit(edits.set.len(), 16, "`set header` lines", span);
            ok &= self.limit(edits.add.len(), 16, "`add header` lines", span);
            ok &= self.limit(edits.remove.len(), 16, "`remove header` lines", span);
        }
        ok
    }

    /// `use NAME` in a rule: adds the group's edits to the rule's, as if written there.
    fn use_filters(
        &mut self,
        name: &'a ast::Ident,
        request: &mut HeaderEditor<'a>,
        response: &mut HeaderEditor<'a>,
    ) -> bool {
        let Some(&(group, group_ok)) = self.filters.get(name.text.as_str()) else {
            self.report(self.unknown_filters(name));
            return false;
        };
        if !group_ok {
            return false; // reported at the group
        }
        let via = Some((name.span, group.name.text.as_str()));
        let mut ok = true;
        for item in &group.items {
            ok &= match &item.node {
                ast::FiltersItem::RequestHeader(a) => self.record_header(a, via, request),
                ast::FiltersItem::ResponseHeader(a) => self.record_header(a, via, response),
            };
        }
        ok
    }

    fn unknown_filters(&self, name: &ast::Ident) -> Diagnostic {
        let candidates = self.filters.iter().map(|(n, d)| (*n, Some(d.0.name.span)));
        Diagnostic::new(
            Code::UnknownFilters,
            name.span,
            format!("unknown filter group `{}`", name.text),
            "no filter group has this name",
        )
        .did_you_mean(&name.text, name.span, candidates, Spelling::Bare, || {
            match crate::stdlib::defining_filters(&name.text) {
                Some(module) => format!(
                    "`{}` is in the standard library: add `import \"{module}\"` to the file",
                    name.text
                ),
                None => format!(
                    "define it with `filters {} {{ response set header \"name\" = \"value\" }}`, or import the file that does",
                    name.text
                ),
            }
        })
    }

    /// A `path` edit; a prefix edit needs exactly one prefix match in the rule.
    fn path_edit(
        &mut self,
        prefix: bool,
        value: &ast::Str,
        span: Span,
        matches: &[(ir::Match, Span)],
        what: &str,
    ) -> Option<ir::PathEdit> {
        let valid = value.value.is_empty() && prefix || validate::path(&value.value).is_ok();
        if !valid {
            let reason = validate::path(&value.value).err().unwrap_or_default();
            self.report(
                Diagnostic::new(
                    Code::InvalidPath,
                    value.span,
                    format!("`{}` is not a valid path", value.value),
                    reason,
                )
                .with_help("paths start with `/`"),
            );
            return None;
        }
        if !prefix {
            return Some(ir::PathEdit::Full(value.value.clone()));
        }
        let one_prefix = match matches {
            [] => true, // the default match is the prefix `/`
            [(m, _)] => matches!(m.path, None | Some((PathKind::Prefix, _))),
            _ => false,
        };
        if !one_prefix {
            let mut d = Diagnostic::new(
                Code::PrefixNeedsPrefixMatch,
                span,
                format!("`{what} path prefix` needs exactly one path-prefix match in its rule"),
                "replaces the matched prefix",
            );
            for (_, s) in matches {
                d = d.with_label(*s, "a match");
            }
            self.report(d.with_help(format!("keep one `match path \"/prefix\"` in this rule, or use `{what} path \"/full\"` to replace the whole path")));
            return None;
        }
        Some(ir::PathEdit::Prefix(value.value.clone()))
    }

    fn rewrite(
        &mut self,
        parts: &[ast::Spanned<RewritePart>],
        matches: &[(ir::Match, Span)],
    ) -> Option<ir::Rewrite> {
        let mut ok = true;
        let mut host = Once::new("host");
        let mut path = Once::new("path");
        for p in parts {
            match &p.node {
                RewritePart::Host(h) => {
                    ok &= self.hostname(h, false);
                    host.set(self, h.value.clone(), p.span);
                }
                RewritePart::Path { prefix, value } => {
                    match self.path_edit(*prefix, value, p.span, matches, "rewrite") {
                        Some(e) => path.set(self, e, p.span),
                        None => ok = false,
                    }
                }
            }
        }
        ok.then(|| ir::Rewrite {
            hostname: host.get(),
            path: path.get(),
        })
    }

    fn redirect(
        &mut self,
        parts: &[ast::Spanned<RedirectPart>],
        matches: &[(ir::Match, Span)],
    ) -> Option<ir::Redirect> {
        let mut ok = true;
        let mut scheme = Once::new("scheme");
        let mut host = Once::new("host");
        let mut port = Once::new("port");
        let mut path = Once::new("path");
        let mut status = Once::new("status");
        for p in parts {
            match &p.node {
                RedirectPart::Scheme(s) => match self.one_of(s, "scheme", SCHEMES) {
                    Some(v) => scheme.set(self, v, p.span),
                    None => ok = false,
                },
                RedirectPart::Host(h) => {
                    ok &= self.hostname(h, false);
                    host.set(self, h.value.clone(), p.span);
                }
                RedirectPart::Port(n) => match self.port(n) {
                    Some(n) => port.set(self, n, p.span),
                    None => ok = false,
                },
                RedirectPart::Path { prefix, value } => {
                    match self.path_edit(*prefix, value, p.span, matches, "redirect") {
                        Some(e) => path.set(self, e, p.span),
                        None => ok = false,
                    }
                }
                RedirectPart::Status(n) => {
                    if [301, 302, 303, 307, 308].contains(&n.value) {
                        status.set(self, n.value as u16, p.span);
                    } else {
                        self.report(
                            Diagnostic::new(Code::InvalidStatus, n.span, format!("{} is not a redirect status", n.value), "not 301, 302, 303, 307 or 308")
                                .with_help("use 301 or 308 for permanent redirects, 302 or 307 for temporary ones"),
                        );
                        ok = false;
                    }
                }
            }
        }
        ok.then(|| ir::Redirect {
            scheme: scheme.get(),
            hostname: host.get(),
            port: port.get(),
            path: path.get(),
            status: status.get(),
        })
    }
}

fn value_kind(op: Op) -> ValueKind {
    match op {
        Op::Regex => ValueKind::Regex,
        _ => ValueKind::Exact,
    }
}

/// A header edited twice in one rule and direction. An edit taken in by `use` is shown at
/// the `use` line, where the user can act on it, and also where the group writes it.
fn duplicate_header_edit(
    header: &str,
    direction: &str,
    first: Edit<'_>,
    again: Edit<'_>,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::DuplicateHeaderEdit,
        again.via.map_or(again.name.span, |(at, _)| at),
        format!("header `{header}` is edited twice in {direction}"),
        match again.via {
            Some((_, group)) => format!("`{group}` edits it again"),
            None => "edited again here".to_string(),
        },
    );
    match first.via {
        Some((at, group)) => d = d.with_label(at, format!("`{group}` edits it first")),
        None => d = d.with_label(first.name.span, "first edited here"),
    }
    let mut groups = Vec::new();
    for edit in [first, again] {
        if let Some((_, group)) = edit.via {
            d = d.with_label(
                edit.name.span,
                format!("`{group}` edits `{}` here", edit.name.value),
            );
            groups.push(group);
        }
    }
    match groups.first() {
        Some(group) => d.with_help(format!(
            "a rule edits each header once (names are case-insensitive); to change what `{group}` does, write its edits in the rule instead of `use {group}`"
        )),
        None => d.with_help(
            "a rule edits each header once (names are case-insensitive); keep the edit you mean",
        ),
    }
}

/// Whether HTTP routes attach to a listener: only HTTP and HTTPS listeners take them. A
/// `protocol TLS` listener, passthrough or terminate, takes TLS routes (Gateway API
/// `allowedRoutes.kinds`: "HTTP and HTTPS allow HTTPRoute").
fn accepts_http_routes(l: &ir::Listener) -> bool {
    matches!(l.protocol, ir::Protocol::Http | ir::Protocol::Https)
}
