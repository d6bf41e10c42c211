//! `test` blocks: the request is a well-formed one, the expectations name services that exist
//! and shares that add up, and the request enters one gateway. Running them is `egwc test`'s
//! (src/verify.rs).

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Expect, Expectation};
use crate::route::Request;
use crate::source::Span;
use crate::syntax::ast::{self, TestItem};

use super::matches::METHODS;
use super::{Checker, Once};

/// The statuses a gateway answers a request with, as `egwc route` tells them apart.
const STATUSES: [u64; 8] = [200, 301, 302, 303, 307, 308, 404, 500];
const REDIRECT_STATUSES: [u64; 5] = [301, 302, 303, 307, 308];

impl Checker<'_> {
    pub(super) fn test(&mut self, t: &ast::Test) -> Option<ir::Test> {
        let mark = self.mark();
        let mut request: Once<(Request, Option<ir::ObjectRef>, Span)> = Once::new("request");
        let mut backends = Once::new("expect ->");
        let mut redirect = Once::new("expect redirect");
        let mut status = Once::new("expect STATUS");
        let mut path = Once::new("expect path");
        let mut host = Once::new("expect host");
        let mut expectations = Vec::new();
        for item in &t.items {
            let span = item.span;
            let expect = match &item.node {
                TestItem::Request {
                    method,
                    url,
                    headers,
                    gateway,
                } => {
                    if let Some(r) = self.request(method.as_ref(), url, headers, gateway.as_ref()) {
                        request.set(self, (r.0, r.1, span), span);
                    }
                    continue;
                }
                TestItem::Backends(list) => {
                    let Some(list) = self.expected_backends(list, span) else {
                        continue;
                    };
                    backends.set(self, (), span);
                    Expect::Backends(list)
                }
                TestItem::Redirect {
                    location,
                    status: code,
                } => {
                    redirect.set(self, (), span);
                    if let Err(why) = Request::new(&location.value, "GET") {
                        self.report(invalid_url(location, why));
                    }
                    let code = code.as_ref().filter(|c| self.status(c, &REDIRECT_STATUSES));
                    Expect::Redirect {
                        location: location.value.clone(),
                        status: code.map(|c| c.value as u16),
                    }
                }
                TestItem::Status(code) => {
                    status.set(self, (), span);
                    if !self.status(code, &STATUSES) {
                        continue;
                    }
                    Expect::Status(code.value as u16)
                }
                TestItem::Path(p) => {
                    path.set(self, (), span);
                    Expect::Path(p.value.clone())
                }
                TestItem::Host(h) => {
                    host.set(self, (), span);
                    Expect::Host(h.value.clone())
                }
                TestItem::Header(kv) => {
                    self.header_name(&kv.key, "header");
                    Expect::Header(kv.key.value.clone(), kv.value.value.clone())
                }
            };
            expectations.push(Expectation { expect, span });
        }
        let head = t.name.as_ref().map_or(t.keyword, |n| t.keyword.to(n.span));
        let written = |request: bool| {
            t.items
                .iter()
                .any(|i| matches!(i.node, TestItem::Request { .. }) == request)
        };
        if !written(true) {
            let example = "request GET \"https://api.example.com/\"";
            self.report(missing(head, "request", example));
        }
        if !written(false) {
            self.report(missing(head, "expect", "expect -> service"));
        }
        // A request with errors has been reported.
        let (request, gateway, request_span) = request.get()?;
        if gateway.is_none() {
            self.one_gateway(&request, request_span);
        }
        if self.errors_since(mark) {
            return None;
        }
        Some(ir::Test {
            name: t.name.as_ref().map(|n| n.value.clone()),
            origin: head,
            request,
            gateway,
            expectations,
        })
    }

    fn request(
        &mut self,
        method: Option<&ast::Ident>,
        url: &ast::Str,
        headers: &[ast::KeyValue],
        gateway: Option<&ast::Ident>,
    ) -> Option<(Request, Option<ir::ObjectRef>)> {
        let mark = self.mark();
        let method = match method {
            Some(m) => self.one_of(m, "method", METHODS).map(|_| m.text.as_str()),
            None => Some("GET"),
        };
        let mut request = match Request::new(&url.value, method.unwrap_or("GET")) {
            Ok(r) => Some(r),
            Err(why) => {
                self.report(invalid_url(url, why));
                None
            }
        };
        for kv in headers {
            if self.header_name(&kv.key, "header")
                && self.field_value(&kv.value, "header value")
                && let Some(r) = &mut request
            {
                r.header(&kv.key.value, &kv.value.value);
            }
        }
        let gateway = match gateway {
            None => None,
            Some(g) => match self.gateway_irs.get(&g.text) {
                Some(ir) => Some(ir::ObjectRef {
                    namespace: ir.meta.namespace.clone(),
                    name: ir.meta.name.clone(),
                }),
                None => {
                    if !self.gateways.contains_key(g.text.as_str()) {
                        self.report(self.unknown_gateway(g));
                    }
                    return None;
                }
            },
        };
        if self.errors_since(mark) {
            return None;
        }
        Some((request?, gateway))
    }

    /// E0603 when more than one gateway listens on the request's port and protocol.
    fn one_gateway(&mut self, request: &Request, span: Span) {
        let protocol = if request.https {
            ir::Protocol::Https
        } else {
            ir::Protocol::Http
        };
        let mut listening: Vec<&str> = self
            .gateway_irs
            .values()
            .filter(|g| {
                g.listeners
                    .iter()
                    .any(|l| l.port == request.port && l.protocol == protocol)
            })
            .map(|g| g.meta.name.as_str())
            .collect();
        if listening.len() < 2 {
            return;
        }
        listening.sort_unstable();
        let names = listening
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        self.report(
            Diagnostic::new(
                Code::AmbiguousTestGateway,
                span,
                format!(
                    "{} gateways listen on port {} for {}: {names}",
                    listening.len(),
                    request.port,
                    request.scheme()
                ),
                "which gateway does this request enter?",
            )
            .with_help(format!(
                "name the gateway at the end of the line: `on {}`",
                listening[0]
            )),
        );
    }

    fn status(&mut self, code: &ast::Int, allowed: &[u64]) -> bool {
        if allowed.contains(&code.value) {
            return true;
        }
        let list = allowed
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        self.report(
            Diagnostic::new(
                Code::InvalidStatus,
                code.span,
                if allowed.len() == STATUSES.len() {
                    format!("a gateway does not answer with {}", code.value)
                } else {
                    format!("{} is not a redirect status", code.value)
                },
                format!("not one of {list}"),
            )
            .with_help(if allowed.len() == STATUSES.len() {
                "200 is forwarded, 301-308 a redirect, 404 no listener or rule takes the \
request, 500 the rule has no valid backend"
            } else {
                "use 301 or 308 for permanent redirects, 302 or 307 for temporary ones"
            }),
        );
        false
    }

    /// `expect -> a 90%, b 10%`: known services, each once, with shares of 100% or none.
    fn expected_backends(
        &mut self,
        list: &[ast::ExpectedBackend],
        span: Span,
    ) -> Option<Vec<(ir::ObjectRef, Option<u32>)>> {
        let mark = self.mark();
        let mut out: Vec<(ir::ObjectRef, Option<u32>)> = Vec::new();
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for b in list {
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == b.service.text) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateAttribute,
                        b.span,
                        format!("service `{}` is expected twice", b.service.text),
                        "listed again here",
                    )
                    .with_label(*first, "first listed here")
                    .with_help("list each service once, with its whole share"),
                );
                continue;
            }
            seen.push((&b.service.text, b.span));
            let percent = match &b.percent {
                Some(p) if p.value > 100 => {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidPercent,
                            p.span,
                            format!("{}% is more than all requests", p.value),
                            "more than 100%",
                        )
                        .with_help("a service gets between 0% and 100% of the requests"),
                    );
                    None
                }
                p => p.as_ref().map(|p| p.value as u32),
            };
            if let Some((_, s)) = self.resolve_service(&b.service) {
                out.push((
                    ir::ObjectRef {
                        namespace: s.meta.namespace.clone(),
                        name: s.meta.name.clone(),
                    },
                    percent,
                ));
            }
        }
        if self.errors_since(mark) {
            return None;
        }
        let given = list.iter().filter(|b| b.percent.is_some()).count();
        let total: u64 = list
            .iter()
            .filter_map(|b| b.percent.as_ref())
            .map(|p| p.value)
            .sum();
        if given > 0 && (given < list.len() || total != 100) {
            let (message, label) = if given < list.len() {
                (
                    "some expected services have a share and some do not".to_string(),
                    "give every service a share, or none".to_string(),
                )
            } else {
                (
                    format!("the expected shares add up to {total}%"),
                    "not 100%".to_string(),
                )
            };
            self.report(
                Diagnostic::new(Code::ExpectedShares, span, message, label).with_help(
                    "shares are of all the requests: `expect -> a 90%, b 10%`; without shares, \
`expect -> a, b` says both get some",
                ),
            );
            return None;
        }
        Some(out)
    }
}

/// E0600.
fn invalid_url(url: &ast::Str, why: String) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidTestUrl,
        url.span,
        format!("`{}` is not a URL a gateway takes", url.value),
        why,
    )
    .with_help("write an absolute URL: \"https://api.example.com/path\"")
}

/// E0014 for a test without `request` or `expect`.
fn missing(head: Span, attribute: &str, example: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MissingAttribute,
        head,
        format!("this test has no `{attribute}`"),
        format!("needs `{attribute}`"),
    )
    .with_help(format!("add `{example}` inside the block"))
}
