//! The Host rewrite of each rule: a rule whose backends need one `Host` (a DNS endpoint's
//! name, or a service's `rewrite host`) gets a `URLRewrite.hostname`, unless the rule writes
//! its own; backends that need different ones cannot share the rule (E0506). It does not
//! depend on the target. Only HTTP routes: GRPCRoute has no `URLRewrite` filter, so a gRPC
//! call keeps the client's `:authority`, with a warning where a service asked for another
//! (W0319); TCP, UDP and TLS routes have no Host.

use super::Checker;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::syntax::ast;

impl Checker<'_> {
    pub(super) fn infer_host_rewrites(&mut self, model: &mut ir::Model) {
        for r in &mut model.routes {
            if r.kind == ir::RouteKind::Grpc {
                self.grpc_host_rewrites(r, &model.services);
            }
            if r.kind != ir::RouteKind::Http {
                continue;
            }
            for rule in &mut r.rules {
                let has_host_rewrite = rule
                    .filters
                    .rewrite
                    .as_ref()
                    .is_some_and(|w| w.hostname.is_some());
                if has_host_rewrite || rule.backends.is_empty() {
                    continue;
                }
                let wanted: Vec<(&ir::Service, Option<&String>)> = rule
                    .backends
                    .iter()
                    .map(|b| {
                        let s = &model.services[b.at.service];
                        (s, s.backends[b.at.backend].host_rewrite.as_ref())
                    })
                    .collect();
                let Some(first) = wanted.first() else {
                    continue;
                };
                if let Some(other) = wanted.iter().find(|w| w.1 != first.1) {
                    self.report(host_rewrite_conflict(rule.origin, *first, *other));
                    continue;
                }
                if let Some(host) = first.1 {
                    rule.filters
                        .rewrite
                        .get_or_insert_with(ir::Rewrite::default)
                        .hostname = Some(host.clone());
                }
            }
        }
    }

    /// W0319: a gRPC rule to a service that writes `rewrite host "name"`, which the rule
    /// cannot apply. (A DNS endpoint's own name, which egwc infers, is not warned of: the
    /// service did not ask for it.)
    fn grpc_host_rewrites(&mut self, route: &ir::Route, services: &[ir::Service]) {
        for rule in &route.rules {
            let mut warned: Vec<usize> = Vec::new();
            for b in &rule.backends {
                if warned.contains(&b.at.service) {
                    continue;
                }
                let service = &services[b.at.service];
                let Some(def) = self.services.get(service.meta.name.as_str()) else {
                    continue;
                };
                let written = def.node.items.iter().find_map(|item| match &item.node {
                    ast::ServiceItem::HostRewrite(Some(host)) => Some((item.span, host)),
                    _ => None,
                });
                if let Some((at, host)) = written {
                    warned.push(b.at.service);
                    self.report(grpc_host_rewrite(rule.origin, &service.meta.name, at, host));
                }
            }
        }
    }
}

/// W0319: see [`Checker::grpc_host_rewrites`].
fn grpc_host_rewrite(
    rule: crate::source::Span,
    service: &str,
    rewrite: crate::source::Span,
    host: &ast::Str,
) -> Diagnostic {
    Diagnostic::new(
        Code::GrpcHostRewrite,
        rule,
        format!(
            "this gRPC rule goes to service `{service}`, which asks for `Host: {}`, and a \
gRPC route cannot rewrite it",
            host.value
        ),
        "gRPC calls keep the client's `:authority`",
    )
    .with_label(rewrite, "applied by HTTP rules only")
    .with_help(
        "have gRPC clients call the service by that name, or write `rewrite host off` in the \
service if any name will do",
    )
}

/// E0506: two backends of one rule, one needing `Host` to be `a` and the other `b` or the
/// client's own.
fn host_rewrite_conflict(
    rule: crate::source::Span,
    first: (&ir::Service, Option<&String>),
    other: (&ir::Service, Option<&String>),
) -> Diagnostic {
    let describe = |(s, host): (&ir::Service, Option<&String>)| match host {
        Some(h) => format!("`{}` needs `Host: {h}`", s.meta.name),
        None => format!("`{}` keeps the client's Host", s.meta.name),
    };
    Diagnostic::new(
        Code::HostRewriteConflict,
        rule,
        "the backends of this rule need different Host headers",
        format!("{}, {}", describe(first), describe(other)),
    )
    .with_label(first.0.meta.origin, describe(first))
    .with_label(other.0.meta.origin, describe(other))
    .with_help(
        "a Host rewrite applies to the whole rule: route to these services in separate rules, \
write `rewrite host \"...\"` in the rule, or `rewrite host off` in a service that accepts any Host",
    )
}
