//! Checking one `rule` of a route: its items, backends with their weights, mirrors,
//! timeouts, and what a rule may not combine.

use std::sync::Arc;

use super::filters::HeaderEditor;
use super::weights;
use super::{Checker, Once, not_for_kind, validate};
use crate::diagnostics::{Code, Diagnostic, Spelling};
use crate::ir;
use crate::source::Span;
use crate::syntax::ast::{self, RuleItem};

/// A rule's items, each checked on its own, before they are checked together.
struct Items<'a> {
    matches: Vec<(ir::Match, Span)>,
    backends: Option<(&'a [ast::BackendRef], Span)>,
    request: HeaderEditor<'a>,
    response: HeaderEditor<'a>,
    rewrite: Option<&'a [ast::Spanned<ast::RewritePart>]>,
    redirect: Option<&'a [ast::Spanned<ast::RedirectPart>]>,
    timeout: Option<(&'a ast::Str, Option<&'a ast::Str>)>,
    mirrors: Vec<(&'a ast::Ident, Option<&'a ast::Int>, Span)>,
    /// An item has an error: the rule is not built.
    failed: bool,
}

impl<'a> Checker<'a> {
    pub(super) fn rule(
        &mut self,
        rule: &'a ast::Rule,
        span: Span,
        kind: ir::RouteKind,
    ) -> Option<ir::Rule> {
        // The `rule` keyword: where rule-wide findings point, rather than the whole block.
        let keyword = Span {
            end: span.start + "rule".len() as u32,
            ..span
        };
        match kind {
            ir::RouteKind::Http => {}
            ir::RouteKind::Grpc => {
                if !self.grpc_items(rule) {
                    return None;
                }
            }
            _ => {
                if !self.only_backends(rule, kind) {
                    return None;
                }
            }
        }
        let items = self.rule_items(rule, kind);
        let mark = self.mark();
        self.limit(items.matches.len(), 64, "matches", span);
        self.header_limits([&items.request, &items.response], span);
        let backends = self.rule_backends(items.backends, kind, items.failed, mark);
        let (mirrors, unresolved) = self.mirrors(&items.mirrors);
        let rewrite = items
            .rewrite
            .map(|parts| self.rewrite(parts, &items.matches));
        let redirect = items
            .redirect
            .map(|parts| self.redirect(parts, &items.matches));
        self.actions(rule, &items, keyword, kind);
        let timeouts = items.timeout.map(|t| self.timeouts(t));
        let filter_count = usize::from(items.request.used())
            + usize::from(items.response.used())
            + usize::from(matches!(rewrite, Some(Some(_))))
            + usize::from(matches!(redirect, Some(Some(_))))
            + mirrors.len();
        self.limit(filter_count, 16, "filters", span);
        let failed = items.failed
            || unresolved
            || self.errors_since(mark)
            || matches!(rewrite, Some(None))
            || matches!(redirect, Some(None));
        if failed {
            return None;
        }
        Some(ir::Rule {
            matches: items.matches.into_iter().map(|(m, _)| m).collect(),
            filters: ir::Filters {
                request_headers: items.request.used().then_some(items.request.edits),
                response_headers: items.response.used().then_some(items.response.edits),
                rewrite: rewrite.flatten(),
                redirect: redirect.flatten(),
                mirrors,
            },
            backends: backends?,
            timeouts,
            origin: keyword,
        })
    }

    /// The rule of a TCP or UDP route holds only `->`; whether it does (each other item is
    /// reported).
    fn only_backends(&mut self, rule: &ast::Rule, kind: ir::RouteKind) -> bool {
        let mut only = true;
        for item in &rule.items {
            if !matches!(item.node, RuleItem::Backends(_)) {
                self.report(not_for_kind(
                    item.span,
                    format!(
                        "{} route forwards as it is: its rule holds only `->`",
                        ir::article(kind.name())
                    ),
                    "matches, header edits, rewrites, redirects, mirrors and timeouts are for \
HTTP routes; remove this line",
                ));
                only = false;
            }
        }
        only
    }

    /// The rule of a gRPC route has no URL rewrite, redirect or timeout (GRPCRoute has none);
    /// whether it has none (each is reported).
    fn grpc_items(&mut self, rule: &ast::Rule) -> bool {
        let mut ok = true;
        for item in &rule.items {
            if matches!(
                item.node,
                RuleItem::Rewrite(_) | RuleItem::Redirect(_) | RuleItem::Timeout { .. }
            ) {
                self.report(not_for_kind(
                    item.span,
                    "a gRPC route has no rewrites, redirects or timeouts".to_string(),
                    "GRPCRoute forwards with matches, header edits and mirrors only; remove this \
line",
                ));
                ok = false;
            }
        }
        ok
    }

    /// Checks each item of a rule on its own, and gathers them.
    fn rule_items(&mut self, rule: &'a ast::Rule, kind: ir::RouteKind) -> Items<'a> {
        let match_lines = rule.items.iter();
        let match_lines = match_lines.filter(|i| matches!(i.node, RuleItem::Match(_)));
        let mut matches = Vec::with_capacity(match_lines.count());
        let mut backends = Once::new("->");
        let mut request = HeaderEditor::new("requests");
        let mut response = HeaderEditor::new("responses");
        let mut rewrite = Once::new("rewrite");
        let mut redirect = Once::new("redirect");
        let mut timeout = Once::new("timeout");
        let mut mirrors = Vec::new();
        let mut failed = false;
        // Filter groups used so far, with their `use` lines.
        let mut used: Vec<(&str, Span)> = Vec::new();
        for item in &rule.items {
            match &item.node {
                RuleItem::Match(conds) => match self.match_(conds, item.span, kind) {
                    Some(m) => matches.push((m, item.span)),
                    None => failed = true,
                },
                RuleItem::Backends(refs) => {
                    backends.set(self, (refs.as_slice(), item.span), item.span)
                }
                RuleItem::RequestHeader(a) => failed |= !self.header_action(a, &mut request),
                RuleItem::ResponseHeader(a) => failed |= !self.header_action(a, &mut response),
                RuleItem::Rewrite(parts) => rewrite.set(self, parts.as_slice(), item.span),
                RuleItem::Redirect(parts) => redirect.set(self, parts.as_slice(), item.span),
                RuleItem::Mirror { service, percent } => {
                    mirrors.push((service, percent.as_ref(), item.span))
                }
                RuleItem::Timeout { request, backend } => {
                    timeout.set(self, (request, backend.as_deref()), item.span)
                }
                RuleItem::Use(name) => {
                    if let Some(&(_, first)) = used.iter().find(|(n, _)| *n == name.text) {
                        self.report(used_twice(name, first));
                        failed = true;
                        continue;
                    }
                    used.push((&name.text, name.span));
                    failed |= !self.use_filters(name, &mut request, &mut response);
                }
            }
        }
        Items {
            matches,
            backends: backends.get(),
            request,
            response,
            rewrite: rewrite.get(),
            redirect: redirect.get(),
            timeout: timeout.get(),
            mirrors,
            failed,
        }
    }

    /// The `->` line: backends, with weights split over balanced services' endpoints. `None`
    /// when a backend cannot be resolved. Beyond single backends, a rule that has failed
    /// already (`failed`, or an error since `mark`) is not checked further.
    fn rule_backends(
        &mut self,
        written: Option<(&'a [ast::BackendRef], Span)>,
        kind: ir::RouteKind,
        failed: bool,
        mark: super::Mark,
    ) -> Option<Vec<ir::BackendRef>> {
        let Some((refs, attr_span)) = written else {
            return Some(Vec::new());
        };
        let mut resolved = Vec::new();
        let mut unresolved = false;
        for b in refs {
            let weight = match &b.weight {
                Some(w) if w.value > weights::MAX_WEIGHT => {
                    self.report(weight_out_of_range(w));
                    continue;
                }
                Some(w) => w.value,
                None => 1,
            };
            match self.resolve_service(&b.service) {
                Some((_, service)) if !kind.backend_protocols().contains(&service.protocol) => {
                    self.report(backend_protocol_mismatch(&b.service, &service, kind));
                }
                Some(service) => resolved.push((service, weight)),
                None => unresolved = true,
            }
        }
        if unresolved {
            return None;
        }
        if failed || self.errors_since(mark) || resolved.is_empty() {
            return Some(Vec::new());
        }
        if resolved.iter().all(|(_, w)| *w == 0) {
            self.report(all_weights_zero(attr_span));
        }
        let counts: Vec<(u64, usize)> = resolved
            .iter()
            .map(|((_, s), w)| (*w, s.backends.len()))
            .collect();
        let mut backends = Vec::with_capacity(counts.iter().map(|(_, n)| n).sum());
        for (((index, service), _), split) in resolved.iter().zip(weights::split(&counts)) {
            for (b, weight) in split.into_iter().enumerate() {
                backends.push(backend_ref(*index, service, b, weight));
            }
        }
        if backends.len() > 16 {
            self.report(too_many_backends(attr_span, &backends));
        }
        Some(backends)
    }

    /// `mirror NAME [PERCENT]` lines, and whether a service could not be resolved.
    fn mirrors(
        &mut self,
        written: &[(&'a ast::Ident, Option<&'a ast::Int>, Span)],
    ) -> (Vec<ir::Mirror>, bool) {
        let mut mirrors = Vec::new();
        let mut unresolved = false;
        for &(service, percent, origin) in written {
            let percent = match percent {
                Some(p) if p.value > 100 => {
                    self.report(percent_over_100(p));
                    None
                }
                Some(p) => Some(p.value as u8),
                None => None,
            };
            let Some((index, s)) = self.resolve_service(service) else {
                unresolved = true;
                continue;
            };
            if !ir::RouteKind::Http
                .backend_protocols()
                .contains(&s.protocol)
            {
                self.report(backend_protocol_mismatch(service, &s, ir::RouteKind::Http));
                continue;
            }
            // A balanced service is mirrored to each of its endpoints' Services, each
            // copying its part of the requests.
            let share = weights::mirror_share(percent, s.backends.len());
            for b in 0..s.backends.len() {
                mirrors.push(ir::Mirror {
                    backend: backend_ref(index, &s, b, 1),
                    share,
                    origin,
                });
            }
        }
        (mirrors, unresolved)
    }

    /// What a rule does: forward, redirect, or (a warning) neither; never both, and never
    /// both rewrite and redirect.
    fn actions(&mut self, rule: &ast::Rule, items: &Items<'_>, keyword: Span, kind: ir::RouteKind) {
        if items.rewrite.is_some() && items.redirect.is_some() {
            let span_of = |redirect: bool| {
                rule.items
                    .iter()
                    .find(|i| match i.node {
                        RuleItem::Rewrite(_) => !redirect,
                        RuleItem::Redirect(_) => redirect,
                        _ => false,
                    })
                    .map(|i| i.span)
            };
            if let (Some(rs), Some(ds)) = (span_of(false), span_of(true)) {
                self.report(rewrite_and_redirect(rs, ds));
            }
        }
        if let (Some(_), Some((_, attr_span))) = (items.redirect, items.backends) {
            self.report(redirect_with_backends(attr_span));
        }
        if items.redirect.is_none() && items.backends.is_none() {
            match kind {
                ir::RouteKind::Http | ir::RouteKind::Grpc => {
                    self.report(rule_without_action(keyword));
                }
                _ => self.report(rule_without_backends(keyword, kind)),
            }
        }
    }

    /// `timeout REQUEST [backend BACKEND]`.
    fn timeouts(&mut self, (request, backend): (&ast::Str, Option<&ast::Str>)) -> ir::Timeouts {
        for d in std::iter::once(request).chain(backend) {
            if let Err(reason) = validate::duration(&d.value) {
                self.report(invalid_duration(d, reason));
            }
        }
        if let Some(b) = backend {
            let (req, back) = (
                validate::duration_ms(&request.value),
                validate::duration_ms(&b.value),
            );
            if req != 0 && back > req {
                self.report(backend_timeout_too_long(request, b));
            }
        }
        ir::Timeouts {
            request: Some(request.value.clone()),
            backend: backend.map(|b| b.value.clone()),
        }
    }

    /// The checked service `name` names, and its index in `Model::services`; E0101 if no
    /// service has the name.
    pub(super) fn resolve_service(
        &mut self,
        name: &ast::Ident,
    ) -> Option<(usize, Arc<ir::Service>)> {
        if let Some(s) = self.service_irs.get(name.text.as_str()) {
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
                "define it with `service {} {{ endpoint \"host:port\" }}`, or import the file \
that does",
                name.text
            )
        });
        self.report(d);
        None
    }
}

/// E0317: a backend whose protocol the route's kind does not carry.
fn backend_protocol_mismatch(
    name: &ast::Ident,
    service: &ir::Service,
    kind: ir::RouteKind,
) -> Diagnostic {
    let wanted: Vec<&str> = kind
        .backend_protocols()
        .iter()
        .map(|p| p.as_str())
        .collect();
    // `A`, `A or B`, `A, B or C`.
    let listed = match wanted.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} or {last}", init.join(", ")),
        _ => wanted.join(""),
    };
    Diagnostic::new(
        Code::BackendProtocolMismatch,
        name.span,
        format!(
            "service `{}` speaks {}, and {} route carries {listed}",
            name.text,
            service.protocol.as_str(),
            ir::article(kind.name()),
        ),
        format!("{} service", ir::article(service.protocol.as_str())),
    )
    .with_label(service.meta.origin, "defined here")
    .with_help(format!(
        "give the service `protocol {}`, or route to {} service",
        wanted[0],
        ir::article(&listed)
    ))
}

/// A reference to backend `backend` of `service`, the model's service `index`, its kind
/// fitted later by `check::target`.
fn backend_ref(index: usize, service: &ir::Service, backend: usize, weight: u64) -> ir::BackendRef {
    let b = &service.backends[backend];
    ir::BackendRef {
        service: ir::ObjectRef {
            namespace: service.meta.namespace.clone(),
            name: b.name.clone(),
        },
        port: b.port,
        weight,
        kind: ir::RefKind::Service,
        at: ir::BackendAt {
            service: index,
            backend,
        },
    }
}

/// E0013 for `use NAME` written twice in a rule.
fn used_twice(name: &ast::Ident, first: Span) -> Diagnostic {
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
    ))
}

/// E0205: a weight above 1,000,000.
fn weight_out_of_range(w: &ast::Int) -> Diagnostic {
    Diagnostic::new(
        Code::WeightOutOfRange,
        w.span,
        format!("weight {} is out of range", w.value),
        "larger than 1,000,000",
    )
    .with_help(
        "weights are relative, 0 to 1,000,000: `-> a 90, b 10` is \
the same as `-> a 9, b 1`",
    )
}

/// W0206: every backend of a rule has weight 0.
fn all_weights_zero(attr_span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::AllWeightsZero,
        attr_span,
        "every backend of this rule has weight 0",
        "no traffic goes anywhere",
    )
    .with_help(
        "controllers answer 500 or 503 for such a rule; give a backend a \
weight above 0",
    )
}

/// E0207: more than 16 backends once balanced services are split.
fn too_many_backends(attr_span: Span, backends: &[ir::BackendRef]) -> Diagnostic {
    Diagnostic::new(
        Code::TooMany,
        attr_span,
        format!(
            "{} backends after balancing, the Gateway API allows at most 16",
            backends.len()
        ),
        "each endpoint of a balanced service is one backend",
    )
    .with_help(
        "use fewer backends in this rule, or `balance off` on a service \
whose endpoints are IP addresses",
    )
}

/// E0216: a mirror of more than 100 %.
fn percent_over_100(p: &ast::Int) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidPercent,
        p.span,
        format!("{}% is more than all requests", p.value),
        "more than 100%",
    )
    .with_help("mirror between 0% and 100% of requests")
}

/// E0308: a rule that both rewrites and redirects.
fn rewrite_and_redirect(rs: Span, ds: Span) -> Diagnostic {
    Diagnostic::new(
        Code::ConflictingFilters,
        rs,
        "a rule cannot both rewrite and redirect",
        "rewrite",
    )
    .with_label(ds, "redirect")
    .with_help(
        "a redirect answers the client itself, so nothing is forwarded \
to rewrite; keep one",
    )
}

/// E0307: a rule that both redirects and forwards.
fn redirect_with_backends(attr_span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RedirectWithBackends,
        attr_span,
        "a rule cannot both redirect and forward to backends",
        "backends",
    )
    .with_help("remove the `->` line, or the redirect")
}

/// W0312: a rule that neither forwards nor redirects.
fn rule_without_action(keyword: Span) -> Diagnostic {
    Diagnostic::new(
        Code::RuleWithoutAction,
        keyword,
        "this rule neither forwards nor redirects",
        "answers 500",
    )
    .with_help("add `-> service-name` or a `redirect`")
}

/// E0014: a TCP, UDP or TLS rule without `->`: it has nothing else to do, and the API server
/// requires a backend.
fn rule_without_backends(keyword: Span, kind: ir::RouteKind) -> Diagnostic {
    Diagnostic::new(
        Code::MissingAttribute,
        keyword,
        format!("the rule of {} route has no `->`", ir::article(kind.name())),
        "needs `->`",
    )
    .with_help("add `-> service-name` inside the rule: it is the only thing such a rule does")
}

/// E0208: a duration the Gateway API refuses.
fn invalid_duration(d: &ast::Str, reason: String) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidDuration,
        d.span,
        format!("`{}` is not a valid duration", d.value),
        reason,
    )
    .with_help("write durations like `10s`, `1m30s` or `500ms`")
}

/// E0208: a backend timeout longer than the request timeout.
fn backend_timeout_too_long(request: &ast::Str, b: &ast::Str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidDuration,
        b.span,
        "the backend timeout is longer than the request timeout",
        "longer than the request timeout",
    )
    .with_label(request.span, "request timeout")
    .with_help(
        "the request timeout covers the whole exchange, backend \
included; make the backend timeout shorter",
    )
}
