//! Lowering: pest's parse tree to the syntax tree ([`ast`]), with the diagnostics found on
//! the way (bad escapes, numbers too large).

use pest::iterators::Pair;

use super::ast::*;
use super::error::without_trailing_space;
use super::{Rule, ast, name_len};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

pub(super) struct Builder {
    pub(super) file: FileId,
    /// Where the parsed text starts in its file (a chunk of a large file starts later).
    pub(super) offset: usize,
    pub(super) diags: Vec<Diagnostic>,
    /// A string with a `${name}` was built.
    pub(super) has_holes: bool,
    /// The strings with a malformed `${`.
    pub(super) malformed: Vec<Span>,
}

/// Invariant for every `next()` below: the grammar fixes the children of each rule, so the
/// child asked for exists. A mismatch is a bug in this file, not in the user's input.
const SHAPE: &str = "the grammar guarantees this child";

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let start = self.offset + s.start();
        Span::new(self.file, start, start + without_trailing_space(s.as_str()))
    }

    fn spanned<T>(&self, pair: &Pair<'_, Rule>, node: T) -> Spanned<T> {
        Spanned {
            node,
            span: self.span(pair),
        }
    }

    pub(super) fn file(&mut self, pair: Pair<'_, Rule>) -> File {
        let children = pair.into_inner();
        let mut items = Vec::with_capacity(children.len());
        for p in children {
            let item = match p.as_rule() {
                Rule::namespace_decl => Item::Namespace(self.last_string(&p)),
                Rule::import_decl => Item::Import(self.path_string(&p, "an import path")),
                Rule::let_decl => {
                    let mut parts = p.clone().into_inner().skip(1);
                    let name = self.ident(&parts.next().expect(SHAPE));
                    let value = self.string(&parts.next().expect(SHAPE));
                    Item::Let { name, value }
                }
                Rule::gateway => Item::Gateway(self.gateway(&p)),
                Rule::service => Item::Service(self.service(&p)),
                Rule::route => Item::Route(self.route(&p)),
                Rule::filters => Item::Filters(self.filters(&p)),
                Rule::test => Item::Test(self.test(&p)),
                _ => continue, // EOI
            };
            items.push(self.spanned(&p, item));
        }
        File {
            items,
            has_holes: self.has_holes,
            malformed: std::mem::take(&mut self.malformed),
        }
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            text: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    /// The name after a block keyword (`gateway NAME {`).
    fn block_name(&self, pair: &Pair<'_, Rule>) -> Ident {
        let name = pair.clone().into_inner().nth(1).expect(SHAPE);
        self.ident(&name)
    }

    fn string(&mut self, pair: &Pair<'_, Rule>) -> Str {
        let span = self.span(pair);
        let raw = pair.as_str();
        let inner = &raw[1..raw.len() - 1];
        // Byte offset of `inner` in the file.
        let base = span.start as usize + 1;
        let mut value = String::with_capacity(inner.len());
        let mut holes = Vec::new();
        let mut chars = inner.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '$' && chars.peek().is_some_and(|&(_, c)| c == '{') {
                let (len, hole) = self.hole(&inner[i..], base + i, value.len());
                value.push_str(&inner[i..i + len]);
                match hole {
                    Some(hole) => holes.push(hole),
                    None => self.malformed.push(span),
                }
                while chars.peek().is_some_and(|&(j, _)| j < i + len) {
                    chars.next();
                }
                continue;
            }
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, '$')) => value.push('$'),
                Some((j, other)) => {
                    let start = base + i;
                    let end = base + j + other.len_utf8();
                    self.diags.push(
                        Diagnostic::new(
                            Code::InvalidEscape,
                            Span::new(self.file, start, end),
                            format!("unknown escape sequence `\\{other}`"),
                            "not a known escape",
                        )
                        .with_help(format!(
                            "write `\\\\{other}` for a backslash followed by `{other}`; the escapes are \\\" \\\\ \\n \\t \\$"
                        )),
                    );
                    value.push(other);
                }
                None => {}
            }
        }
        self.has_holes |= !holes.is_empty();
        Str {
            value,
            span,
            holes: holes.into_boxed_slice(),
        }
    }

    /// Reads `${name}` at the start of `text` (which begins with `${`), found at byte `at` of
    /// the file and byte `in_value` of the string's value. Returns how many bytes it takes,
    /// and the hole, or `None` after reporting a malformed one (its text is then kept as is).
    fn hole(&mut self, text: &str, at: usize, in_value: usize) -> (usize, Option<Hole>) {
        let body = &text[2..];
        let name_len = name_len(body);
        if name_len > 0 && body[name_len..].starts_with('}') {
            let len = 2 + name_len + 1;
            let hole = Hole {
                name: body[..name_len].to_string(),
                span: Span::new(self.file, at, at + len),
                start: in_value as u32,
                end: (in_value + len) as u32,
            };
            return (len, Some(hole));
        }
        self.diags.push(
            Diagnostic::new(
                Code::InvalidInterpolation,
                Span::new(self.file, at, at + 2 + name_len),
                "`${` starts a constant, but no `name}` follows",
                "expected a constant's name and `}`",
            )
            .with_help(
                "write `${name}` for the constant `name`, or `\\${` for the characters `${`",
            ),
        );
        (2, None)
    }

    /// A path string (an import, a CA file): read while loading, before constants are known,
    /// so it cannot use one. Its holes are kept, so that the loader does not read it.
    fn path_string(&mut self, pair: &Pair<'_, Rule>, what: &str) -> Str {
        let s = self.last_string(pair);
        if let Some(hole) = s.holes.first() {
            self.diags.push(
                Diagnostic::new(
                    Code::InvalidInterpolation,
                    hole.span,
                    format!("{what} cannot use a constant"),
                    "files are read before constants are known",
                )
                .with_help("write the path out; `\\${` writes the characters `${`"),
            );
        }
        s
    }

    fn last_string(&mut self, pair: &Pair<'_, Rule>) -> Str {
        let p = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::string)
            .last()
            .expect(SHAPE);
        self.string(&p)
    }

    fn integer(&mut self, pair: &Pair<'_, Rule>) -> Int {
        let span = self.span(pair);
        let digits = pair.as_str().trim_end_matches('%');
        let value = digits.parse::<u64>().unwrap_or_else(|_| {
            self.diags.push(
                Diagnostic::new(
                    Code::NumberTooLarge,
                    span,
                    "number too large",
                    "does not fit in 64 bits",
                )
                .with_help("ports, weights, status codes and percentages are small numbers"),
            );
            u64::MAX
        });
        Int { value, span }
    }

    fn key_value(&mut self, pair: &Pair<'_, Rule>) -> KeyValue {
        let mut strings = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::string);
        let key = self.string(&strings.next().expect(SHAPE));
        let value = self.string(&strings.next().expect(SHAPE));
        KeyValue { key, value }
    }

    /// The value child of a `keyword value` attribute.
    fn value<'i>(&self, pair: &Pair<'i, Rule>) -> Pair<'i, Rule> {
        pair.clone().into_inner().nth(1).expect(SHAPE)
    }

    fn gateway(&mut self, pair: &Pair<'_, Rule>) -> Gateway {
        let name = self.block_name(pair);
        let children = pair.clone().into_inner().skip(2);
        let mut items = Vec::with_capacity(children.len());
        for p in children {
            let item = match p.as_rule() {
                Rule::class_attr => GatewayItem::Class(self.last_string(&p)),
                Rule::target_attr => {
                    let mut inner = p.clone().into_inner().skip(1);
                    GatewayItem::Target {
                        name: self.ident(&inner.next().expect(SHAPE)),
                        version: inner.next().map(|v| self.ident(&v)),
                    }
                }
                Rule::namespace_decl => GatewayItem::Namespace(self.last_string(&p)),
                Rule::label_attr => GatewayItem::Label(Box::new(self.key_value(&p))),
                Rule::annotation_attr => GatewayItem::Annotation(Box::new(self.key_value(&p))),
                Rule::listener => GatewayItem::Listener(self.listener(&p)),
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Gateway { name, items }
    }

    fn listener(&mut self, pair: &Pair<'_, Rule>) -> Listener {
        let name = self.block_name(pair);
        let children = pair.clone().into_inner().skip(2);
        let mut items = Vec::with_capacity(children.len());
        for p in children {
            let item = match p.as_rule() {
                Rule::port_attr => ListenerItem::Port(self.integer(&self.value(&p))),
                Rule::protocol_attr => ListenerItem::Protocol(self.ident(&self.value(&p))),
                Rule::hostname_attr => ListenerItem::Hostname(self.last_string(&p)),
                Rule::routes_attr => ListenerItem::RoutesFrom(
                    self.ident(&p.clone().into_inner().nth(2).expect(SHAPE)),
                ),
                Rule::listener_tls => {
                    let children = p.clone().into_inner().skip(1);
                    let mut tls = Vec::with_capacity(children.len());
                    for t in children {
                        let item = match t.as_rule() {
                            Rule::cert_attr => ListenerTlsItem::Cert(self.last_string(&t)),
                            Rule::mode_attr => ListenerTlsItem::Mode(self.ident(&self.value(&t))),
                            _ => unreachable!("{SHAPE}: {:?}", t.as_rule()),
                        };
                        tls.push(self.spanned(&t, item));
                    }
                    ListenerItem::Tls(tls)
                }
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Listener { name, items }
    }

    fn service(&mut self, pair: &Pair<'_, Rule>) -> Service {
        let name = self.block_name(pair);
        let children = pair.clone().into_inner().skip(2);
        let mut items = Vec::with_capacity(children.len());
        for p in children {
            let item = match p.as_rule() {
                Rule::endpoint_attr => ServiceItem::Endpoints(
                    p.clone()
                        .into_inner()
                        .skip(1)
                        .map(|e| {
                            let mut strings =
                                e.into_inner().filter(|s| s.as_rule() == Rule::string);
                            Endpoint {
                                address: self.string(&strings.next().expect(SHAPE)),
                                tls_name: strings.next().map(|s| self.string(&s)),
                            }
                        })
                        .collect(),
                ),
                Rule::host_rewrite => {
                    let value = p.clone().into_inner().nth(2).expect(SHAPE);
                    ServiceItem::HostRewrite(
                        (value.as_rule() == Rule::string).then(|| self.string(&value)),
                    )
                }
                Rule::port_attr => ServiceItem::Port(self.integer(&self.value(&p))),
                Rule::protocol_attr => ServiceItem::Protocol(self.ident(&self.value(&p))),
                Rule::balance_attr => {
                    ServiceItem::Balance(p.clone().into_inner().nth(1).map(|s| {
                        let on =
                            s.clone().into_inner().next().expect(SHAPE).as_rule() == Rule::kw_on;
                        self.spanned(&s, on)
                    }))
                }
                Rule::service_tls => {
                    let children = p.clone().into_inner().skip(1);
                    let mut tls = Vec::with_capacity(children.len());
                    for t in children {
                        let item = match t.as_rule() {
                            Rule::hostname_attr => ServiceTlsItem::Hostname(self.last_string(&t)),
                            Rule::san_attr => {
                                let names: Vec<Pair<'_, Rule>> =
                                    t.clone().into_inner().skip(1).collect();
                                ServiceTlsItem::San(names.iter().map(|n| self.string(n)).collect())
                            }
                            Rule::ca_attr => {
                                let source = self.value(&t);
                                ServiceTlsItem::Ca(match source.as_rule() {
                                    Rule::kw_system => CaSource::System,
                                    Rule::ca_file => {
                                        CaSource::File(self.path_string(&source, "a CA file path"))
                                    }
                                    Rule::ca_configmap => {
                                        CaSource::ConfigMap(self.last_string(&source))
                                    }
                                    _ => unreachable!("{SHAPE}: {:?}", source.as_rule()),
                                })
                            }
                            _ => unreachable!("{SHAPE}: {:?}", t.as_rule()),
                        };
                        tls.push(self.spanned(&t, item));
                    }
                    ServiceItem::Tls(tls)
                }
                Rule::namespace_decl => ServiceItem::Namespace(self.last_string(&p)),
                Rule::label_attr => ServiceItem::Label(Box::new(self.key_value(&p))),
                Rule::annotation_attr => ServiceItem::Annotation(Box::new(self.key_value(&p))),
                Rule::description_attr => ServiceItem::Description(self.last_string(&p)),
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Service { name, items }
    }

    fn route(&mut self, pair: &Pair<'_, Rule>) -> Route {
        let mut children = pair.clone().into_inner().peekable();
        let kind = children
            .next_if(|p| p.as_rule() == Rule::route_kind)
            .map(|k| {
                let word = k.clone().into_inner().next().expect(SHAPE);
                let kind = match word.as_rule() {
                    Rule::kw_tcp => RouteKind::Tcp,
                    Rule::kw_udp => RouteKind::Udp,
                    Rule::kw_tls => RouteKind::Tls,
                    _ => RouteKind::Grpc,
                };
                Spanned {
                    node: kind,
                    span: self.span(&k),
                }
            });
        children.next(); // `route`
        let name = self.ident(&children.next().expect(SHAPE));
        let mut items = Vec::with_capacity(children.len());
        for p in children {
            let item = match p.as_rule() {
                Rule::on_attr => RouteItem::On(
                    p.clone()
                        .into_inner()
                        .skip(1)
                        .map(|r| {
                            let mut names = r.clone().into_inner();
                            ParentRef {
                                gateway: self.ident(&names.next().expect(SHAPE)),
                                listener: names.next().map(|n| self.ident(&n)),
                                span: self.span(&r),
                            }
                        })
                        .collect(),
                ),
                Rule::host_attr => {
                    let strings: Vec<Pair<'_, Rule>> = p.clone().into_inner().skip(1).collect();
                    RouteItem::Hosts(strings.iter().map(|s| self.string(s)).collect())
                }
                Rule::rule => RouteItem::Rule(self.rule(&p)),
                Rule::namespace_decl => RouteItem::Namespace(self.last_string(&p)),
                Rule::label_attr => RouteItem::Label(Box::new(self.key_value(&p))),
                Rule::annotation_attr => RouteItem::Annotation(Box::new(self.key_value(&p))),
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Route { kind, name, items }
    }

    fn filters(&mut self, pair: &Pair<'_, Rule>) -> Filters {
        let name = self.block_name(pair);
        let children = pair.clone().into_inner().skip(2);
        let mut items = Vec::with_capacity(children.len());
        for p in children {
            let item = match p.as_rule() {
                Rule::request_header => FiltersItem::RequestHeader(
                    self.header_action(&p.clone().into_inner().next().expect(SHAPE)),
                ),
                Rule::response_header => {
                    FiltersItem::ResponseHeader(self.header_action(&self.value(&p)))
                }
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Filters { name, items }
    }

    fn test(&mut self, pair: &Pair<'_, Rule>) -> Test {
        let mut children = pair.clone().into_inner().peekable();
        let keyword = self.span(&children.next().expect(SHAPE));
        let name = children
            .next_if(|p| p.as_rule() == Rule::string)
            .map(|p| self.string(&p));
        let mut items = Vec::with_capacity(children.len());
        for p in children {
            let mut parts = p.clone().into_inner().skip(1);
            let item = match p.as_rule() {
                Rule::request_attr => {
                    let mut parts = parts.peekable();
                    let method = parts
                        .next_if(|m| m.as_rule() == Rule::name)
                        .map(|m| self.ident(&m));
                    let url = self.string(&parts.next().expect(SHAPE));
                    let mut headers = Vec::new();
                    let mut gateway = None;
                    for part in parts {
                        match part.as_rule() {
                            Rule::request_value => headers.push(self.key_value(&part)),
                            _ => gateway = Some(self.ident(&self.value(&part))),
                        }
                    }
                    TestItem::Request {
                        method,
                        url,
                        headers,
                        gateway,
                    }
                }
                Rule::expect_backends => TestItem::Backends(
                    parts
                        .skip(1)
                        .map(|b| {
                            let mut inner = b.clone().into_inner();
                            let service = self.ident(&inner.next().expect(SHAPE));
                            let percent = inner.next().map(|n| self.integer(&n));
                            ExpectedBackend {
                                service,
                                percent,
                                span: self.span(&b),
                            }
                        })
                        .collect(),
                ),
                Rule::expect_redirect => {
                    let location = self.string(&parts.nth(1).expect(SHAPE));
                    let status = parts.next().map(|n| self.integer(&n));
                    TestItem::Redirect { location, status }
                }
                Rule::expect_status => TestItem::Status(self.integer(&parts.next().expect(SHAPE))),
                Rule::expect_path => TestItem::Path(self.last_string(&p)),
                Rule::expect_host => TestItem::Host(self.last_string(&p)),
                Rule::expect_header => TestItem::Header(self.key_value(&p)),
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Test {
            keyword,
            name,
            items,
        }
    }

    fn rule(&mut self, pair: &Pair<'_, Rule>) -> ast::Rule {
        let children = pair.clone().into_inner().skip(1);
        let mut items = Vec::with_capacity(children.len());
        for p in children {
            let item = match p.as_rule() {
                Rule::match_attr => {
                    let children = p.clone().into_inner().skip(1);
                    let mut conditions = Vec::with_capacity(children.len());
                    for c in children {
                        let cond = self.condition(&c);
                        conditions.push(self.spanned(&c, cond));
                    }
                    RuleItem::Match(conditions)
                }
                Rule::backends => RuleItem::Backends(self.backends(&p)),
                Rule::request_header => RuleItem::RequestHeader(Box::new(
                    self.header_action(&p.clone().into_inner().next().expect(SHAPE)),
                )),
                Rule::response_header => {
                    RuleItem::ResponseHeader(Box::new(self.header_action(&self.value(&p))))
                }
                Rule::rewrite => RuleItem::Rewrite(self.rewrite_parts(&p)),
                Rule::redirect => RuleItem::Redirect(self.redirect_parts(&p)),
                Rule::use_attr => RuleItem::Use(self.ident(&self.value(&p))),
                Rule::mirror => {
                    let mut parts = p.clone().into_inner().skip(1);
                    let service = self.ident(&parts.next().expect(SHAPE));
                    let percent = parts.next().map(|n| self.integer(&n));
                    RuleItem::Mirror { service, percent }
                }
                Rule::timeout_attr => {
                    let durations: Vec<Pair<'_, Rule>> = p
                        .clone()
                        .into_inner()
                        .filter(|d| d.as_rule() == Rule::duration)
                        .collect();
                    let text =
                        |d: &Pair<'_, Rule>| Str::plain(d.as_str().to_string(), self.span(d));
                    RuleItem::Timeout {
                        request: text(&durations[0]),
                        backend: durations.get(1).map(|d| Box::new(text(d))),
                    }
                }
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        ast::Rule { items }
    }

    fn backends(&mut self, pair: &Pair<'_, Rule>) -> Vec<BackendRef> {
        pair.clone()
            .into_inner()
            .map(|b| {
                let mut parts = b.clone().into_inner();
                let service = self.ident(&parts.next().expect(SHAPE));
                let weight = parts.next().map(|w| self.integer(&w));
                BackendRef {
                    service,
                    weight,
                    span: self.span(&b),
                }
            })
            .collect()
    }

    fn rewrite_parts(&mut self, pair: &Pair<'_, Rule>) -> Vec<Spanned<RewritePart>> {
        let children = pair.clone().into_inner().skip(1);
        let mut parts = Vec::with_capacity(children.len());
        for r in children {
            let part = match r.as_rule() {
                Rule::rewrite_host => RewritePart::Host(self.last_string(&r)),
                Rule::path_value => {
                    let (prefix, value) = self.path_value(&r);
                    RewritePart::Path { prefix, value }
                }
                _ => unreachable!("{SHAPE}: {:?}", r.as_rule()),
            };
            parts.push(self.spanned(&r, part));
        }
        parts
    }

    fn redirect_parts(&mut self, pair: &Pair<'_, Rule>) -> Vec<Spanned<RedirectPart>> {
        let children = pair.clone().into_inner().skip(1);
        let mut parts = Vec::with_capacity(children.len());
        for r in children {
            let part = match r.as_rule() {
                Rule::scheme => RedirectPart::Scheme(self.ident(&r)),
                Rule::redirect_host => RedirectPart::Host(self.last_string(&r)),
                Rule::redirect_port => RedirectPart::Port(self.integer(&self.value(&r))),
                Rule::redirect_status => RedirectPart::Status(self.integer(&self.value(&r))),
                Rule::path_value => {
                    let (prefix, value) = self.path_value(&r);
                    RedirectPart::Path { prefix, value }
                }
                _ => unreachable!("{SHAPE}: {:?}", r.as_rule()),
            };
            parts.push(self.spanned(&r, part));
        }
        parts
    }

    fn path_value(&mut self, pair: &Pair<'_, Rule>) -> (bool, Str) {
        let prefix = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::kw_prefix);
        (prefix, self.last_string(pair))
    }

    fn op(&self, pair: Option<&Pair<'_, Rule>>, default: Op) -> Op {
        match pair.map(|p| p.as_str()) {
            Some("=") => Op::Exact,
            Some("~") => Op::Regex,
            _ => default,
        }
    }

    fn condition(&mut self, pair: &Pair<'_, Rule>) -> Condition {
        let children: Vec<Pair<'_, Rule>> = pair.clone().into_inner().collect();
        let op = children.iter().find(|c| c.as_rule() == Rule::op);
        match pair.as_rule() {
            Rule::path_cond => Condition::Path {
                op: self.op(op, Op::Prefix),
                value: self.last_string(pair),
            },
            Rule::header_cond | Rule::query_cond => {
                let op = self.op(op, Op::Exact);
                let name = self.string(&children[1]);
                let value = self.last_string(pair);
                if pair.as_rule() == Rule::header_cond {
                    Condition::Header { name, op, value }
                } else {
                    Condition::Query { name, op, value }
                }
            }
            Rule::method_cond if children[1].as_rule() == Rule::name => {
                Condition::Method(self.ident(&children[1]))
            }
            Rule::method_cond => Condition::GrpcMethod {
                op: self.op(op, Op::Exact),
                value: self.last_string(pair),
            },
            Rule::service_cond => Condition::GrpcService {
                op: self.op(op, Op::Exact),
                value: self.last_string(pair),
            },
            _ => unreachable!("{SHAPE}: {:?}", pair.as_rule()),
        }
    }

    fn header_action(&mut self, pair: &Pair<'_, Rule>) -> HeaderAction {
        let strings: Vec<Pair<'_, Rule>> = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::string)
            .collect();
        let name = self.string(&strings[0]);
        match pair.as_rule() {
            Rule::set_header => HeaderAction::Set {
                name,
                value: self.string(&strings[1]),
            },
            Rule::add_header => HeaderAction::Add {
                name,
                value: self.string(&strings[1]),
            },
            Rule::remove_header => HeaderAction::Remove { name },
            _ => unreachable!("{SHAPE}: {:?}", pair.as_rule()),
        }
    }
}
