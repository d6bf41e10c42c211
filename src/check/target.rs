//! Target-aware lowering: once every route is checked, each service learns the target of the
//! gateways whose routes use it, and the model is fitted to that target: how DNS names are
//! reached (backendRef kinds), which BackendTLSPolicy version is written, and which Host each
//! rule rewrites to. What a target cannot do, or needs from the cluster, is reported here. All
//! of it is read from the capability table in `crate::target`.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::Checker;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Protocol, RefKind};
use crate::source::Span;
use crate::target::{BackendTls, CaFiles, Controller, Dns, Mirrors, Setup, Target};

/// The notes already given: once per gateway and code, not once per service.
type Noted = BTreeSet<(usize, Code)>;

/// The Kong CA ConfigMaps written so far: `(namespace, certificate)` to the ConfigMap's name.
type KongCertificates = HashMap<(String, String), String>;

/// BackendTLSPolicy's `caCertificateRefs` holds at most 8 references.
const MAX_CA_REFS: usize = 8;

impl Checker<'_> {
    pub(super) fn fit_to_targets(&mut self, model: &mut ir::Model) {
        let gateway_index: HashMap<(&str, &str), usize> = model
            .gateways
            .iter()
            .enumerate()
            .map(|(i, g)| ((g.meta.namespace.as_str(), g.meta.name.as_str()), i))
            .collect();
        // Each Kubernetes backend object, by `namespace/name`, to its service and backend.
        let mut backend_index: HashMap<String, (usize, usize)> = HashMap::new();
        for (si, s) in model.services.iter().enumerate() {
            for (bi, b) in s.backends.iter().enumerate() {
                backend_index.insert(format!("{}/{}", s.meta.namespace, b.name), (si, bi));
            }
        }
        let key = std::cell::RefCell::new(String::new());
        let find = |r: &ir::BackendRef| {
            let mut key = key.borrow_mut();
            key.clear();
            key.push_str(&r.service.namespace);
            key.push('/');
            key.push_str(&r.service.name);
            backend_index.get(key.as_str()).copied()
        };

        // Which gateways reach each service.
        let mut users: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); model.services.len()];
        for r in &model.routes {
            let gateways: Vec<usize> = r
                .parents
                .iter()
                .filter_map(|p| {
                    gateway_index
                        .get(&(p.gateway.namespace.as_str(), p.gateway.name.as_str()))
                        .copied()
                })
                .collect();
            for rule in &r.rules {
                let mirrors = rule.filters.mirrors.iter().map(|m| &m.backend);
                for b in rule.backends.iter().chain(mirrors) {
                    if let Some((si, _)) = find(b) {
                        users[si].extend(gateways.iter().copied());
                    }
                }
            }
        }

        // A service no route uses is made for the one target all gateways share, if any,
        // else for the target a gateway without `target` and a known class would get.
        let shared: BTreeSet<Target> = model.gateways.iter().map(|g| g.target).collect();
        let fallback = match shared.len() {
            1 => shared.into_iter().next().unwrap_or_else(Target::generic),
            _ => self.default_target(),
        };

        let mut noted = Noted::default();
        let mut kong_certificates = KongCertificates::default();
        for (si, gateways) in users.iter().enumerate() {
            let target = self.service_target(&model.services[si], gateways, model, fallback);
            let target = target.unwrap_or(fallback);
            fit_service(&mut model.services[si], target);
            if target.caps().ca_files == CaFiles::KongCertificates {
                self.kong_ca_files(&mut model.services[si], &mut kong_certificates);
            }
            let deciding: Vec<Option<usize>> = if gateways.is_empty() {
                vec![None]
            } else {
                gateways.iter().map(|g| Some(*g)).collect()
            };
            for g in deciding {
                self.check_service_on(&model.services[si], g, model, &mut noted);
            }
        }

        self.note_endpoint_slices(model);
        self.note_node_subnet(model);
        self.check_mirrors(model, &gateway_index);

        // Fit the routes: backendRef kinds and Host rewrites.
        for r in &mut model.routes {
            for rule in &mut r.rules {
                for b in rule
                    .backends
                    .iter_mut()
                    .chain(rule.filters.mirrors.iter_mut().map(|m| &mut m.backend))
                {
                    if let Some((si, bi)) = find(b) {
                        b.kind = ref_kind(&model.services[si].backends[bi]);
                    }
                }
                let has_host_rewrite = rule
                    .filters
                    .rewrite
                    .as_ref()
                    .is_some_and(|w| w.hostname.is_some());
                if has_host_rewrite || rule.backends.is_empty() {
                    continue;
                }
                let wanted: Vec<(&ir::Service, Option<&String>)> = rule
                    .backends
                    .iter()
                    .filter_map(find)
                    .map(|(si, bi)| {
                        let s = &model.services[si];
                        (s, s.backends[bi].host_rewrite.as_ref())
                    })
                    .collect();
                let Some(first) = wanted.first() else {
                    continue;
                };
                if let Some(other) = wanted.iter().find(|w| w.1 != first.1) {
                    let describe = |(s, host): &(&ir::Service, Option<&String>)| match host {
                        Some(h) => format!("`{}` needs `Host: {h}`", s.meta.name),
                        None => format!("`{}` keeps the client's Host", s.meta.name),
                    };
                    self.report(
                        Diagnostic::new(
                            Code::HostRewriteConflict,
                            rule.origin,
                            "the backends of this rule need different Host headers",
                            format!("{}, {}", describe(first), describe(other)),
                        )
                        .with_label(first.0.meta.origin, describe(first))
                        .with_label(other.0.meta.origin, describe(other))
                        .with_help("a Host rewrite applies to the whole rule: route to these services in separate rules, write `rewrite host \"...\"` in the rule, or `rewrite host off` in a service that accepts any Host"),
                    );
                    continue;
                }
                if let Some(host) = first.1 {
                    rule.filters
                        .rewrite
                        .get_or_insert_with(ir::Rewrite::default)
                        .hostname = Some(host.clone());
                }
            }
        }
    }

    /// The target a service's objects are made for. Gateways with different targets may share
    /// a service only when both targets would make the same objects for it.
    fn service_target(
        &mut self,
        s: &ir::Service,
        gateways: &BTreeSet<usize>,
        model: &ir::Model,
        fallback: Target,
    ) -> Option<Target> {
        let mut chosen: Option<(usize, Target)> = None;
        for &g in gateways {
            let target = model.gateways[g].target;
            match chosen {
                None => chosen = Some((g, target)),
                Some((first, t)) if objects_of(s, t) != objects_of(s, target) => {
                    let (a, b) = (&model.gateways[first], &model.gateways[g]);
                    self.report(
                        Diagnostic::new(
                            Code::TargetConflict,
                            s.meta.origin,
                            format!(
                                "service `{}` is used through gateways whose targets need different objects for it",
                                s.meta.name
                            ),
                            format!("used on {t} and on {target}"),
                        )
                        .with_label(a.target_from.span(), a.target_reason())
                        .with_label(b.target_from.span(), b.target_reason())
                        .with_help("define the service twice under two names, one per gateway, or compile both gateways for the same target"),
                    );
                    return None;
                }
                Some(_) => {}
            }
        }
        Some(chosen.map_or(fallback, |(_, t)| t))
    }

    /// Reports what `gateway`'s target (or the fallback's, for an unused service) cannot do
    /// with this service, or needs from the cluster.
    fn check_service_on(
        &mut self,
        s: &ir::Service,
        gateway: Option<usize>,
        model: &ir::Model,
        noted: &mut Noted,
    ) {
        let gw = gateway.map(|g| &model.gateways[g]);
        let target = gw.map_or(s.target, |g| g.target);
        let why = |d: Diagnostic| match gw {
            Some(g) => d.with_label(g.target_from.span(), g.target_reason()),
            None => d,
        };

        if !target.caps().external_endpoints {
            let span = s
                .backends
                .iter()
                .find_map(|b| b.endpoint_spans.first().copied())
                .unwrap_or(s.meta.origin);
            let has_dns = s
                .backends
                .iter()
                .any(|b| matches!(b.destination, ir::Destination::Dns { .. }));
            let elsewhere: Vec<&str> = crate::target::TABLE
                .iter()
                .filter(|c| c.external_endpoints && c.controller != Controller::Generic)
                .filter(|c| !has_dns || Target::latest(c.controller).dns() != Dns::Refused)
                .map(|c| c.name)
                .collect();
            self.report(why(Diagnostic::new(
                Code::ExternalEndpointsUnsupported,
                span,
                format!(
                    "{target} cannot route to service `{}`: it reaches only Pods in the cluster",
                    s.meta.name
                ),
                "an endpoint outside the cluster",
            )
            .with_help(format!(
                "route to a proxy that runs in the cluster (a Deployment forwarding to this endpoint, behind a Service with a selector), or compile for a controller that reaches external endpoints: {}",
                elsewhere.join(", ")
            ))));
            return;
        }

        let dns_span = s.backends.iter().find_map(|b| match b.destination {
            ir::Destination::Dns { .. } => b.endpoint_spans.first().copied(),
            ir::Destination::Addresses { .. } => None,
        });
        if let Some(span) = dns_span {
            match target.dns() {
                Dns::Refused => {
                    let caps = target.caps();
                    let later = caps
                        .dns
                        .iter()
                        .find(|(from, how)| *from > target.version && *how != Dns::Refused);
                    let help = match later {
                        Some((since, _)) => format!(
                            "{} routes to DNS names from {since}: upgrade and write `target {} {since}`, or use the service's IP addresses as endpoints",
                            caps.title, caps.name
                        ),
                        _ => format!(
                            "use the service's IP addresses as endpoints (a selectorless Service works on {}), or compile for a target that reaches DNS names: envoy-gateway, istio, nginx, kong or contour",
                            caps.title
                        ),
                    };
                    self.report(why(Diagnostic::new(
                        Code::DnsUnsupportedByTarget,
                        span,
                        format!(
                            "{target} cannot route to the DNS name of service `{}`",
                            s.meta.name
                        ),
                        "a DNS name",
                    )
                    .with_help(help)));
                }
                Dns::ExternalName(Setup::NotPortable) => {
                    self.report(why(Diagnostic::new(
                        Code::ExternalNameNotPortable,
                        span,
                        format!("service `{}` becomes an ExternalName Service, which not every controller routes", s.meta.name),
                        "a DNS name",
                    )
                    .with_help("name the controller with `target` in the gateway (see `egwc explain E0502`), so egwc emits what it needs")));
                }
                Dns::ExternalName(Setup::NginxDnsResolver) => {
                    self.note_gateway(gateway, Code::NginxDnsResolver, model, noted, "routes to DNS names through ExternalName Services: give its NginxProxy a `dnsResolver`");
                }
                Dns::ExternalName(Setup::ContourOptIn) => {
                    self.note_gateway(gateway, Code::ContourExternalName, model, noted, "routes to DNS names through ExternalName Services: set `enableExternalNameService: true` in Contour's configuration");
                }
                Dns::EnvoyBackend => {
                    self.note_gateway(gateway, Code::EnvoyBackendApi, model, noted, "routes to DNS names through Envoy Gateway's Backend API: enable it with `extensionApis.enableBackend: true`");
                }
                Dns::ExternalName(Setup::Nothing) | Dns::IstioServiceEntry => {}
            }
        }

        if s.protocol == Protocol::Https {
            match target.backend_tls() {
                BackendTls::None => {
                    let caps = target.caps();
                    let later = caps
                        .backend_tls
                        .iter()
                        .find(|(from, what)| *from > target.version && *what != BackendTls::None);
                    let help = match later {
                        Some((since, _)) => format!(
                            "{} reads BackendTLSPolicy from {since}: upgrade and write `target {} {since}`, or use another target",
                            caps.title, caps.name
                        ),
                        None => "use another target".to_string(),
                    };
                    self.report(why(Diagnostic::new(
                        Code::BackendTlsUnsupported,
                        s.meta.origin,
                        format!("service `{}` is HTTPS, but {target} has no BackendTLSPolicy: the gateway would send plain HTTP", s.meta.name),
                        "an HTTPS service",
                    )
                    .with_help(help)));
                }
                BackendTls::V1alpha3 => {
                    self.note_gateway(gateway, Code::BackendTlsV1alpha3, model, noted, "reads BackendTLSPolicy v1alpha3: install the Gateway API CRDs its controller bundles, as 1.4+ CRDs no longer serve v1alpha3");
                }
                BackendTls::V1 => {}
            }
            if let Some(ir::Trust::ConfigMap(name)) = &s.trust
                && target.caps().ca_files == CaFiles::KongCertificates
            {
                self.report(why(Diagnostic::new(
                    Code::KongCaConfigMap,
                    s.meta.origin,
                    format!("{target} reads the CA of service `{}` from ConfigMap `{name}` only if it is labelled `konghq.com/ca-cert: \"true\"` and has an `id` key", s.meta.name),
                    "an HTTPS service with `ca configmap`",
                )
                .with_help("label the ConfigMap and give it an `id` (a UUID of your choice), with one certificate under `ca.crt`; or write `ca file \"...\"` and egwc writes such a ConfigMap; see `egwc explain N0514`")));
            }
            if matches!(s.trust, Some(ir::Trust::System)) && !target.caps().system_ca {
                self.report(why(Diagnostic::new(
                    Code::SystemCaUnsupported,
                    s.meta.origin,
                    format!("service `{}` trusts the system CAs, which {target} does not accept", s.meta.name),
                    "trusts the system CAs",
                )
                .with_help("give the CA explicitly: `tls { ca file \"ca.pem\" }` (for a public service, the root CA that signs its certificate) or `tls { ca configmap \"name\" }`")));
            }
            if let Some((_, span)) = &s.subject_alt_names
                && !target.san_validation()
            {
                let validating: Vec<String> = crate::target::TABLE
                    .iter()
                    .filter(|c| c.san_validation)
                    .map(|c| format!("`{}`", c.name))
                    .collect();
                self.report(why(Diagnostic::new(
                    Code::SanUnsupported,
                    *span,
                    format!("service `{}` names the certificate's subject alternative names, which {target} does not validate", s.meta.name),
                    "a SAN list",
                )
                .with_help(format!("give each endpoint its certificate's name, `endpoint \"10.0.0.11:8006\" as \"pve1.example.com\"` (one Service and policy per endpoint, on every target), or compile for {}", validating.join(", ")))));
            }
        }
    }

    /// Rewrites a service's `ca file` ConfigMaps the way Kong Ingress Controller reads them:
    /// one certificate each (`<service>-ca`, or `-ca-1`, `-ca-2`, … for a bundle), each
    /// with an `id`, a UUID derived from its namespace and name, and a certificate that
    /// another service of the namespace already writes named rather than written twice
    /// (Kong refuses two CA certificates with one digest).
    fn kong_ca_files(&mut self, s: &mut ir::Service, written: &mut KongCertificates) {
        let Some(ir::Trust::Pem { refs, write }) = &mut s.trust else {
            return;
        };
        let Some(bundle) = write.first() else { return };
        let base = bundle.name.clone();
        let pem = bundle.pem.clone();
        let blocks = crate::pem::blocks(&pem);
        refs.clear();
        write.clear();
        for (i, block) in blocks.iter().enumerate() {
            let key = (s.meta.namespace.clone(), block.to_string());
            if let Some(name) = written.get(&key) {
                refs.push(name.clone());
                continue;
            }
            let name = if blocks.len() == 1 {
                base.clone()
            } else {
                format!("{base}-{}", i + 1)
            };
            let id = uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_URL,
                format!("egwc:kong-ca-cert:{}/{name}", s.meta.namespace).as_bytes(),
            );
            written.insert(key, name.clone());
            refs.push(name.clone());
            write.push(ir::CaConfigMap {
                name,
                pem: block.to_string(),
                kong_id: Some(id.to_string()),
            });
        }
        if refs.len() > MAX_CA_REFS {
            self.report(
                Diagnostic::new(
                    Code::TooMany,
                    s.meta.origin,
                    format!(
                        "the CA file of service `{}` holds {} certificates, and Kong needs a ConfigMap for each: a BackendTLSPolicy names at most {MAX_CA_REFS}",
                        s.meta.name,
                        refs.len()
                    ),
                    "an HTTPS service",
                )
                .with_help("keep only the CA certificates that sign the backend's certificate (usually one root) in the file"),
            );
        }
    }

    /// Reports request mirrors a route's gateways cannot carry out: none at all (Kong,
    /// Traefik), several in one rule (GKE), or a part of the requests (Contour). A balanced
    /// service is mirrored once per endpoint, each copying its part of the requests, so it
    /// needs both several mirrors and parts.
    fn check_mirrors(&mut self, model: &ir::Model, gateway_index: &HashMap<(&str, &str), usize>) {
        let mut reported: HashSet<(Span, Target)> = HashSet::new();
        for r in &model.routes {
            let gateways: BTreeSet<usize> = r
                .parents
                .iter()
                .filter_map(|p| {
                    gateway_index
                        .get(&(p.gateway.namespace.as_str(), p.gateway.name.as_str()))
                        .copied()
                })
                .collect();
            for rule in &r.rules {
                let mirrors = &rule.filters.mirrors;
                let Some(first) = mirrors.first() else {
                    continue;
                };
                for &g in &gateways {
                    let gw = &model.gateways[g];
                    let target = gw.target;
                    let caps = target.caps();
                    let (span, message, label, help) = if caps.mirrors == Mirrors::None {
                        (
                            first.origin,
                            format!(
                                "{target} does not mirror requests: it rejects a route with a RequestMirror filter"
                            ),
                            "a request mirror".to_string(),
                            "remove the mirror, or compile for a controller that mirrors requests"
                                .to_string(),
                        )
                    } else if mirrors.len() > 1 && caps.mirrors == Mirrors::One {
                        let parts = mirrors.iter().filter(|m| m.origin == first.origin).count();
                        let label = if parts > 1 {
                            format!(
                                "mirrored to {parts} Kubernetes Services: the service is balanced over {parts} endpoints"
                            )
                        } else {
                            format!("one of {} mirrors", mirrors.len())
                        };
                        (
                            first.origin,
                            format!("this rule needs {} request mirrors, and {target} takes one per rule", mirrors.len()),
                            label,
                            "mirror to one service per rule, made of one Kubernetes Service (`balance off`, for IP endpoints on one port)".to_string(),
                        )
                    } else if let (Some(m), false) = (
                        mirrors.iter().find(|m| m.share.is_some()),
                        caps.mirror_share,
                    ) {
                        let parts = mirrors.iter().filter(|x| x.origin == m.origin).count();
                        let label = if parts > 1 {
                            format!(
                                "split over {parts} endpoints: each copies a part of the requests"
                            )
                        } else {
                            "a part of the requests".to_string()
                        };
                        (
                            m.origin,
                            format!("{target} mirrors every request or none: it cannot copy a part of them"),
                            label,
                            "mirror every request (no percentage), to a service made of one Kubernetes Service (`balance off`, for IP endpoints on one port)".to_string(),
                        )
                    } else {
                        continue;
                    };
                    if !reported.insert((span, target)) {
                        continue;
                    }
                    self.report(
                        Diagnostic::new(Code::MirrorUnsupported, span, message, label)
                            .with_label(gw.target_from.span(), gw.target_reason())
                            .with_help(help),
                    );
                }
            }
        }
    }

    /// Once per build that makes objects: applying EndpointSlices needs a permission that
    /// the default roles lack. The note points at the first address that makes one.
    fn note_endpoint_slices(&mut self, model: &ir::Model) {
        if self.earlier_errors || self.diags.iter().any(Diagnostic::is_error) {
            return;
        }
        let first = model.services.iter().find_map(|s| {
            let b = s
                .backends
                .iter()
                .find(|b| matches!(b.destination, ir::Destination::Addresses { .. }))?;
            Some((
                s,
                b.endpoint_spans.first().copied().unwrap_or(s.meta.origin),
            ))
        });
        let Some((service, span)) = first else {
            return;
        };
        self.report(
            Diagnostic::new(
                Code::EndpointSliceRbac,
                span,
                format!(
                    "service `{}` is reached through an EndpointSlice: whoever applies these manifests must be allowed to write EndpointSlices",
                    service.meta.name
                ),
                "an address: egwc writes an EndpointSlice",
            )
            .with_help("grant write access to `endpointslices` (group `discovery.k8s.io`), which the default `edit` and `admin` roles lack; see `egwc explain N0513`"),
        );
    }

    /// Once per build that makes objects: on a target with a defect for addresses on the
    /// nodes' own subnet (Cilium), the first private-range address, the homelab layout
    /// where it bites. egwc cannot know the nodes' subnet.
    fn note_node_subnet(&mut self, model: &ir::Model) {
        if self.earlier_errors || self.diags.iter().any(Diagnostic::is_error) {
            return;
        }
        let first = model.services.iter().find_map(|s| {
            let defect = s.target.caps().node_subnet_defect?;
            s.backends
                .iter()
                .filter(|b| matches!(b.destination, ir::Destination::Addresses { .. }))
                .flat_map(|b| b.endpoints.iter().zip(&b.endpoint_spans))
                .find_map(|(text, span)| {
                    let ip = text
                        .parse::<std::net::SocketAddr>()
                        .map(|a| a.ip())
                        .or_else(|_| text.parse::<std::net::IpAddr>())
                        .ok()?;
                    let private = match ip {
                        std::net::IpAddr::V4(a) => a.is_private(),
                        std::net::IpAddr::V6(a) => a.is_unique_local(),
                    };
                    private.then_some((s, ip, *span, defect))
                })
        });
        let Some((service, address, span, defect)) = first else {
            return;
        };
        self.report(
            Diagnostic::new(
                Code::NodeSubnetDefect,
                span,
                format!(
                    "service `{}` is reached at the private address {address}: if it is on the nodes' own subnet, {} answers 503 ({defect})",
                    service.meta.name,
                    service.target.caps().title
                ),
                "a private address",
            )
            .with_help("if requests fail with 503 while the address answers from a node, this is the cause: see `egwc explain N0517` for what to check"),
        );
    }

    fn note_gateway(
        &mut self,
        gateway: Option<usize>,
        code: Code,
        model: &ir::Model,
        noted: &mut Noted,
        what: &str,
    ) {
        let Some(g) = gateway else { return };
        if !noted.insert((g, code)) {
            return;
        }
        let gw = &model.gateways[g];
        self.report(
            Diagnostic::new(
                code,
                gw.target_from.span(),
                format!("gateway `{}` {what}", gw.meta.name),
                gw.target_from.describe(gw.target),
            )
            .with_help(format!("see `egwc explain {}`", code.info().code)),
        );
    }
}

/// What decides a service's objects on a target; two targets that agree on it can share them.
fn objects_of(
    s: &ir::Service,
    t: Target,
) -> (Option<Dns>, Option<BackendTls>, bool, bool, Option<CaFiles>) {
    let has_dns = s
        .backends
        .iter()
        .any(|b| matches!(b.destination, ir::Destination::Dns { .. }));
    let https = s.protocol == Protocol::Https;
    (
        has_dns.then(|| t.dns()),
        https.then(|| t.backend_tls()),
        https && t.caps().https_service_annotation.is_some(),
        https && !t.caps().system_ca,
        matches!(s.trust, Some(ir::Trust::Pem { .. })).then_some(t.caps().ca_files),
    )
}

/// Makes a service's objects for `target`: how its DNS names are reached, the
/// BackendTLSPolicy version and the annotation its HTTPS Services need. What the target cannot
/// do is reported by `check_service_on`, and then nothing is emitted.
fn fit_service(s: &mut ir::Service, target: Target) {
    s.target = target;
    let via = match target.dns() {
        Dns::EnvoyBackend => ir::DnsObject::EnvoyBackend,
        Dns::IstioServiceEntry => ir::DnsObject::IstioServiceEntry,
        Dns::ExternalName(_) | Dns::Refused => ir::DnsObject::ExternalName,
    };
    for b in &mut s.backends {
        if let ir::Destination::Dns { via: v, .. } = &mut b.destination {
            *v = via;
        }
    }
    s.policy_version = match target.backend_tls() {
        BackendTls::V1alpha3 => ir::PolicyVersion::V1alpha3,
        BackendTls::V1 | BackendTls::None => ir::PolicyVersion::V1,
    };
    s.https_annotation = target.caps().https_service_annotation;
}

/// The kind of object a backendRef to `b` points at.
fn ref_kind(b: &ir::Backend) -> RefKind {
    match &b.destination {
        ir::Destination::Dns {
            via: ir::DnsObject::EnvoyBackend,
            ..
        } => RefKind::EnvoyBackend,
        ir::Destination::Dns {
            host,
            via: ir::DnsObject::IstioServiceEntry,
        } => RefKind::IstioHostname(host.clone()),
        _ => RefKind::Service,
    }
}
