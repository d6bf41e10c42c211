//! Checking one `rule` of a route: its items, backends with their weights, mirrors,
//! timeouts, and what a rule may not combine.

use std::rc::Rc;

use super::filters::HeaderEditor;
use super::weights;
use super::{Checker, Once, validate};
use crate::diagnostics::{Code, Diagnostic, Spelling};
use crate::ir;
use crate::source::Span;
use crate::syntax::ast::{self, RuleItem};

impl<'a> Checker<'a> {
    pub(super) fn rule(&mut self, rule: &'a ast::Rule, span: Span) -> Option<ir::Rule> {
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

    pub(super) fn resolve_service(&mut self, name: &ast::Ident) -> Option<Rc<ir::Service>> {
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
}
