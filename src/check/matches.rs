//! Checking a rule's `match` lines: path, headers, query parameters and method.

use super::{Checker, Once, not_for_kind, validate};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, PathKind, ValueKind};
use crate::source::Span;
use crate::syntax::ast::{self, Condition, Op};

pub(super) use ir::METHODS;

pub(super) fn value_kind(op: Op) -> ValueKind {
    match op {
        Op::Regex => ValueKind::Regex,
        _ => ValueKind::Exact,
    }
}

impl<'a> Checker<'a> {
    pub(super) fn match_(
        &mut self,
        conds: &[ast::Spanned<Condition>],
        span: Span,
        kind: ir::RouteKind,
    ) -> Option<ir::Match> {
        let mark = self.mark();
        let mut m = ir::Match::default();
        let mut path = Once::new("path");
        let mut method = Once::new("method");
        let mut grpc_service = Once::new("service");
        let mut grpc_method = Once::new("method");
        let grpc = kind == ir::RouteKind::Grpc;
        for c in conds {
            let for_grpc = matches!(
                c.node,
                Condition::Header { .. }
                    | Condition::GrpcService { .. }
                    | Condition::GrpcMethod { .. }
            );
            let for_http = !matches!(
                c.node,
                Condition::GrpcService { .. } | Condition::GrpcMethod { .. }
            );
            if grpc && !for_grpc {
                self.report(not_for_kind(
                    c.span,
                    "a gRPC request is matched by service, method and headers".to_string(),
                    "write `service \"pkg.Service\"`, `method \"Name\"` (`~` for a regular \
expression) or `header`; paths, query parameters and HTTP methods are for HTTP routes",
                ));
                continue;
            }
            if !grpc && !for_http {
                self.report(not_for_kind(
                    c.span,
                    "an HTTP route matches no gRPC service or method".to_string(),
                    "make the route a `grpc route`, or match an HTTP method with `method GET`",
                ));
                continue;
            }
            match &c.node {
                Condition::GrpcService { op, value } => {
                    grpc_service.set(self, (*op, value), c.span);
                }
                Condition::GrpcMethod { op, value } => {
                    grpc_method.set(self, (*op, value), c.span);
                }
                Condition::Path { op, value } => {
                    let kind = match op {
                        Op::Prefix => PathKind::Prefix,
                        Op::Exact => PathKind::Exact,
                        Op::Regex => PathKind::Regex,
                    };
                    self.path_match(kind, value);
                    path.set(self, (kind, value.value.clone()), c.span);
                }
                Condition::Header { name, op, value } => {
                    self.match_value(name, *op, value, 4096, "header");
                    if m.headers
                        .iter()
                        .any(|(n, _, _)| n.eq_ignore_ascii_case(&name.value))
                    {
                        self.report(header_matched_twice(conds, c.span, name));
                    }
                    m.headers
                        .push((name.value.clone(), value_kind(*op), value.value.clone()));
                }
                Condition::Query { name, op, value } => {
                    self.match_value(name, *op, value, 1024, "query parameter");
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
                    }
                    m.query
                        .push((name.value.clone(), value_kind(*op), value.value.clone()));
                }
                Condition::Method(word) => {
                    if let Some(m) = self.one_of(word, "method", METHODS) {
                        method.set(self, m, c.span);
                    }
                }
            }
        }
        self.limit(m.headers.len(), 16, "header matches", span);
        self.limit(m.query.len(), 16, "query matches", span);
        // The model is alive until emission ends: no spare capacity from the pushes.
        m.headers.shrink_to_fit();
        m.query.shrink_to_fit();
        m.path = path.get();
        m.method = method.get();
        m.grpc = self.grpc_method(grpc_service.get(), grpc_method.get());
        (!self.errors_since(mark)).then_some(m)
    }

    /// A gRPC method match: service and method, checked as the GRPCRoute CRD's CEL rules check
    /// them (exact names: the characters of protobuf names; regular expressions: valid, at
    /// most 1024 bytes); both exact or both regular expressions.
    fn grpc_method(
        &mut self,
        service: Option<(Op, &ast::Str)>,
        method: Option<(Op, &ast::Str)>,
    ) -> Option<ir::GrpcMethod> {
        if service.is_none() && method.is_none() {
            return None;
        }
        let regex = |x: Option<(Op, &ast::Str)>| x.map(|(op, _)| op == Op::Regex);
        if let (Some((s, _)), Some((m, value))) = (service, method)
            && (s == Op::Regex) != (m == Op::Regex)
        {
            self.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    value.span,
                    "a gRPC match's service and method are both exact or both regular expressions",
                    "not the same kind of match as the service",
                )
                .with_help("write both with `=` (or no operator), or both with `~`"),
            );
            return None;
        }
        let kind = if regex(service).or(regex(method)) == Some(true) {
            ValueKind::Regex
        } else {
            ValueKind::Exact
        };
        type Exact = fn(&str) -> Result<(), String>;
        let names: [(_, Exact, &str); 2] = [
            (
                service,
                validate::grpc_service,
                "^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$",
            ),
            (method, validate::grpc_method, "^[A-Za-z_][A-Za-z_0-9]*$"),
        ];
        for (x, exact, pattern) in names {
            let Some((_, value)) = x else { continue };
            if kind == ValueKind::Regex {
                self.regex(value, 1024);
            } else if let Err(reason) = exact(&value.value) {
                self.report(
                    Diagnostic::new(
                        Code::InvalidValue,
                        value.span,
                        format!(
                            "`{}` is not a gRPC name",
                            crate::diagnostics::brief(&value.value)
                        ),
                        reason,
                    )
                    .with_help(format!(
                        "exact gRPC names match `{pattern}`; use `~` for a regular expression"
                    )),
                );
            }
        }
        Some(ir::GrpcMethod {
            kind,
            service: service.map(|(_, v)| v.value.clone()),
            method: method.map(|(_, v)| v.value.clone()),
        })
    }

    /// A path to match: a valid path, or a regular expression of at most 1024 bytes.
    fn path_match(&mut self, kind: PathKind, value: &ast::Str) -> bool {
        if kind == PathKind::Regex {
            return self.regex(value, 1024);
        }
        let Err(reason) = validate::path(&value.value) else {
            return true;
        };
        let help = if value.value.starts_with('/') {
            "paths use letters, digits and `-._~!$&'()*+,;=:@/`; percent-encode anything else"
        } else {
            "paths start with `/`, like \"/api\""
        };
        self.report(
            Diagnostic::new(
                Code::InvalidPath,
                value.span,
                format!(
                    "`{}` is not a valid path",
                    crate::diagnostics::brief(&value.value)
                ),
                reason,
            )
            .with_help(help),
        );
        false
    }

    pub(super) fn match_value(
        &mut self,
        name: &ast::Str,
        op: Op,
        value: &ast::Str,
        max: usize,
        what: &str,
    ) -> bool {
        let mark = self.mark();
        self.header_name(name, what);
        if op == Op::Regex {
            self.regex(value, max);
        } else if value.value.is_empty() || value.value.chars().count() > max {
            self.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    value.span,
                    format!("a {what} value is 1 to {max} characters"),
                    format!("{} characters", value.value.chars().count()),
                )
                .with_help(format!("to match any value of the {what}, use `~ \".*\"`")),
            );
        } else {
            self.field_value(value, what);
        }
        !self.errors_since(mark)
    }

    pub(super) fn header_name(&mut self, name: &ast::Str, what: &str) -> bool {
        self.header_name_or(name, what, None)
    }

    /// [`Checker::header_name`], where the API server would take any name: `stricter` says
    /// why egwc does not.
    pub(super) fn header_name_or(
        &mut self,
        name: &ast::Str,
        what: &str,
        stricter: Option<&str>,
    ) -> bool {
        match validate::header_name(&name.value) {
            Ok(()) => true,
            Err(reason) => {
                let mut diag = Diagnostic::new(
                    Code::InvalidHeaderName,
                    name.span,
                    format!("`{}` is not a valid {what} name", name.value),
                    reason,
                )
                .with_help("names are RFC 7230 tokens: letters, digits and !#$%&'*+-.^_`|~");
                if let Some(why) = stricter
                    && validate::yaml_text(&name.value).is_ok()
                {
                    diag = diag.stricter(why);
                }
                self.report(diag);
                false
            }
        }
    }

    /// A header or query value that is sent or matched: an HTTP field value.
    pub(super) fn field_value(&mut self, value: &ast::Str, what: &str) -> bool {
        match validate::field_value(&value.value) {
            Ok(()) => true,
            Err(reason) => {
                let mut diag = Diagnostic::new(
                    Code::InvalidValue,
                    value.span,
                    format!("this {what} value holds a control character"),
                    reason,
                )
                .with_help(
                    "write the value without it; `\\t` is the only control character a \
header value may hold",
                );
                // The API server refuses only the characters its YAML reader does.
                if validate::yaml_text(&value.value).is_ok() {
                    diag = diag.stricter(
                        "HTTP field values hold no control character (RFC 9110), and Envoy \
refuses such a configuration",
                    );
                }
                self.report(diag);
                false
            }
        }
    }

    pub(super) fn regex(&mut self, value: &ast::Str, max: usize) -> bool {
        match validate::regex(&value.value, max) {
            Ok(()) => true,
            Err(reason) => {
                let mut diag = Diagnostic::new(
                    Code::InvalidRegex,
                    value.span,
                    format!(
                        "`{}` is not a valid regular expression",
                        crate::diagnostics::brief(&value.value)
                    ),
                    reason,
                )
                .with_help("regular expressions use RE2 syntax: no look-around or back-references");
                // The API server checks the length and the text; the syntax is egwc's rule.
                if !value.value.is_empty()
                    && value.value.chars().count() <= max
                    && validate::yaml_text(&value.value).is_ok()
                {
                    diag = diag.stricter(
                        "the controllers compile regular expressions as RE2 does, and would \
refuse this one when routing",
                    );
                }
                self.report(diag);
                false
            }
        }
    }
}

/// E0013 for a header matched twice in one match; header names are case-insensitive.
fn header_matched_twice(
    conds: &[ast::Spanned<Condition>],
    at: Span,
    name: &ast::Str,
) -> Diagnostic {
    let first_span = conds.iter().find_map(|x| match &x.node {
        Condition::Header { name: n, .. } if n.value.eq_ignore_ascii_case(&name.value) => {
            Some(x.span)
        }
        _ => None,
    });
    Diagnostic::new(
        Code::DuplicateAttribute,
        at,
        format!("header `{}` is matched twice in one match", name.value),
        "matched again here",
    )
    .with_label(first_span.unwrap_or(at), "first matched here")
    .with_help(
        "header names are case-insensitive, and only the first entry counts; use a regular \
expression to accept several values",
    )
}
