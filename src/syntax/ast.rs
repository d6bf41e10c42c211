//! The syntax tree: what the user wrote, in source order, every node with its span. Blocks
//! keep their items as written (attributes may repeat here); src/check/ decides what is
//! allowed once and what is missing.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

/// A bare word: a name or a keyword value such as `HTTPS` or `GET`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

/// A string literal, unescaped; the span includes the quotes.
#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Int {
    pub value: u64,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    pub items: Vec<Spanned<Item>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Namespace(Str),
    Import(Str),
    Gateway(Gateway),
    Service(Service),
    Route(Route),
    Filters(Filters),
}

#[derive(Clone, Debug, PartialEq)]
pub struct KeyValue {
    pub key: Str,
    pub value: Str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Gateway {
    pub name: Ident,
    pub items: Vec<Spanned<GatewayItem>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GatewayItem {
    Class(Str),
    /// `target NAME [VERSION]`: the controller the gateway is compiled for.
    Target {
        name: Ident,
        version: Option<Ident>,
    },
    Listener(Listener),
    Namespace(Str),
    Label(KeyValue),
    Annotation(KeyValue),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Listener {
    pub name: Ident,
    pub items: Vec<Spanned<ListenerItem>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ListenerItem {
    Port(Int),
    Protocol(Ident),
    Hostname(Str),
    Tls(Vec<Spanned<ListenerTlsItem>>),
    RoutesFrom(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ListenerTlsItem {
    Cert(Str),
    Mode(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub name: Ident,
    pub items: Vec<Spanned<ServiceItem>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ServiceItem {
    Endpoints(Vec<Endpoint>),
    /// `rewrite host "name"`, or `rewrite host off` (`None`).
    HostRewrite(Option<Str>),
    Port(Int),
    Protocol(Ident),
    /// `balance` alone is `Some(true)` written as `None`: the switch word is optional.
    Balance(Option<Spanned<bool>>),
    Tls(Vec<Spanned<ServiceTlsItem>>),
    Namespace(Str),
    Label(KeyValue),
    Annotation(KeyValue),
    Description(Str),
}

/// One endpoint: an address and, after `as`, the name its TLS certificate carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub address: Str,
    pub tls_name: Option<Str>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ServiceTlsItem {
    Ca(CaSource),
    Hostname(Str),
    /// `san "a" "b"`: the names the certificate may carry (BackendTLSPolicy subjectAltNames).
    San(Vec<Str>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum CaSource {
    System,
    File(Str),
    ConfigMap(Str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub name: Ident,
    pub items: Vec<Spanned<RouteItem>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RouteItem {
    On(Vec<ParentRef>),
    Hosts(Vec<Str>),
    Rule(Rule),
    Namespace(Str),
    Label(KeyValue),
    Annotation(KeyValue),
}

/// `filters NAME { ... }`: a named group of header edits that rules take in with `use NAME`.
#[derive(Clone, Debug, PartialEq)]
pub struct Filters {
    pub name: Ident,
    pub items: Vec<Spanned<FiltersItem>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FiltersItem {
    RequestHeader(HeaderAction),
    ResponseHeader(HeaderAction),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParentRef {
    pub gateway: Ident,
    pub listener: Option<Ident>,
    pub span: Span,
}

impl ParentRef {
    /// `gateway` or `gateway.listener`, as the canonical layout writes it.
    pub fn display(&self) -> String {
        match &self.listener {
            Some(l) => format!("{}.{}", self.gateway.text, l.text),
            None => self.gateway.text.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub items: Vec<Spanned<RuleItem>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RuleItem {
    Match(Vec<Spanned<Condition>>),
    Backends(Vec<BackendRef>),
    RequestHeader(HeaderAction),
    ResponseHeader(HeaderAction),
    Rewrite(Vec<Spanned<RewritePart>>),
    Redirect(Vec<Spanned<RedirectPart>>),
    Mirror {
        service: Ident,
        percent: Option<Int>,
    },
    Timeout {
        request: Str,
        backend: Option<Str>,
    },
    /// `use NAME`: the edits of a `filters` group, as if written here.
    Use(Ident),
}

/// How a value is compared: `"/x"` (prefix for paths), `= "/x"` or `~ "re"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Prefix,
    Exact,
    Regex,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Path { op: Op, value: Str },
    Header { name: Str, op: Op, value: Str },
    Query { name: Str, op: Op, value: Str },
    Method(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub struct BackendRef {
    pub service: Ident,
    pub weight: Option<Int>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum HeaderAction {
    Set { name: Str, value: Str },
    Add { name: Str, value: Str },
    Remove { name: Str },
}

#[derive(Clone, Debug, PartialEq)]
pub enum RewritePart {
    Host(Str),
    Path { prefix: bool, value: Str },
}

#[derive(Clone, Debug, PartialEq)]
pub enum RedirectPart {
    Scheme(Ident),
    Host(Str),
    Port(Int),
    Path { prefix: bool, value: Str },
    Status(Int),
}
