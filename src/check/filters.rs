//! Checking a rule's filters: header edits (written in the rule or taken from a `filters`
//! group with `use`), rewrites and redirects.

use std::collections::HashMap;

use super::{Checker, Once, validate};
use crate::diagnostics::{Code, Diagnostic, Spelling};
use crate::ir::{self, PathKind};
use crate::source::Span;
use crate::syntax::ast::{self, HeaderAction, RedirectPart, RewritePart};

pub(super) const SCHEMES: &[(&str, ir::Scheme)] =
    &[("http", ir::Scheme::Http), ("https", ir::Scheme::Https)];

/// A rule's header edits in one direction (requests or responses), with where each header
/// was first edited, by lower-cased name.
pub(super) struct HeaderEditor<'a> {
    /// `requests` or `responses`.
    direction: &'static str,
    pub(super) edits: ir::HeaderEdits,
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
    pub(super) fn new(direction: &'static str) -> HeaderEditor<'a> {
        HeaderEditor {
            direction,
            edits: ir::HeaderEdits::default(),
            first: HashMap::new(),
        }
    }

    /// A `set`, `add` or `remove` line was written or used, valid or not.
    pub(super) fn used(&self) -> bool {
        !self.first.is_empty()
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
            "a rule edits each header once (names are case-insensitive); to change what `{group}` \
does, write its edits in the rule instead of `use {group}`"
        )),
        None => d.with_help(
            "a rule edits each header once (names are case-insensitive); keep the edit you mean",
        ),
    }
}

impl<'a> Checker<'a> {
    /// Checks one header edit written in a rule or a filter group, and adds it to `editor`.
    pub(super) fn header_action(
        &mut self,
        action: &'a HeaderAction,
        editor: &mut HeaderEditor<'a>,
    ) -> bool {
        let (name, value) = match action {
            HeaderAction::Set { name, value } | HeaderAction::Add { name, value } => {
                (name, Some(value))
            }
            HeaderAction::Remove { name } => (name, None),
        };
        let mark = self.mark();
        // The API server checks the names of the headers set and added, not those removed.
        let removed = value.is_none().then_some(
            "no request or response carries a header of that name, so removing it does nothing",
        );
        self.header_name_or(name, "header", removed);
        if let Some(v) = value
            && (v.value.is_empty() || v.value.chars().count() > 4096)
        {
            self.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    v.span,
                    "a header value is 1 to 4096 characters",
                    format!("{} characters", v.value.chars().count()),
                )
                .with_help("to drop a header, use `remove header \"name\"`"),
            );
        } else if let Some(v) = value {
            self.field_value(v, "header");
        }
        self.record_header(action, None, editor);
        !self.errors_since(mark)
    }

    /// Adds a checked header edit to `editor`; a header edited twice is reported. `via` is
    /// the `use` line that took the edit in from a filter group.
    pub(super) fn record_header(
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
        let mark = self.mark();
        for item in &group.items {
            match &item.node {
                ast::FiltersItem::RequestHeader(a) => self.header_action(a, &mut request),
                ast::FiltersItem::ResponseHeader(a) => self.header_action(a, &mut response),
            };
        }
        self.header_limits([&request, &response], group.name.span);
        !self.errors_since(mark)
    }

    /// The Gateway API's limit of 16 edits of each kind per direction.
    pub(super) fn header_limits(&mut self, editors: [&HeaderEditor<'_>; 2], span: Span) -> bool {
        let mark = self.mark();
        for edits in editors.map(|e| &e.edits) {
            self.limit(edits.set.len(), 16, "`set header` lines", span);
            self.limit(edits.add.len(), 16, "`add header` lines", span);
            self.limit(edits.remove.len(), 16, "`remove header` lines", span);
        }
        !self.errors_since(mark)
    }

    /// `use NAME` in a rule: adds the group's edits to the rule's, as if written there.
    pub(super) fn use_filters(
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
        let mark = self.mark();
        for item in &group.items {
            match &item.node {
                ast::FiltersItem::RequestHeader(a) => self.record_header(a, via, request),
                ast::FiltersItem::ResponseHeader(a) => self.record_header(a, via, response),
            };
        }
        !self.errors_since(mark)
    }

    pub(super) fn unknown_filters(&self, name: &ast::Ident) -> Diagnostic {
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
                    "define it with `filters {} {{ response set header \"name\" = \"value\" }}`, \
or import the file that does",
                    name.text
                ),
            }
        })
    }

    /// A `path` edit; a prefix edit needs exactly one prefix match in the rule.
    pub(super) fn path_edit(
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
            let mut diag = Diagnostic::new(
                Code::InvalidPath,
                value.span,
                format!("`{}` is not a valid path", value.value),
                reason,
            )
            .with_help("paths start with `/`");
            // The API server checks only the length of a path written in a rewrite or redirect.
            if value.value.chars().count() <= 1024 && validate::yaml_text(&value.value).is_ok() {
                diag = diag.stricter(
                    "the rules of a matched path hold for the path a request is sent on with: \
controllers normalize `//`, `/..` and escapes differently",
                );
            }
            self.report(diag);
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
            self.report(d.with_help(format!(
                "keep one `match path \"/prefix\"` in this rule, or \
use `{what} path \"/full\"` to replace the whole path"
            )));
            return None;
        }
        Some(ir::PathEdit::Prefix(value.value.clone()))
    }

    pub(super) fn rewrite(
        &mut self,
        parts: &[ast::Spanned<RewritePart>],
        matches: &[(ir::Match, Span)],
    ) -> Option<ir::Rewrite> {
        let mark = self.mark();
        let mut host = Once::new("host");
        let mut path = Once::new("path");
        for p in parts {
            match &p.node {
                RewritePart::Host(h) => {
                    self.hostname(h, false);
                    host.set(self, h.value.clone(), p.span);
                }
                RewritePart::Path { prefix, value } => {
                    if let Some(e) = self.path_edit(*prefix, value, p.span, matches, "rewrite") {
                        path.set(self, e, p.span);
                    }
                }
            }
        }
        (!self.errors_since(mark)).then(|| ir::Rewrite {
            hostname: host.get(),
            path: path.get(),
        })
    }

    pub(super) fn redirect(
        &mut self,
        parts: &[ast::Spanned<RedirectPart>],
        matches: &[(ir::Match, Span)],
    ) -> Option<ir::Redirect> {
        let mark = self.mark();
        let mut scheme = Once::new("scheme");
        let mut host = Once::new("host");
        let mut port = Once::new("port");
        let mut path = Once::new("path");
        let mut status = Once::new("status");
        for p in parts {
            match &p.node {
                RedirectPart::Scheme(s) => {
                    if let Some(v) = self.one_of(s, "scheme", SCHEMES) {
                        scheme.set(self, v, p.span);
                    }
                }
                RedirectPart::Host(h) => {
                    self.hostname(h, false);
                    host.set(self, h.value.clone(), p.span);
                }
                RedirectPart::Port(n) => {
                    if let Some(n) = self.port(n) {
                        port.set(self, n, p.span);
                    }
                }
                RedirectPart::Path { prefix, value } => {
                    if let Some(e) = self.path_edit(*prefix, value, p.span, matches, "redirect") {
                        path.set(self, e, p.span);
                    }
                }
                RedirectPart::Status(n) => {
                    if let Some(code) = crate::ir::REDIRECT_STATUSES
                        .into_iter()
                        .find(|s| u64::from(*s) == n.value)
                    {
                        status.set(self, code, p.span);
                    } else {
                        self.report(
                            Diagnostic::new(
                                Code::InvalidStatus,
                                n.span,
                                format!("{} is not a redirect status", n.value),
                                "not 301, 302, 303, 307 or 308",
                            )
                            .with_help(
                                "use 301 or 308 for permanent redirects, 302 or 307 \
for temporary ones",
                            ),
                        );
                    }
                }
            }
        }
        (!self.errors_since(mark)).then(|| ir::Redirect {
            scheme: scheme.get(),
            hostname: host.get(),
            port: port.get(),
            path: path.get(),
            status: status.get(),
        })
    }
}
