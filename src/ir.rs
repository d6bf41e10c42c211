//! The resolved model: what the checker proved valid, with every name resolved, every
//! default applied and every generated name chosen. Emission reads only this; it cannot fail.
//! Every item keeps the span it came from, for the source annotation and for tools.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::source::Span;
use crate::target::Target;

/// The label every emitted object carries. The keys egwc writes are part of the model's
/// contract: the checker refuses them in the user's labels and annotations.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "egwc");
/// The annotation naming the `.egw` file and line an object came from.
pub const SOURCE_ANNOTATION: &str = "egwc/source";
/// The annotation carrying a service's `description`.
pub const DESCRIPTION_ANNOTATION: &str = "egwc/description";

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub gateways: Vec<Gateway>,
    pub services: Vec<Service>,
    pub routes: Vec<Route>,
    /// The `test` blocks: not emitted, run by `egwc test` (src/verify.rs).
    pub tests: Vec<Test>,
}

/// Name, namespace and the user's labels and annotations of one definition.
#[derive(Clone, Debug)]
pub struct Meta {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub origin: Span,
}

#[derive(Clone, Debug)]
pub struct Gateway {
    pub meta: Meta,
    pub class: String,
    pub listeners: Vec<Listener>,
    /// The controller this gateway is compiled for, and why.
    pub target: Target,
    pub target_from: TargetFrom,
}

impl Gateway {
    /// `gateway `edge`: this class implies cilium 1.20`, for labels at `target_from`.
    pub fn target_reason(&self) -> String {
        format!(
            "gateway `{}`: {}",
            self.meta.name,
            self.target_from.describe(self.target)
        )
    }
}

/// Where a gateway's target came from, with the span that shows it.
#[derive(Clone, Copy, Debug)]
pub enum TargetFrom {
    /// `target NAME` in the gateway block.
    Attribute(Span),
    /// Implied by a well-known class name.
    Class(Span),
    /// `--target` on the command line.
    CommandLine(Span),
    /// `target` in the project configuration, egwc.toml.
    Config(Span),
    /// Neither: the class is not a known one, so `generic`.
    Default(Span),
}

impl TargetFrom {
    pub fn span(self) -> Span {
        match self {
            TargetFrom::Attribute(s)
            | TargetFrom::Class(s)
            | TargetFrom::CommandLine(s)
            | TargetFrom::Config(s)
            | TargetFrom::Default(s) => s,
        }
    }

    /// Why the gateway has this target, for diagnostic labels.
    pub fn describe(self, target: Target) -> String {
        match self {
            TargetFrom::Attribute(_) => format!("compiled for {target}"),
            TargetFrom::Class(_) => format!("this class implies {target}"),
            TargetFrom::CommandLine(_) => format!("compiled for {target} (from --target)"),
            TargetFrom::Config(_) => format!("compiled for {target} (from egwc.toml)"),
            TargetFrom::Default(_) => "an unknown class: compiled for generic".to_string(),
        }
    }
}

/// A listener's protocol, or a service's: what it speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http,
    Https,
    Tls,
    Tcp,
    Udp,
    /// Services only: HTTP/2 without TLS (`h2c`), as gRPC backends speak it.
    H2c,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tls => "TLS",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::H2c => "H2C",
        }
    }

    /// Whether it runs over UDP rather than TCP.
    pub fn is_udp(self) -> bool {
        self == Protocol::Udp
    }
}

/// `a NAME` or `an NAME` for a protocol or kind name read letter by letter (`an HTTP`,
/// `a TCP`, `a UDP`).
pub fn article(name: &str) -> String {
    let vowel_sound =
        name.starts_with(['A', 'E', 'F', 'H', 'I', 'L', 'M', 'N', 'O', 'R', 'S', 'X']);
    format!("{} {name}", if vowel_sound { "an" } else { "a" })
}

/// The protocols a listener may have, by the name the language and the Gateway API give
/// each.
pub const LISTENER_PROTOCOLS: &[(&str, Protocol)] = &[
    ("HTTP", Protocol::Http),
    ("HTTPS", Protocol::Https),
    ("TLS", Protocol::Tls),
    ("TCP", Protocol::Tcp),
    ("UDP", Protocol::Udp),
];

/// The protocols a service may have.
pub const SERVICE_PROTOCOLS: &[(&str, Protocol)] = &[
    ("HTTP", Protocol::Http),
    ("HTTPS", Protocol::Https),
    ("H2C", Protocol::H2c),
    ("TCP", Protocol::Tcp),
    ("UDP", Protocol::Udp),
];

/// The HTTP methods a rule may match.
pub const METHODS: &[(&str, Method)] = &[
    ("GET", Method::Get),
    ("HEAD", Method::Head),
    ("POST", Method::Post),
    ("PUT", Method::Put),
    ("DELETE", Method::Delete),
    ("CONNECT", Method::Connect),
    ("OPTIONS", Method::Options),
    ("TRACE", Method::Trace),
    ("PATCH", Method::Patch),
];

/// The status codes a redirect may have.
pub const REDIRECT_STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

/// The kind of a route: which Gateway API route object it becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouteKind {
    Http,
    Tcp,
    Udp,
    Tls,
    Grpc,
}

impl RouteKind {
    /// The Gateway API kind.
    pub fn kind(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTPRoute",
            RouteKind::Tcp => "TCPRoute",
            RouteKind::Udp => "UDPRoute",
            RouteKind::Tls => "TLSRoute",
            RouteKind::Grpc => "GRPCRoute",
        }
    }

    /// The kind a Gateway API kind name (`TCPRoute`) is, if it is a route's.
    pub fn from_kind(kind: &str) -> Option<RouteKind> {
        [
            RouteKind::Http,
            RouteKind::Tcp,
            RouteKind::Udp,
            RouteKind::Tls,
            RouteKind::Grpc,
        ]
        .into_iter()
        .find(|k| k.kind() == kind)
    }

    /// The words that open its block: `route`, `grpc route`, `tcp route`, …
    pub fn keyword(self) -> &'static str {
        match self {
            RouteKind::Http => "route",
            RouteKind::Tcp => "tcp route",
            RouteKind::Udp => "udp route",
            RouteKind::Tls => "tls route",
            RouteKind::Grpc => "grpc route",
        }
    }

    /// How the language names it: `HTTP`, `TCP`, `UDP`.
    pub fn name(self) -> &'static str {
        match self {
            RouteKind::Http => "HTTP",
            RouteKind::Tcp => "TCP",
            RouteKind::Udp => "UDP",
            RouteKind::Tls => "TLS",
            RouteKind::Grpc => "gRPC",
        }
    }

    /// Whether a listener of `protocol` takes routes of this kind (the Gateway API's
    /// `allowedRoutes.kinds` defaults: HTTP and HTTPS take HTTPRoutes, TCP TCPRoutes, UDP
    /// UDPRoutes, TLS TLSRoutes; HTTP and HTTPS also take GRPCRoutes).
    pub fn fits(self, protocol: Protocol) -> bool {
        match self {
            RouteKind::Http | RouteKind::Grpc => {
                matches!(protocol, Protocol::Http | Protocol::Https)
            }
            RouteKind::Tcp => protocol == Protocol::Tcp,
            RouteKind::Udp => protocol == Protocol::Udp,
            RouteKind::Tls => protocol == Protocol::Tls,
        }
    }

    /// The service protocols its backends may have.
    pub fn backend_protocols(self) -> &'static [Protocol] {
        match self {
            RouteKind::Http => &[Protocol::Http, Protocol::Https, Protocol::H2c],
            // gRPC is HTTP/2: in the clear (h2c), or over TLS.
            RouteKind::Grpc => &[Protocol::H2c, Protocol::Https],
            RouteKind::Tcp => &[Protocol::Tcp],
            RouteKind::Udp => &[Protocol::Udp],
            // The TLS stream (passed through) or what is inside it (terminated).
            RouteKind::Tls => &[Protocol::Tcp],
        }
    }
}

/// The API version a route kind is written in, for a target (`target::Capabilities`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RouteVersion {
    V1alpha2,
    /// TLSRoute only (Gateway API 1.4).
    V1alpha3,
    #[default]
    V1,
}

#[derive(Clone, Debug)]
pub struct Listener {
    pub name: String,
    pub port: u16,
    pub protocol: Protocol,
    pub hostname: Option<String>,
    pub tls: Option<ListenerTls>,
    pub routes_from_all: bool,
}

#[derive(Clone, Debug)]
pub enum ListenerTls {
    Terminate { certificates: Vec<ObjectRef> },
    Passthrough,
}

/// A reference to a namespaced object, such as a Secret.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    pub namespace: String,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub meta: Meta,
    pub description: Option<String>,
    pub protocol: Protocol,
    /// The Kubernetes Services this service becomes: one, or one per endpoint when balanced.
    pub backends: Vec<Backend>,
    /// Backend TLS trust, for HTTPS services.
    pub trust: Option<Trust>,
    /// `tls { san ... }`: the names a backend's certificate is authenticated against instead
    /// of its TLS hostname (which is then only the SNI), and where they were written.
    pub subject_alt_names: Option<(Vec<String>, Span)>,
    /// The target the service's objects are made for: that of the gateways whose routes use
    /// it. Set by `check::target`, which also sets the next two and each backend's `via`.
    pub target: Target,
    /// The BackendTLSPolicy version, for HTTPS services.
    pub policy_version: PolicyVersion,
    /// An annotation the target needs on the Services of an HTTPS service.
    pub https_annotation: Option<(&'static str, &'static str)>,
}

/// One Kubernetes Service.
#[derive(Clone, Debug)]
pub struct Backend {
    pub name: String,
    /// The Service port (what routes reference).
    pub port: u16,
    pub destination: Destination,
    /// The hostname the gateway verifies and sends as SNI, for HTTPS services.
    pub tls_hostname: Option<String>,
    /// The Host header requests to it must carry (a route rule rewrites to it), if any.
    pub host_rewrite: Option<String>,
    /// The endpoint(s) it was made from, for the description annotation, and their spans.
    pub endpoints: Vec<String>,
    pub endpoint_spans: Vec<Span>,
}

#[derive(Clone, Debug)]
pub enum Destination {
    /// A selectorless Service with EndpointSlices, one per address family.
    Addresses {
        port: u16,
        ipv4: Vec<Ipv4Addr>,
        ipv6: Vec<Ipv6Addr>,
    },
    /// A DNS name, reached through `via`.
    Dns { host: String, via: DnsObject },
}

/// The object that reaches a DNS name, chosen by `check::target` for the service's target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DnsObject {
    /// An `ExternalName` Service.
    #[default]
    ExternalName,
    /// Envoy Gateway's `Backend`, with an FQDN endpoint.
    EnvoyBackend,
    /// Istio's `ServiceEntry`, referenced by a backendRef of kind `Hostname`.
    IstioServiceEntry,
}

/// The BackendTLSPolicy version written for an HTTPS service, chosen by `check::target`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PolicyVersion {
    /// `v1alpha3`, for controllers built on Gateway API 1.1–1.3.
    V1alpha3,
    #[default]
    V1,
}

#[derive(Clone, Debug)]
pub enum Trust {
    System,
    /// CA certificates from a file: the ConfigMaps (key `ca.crt`) the BackendTLSPolicy names,
    /// and those of them this service writes. Usually one of each; for Kong one per
    /// certificate, and a certificate another service of the namespace already writes is
    /// named, not written again (set by `check::target`).
    Pem {
        refs: Vec<String>,
        write: Vec<CaConfigMap>,
    },
    /// An existing ConfigMap with key `ca.crt`.
    ConfigMap(String),
}

/// A ConfigMap of CA certificates that egwc writes.
#[derive(Clone, Debug)]
pub struct CaConfigMap {
    pub name: String,
    pub pem: String,
    /// For Kong, which reads CA certificates only from ConfigMaps labelled
    /// `konghq.com/ca-cert: "true"` with an `id` key: that id.
    pub kong_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Route {
    pub meta: Meta,
    pub kind: RouteKind,
    /// The API version it is written in, chosen by `check::target` (HTTP routes: `v1`).
    pub version: RouteVersion,
    pub parents: Vec<Parent>,
    pub hostnames: Vec<String>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug)]
pub struct Parent {
    pub gateway: ObjectRef,
    pub listener: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub matches: Vec<Match>,
    pub filters: Filters,
    pub backends: Vec<BackendRef>,
    pub timeouts: Option<Timeouts>,
    pub origin: Span,
}

/// A reference to one backend object, with its weight.
#[derive(Clone, Debug)]
pub struct BackendRef {
    /// The backend's object (a Service, or the target's own kind, see `kind`).
    pub service: ObjectRef,
    pub port: u16,
    pub weight: u64,
    pub kind: RefKind,
    /// Where the backend is in the model: `Model::services[at.service].backends[at.backend]`.
    pub at: BackendAt,
}

/// The indexes of a backend in [`Model::services`] and in its service's `backends`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackendAt {
    pub service: usize,
    pub backend: usize,
}

/// What a backendRef points at. Set by `check::target` from the service's target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefKind {
    Service,
    /// Envoy Gateway's `Backend`.
    EnvoyBackend,
    /// Istio's `Hostname`: the ServiceEntry host, without a namespace.
    IstioHostname(String),
}

/// An HTTP method a rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Connect,
    Options,
    Trace,
    Patch,
}

/// The scheme of a redirect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    Prefix,
    Exact,
    Regex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Exact,
    Regex,
}

#[derive(Clone, Debug, Default)]
pub struct Match {
    pub path: Option<(PathKind, String)>,
    pub headers: Vec<(String, ValueKind, String)>,
    pub query: Vec<(String, ValueKind, String)>,
    pub method: Option<Method>,
    /// gRPC routes: the service and method matched, and how.
    pub grpc: Option<GrpcMethod>,
}

/// A gRPC method match: `service` and `method`, both exact or both regular expressions; at
/// least one is given.
#[derive(Clone, Debug)]
pub struct GrpcMethod {
    pub kind: ValueKind,
    pub service: Option<String>,
    pub method: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub request_headers: Option<HeaderEdits>,
    pub response_headers: Option<HeaderEdits>,
    pub rewrite: Option<Rewrite>,
    pub redirect: Option<Redirect>,
    pub mirrors: Vec<Mirror>,
}

#[derive(Clone, Debug, Default)]
pub struct HeaderEdits {
    pub set: Vec<(String, String)>,
    pub add: Vec<(String, String)>,
    pub remove: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum PathEdit {
    Full(String),
    Prefix(String),
}

#[derive(Clone, Debug, Default)]
pub struct Rewrite {
    pub hostname: Option<String>,
    pub path: Option<PathEdit>,
}

#[derive(Clone, Debug, Default)]
pub struct Redirect {
    pub scheme: Option<Scheme>,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub path: Option<PathEdit>,
    pub status: Option<u16>,
}

#[derive(Clone, Debug)]
pub struct Mirror {
    pub backend: BackendRef,
    /// The share of requests copied to this backend; `None`: every request.
    pub share: Option<Fraction>,
    /// The `mirror` line it comes from: the endpoints of a balanced service share one.
    pub origin: Span,
}

/// A share of requests, written as `percent` when the denominator is 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    pub numerator: u32,
    pub denominator: u32,
}

#[derive(Clone, Debug)]
pub struct Timeouts {
    pub request: Option<String>,
    pub backend: Option<String>,
}

/// A `test` block: a request, and what it must get.
#[derive(Clone, Debug)]
pub struct Test {
    pub name: Option<String>,
    /// The `test` keyword and its name: where a failed test is reported.
    pub origin: Span,
    pub request: crate::route::Request,
    /// The Gateway the request enters (`on NAME`); without it, the one that listens on the
    /// request's port.
    pub gateway: Option<ObjectRef>,
    pub expectations: Vec<Expectation>,
}

/// One `expect` line and where it is.
#[derive(Clone, Debug)]
pub struct Expectation {
    pub expect: Expect,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// The services (`namespace/name`) that get the request and their shares in whole
    /// percent; `None`: some share, unsaid. No other service gets any.
    Backends(Vec<(ObjectRef, Option<u32>)>),
    /// A redirect to this `Location`, with this status if one is given.
    Redirect {
        location: String,
        status: Option<u16>,
    },
    /// The status of the answer: 200 forwarded, a redirect's, 404 or 500.
    Status(u16),
    /// The path, Host or a header the backends get.
    Path(String),
    Host(String),
    Header(String, String),
}
