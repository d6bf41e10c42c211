//! The resolved model: what the checker proved valid, with every name resolved, every
//! default applied and every generated name chosen. Emission reads only this; it cannot fail.
//! Every item keeps the span it came from, for the source annotation and for tools.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::source::Span;

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub gateways: Vec<Gateway>,
    pub services: Vec<Service>,
    pub routes: Vec<Route>,
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http,
    Https,
    Tls,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Https => "HTTPS",
            Protocol::Tls => "TLS",
        }
    }
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
}

/// One Kubernetes Service.
#[derive(Clone, Debug)]
pub struct Backend {
    pub name: String,
    /// The Service port (what routes reference).
    pub port: u16,
    pub target: Target,
    /// The hostname the gateway verifies and sends as SNI, for HTTPS services.
    pub tls_hostname: Option<String>,
    /// The endpoint(s) it was made from, for the description annotation.
    pub endpoints: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum Target {
    /// A selectorless Service with EndpointSlices, one per address family.
    Addresses {
        port: u16,
        ipv4: Vec<Ipv4Addr>,
        ipv6: Vec<Ipv6Addr>,
    },
    /// An ExternalName Service.
    Dns { host: String },
}

#[derive(Clone, Debug)]
pub enum Trust {
    System,
    /// A CA bundle from a file, emitted as a ConfigMap with key `ca.crt`.
    Pem {
        configmap: String,
        pem: String,
    },
    /// An existing ConfigMap with key `ca.crt`.
    ConfigMap(String),
}

#[derive(Clone, Debug)]
pub struct Route {
    pub meta: Meta,
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

/// A reference to one Kubernetes Service, with its weight.
#[derive(Clone, Debug)]
pub struct BackendRef {
    pub service: ObjectRef,
    pub port: u16,
    pub weight: u64,
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
    pub scheme: Option<String>,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub path: Option<PathEdit>,
    pub status: Option<u16>,
}

#[derive(Clone, Debug)]
pub struct Mirror {
    pub backend: BackendRef,
    pub percent: Option<u8>,
}

#[derive(Clone, Debug)]
pub struct Timeouts {
    pub request: Option<String>,
    pub backend: Option<String>,
}
