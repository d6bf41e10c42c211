//! Checking a rule's `match` lines: path, headers, query parameters and method.

use super::{Checker, Once, validate};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, PathKind, ValueKind};
use crate::source::Span;
use crate::syntax::ast::{self, Condition, Op};

pub(super) const METHODS: &[(&str, ir::Method)] = &[
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
    ) -> Option<ir::Match> {
        let mark = self.mark();
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
        m.path = path.get();
        m.method = method.get();
        (!self.errors_since(mark)).then_some(m)
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
        } else {
            self.field_value(value, what);
        }
        !self.errors_since(mark)
    }

    pub(super) fn header_name(&mut self, name: &ast::Str, what: &str) -> bool {
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
    pub(super) fn field_value(&mut self, value: &ast::Str, what: &str) -> bool {
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
                    .with_help(
                        "write the value without it; `\\t` is the only control character a \
header value may hold",
                    ),
                );
                false
            }
        }
    }

    pub(super) fn regex(&mut self, value: &ast::Str, max: usize) -> bool {
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
