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

/// A string literal, unescaped; the span includes the quotes. A `${name}` in it is kept in
/// `value` as written and listed in `holes`, until the constants pass (src/check/constants.rs)
/// puts the constant's value in its place.
#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    pub value: String,
    pub span: Span,
    pub holes: Box<[Hole]>,
}

impl Str {
    /// A string without `${…}`.
    pub fn plain(value: String, span: Span) -> Str {
        Str {
            value,
            span,
            holes: Box::default(),
        }
    }
}

/// `${name}` in a string: the constant it names (the span of `${name}`), and the bytes
/// `start..end` of the string's value that stand for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Hole {
    pub name: String,
    pub span: Span,
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Int {
    pub value: u64,
    pub span: Span,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    pub items: Vec<Spanned<Item>>,
    /// Some string of the file holds a `${name}`.
    pub has_holes: bool,
    /// Strings with a malformed `${` (E0005): their value is not what was meant, so the
    /// checker does not report on it.
    pub malformed: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Namespace(Str),
    Import(Str),
    /// `let NAME = "value"`: a constant, used as `${NAME}` in strings.
    Let {
        name: Ident,
        value: Str,
    },
    Gateway(Gateway),
    Service(Service),
    Route(Route),
    Filters(Filters),
    Test(Test),
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
    Label(Box<KeyValue>),
    Annotation(Box<KeyValue>),
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
    Label(Box<KeyValue>),
    Annotation(Box<KeyValue>),
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
    /// `tcp`, `udp`, `tls` or `grpc` before `route`; `None`: an HTTP route.
    pub kind: Option<Spanned<RouteKind>>,
    pub name: Ident,
    pub items: Vec<Spanned<RouteItem>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RouteItem {
    On(Vec<ParentRef>),
    Hosts(Vec<Str>),
    Rule(Rule),
    Namespace(Str),
    Label(Box<KeyValue>),
    Annotation(Box<KeyValue>),
}

/// The kind of route a `route` block is, by the word before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteKind {
    Tcp,
    Udp,
    Tls,
    Grpc,
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

/// `test ["name"] { request … expect … }`: a request and what it must get.
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    pub keyword: Span,
    pub name: Option<Str>,
    pub items: Vec<Spanned<TestItem>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TestItem {
    /// `request [METHOD] "URL" [header "n" = "v"]… [on GATEWAY]`.
    Request {
        method: Option<Ident>,
        url: Str,
        headers: Vec<KeyValue>,
        gateway: Option<Ident>,
    },
    /// `expect -> service [N%], …`.
    Backends(Vec<ExpectedBackend>),
    /// `expect redirect "URL" [STATUS]`.
    Redirect { location: Str, status: Option<Int> },
    /// `expect STATUS`.
    Status(Int),
    /// `expect path "/x"`: the path the backends get.
    Path(Str),
    /// `expect host "name"`: the Host the backends get.
    Host(Str),
    /// `expect header "n" = "v"`: a header the backends get.
    Header(KeyValue),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpectedBackend {
    pub service: Ident,
    pub percent: Option<Int>,
    pub span: Span,
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
    RequestHeader(Box<HeaderAction>),
    ResponseHeader(Box<HeaderAction>),
    Rewrite(Vec<Spanned<RewritePart>>),
    Redirect(Vec<Spanned<RedirectPart>>),
    Mirror {
        service: Ident,
        percent: Option<Int>,
    },
    Timeout {
        request: Str,
        backend: Option<Box<Str>>,
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
    Path {
        op: Op,
        value: Str,
    },
    Header {
        name: Str,
        op: Op,
        value: Str,
    },
    Query {
        name: Str,
        op: Op,
        value: Str,
    },
    Method(Ident),
    /// gRPC: `service "pkg.Service"` and `method "Name"` (`=` or no operator: exact; `~`: a
    /// regular expression).
    GrpcService {
        op: Op,
        value: Str,
    },
    GrpcMethod {
        op: Op,
        value: Str,
    },
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

impl File {
    /// Calls `f` on every string of the file, except the values of `let` (constants are
    /// resolved from those) and import paths (read before constants are known).
    pub fn strings_mut(&mut self, f: &mut dyn FnMut(&mut Str)) {
        for item in &mut self.items {
            match &mut item.node {
                Item::Namespace(s) => f(s),
                Item::Import(_) | Item::Let { .. } => {}
                Item::Gateway(g) => g
                    .items
                    .iter_mut()
                    .for_each(|i| gateway_item(&mut i.node, f)),
                Item::Service(s) => s
                    .items
                    .iter_mut()
                    .for_each(|i| service_item(&mut i.node, f)),
                Item::Route(r) => r.items.iter_mut().for_each(|i| route_item(&mut i.node, f)),
                Item::Test(t) => t.items.iter_mut().for_each(|i| test_item(&mut i.node, f)),
                Item::Filters(g) => {
                    for i in &mut g.items {
                        match &mut i.node {
                            FiltersItem::RequestHeader(a) | FiltersItem::ResponseHeader(a) => {
                                header_action(a, f)
                            }
                        }
                    }
                }
            }
        }
    }
}

fn key_value(kv: &mut KeyValue, f: &mut dyn FnMut(&mut Str)) {
    f(&mut kv.key);
    f(&mut kv.value);
}

fn gateway_item(item: &mut GatewayItem, f: &mut dyn FnMut(&mut Str)) {
    match item {
        GatewayItem::Class(s) | GatewayItem::Namespace(s) => f(s),
        GatewayItem::Label(kv) | GatewayItem::Annotation(kv) => key_value(kv, f),
        GatewayItem::Target { .. } => {}
        GatewayItem::Listener(l) => {
            for i in &mut l.items {
                match &mut i.node {
                    ListenerItem::Hostname(s) => f(s),
                    ListenerItem::Tls(tls) => {
                        for t in tls {
                            match &mut t.node {
                                ListenerTlsItem::Cert(s) => f(s),
                                ListenerTlsItem::Mode(_) => {}
                            }
                        }
                    }
                    ListenerItem::Port(_)
                    | ListenerItem::Protocol(_)
                    | ListenerItem::RoutesFrom(_) => {}
                }
            }
        }
    }
}

fn service_item(item: &mut ServiceItem, f: &mut dyn FnMut(&mut Str)) {
    match item {
        ServiceItem::Endpoints(endpoints) => {
            for e in endpoints {
                f(&mut e.address);
                if let Some(name) = &mut e.tls_name {
                    f(name);
                }
            }
        }
        ServiceItem::HostRewrite(Some(s))
        | ServiceItem::Namespace(s)
        | ServiceItem::Description(s) => f(s),
        ServiceItem::Label(kv) | ServiceItem::Annotation(kv) => key_value(kv, f),
        ServiceItem::Tls(tls) => {
            for t in tls {
                match &mut t.node {
                    ServiceTlsItem::Ca(CaSource::ConfigMap(s)) | ServiceTlsItem::Hostname(s) => {
                        f(s)
                    }
                    ServiceTlsItem::San(names) => names.iter_mut().for_each(&mut *f),
                    // A CA file is read while loading, before constants are known.
                    ServiceTlsItem::Ca(CaSource::File(_) | CaSource::System) => {}
                }
            }
        }
        ServiceItem::HostRewrite(None)
        | ServiceItem::Port(_)
        | ServiceItem::Protocol(_)
        | ServiceItem::Balance(_) => {}
    }
}

fn route_item(item: &mut RouteItem, f: &mut dyn FnMut(&mut Str)) {
    match item {
        RouteItem::Hosts(hosts) => hosts.iter_mut().for_each(&mut *f),
        RouteItem::Namespace(s) => f(s),
        RouteItem::Label(kv) | RouteItem::Annotation(kv) => key_value(kv, f),
        RouteItem::On(_) => {}
        RouteItem::Rule(rule) => {
            for i in &mut rule.items {
                rule_item(&mut i.node, f);
            }
        }
    }
}

fn rule_item(item: &mut RuleItem, f: &mut dyn FnMut(&mut Str)) {
    match item {
        RuleItem::Match(conditions) => {
            for c in conditions {
                match &mut c.node {
                    Condition::Path { value, .. } => f(value),
                    Condition::Header { name, value, .. }
                    | Condition::Query { name, value, .. } => {
                        f(name);
                        f(value);
                    }
                    Condition::GrpcService { value, .. } | Condition::GrpcMethod { value, .. } => {
                        f(value)
                    }
                    Condition::Method(_) => {}
                }
            }
        }
        RuleItem::RequestHeader(a) | RuleItem::ResponseHeader(a) => header_action(a, f),
        RuleItem::Rewrite(parts) => {
            for p in parts {
                match &mut p.node {
                    RewritePart::Host(s) | RewritePart::Path { value: s, .. } => f(s),
                }
            }
        }
        RuleItem::Redirect(parts) => {
            for p in parts {
                match &mut p.node {
                    RedirectPart::Host(s) | RedirectPart::Path { value: s, .. } => f(s),
                    RedirectPart::Scheme(_) | RedirectPart::Port(_) | RedirectPart::Status(_) => {}
                }
            }
        }
        // Durations are tokens, not strings: they hold no `${…}`.
        RuleItem::Timeout { .. }
        | RuleItem::Backends(_)
        | RuleItem::Mirror { .. }
        | RuleItem::Use(_) => {}
    }
}

fn test_item(item: &mut TestItem, f: &mut dyn FnMut(&mut Str)) {
    match item {
        TestItem::Request { url, headers, .. } => {
            f(url);
            headers.iter_mut().for_each(|kv| key_value(kv, f));
        }
        TestItem::Redirect { location: s, .. } | TestItem::Path(s) | TestItem::Host(s) => f(s),
        TestItem::Header(kv) => key_value(kv, f),
        TestItem::Backends(_) | TestItem::Status(_) => {}
    }
}

fn header_action(action: &mut HeaderAction, f: &mut dyn FnMut(&mut Str)) {
    match action {
        HeaderAction::Set { name, value } | HeaderAction::Add { name, value } => {
            f(name);
            f(value);
        }
        HeaderAction::Remove { name } => f(name),
    }
}
