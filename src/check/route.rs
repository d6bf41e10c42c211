//! Checking `route` blocks: names, parents (the listeners a route attaches to) and
//! hostnames; each rule is checked in `rule.rs`.

use super::{Checker, Once, missing, not_for_kind, validate};
use crate::diagnostics::{Code, Diagnostic, Spelling};
use crate::ir;
use crate::source::Span;
use crate::syntax::ast::{self, RouteItem};

impl<'a> Checker<'a> {
    pub(super) fn route(
        &mut self,
        r: &'a ast::Route,
        file_namespace: &'a str,
    ) -> Option<ir::Route> {
        let mark = self.mark();
        self.object_name(&r.name, 0, true);
        let kind = match r.kind.as_ref().map(|k| k.node) {
            None => ir::RouteKind::Http,
            Some(ast::RouteKind::Tcp) => ir::RouteKind::Tcp,
            Some(ast::RouteKind::Udp) => ir::RouteKind::Udp,
            Some(ast::RouteKind::Tls) => ir::RouteKind::Tls,
            Some(ast::RouteKind::Grpc) => ir::RouteKind::Grpc,
        };
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
                RouteItem::Label(kv) => labels.push(&**kv),
                RouteItem::Annotation(kv) => annotations.push(&**kv),
                RouteItem::Rule(rule) => rules.push((rule, item.span)),
            }
        }
        let namespace = namespace.get().unwrap_or(file_namespace);

        // Parents: gateways and listeners. A parent or rule can fail without a report here:
        // it refers to a definition whose errors were reported there.
        let mut failed = false;
        let (parents, listeners) = match on.get() {
            None => {
                self.report(missing(&r.name, "route", "on", "on gateway-name"));
                (Vec::new(), Vec::new())
            }
            Some(refs) => {
                let (parents, listeners, parents_ok) = self.parents(r, kind, refs, namespace);
                failed |= !parents_ok;
                (parents, listeners)
            }
        };

        // Hostnames.
        let mut hostnames = Vec::new();
        let written_hosts = hosts.get();
        if written_hosts.is_none() && kind == ir::RouteKind::Tls {
            self.report(missing(&r.name, "TLS route", "host", "host \"nas.example.com\"").with_help(
                "a TLS route is chosen by the name the client asks for (SNI): add `host \"...\"`",
            ));
        }
        if let Some((hs, span)) = written_hosts {
            if matches!(
                kind,
                ir::RouteKind::Http | ir::RouteKind::Grpc | ir::RouteKind::Tls
            ) {
                let most = if kind == ir::RouteKind::Tls { 1024 } else { 16 };
                self.limit(hs.len(), most, "hostnames", span);
                self.route_hostnames(hs, &listeners, &mut hostnames);
            } else {
                self.report(not_for_kind(
                    span,
                    format!("{} route has no hostnames", ir::article(kind.name())),
                    "a connection or datagram carries no host name: the listener's port chooses \
the route",
                ));
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
        }
        let most = match kind {
            ir::RouteKind::Http | ir::RouteKind::Grpc => 16,
            _ => 1,
        };
        self.limit(rules.len(), most, "rules", r.name.span);
        let mut checked = Vec::with_capacity(rules.len());
        for (rule, span) in &rules {
            match self.rule(rule, *span, kind) {
                Some(ir) => checked.push(ir),
                None => failed = true,
            }
        }
        let total_matches: usize = checked.iter().map(|r: &ir::Rule| r.matches.len()).sum();
        self.limit(total_matches, 128, "matches in one route", r.name.span);
        let failed = failed || self.errors_since(mark);
        let (labels, annotations) = self.metadata(&labels, &annotations, None);
        (!failed).then(|| ir::Route {
            meta: ir::Meta {
                name: r.name.text.clone(),
                namespace: namespace.to_string(),
                labels,
                annotations,
                origin: r.name.span,
            },
            kind,
            version: ir::RouteVersion::V1,
            parents,
            hostnames,
            rules: checked,
        })
    }

    /// The `on` line: each parent once, resolved; with the listeners each attaches to and
    /// the span of its reference, and whether all are free of errors (the listeners of the
    /// valid ones are kept either way: the hostnames are checked against them).
    #[allow(clippy::type_complexity)]
    fn parents(
        &mut self,
        r: &ast::Route,
        kind: ir::RouteKind,
        refs: &[ast::ParentRef],
        namespace: &str,
    ) -> (Vec<ir::Parent>, Vec<(ir::Listener, Span)>, bool) {
        let mark = self.mark();
        // A parent can fail without a report here: its gateway's errors were reported there.
        let mut failed = false;
        let mut parents = Vec::with_capacity(refs.len());
        let mut listeners = Vec::new();
        for p in refs {
            // A whole gateway and one of its listeners overlap too: the API server requires
            // a listener on every reference to a gateway named more than once.
            if let Some(first) = refs.iter().take_while(|q| q.span != p.span).find(|q| {
                q.gateway.text == p.gateway.text
                    && match (&q.listener, &p.listener) {
                        (Some(a), Some(b)) => a.text == b.text,
                        _ => true,
                    }
            }) {
                self.report(duplicate_parent(r, p, first));
                continue;
            }
            match self.parent(p, kind, namespace) {
                Some((parent, ls)) => {
                    parents.push(parent);
                    listeners.extend(ls.into_iter().map(|l| (l, p.span)));
                }
                None => failed = true,
            }
        }
        self.limit(parents.len(), 32, "parents", r.name.span);
        let ok = !failed && !self.errors_since(mark);
        (parents, listeners, ok)
    }

    /// The route's hostnames, each valid and intersecting a listener's (when the route
    /// attaches to any); returns whether all are.
    fn route_hostnames(
        &mut self,
        written: &[ast::Str],
        listeners: &[(ir::Listener, Span)],
        hostnames: &mut Vec<String>,
    ) -> bool {
        let mark = self.mark();
        hostnames.reserve_exact(written.len());
        for h in written {
            if !self.hostname(h, true) {
                continue;
            }
            let matched = listeners.is_empty()
                || listeners
                    .iter()
                    .any(|(l, _)| validate::hostnames_intersect(l.hostname.as_deref(), &h.value));
            if !matched {
                let names: Vec<String> = listeners
                    .iter()
                    .filter_map(|(l, _)| l.hostname.as_ref().map(|n| format!("`{n}`")))
                    .collect();
                let (_, parent_span) = listeners[0];
                self.report(hostname_mismatch(h, parent_span, &names));
            }
            hostnames.push(h.value.clone());
        }
        !self.errors_since(mark)
    }

    /// E0101 for a name no gateway has.
    pub(super) fn unknown_gateway(&self, name: &ast::Ident) -> Diagnostic {
        let candidates = self
            .gateways
            .iter()
            .map(|(n, d)| (*n, Some(d.node.name.span)));
        Diagnostic::new(
            Code::UnknownGateway,
            name.span,
            format!("unknown gateway `{}`", name.text),
            "no gateway has this name",
        )
        .did_you_mean(&name.text, name.span, candidates, Spelling::Bare, || {
            "define it with `gateway NAME { class \"...\" listener ... }`, or import the file \
that does"
                .to_string()
        })
    }

    /// Resolves `gateway[.listener]`; returns the parent and the listeners it attaches to.
    fn parent(
        &mut self,
        p: &ast::ParentRef,
        kind: ir::RouteKind,
        route_namespace: &str,
    ) -> Option<(ir::Parent, Vec<ir::Listener>)> {
        let Some(def) = self.gateways.get(p.gateway.text.as_str()).copied() else {
            self.report(self.unknown_gateway(&p.gateway));
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
        let listeners = self.named_listeners(p, &gateway, def.node.name.span)?;
        let mark = self.mark();
        for l in &listeners {
            self.listener_takes(p, kind, l, &gateway, route_namespace);
        }
        let taking: Vec<ir::Listener> = listeners
            .into_iter()
            .filter(|l| kind.fits(l.protocol))
            .collect();
        if !self.errors_since(mark) && taking.is_empty() {
            self.report(no_listener_for(p, kind, &gateway));
        }
        (!self.errors_since(mark)).then(|| {
            (
                ir::Parent {
                    gateway: ir::ObjectRef {
                        namespace: gateway.meta.namespace.clone(),
                        name: gateway.meta.name.clone(),
                    },
                    listener: p.listener.as_ref().map(|l| l.text.clone()),
                },
                taking,
            )
        })
    }
    /// The listeners `gateway[.listener]` names: all, or the one named.
    fn named_listeners(
        &mut self,
        p: &ast::ParentRef,
        gateway: &ir::Gateway,
        defined: Span,
    ) -> Option<Vec<ir::Listener>> {
        let Some(l) = &p.listener else {
            return Some(gateway.listeners.clone());
        };
        if let Some(x) = gateway.listeners.iter().find(|x| x.name == l.text) {
            return Some(vec![x.clone()]);
        }
        let names: Vec<&str> = gateway.listeners.iter().map(|x| x.name.as_str()).collect();
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let best = crate::diagnostics::closest(&l.text, names.iter().copied());
        let help = match best {
            Some(best) => format!("did you mean `{best}`? `{}` has {list}", gateway.meta.name),
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
        .with_label(defined, "gateway defined here")
        .with_help(help);
        if let Some(best) = best {
            d = d.with_fix(l.span, best);
        }
        self.report(d);
        None
    }

    /// Whether listener `l` takes this route: one whose protocol fits its kind (reported when
    /// the route names the listener), from the gateway's namespace unless `routes from all`.
    fn listener_takes(
        &mut self,
        p: &ast::ParentRef,
        kind: ir::RouteKind,
        l: &ir::Listener,
        gateway: &ir::Gateway,
        route_namespace: &str,
    ) -> bool {
        if !kind.fits(l.protocol) {
            if p.listener.is_none() {
                return true;
            }
            self.report(listener_rejects(p, kind, l));
            return false;
        }
        if gateway.meta.namespace != route_namespace && !l.routes_from_all {
            self.report(namespace_not_allowed(p, l, gateway, route_namespace));
            return false;
        }
        true
    }
}

/// E0311: a route that attaches to one gateway or listener twice.
fn duplicate_parent(r: &ast::Route, p: &ast::ParentRef, first: &ast::ParentRef) -> Diagnostic {
    if p.listener.is_some() && first.listener.is_some() || p.display() == first.display() {
        return Diagnostic::new(
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
        .with_help("remove the repeated target");
    }
    Diagnostic::new(
        Code::DuplicateParent,
        p.span,
        format!(
            "route `{}` attaches to gateway `{}` and to one of its listeners",
            r.name.text, p.gateway.text
        ),
        "overlaps",
    )
    .with_label(first.span, "overlaps this")
    .with_help(format!(
        "`on {}` already takes every listener that fits the route: keep either the gateway \
or its listeners (the API server refuses a gateway named both ways)",
        p.gateway.text
    ))
}

/// E0304: a route hostname that intersects no listener's.
fn hostname_mismatch(h: &ast::Str, parent_span: Span, names: &[String]) -> Diagnostic {
    Diagnostic::new(
        Code::HostnameMismatch,
        h.span,
        format!(
            "`{}` matches no hostname of the listeners this route attaches to",
            h.value
        ),
        "matches no listener",
    )
    .with_label(
        parent_span,
        format!("listeners here take {}", names.join(", ")),
    )
    .with_help(
        "use a hostname under one of the listeners' hostnames, or \
attach the route to a listener that takes it",
    )
    .stricter("no listener would take the route, so it would serve nothing")
}

/// E0310: a gateway with no listener that takes the route's kind.
fn no_listener_for(p: &ast::ParentRef, kind: ir::RouteKind, gateway: &ir::Gateway) -> Diagnostic {
    let protocols: Vec<&str> = ir::LISTENER_PROTOCOLS
        .iter()
        .filter(|(_, p)| kind.fits(*p))
        .map(|(name, _)| *name)
        .collect();
    Diagnostic::new(
        Code::ListenerRejectsRoute,
        p.span,
        format!(
            "gateway `{}` has no listener that takes {} routes",
            gateway.meta.name,
            kind.name()
        ),
        format!("no {} listener", protocols.join(" or ")),
    )
    .with_help(format!(
        "add a `protocol {}` listener to the gateway",
        protocols.join("` or `protocol ")
    ))
}

/// E0310: a route attached by name to a listener whose protocol does not take its kind.
fn listener_rejects(p: &ast::ParentRef, kind: ir::RouteKind, l: &ir::Listener) -> Diagnostic {
    let label = match (l.protocol, &l.tls) {
        (ir::Protocol::Tls, Some(ir::ListenerTls::Passthrough)) => {
            "a TLS passthrough listener: it takes TLS routes".to_string()
        }
        (ir::Protocol::Tls, _) => "a TLS listener: it takes TLS routes".to_string(),
        (ir::Protocol::Http | ir::Protocol::Https, _) => {
            format!(
                "{} listener: it takes HTTP routes",
                ir::article(l.protocol.as_str())
            )
        }
        (other, _) => format!(
            "{} listener: it takes {} routes",
            ir::article(other.as_str()),
            other.as_str()
        ),
    };
    let help = match kind {
        ir::RouteKind::Http => format!(
            "attach the route to an HTTP or HTTPS listener; to terminate TLS for HTTP routes, \
make `{}` a `protocol HTTPS` listener",
            l.name
        ),
        other => format!("attach the route to a `protocol {}` listener", other.name()),
    };
    Diagnostic::new(
        Code::ListenerRejectsRoute,
        p.span,
        format!(
            "listener `{}` is {} and does not take {} routes",
            l.name,
            l.protocol.as_str(),
            kind.name()
        ),
        label,
    )
    .with_help(help)
}

/// E0306: a route from another namespace on a listener that takes its own only.
fn namespace_not_allowed(
    p: &ast::ParentRef,
    l: &ir::Listener,
    gateway: &ir::Gateway,
    route_namespace: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::NamespaceNotAllowed,
        p.span,
        format!(
            "listener `{}` of \
gateway `{}` (namespace `{}`) accepts routes only from its own namespace, and this route is in \
`{route_namespace}`",
            l.name, gateway.meta.name, gateway.meta.namespace
        ),
        "from another namespace",
    )
    .with_help(format!(
        "add `routes from all` to listener `{}`, or move the route to namespace `{}`",
        l.name, gateway.meta.namespace
    ))
}
