//! Checking `service` blocks: endpoints, ports, balancing, backend TLS; and choosing the
//! Kubernetes Services each service becomes.

use super::validate::{self, Host};
use super::{Checker, Once, missing, not_for_kind};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Protocol};
use crate::source::Span;
use crate::syntax::ast::{self, CaSource, ServiceItem, ServiceTlsItem};
use crate::target::Target;

/// A parsed endpoint with the string it came from.
struct Endpoint<'s> {
    text: &'s ast::Str,
    /// The name its certificate carries, written after `as`.
    tls_name: Option<&'s ast::Str>,
    host: Host,
    port: Option<u16>,
}

/// A service's attributes, each written at most once.
struct Attributes<'s> {
    endpoints: Option<&'s Vec<ast::Endpoint>>,
    port: Option<&'s ast::Int>,
    protocol: Option<&'s ast::Ident>,
    balance: Option<bool>,
    tls: Option<(&'s Vec<ast::Spanned<ServiceTlsItem>>, Span)>,
    host_rewrite: Option<Option<&'s ast::Str>>,
    namespace: Option<&'s str>,
    description: Option<&'s ast::Str>,
    labels: Vec<&'s ast::KeyValue>,
    annotations: Vec<&'s ast::KeyValue>,
}

/// What a `tls` block (or its absence) says.
#[derive(Default)]
struct BackendTls {
    hostname: Option<String>,
    /// Whether `hostname` was written, valid or not.
    hostname_given: bool,
    trust: Option<ir::Trust>,
    subject_alt_names: Option<(Vec<String>, Span)>,
    /// The CA file could not be read; the loader said why.
    unreadable: bool,
}

/// The shape of a checked service, which its rules and backends depend on.
struct Shape {
    protocol: Protocol,
    balanced: bool,
    service_port: u16,
    default_port: u16,
}

impl Shape {
    fn endpoint_port(&self, e: &Endpoint<'_>) -> u16 {
        e.port.unwrap_or(self.service_port)
    }
}

impl<'a> Checker<'a> {
    pub(super) fn service(
        &mut self,
        s: &'a ast::Service,
        file_namespace: &'a str,
    ) -> Option<ir::Service> {
        let a = self.service_attributes(s);
        let mark = self.mark();
        let protocol = match a.protocol {
            Some(p) => self.one_of(p, "service protocol", crate::ir::SERVICE_PROTOCOLS),
            None => Some(Protocol::Http),
        };
        let Some(written) = a.endpoints else {
            self.report(missing(
                &s.name,
                "service",
                "endpoint",
                "endpoint \"api.example.com:443\"",
            ));
            self.object_name(&s.name, 0, false);
            return None;
        };
        let endpoints = self.endpoints(written);
        let balanced = a.balance.unwrap_or(endpoints.len() > 1) && endpoints.len() > 1;
        if !balanced {
            // One EndpointSlice per address family holds them all.
            let v4 = endpoints
                .iter()
                .filter(|e| matches!(e.host, Host::V4(_)))
                .count();
            let v6 = endpoints
                .iter()
                .filter(|e| matches!(e.host, Host::V6(_)))
                .count();
            for (family, count) in [("IPv4", v4), ("IPv6", v6)] {
                if count > MAX_SLICE_ENDPOINTS {
                    self.report(too_many_slice_endpoints(&s.name, family, count));
                }
            }
        }
        let suffix_len = if balanced {
            1 + (endpoints.len() - 1).to_string().len()
        } else {
            0
        };
        self.object_name(&s.name, suffix_len, false);
        let protocol = protocol?;
        // TCP and UDP have no default port: one is written.
        let default_port = match protocol {
            Protocol::Https => 443,
            Protocol::Tcp | Protocol::Udp => 0,
            _ => 80,
        };
        let service_port = match a.port {
            Some(p) => self.port(p)?,
            None => endpoints
                .first()
                .and_then(|e| e.port)
                .unwrap_or(default_port),
        };
        if service_port == 0 {
            self.report(
                missing(&s.name, "service", "port", "port 22").with_help(format!(
                    "{} service has no default port: write it on the endpoint \
(\"10.0.0.5:22\") or as `port 22`",
                    ir::article(protocol.as_str())
                )),
            );
            return None;
        }
        let shape = Shape {
            protocol,
            balanced,
            service_port,
            default_port,
        };
        let tls = match a.tls {
            Some((items, span)) => self.backend_tls(s, items, span, protocol),
            None => BackendTls {
                trust: (protocol == Protocol::Https).then_some(ir::Trust::System),
                ..BackendTls::default()
            },
        };
        self.one_kubernetes_service(s, &endpoints, &shape);
        self.certificate_names(s, &endpoints, &shape, &tls);
        let host_rewrite = if matches!(protocol, Protocol::Tcp | Protocol::Udp) {
            if let Some(written) = a.host_rewrite {
                self.report(not_for_kind(
                    written.map_or(s.name.span, |h| h.span),
                    format!(
                        "{} service has no Host to rewrite",
                        ir::article(protocol.as_str())
                    ),
                    "`rewrite host` is for HTTP and HTTPS services; remove it",
                ));
            }
            None
        } else {
            self.host_rewrite(a.host_rewrite, &endpoints, &shape)
        };
        let failed = tls.unreadable || self.errors_since(mark);
        let (labels, annotations) = self.metadata(&a.labels, &a.annotations, a.description);
        if failed {
            return None;
        }
        let backends = backends(s, &endpoints, &shape, &tls, host_rewrite);
        Some(ir::Service {
            meta: ir::Meta {
                name: s.name.text.clone(),
                namespace: a.namespace.unwrap_or(file_namespace).to_string(),
                labels,
                annotations,
                origin: s.name.span,
            },
            description: a.description.map(|d| d.value.clone()),
            protocol,
            backends,
            trust: tls.trust,
            subject_alt_names: tls.subject_alt_names,
            // Chosen by check::target, once routes are known.
            target: Target::generic(),
            policy_version: ir::PolicyVersion::default(),
            https_annotation: None,
        })
    }

    fn service_attributes(&mut self, s: &'a ast::Service) -> Attributes<'a> {
        let mut endpoints = Once::new("endpoint");
        let mut port = Once::new("port");
        let mut protocol = Once::new("protocol");
        let mut balance = Once::new("balance");
        let mut tls = Once::new("tls");
        let mut host_rewrite = Once::new("rewrite host");
        let mut namespace = Once::new("namespace");
        let mut description = Once::new("description");
        let mut labels = Vec::new();
        let mut annotations = Vec::new();
        for item in &s.items {
            match &item.node {
                ServiceItem::Endpoints(e) => endpoints.set(self, e, item.span),
                ServiceItem::Port(p) => port.set(self, p, item.span),
                ServiceItem::Protocol(p) => protocol.set(self, p, item.span),
                ServiceItem::Balance(b) => {
                    balance.set(self, b.as_ref().is_none_or(|b| b.node), item.span)
                }
                ServiceItem::Tls(t) => tls.set(self, (t, item.span), item.span),
                ServiceItem::HostRewrite(h) => host_rewrite.set(self, h.as_ref(), item.span),
                ServiceItem::Namespace(ns) => {
                    self.namespace_name(ns);
                    namespace.set(self, ns.value.as_str(), item.span);
                }
                ServiceItem::Label(kv) => labels.push(&**kv),
                ServiceItem::Annotation(kv) => annotations.push(&**kv),
                ServiceItem::Description(d) => description.set(self, d, item.span),
            }
        }
        Attributes {
            endpoints: endpoints.get(),
            port: port.get(),
            protocol: protocol.get(),
            balance: balance.get(),
            tls: tls.get(),
            host_rewrite: host_rewrite.get(),
            namespace: namespace.get(),
            description: description.get(),
            labels,
            annotations,
        }
    }

    /// The valid endpoints, without copies; the others are reported.
    fn endpoints(&mut self, written: &'a [ast::Endpoint]) -> Vec<Endpoint<'a>> {
        let mut endpoints: Vec<Endpoint<'_>> = Vec::new();
        for written in written {
            let text = &written.address;
            let (host, port) = match validate::endpoint(&text.value) {
                Ok(parsed) => parsed,
                Err(reason) => {
                    self.report(invalid_endpoint(text, reason));
                    continue;
                }
            };
            if let Some(what) = validate::forbidden_destination(&host) {
                self.report(forbidden_destination(text, what));
                continue;
            }
            let port = match port {
                Some(p) => match self.port(&ast::Int {
                    value: p,
                    span: text.span,
                }) {
                    Some(p) => Some(p),
                    None => continue,
                },
                None => None,
            };
            if let Some(first) = endpoints.iter().find(|e| e.host == host && e.port == port) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateEndpoint,
                        text.span,
                        format!("endpoint `{}` is listed twice", text.value),
                        "listed again",
                    )
                    .with_label(first.text.span, "first listed here")
                    .with_help("remove the copy"),
                );
                continue;
            }
            endpoints.push(Endpoint {
                text,
                tls_name: written.tls_name.as_ref(),
                host,
                port,
            });
        }
        endpoints
    }

    /// The `tls` block of an HTTPS service: the hostname, the trust and the SAN list.
    fn backend_tls(
        &mut self,
        s: &ast::Service,
        items: &'a [ast::Spanned<ServiceTlsItem>],
        span: Span,
        protocol: Protocol,
    ) -> BackendTls {
        if protocol != Protocol::Https {
            self.report(
                Diagnostic::new(
                    Code::TlsOnHttpService,
                    span,
                    format!(
                        "service `{}` is {} but has a `tls` block",
                        s.name.text,
                        protocol.as_str()
                    ),
                    format!("backend TLS on a {} service", protocol.as_str()),
                )
                .with_help(
                    "set `protocol HTTPS` if the service speaks TLS, or remove the `tls` block",
                ),
            );
        }
        let mut hostname = Once::new("hostname");
        let mut ca = Once::new("ca");
        let mut san = Once::new("san");
        for item in items {
            match &item.node {
                ServiceTlsItem::Hostname(h) => hostname.set(self, h, item.span),
                ServiceTlsItem::Ca(c) => ca.set(self, c, item.span),
                ServiceTlsItem::San(names) => san.set(self, (names, item.span), item.span),
            }
        }
        let mut tls = BackendTls {
            subject_alt_names: san.get().and_then(|(names, span)| self.san(names, span)),
            ..BackendTls::default()
        };
        if let Some(h) = hostname.get() {
            tls.hostname_given = true;
            if self.hostname(h, false) {
                tls.hostname = Some(h.value.clone());
            }
        }
        tls.trust = match ca.get() {
            None | Some(CaSource::System) => Some(ir::Trust::System),
            Some(CaSource::ConfigMap(name)) => self.ca_configmap(name),
            Some(CaSource::File(path)) => match self.loaded.ca_files.get(&path.span) {
                Some(pem) => self.ca_file(s, path, pem),
                None => {
                    tls.unreadable = true; // the loader reported why it could not be read
                    None
                }
            },
        };
        tls
    }

    /// `san "a" "b"`: at most 5 hostnames.
    fn san(&mut self, names: &[ast::Str], span: Span) -> Option<(Vec<String>, Span)> {
        let mark = self.mark();
        if names.len() > 5 {
            self.report(too_many_sans(names, span));
        }
        for n in names {
            self.hostname(n, true);
        }
        (!self.errors_since(mark)).then(|| (names.iter().map(|n| n.value.clone()).collect(), span))
    }

    fn ca_configmap(&mut self, name: &ast::Str) -> Option<ir::Trust> {
        match validate::dns1123_subdomain(&name.value) {
            Ok(()) => Some(ir::Trust::ConfigMap(name.value.clone())),
            Err(reason) => {
                self.report(invalid_configmap_name(name, reason));
                None
            }
        }
    }

    fn ca_file(&mut self, s: &ast::Service, path: &ast::Str, pem: &str) -> Option<ir::Trust> {
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            self.report(
                Diagnostic::new(
                    Code::InvalidCaCertificate,
                    path.span,
                    format!("`{}` holds no PEM certificate", path.value),
                    "no `-----BEGIN CERTIFICATE-----` block",
                )
                .with_help(
                    "point to the CA certificate in PEM form, such as Proxmox's `pve-root-ca.pem`",
                ),
            );
            return None;
        }
        let name = format!("{}-ca", s.name.text);
        Some(ir::Trust::Pem {
            refs: vec![name.clone()],
            write: vec![ir::CaConfigMap {
                name,
                pem: pem.to_string(),
                kong_id: None,
            }],
        })
    }

    /// Port rules of an unbalanced service: one Kubernetes Service has one port, and can
    /// alias one DNS name only.
    fn one_kubernetes_service(
        &mut self,
        s: &ast::Service,
        endpoints: &[Endpoint<'_>],
        shape: &Shape,
    ) {
        if shape.balanced || endpoints.len() < 2 {
            return;
        }
        if let Some(dns) = endpoints.iter().find(|e| matches!(e.host, Host::Dns(_))) {
            self.report(unbalanced_dns_endpoint(s, dns));
        }
        let first_port = shape.endpoint_port(&endpoints[0]);
        if let Some(other) = endpoints
            .iter()
            .find(|e| shape.endpoint_port(e) != first_port)
        {
            self.report(unbalanced_ports(s, endpoints, other, shape, first_port));
        }
    }

    /// The names endpoints' certificates are checked against (`as`, `tls { hostname }`, or
    /// the DNS name), and the ports of DNS endpoints.
    fn certificate_names(
        &mut self,
        s: &ast::Service,
        endpoints: &[Endpoint<'_>],
        shape: &Shape,
        tls: &BackendTls,
    ) {
        for e in endpoints {
            let Some(name) = e.tls_name else { continue };
            if shape.protocol != Protocol::Https {
                self.report(
                    Diagnostic::new(
                        Code::TlsOnHttpService,
                        name.span,
                        format!(
                            "service `{}` is {}, so its endpoints have no certificate name",
                            s.name.text,
                            shape.protocol.as_str()
                        ),
                        format!(
                            "a certificate name on a {} service",
                            shape.protocol.as_str()
                        ),
                    )
                    .with_help(
                        "set `protocol HTTPS` if the service speaks TLS, or remove `as ...`",
                    ),
                );
            } else {
                self.hostname(name, false);
            }
        }
        let https = shape.protocol == Protocol::Https;
        if https
            && !shape.balanced
            && let Some(other) = endpoints
                .iter()
                .find(|e| tls_name(e, tls) != tls_name(&endpoints[0], tls))
        {
            let first = &endpoints[0];
            self.report(tls_names_need_balance(s, first, other, tls));
        }
        let mut hostname_reported = false;
        for e in endpoints {
            if matches!(e.host, Host::Dns(_)) && shape.endpoint_port(e) != shape.service_port {
                self.report(dns_port_mismatch(e, shape));
            }
            if https
                && !tls.hostname_given
                && !hostname_reported
                && e.tls_name.is_none()
                && !matches!(e.host, Host::Dns(_))
            {
                self.report(tls_hostname_required(s, e));
                hostname_reported = true; // one report per service is enough
            }
        }
    }

    /// The Host header: the DNS name by default, what `rewrite host` says otherwise
    /// (`Some(None)`: `rewrite host off`).
    fn host_rewrite(
        &mut self,
        written: Option<Option<&ast::Str>>,
        endpoints: &[Endpoint<'_>],
        shape: &Shape,
    ) -> Option<Option<String>> {
        match written {
            Some(Some(h)) => {
                return self.hostname(h, false).then(|| Some(h.value.clone()));
            }
            Some(None) => return Some(None),
            None => {}
        }
        for e in endpoints {
            let port = shape.endpoint_port(e);
            if matches!(e.host, Host::Dns(_)) && port != shape.default_port {
                let host = e
                    .text
                    .value
                    .rsplit_once(':')
                    .map_or(e.text.value.as_str(), |(h, _)| h);
                self.report(host_rewrite_drops_port(e, host, port, shape));
            }
        }
        None
    }
}

/// The name an endpoint's certificate is checked against.
fn tls_name(e: &Endpoint<'_>, tls: &BackendTls) -> Option<String> {
    e.tls_name
        .map(|n| n.value.clone())
        .or_else(|| tls.hostname.clone())
        .or_else(|| match &e.host {
            Host::Dns(h) => Some(h.clone()),
            _ => None,
        })
}

/// The Kubernetes Services a checked service becomes: one, or one per endpoint when balanced.
fn backends(
    s: &ast::Service,
    endpoints: &[Endpoint<'_>],
    shape: &Shape,
    tls: &BackendTls,
    host_rewrite: Option<Option<String>>,
) -> Vec<ir::Backend> {
    let backend = |name: String, group: &[&Endpoint<'_>]| {
        let destination = match &group[0].host {
            Host::Dns(host) => ir::Destination::Dns {
                host: host.clone(),
                via: ir::DnsObject::default(), // chosen by check::target
            },
            _ => ir::Destination::Addresses {
                port: shape.endpoint_port(group[0]),
                ipv4: group
                    .iter()
                    .filter_map(|e| match e.host {
                        Host::V4(ip) => Some(ip),
                        _ => None,
                    })
                    .collect(),
                ipv6: group
                    .iter()
                    .filter_map(|e| match e.host {
                        Host::V6(ip) => Some(ip),
                        _ => None,
                    })
                    .collect(),
            },
        };
        let dns_host = match &group[0].host {
            Host::Dns(h) => Some(h.clone()),
            _ => None,
        };
        ir::Backend {
            name,
            port: shape.service_port,
            destination,
            tls_hostname: (shape.protocol == Protocol::Https)
                .then(|| tls_name(group[0], tls))
                .flatten(),
            host_rewrite: match &host_rewrite {
                Some(written) => written.clone(),
                None => dns_host,
            },
            endpoints: group.iter().map(|e| e.text.value.clone()).collect(),
            endpoint_spans: group.iter().map(|e| e.text.span).collect(),
        }
    };
    if shape.balanced {
        endpoints
            .iter()
            .enumerate()
            .map(|(i, e)| backend(format!("{}-{i}", s.name.text), &[e]))
            .collect()
    } else {
        vec![backend(
            s.name.text.clone(),
            &endpoints.iter().collect::<Vec<_>>(),
        )]
    }
}

/// E0209: an endpoint that is not a DNS name or an IP address with an optional port.
fn invalid_endpoint(text: &ast::Str, reason: String) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidEndpoint,
        text.span,
        format!("`{}` is not a valid endpoint", text.value),
        reason,
    )
    .with_help(
        "write a DNS name or an IP address, with an optional \
`:port`, such as \"10.0.0.11:8006\" or \"api.example.com\"",
    )
}

/// E0407: an endpoint pointing at the cluster, its nodes or their credentials.
fn forbidden_destination(text: &ast::Str, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ForbiddenDestination,
        text.span,
        format!(
            "`{}` is {what}: a gateway must not be pointed there",
            text.value
        ),
        what,
    )
    .with_help(
        "external services are outside the cluster and its nodes: \
write the address other machines reach the service at",
    )
}

/// Kubernetes' limit on the endpoints of one EndpointSlice.
const MAX_SLICE_ENDPOINTS: usize = 1000;

/// E0207: an unbalanced service with more addresses of one family than an EndpointSlice
/// holds.
fn too_many_slice_endpoints(name: &ast::Ident, family: &str, count: usize) -> Diagnostic {
    Diagnostic::new(
        Code::TooMany,
        name.span,
        format!(
            "service `{}` puts {count} {family} endpoints in one EndpointSlice, Kubernetes \
allows at most {MAX_SLICE_ENDPOINTS}",
            name.text
        ),
        format!("{count} {family} endpoints"),
    )
    .with_help(
        "split the endpoints into several services, or balance it (`balance on`), which gives \
each endpoint a Service of its own",
    )
}

/// E0207: more than 5 subject alternative names.
fn too_many_sans(names: &[ast::Str], span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TooMany,
        span,
        format!(
            "{} subject alternative names, the Gateway API allows at most 5",
            names.len()
        ),
        format!("{} names", names.len()),
    )
    .with_help(
        "list at most 5 names, or give each endpoint its certificate's \
name with `as` (one policy per endpoint)",
    )
}

/// E0215: `ca configmap` with a name Kubernetes refuses.
fn invalid_configmap_name(name: &ast::Str, reason: String) -> Diagnostic {
    let diag = Diagnostic::new(
        Code::InvalidValue,
        name.span,
        format!("`{}` is not a valid ConfigMap name", name.value),
        reason,
    )
    .with_help(
        "name a ConfigMap in the service's namespace that holds the CA \
bundle under the key `ca.crt`",
    );
    if validate::server_takes_reference(&name.value) {
        diag.stricter(super::SECRET_NAMES)
    } else {
        diag
    }
}

/// E0403: a DNS endpoint among several in an unbalanced service.
fn unbalanced_dns_endpoint(s: &ast::Service, dns: &Endpoint<'_>) -> Diagnostic {
    Diagnostic::new(
        Code::UnbalancedDnsEndpoints,
        dns.text.span,
        format!(
            "service `{}` is not balanced, but has several endpoints and this one is a DNS name",
            s.name.text
        ),
        "a DNS endpoint in an unbalanced service",
    )
    .with_help(
        "remove `balance off` so each endpoint gets its own Kubernetes \
Service, or keep a single DNS endpoint",
    )
}

/// E0400: endpoints of one Kubernetes Service on different ports.
fn unbalanced_ports(
    s: &ast::Service,
    endpoints: &[Endpoint<'_>],
    other: &Endpoint<'_>,
    shape: &Shape,
    first_port: u16,
) -> Diagnostic {
    Diagnostic::new(
        Code::EndpointPortMismatch,
        other.text.span,
        format!(
            "endpoints of the unbalanced service `{}` use different ports",
            s.name.text
        ),
        format!("port {}", shape.endpoint_port(other)),
    )
    .with_label(endpoints[0].text.span, format!("port {first_port}"))
    .with_help(
        "one Kubernetes Service has one endpoint port: use the same port, or balance the service",
    )
}

/// E0405: endpoints of one Kubernetes Service with different certificate names.
fn tls_names_need_balance(
    s: &ast::Service,
    first: &Endpoint<'_>,
    other: &Endpoint<'_>,
    tls: &BackendTls,
) -> Diagnostic {
    Diagnostic::new(
        Code::TlsNamesNeedBalance,
        other.tls_name.map_or(other.text.span, |n| n.span),
        format!(
            "endpoints of the unbalanced service `{}` have different certificate names",
            s.name.text
        ),
        format!("`{}`", tls_name(other, tls).unwrap_or_default()),
    )
    .with_label(
        first.tls_name.map_or(first.text.span, |n| n.span),
        format!("`{}`", tls_name(first, tls).unwrap_or_default()),
    )
    .with_help(
        "one Kubernetes Service has one BackendTLSPolicy, which checks one \
name: remove `balance off` so each endpoint gets its own Service and policy",
    )
}

/// E0400: a DNS endpoint on another port than the service's.
fn dns_port_mismatch(e: &Endpoint<'_>, shape: &Shape) -> Diagnostic {
    Diagnostic::new(
        Code::EndpointPortMismatch,
        e.text.span,
        format!(
            "the DNS endpoint `{}` uses port {}, but the service's port is {}",
            e.text.value,
            shape.endpoint_port(e),
            shape.service_port
        ),
        "different port",
    )
    .with_help(
        "an ExternalName Service is reached on the service's own port: \
remove `port`, or make them equal",
    )
}

/// E0402: an HTTPS endpoint reached by IP address, with no name to verify.
fn tls_hostname_required(s: &ast::Service, e: &Endpoint<'_>) -> Diagnostic {
    Diagnostic::new(
        Code::TlsHostnameRequired,
        e.text.span,
        format!(
            "HTTPS service `{}` is reached by IP address, so the gateway has no hostname to verify",
            s.name.text
        ),
        "an IP address",
    )
    .with_help(format!(
        "write the name in its certificate after the endpoint, \
`endpoint \"{}\" as \"name\"`, or add `tls {{ hostname \"name\" }}` to the service",
        e.text.value
    ))
}

/// W0406: the Host rewrite to a DNS endpoint cannot carry its port.
fn host_rewrite_drops_port(e: &Endpoint<'_>, host: &str, port: u16, shape: &Shape) -> Diagnostic {
    Diagnostic::new(
        Code::HostRewriteDropsPort,
        e.text.span,
        format!(
            "requests to `{}` will carry `Host: {host}`, without the port",
            e.text.value
        ),
        format!(
            "port {port} is not the default for {}",
            shape.protocol.as_str()
        ),
    )
    .with_help(
        "a Host rewrite cannot carry a port (Gateway API \
`PreciseHostname`); most servers ignore it. Write `rewrite host \"...\"` to confirm the name, or \
`rewrite host off` to keep the client's Host",
    )
}
