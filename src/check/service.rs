//! Checking `service` blocks: endpoints, ports, balancing, backend TLS; and choosing the
//! Kubernetes Services each service becomes.

use super::validate::{self, Host};
use super::{Checker, Once, missing};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Protocol};
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

impl<'a> Checker<'a> {
    pub(super) fn service(
        &mut self,
        s: &'a ast::Service,
        file_namespace: &'a str,
    ) -> Option<ir::Service> {
        let mut ok = true;
        let mut endpoints_attr = Once::new("endpoint");
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
                ServiceItem::Endpoints(e) => endpoints_attr.set(self, e, item.span),
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
                ServiceItem::Label(kv) => labels.push(kv),
                ServiceItem::Annotation(kv) => annotations.push(kv),
                ServiceItem::Description(d) => description.set(self, d, item.span),
            }
        }
        let namespace = namespace.get().unwrap_or(file_namespace);
        let protocol = match protocol.get() {
            Some(p) => self.one_of(
                p,
                "service protocol",
                &[("HTTP", Protocol::Http), ("HTTPS", Protocol::Https)],
            ),
            None => Some(Protocol::Http),
        };
        let Some(written) = endpoints_attr.get() else {
            self.report(missing(
                &s.name,
                "service",
                "endpoint",
                "endpoint \"api.example.com:443\"",
            ));
            self.object_name(&s.name, 0);
            return None;
        };
        let mut endpoints: Vec<Endpoint<'_>> = Vec::new();
        for written in written {
            let text = &written.address;
            match validate::endpoint(&text.value) {
                Ok((host, _)) if validate::forbidden_destination(&host).is_some() => {
                    let what = validate::forbidden_destination(&host).unwrap_or_default();
                    self.report(
                        Diagnostic::new(Code::ForbiddenDestination, text.span, format!("`{}` is {what}: a gateway must not be pointed there", text.value), what)
                            .with_help("external services are outside the cluster and its nodes: write the address other machines reach the service at"),
                    );
                    ok = false;
                }
                Ok((host, p)) => {
                    let p = match p {
                        Some(p) => match self.port(&ast::Int {
                            value: p,
                            span: text.span,
                        }) {
                            Some(p) => Some(p),
                            None => {
                                ok = false;
                                continue;
                            }
                        },
                        None => None,
                    };
                    if let Some(first) = endpoints.iter().find(|e| e.host == host && e.port == p) {
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
                        port: p,
                    });
                }
                Err(reason) => {
                    self.report(
                        Diagnostic::new(Code::InvalidEndpoint, text.span, format!("`{}` is not a valid endpoint", text.value), reason)
                            .with_help("write a DNS name or an IP address, with an optional `:port`, such as \"10.0.0.11:8006\" or \"api.example.com\""),
                    );
                    ok = false;
                }
            }
        }
        let balanced = balance.get().unwrap_or(endpoints.len() > 1) && endpoints.len() > 1;
        let suffix_len = if balanced {
            1 + (endpoints.len() - 1).to_string().len()
        } else {
            0
        };
        ok &= self.object_name(&s.name, suffix_len);
        let protocol = protocol?;
        let default_port = match protocol {
            Protocol::Https => 443,
            _ => 80,
        };
        let service_port = match port.get() {
            Some(p) => self.port(p),
            None => Some(
                endpoints
                    .first()
                    .and_then(|e| e.port)
                    .unwrap_or(default_port),
            ),
        };
        let service_port = service_port?;

        // Backend TLS.
        let tls = tls.get();
        let mut tls_hostname = None;
        let mut hostname_given = false;
        let mut trust = None;
        let mut subject_alt_names = None;
        if let Some((items, span)) = tls {
            if protocol == Protocol::Http {
                self.report(
                    Diagnostic::new(
                        Code::TlsOnHttpService,
                        span,
                        format!("service `{}` is HTTP but has a `tls` block", s.name.text),
                        "backend TLS on a plain HTTP service",
                    )
                    .with_help(
                        "set `protocol HTTPS` if the service speaks TLS, or remove the `tls` block",
                    ),
                );
                ok = false;
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
            if let Some((names, span)) = san.get() {
                let mut names_ok = names.len() <= 5;
                if !names_ok {
                    self.report(
                        Diagnostic::new(Code::TooMany, span, format!("{} subject alternative names, the Gateway API allows at most 5", names.len()), format!("{} names", names.len()))
                            .with_help("list at most 5 names, or give each endpoint its certificate's name with `as` (one policy per endpoint)"),
                    );
                }
                for n in names {
                    names_ok &= self.hostname(n, true);
                }
                if names_ok {
                    let names = names.iter().map(|n| n.value.clone()).collect();
                    subject_alt_names = Some((names, span));
                }
                ok &= names_ok;
            }
            let written = hostname.get();
            hostname_given = written.is_some();
            if let Some(h) = written {
                if self.hostname(h, false) {
                    tls_hostname = Some(h.value.clone());
                } else {
                    ok = false;
                }
            }
            trust = match ca.get() {
                None | Some(CaSource::System) => Some(ir::Trust::System),
                Some(CaSource::ConfigMap(name)) => match validate::dns1123_subdomain(&name.value) {
                    Ok(()) => Some(ir::Trust::ConfigMap(name.value.clone())),
                    Err(reason) => {
                        self.report(
                            Diagnostic::new(Code::InvalidValue, name.span, format!("`{}` is not a valid ConfigMap name", name.value), reason)
                                .with_help("name a ConfigMap in the service's namespace that holds the CA bundle under the key `ca.crt`"),
                        );
                        ok = false;
                        None
                    }
                },
                Some(CaSource::File(path)) => match self.loaded.ca_files.get(&path.span) {
                    Some(pem) if pem.contains("-----BEGIN CERTIFICATE-----") => {
                        let name = format!("{}-ca", s.name.text);
                        Some(ir::Trust::Pem {
                            refs: vec![name.clone()],
                            write: vec![ir::CaConfigMap {
                                name,
                                pem: pem.clone(),
                                kong_id: None,
                            }],
                        })
                    }
                    Some(_) => {
                        self.report(
                            Diagnostic::new(Code::InvalidCaCertificate, path.span, format!("`{}` holds no PEM certificate", path.value), "no `-----BEGIN CERTIFICATE-----` block")
                                .with_help("point to the CA certificate in PEM form, such as Proxmox's `pve-root-ca.pem`"),
                        );
                        ok = false;
                        None
                    }
                    None => {
                        ok = false; // the loader reported why it could not be read
                        None
                    }
                },
            };
        } else if protocol == Protocol::Https {
            trust = Some(ir::Trust::System);
        }

        // Port rules: one Kubernetes Service has one port.
        let endpoint_port = |e: &Endpoint<'_>| e.port.unwrap_or(service_port);
        if !balanced && endpoints.len() > 1 {
            if let Some(dns) = endpoints.iter().find(|e| matches!(e.host, Host::Dns(_))) {
                self.report(
                    Diagnostic::new(Code::UnbalancedDnsEndpoints, dns.text.span, format!("service `{}` is not balanced, but has several endpoints and this one is a DNS name", s.name.text), "a DNS endpoint in an unbalanced service")
                        .with_help("remove `balance off` so each endpoint gets its own Kubernetes Service, or keep a single DNS endpoint"),
                );
                ok = false;
            }
            let first_port = endpoint_port(&endpoints[0]);
            if let Some(other) = endpoints.iter().find(|e| endpoint_port(e) != first_port) {
                self.report(
                    Diagnostic::new(Code::EndpointPortMismatch, other.text.span, format!("endpoints of the unbalanced service `{}` use different ports", s.name.text), format!("port {}", endpoint_port(other)))
                        .with_label(endpoints[0].text.span, format!("port {first_port}"))
                        .with_help("one Kubernetes Service has one endpoint port: use the same port, or balance the service"),
                );
                ok = false;
            }
        }
        for e in &endpoints {
            let Some(name) = e.tls_name else { continue };
            if protocol == Protocol::Http {
                self.report(
                    Diagnostic::new(
                        Code::TlsOnHttpService,
                        name.span,
                        format!(
                            "service `{}` is HTTP, so its endpoints have no certificate name",
                            s.name.text
                        ),
                        "a certificate name on a plain HTTP service",
                    )
                    .with_help(
                        "set `protocol HTTPS` if the service speaks TLS, or remove `as ...`",
                    ),
                );
                ok = false;
            } else if !self.hostname(name, false) {
                ok = false;
            }
        }
        // The name each endpoint's certificate is checked against.
        let tls_name = |e: &Endpoint<'_>| {
            e.tls_name
                .map(|n| n.value.clone())
                .or_else(|| tls_hostname.clone())
                .or_else(|| match &e.host {
                    Host::Dns(h) => Some(h.clone()),
                    _ => None,
                })
        };
        if protocol == Protocol::Https
            && !balanced
            && let Some(other) = endpoints
                .iter()
                .find(|e| tls_name(e) != tls_name(&endpoints[0]))
        {
            let first = &endpoints[0];
            self.report(
                    Diagnostic::new(Code::TlsNamesNeedBalance, other.tls_name.map_or(other.text.span, |n| n.span), format!("endpoints of the unbalanced service `{}` have different certificate names", s.name.text), format!("`{}`", tls_name(other).unwrap_or_default()))
                        .with_label(first.tls_name.map_or(first.text.span, |n| n.span), format!("`{}`", tls_name(first).unwrap_or_default()))
                        .with_help("one Kubernetes Service has one BackendTLSPolicy, which checks one name: remove `balance off` so each endpoint gets its own Service and policy"),
                );
            ok = false;
        }
        let mut hostname_reported = false;
        for e in &endpoints {
            if matches!(e.host, Host::Dns(_)) && endpoint_port(e) != service_port {
                self.report(
                    Diagnostic::new(Code::EndpointPortMismatch, e.text.span, format!("the DNS endpoint `{}` uses port {}, but the service's port is {service_port}", e.text.value, endpoint_port(e)), "different port")
                        .with_help("an ExternalName Service is reached on the service's own port: remove `port`, or make them equal"),
                );
                ok = false;
            }
            if protocol == Protocol::Https
                && !hostname_given
                && !hostname_reported
                && e.tls_name.is_none()
                && !matches!(e.host, Host::Dns(_))
            {
                self.report(
                    Diagnostic::new(Code::TlsHostnameRequired, e.text.span, format!("HTTPS service `{}` is reached by IP address, so the gateway has no hostname to verify", s.name.text), "an IP address")
                        .with_help(format!("write the name in its certificate after the endpoint, `endpoint \"{}\" as \"name\"`, or add `tls {{ hostname \"name\" }}` to the service", e.text.value)),
                );
                ok = false;
                hostname_reported = true; // one report per service is enough
            }
        }
        // The Host header: the DNS name by default, what `rewrite host` says otherwise.
        let host_rewrite = match host_rewrite.get() {
            Some(Some(h)) if !self.hostname(h, false) => {
                ok = false;
                None
            }
            other => other,
        };
        if host_rewrite.is_none() {
            for e in &endpoints {
                let port = endpoint_port(e);
                if matches!(e.host, Host::Dns(_)) && port != default_port {
                    self.report(
                        Diagnostic::new(Code::HostRewriteDropsPort, e.text.span, format!("requests to `{}` will carry `Host: {}`, without the port", e.text.value, e.text.value.rsplit_once(':').map_or(e.text.value.as_str(), |(h, _)| h)), format!("port {port} is not the default for {}", protocol.as_str()))
                            .with_help("a Host rewrite cannot carry a port (Gateway API `PreciseHostname`); most servers ignore it. Write `rewrite host \"...\"` to confirm the name, or `rewrite host off` to keep the client's Host"),
                    );
                }
            }
        }
        let description = description.get();
        let (labels, annotations) = self.metadata(&labels, &annotations, description);
        if !ok {
            return None;
        }

        let backend = |name: String, group: &[&Endpoint<'_>]| {
            let port = endpoint_port(group[0]);
            let destination = match &group[0].host {
                Host::Dns(host) => ir::Destination::Dns {
                    host: host.clone(),
                    via: ir::DnsObject::default(), // chosen by check::target
                },
                _ => ir::Destination::Addresses {
                    port,
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
                port: service_port,
                destination,
                tls_hostname: (protocol == Protocol::Https)
                    .then(|| tls_name(group[0]))
                    .flatten(),
                host_rewrite: match host_rewrite {
                    Some(written) => written.map(|h| h.value.clone()),
                    None => dns_host,
                },
                endpoints: group.iter().map(|e| e.text.value.clone()).collect(),
                endpoint_spans: group.iter().map(|e| e.text.span).collect(),
            }
        };
        let backends = if balanced {
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
        };
        Some(ir::Service {
            meta: ir::Meta {
                name: s.name.text.clone(),
                namespace: namespace.to_string(),
                labels,
                annotations,
                origin: s.name.span,
            },
            description: description.map(|d| d.value.clone()),
            protocol,
            backends,
            trust,
            subject_alt_names,
            // Chosen by check::target, once routes are known.
            target: Target::generic(),
            policy_version: ir::PolicyVersion::default(),
            https_annotation: None,
        })
    }
}
