//! What a service's target cannot do with it, or needs from the cluster: the target
//! diagnostics, read from the capability table. `target.rs` decides the targets and fits the
//! model to them; this file only reports.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::Checker;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Protocol};
use crate::source::Span;
use crate::target::{BackendTls, CaFiles, Controller, Dns, Mirrors, Setup, TABLE, Target};

/// The notes already given: once per gateway and code, not once per service.
pub(super) type Noted = BTreeSet<(usize, Code)>;

/// Each gateway's index in the model, by `(namespace, name)`.
pub(super) type GatewayIndex<'m> = HashMap<(&'m str, &'m str), usize>;

pub(super) fn gateway_index(gateways: &[ir::Gateway]) -> GatewayIndex<'_> {
    gateways
        .iter()
        .enumerate()
        .map(|(i, g)| ((g.meta.namespace.as_str(), g.meta.name.as_str()), i))
        .collect()
}

/// The gateways a route attaches to, by index.
pub(super) fn route_gateways(r: &ir::Route, index: &GatewayIndex<'_>) -> BTreeSet<usize> {
    r.parents
        .iter()
        .filter_map(|p| {
            index
                .get(&(p.gateway.namespace.as_str(), p.gateway.name.as_str()))
                .copied()
        })
        .collect()
}

/// The target that decides a service's objects: that of a gateway using it, which labels
/// the diagnostics with why it has that target, or the service's own for an unused one.
struct On<'m> {
    target: Target,
    gateway: Option<(usize, &'m ir::Gateway)>,
}

impl On<'_> {
    fn why(&self, d: Diagnostic) -> Diagnostic {
        match self.gateway {
            Some((_, g)) => d.with_label(g.target_from.span(), g.target_reason()),
            None => d,
        }
    }
}

impl Checker<'_> {
    /// Reports what `gateway`'s target (or the service's own, for an unused service) cannot
    /// do with this service, or needs from the cluster.
    pub(super) fn check_service_on(
        &mut self,
        s: &ir::Service,
        gateway: Option<usize>,
        model: &ir::Model,
        noted: &mut Noted,
    ) {
        let gw = gateway.map(|g| (g, &model.gateways[g]));
        let on = On {
            target: gw.map_or(s.target, |(_, g)| g.target),
            gateway: gw,
        };
        if !on.target.caps().external_endpoints {
            self.report(on.why(external_endpoints_unsupported(s, on.target)));
            return;
        }
        self.check_dns(s, &on, model, noted);
        if s.protocol == Protocol::Https {
            self.check_backend_tls(s, &on, model, noted);
        }
    }

    fn check_dns(&mut self, s: &ir::Service, on: &On<'_>, model: &ir::Model, noted: &mut Noted) {
        let dns_span = s.backends.iter().find_map(|b| match b.destination {
            ir::Destination::Dns { .. } => b.endpoint_spans.first().copied(),
            ir::Destination::Addresses { .. } => None,
        });
        let Some(span) = dns_span else { return };
        let gateway = on.gateway.map(|(g, _)| g);
        match on.target.dns() {
            Dns::Refused => self.report(on.why(dns_unsupported(s, on.target, span))),
            Dns::ExternalName(Setup::NotPortable) => {
                self.report(on.why(externalname_not_portable(s, span)))
            }
            Dns::ExternalName(Setup::NginxDnsResolver) => {
                self.note_gateway(
                    gateway,
                    Code::NginxDnsResolver,
                    model,
                    noted,
                    "routes to DNS \
names through ExternalName Services: give its NginxProxy a `dnsResolver`",
                );
            }
            Dns::ExternalName(Setup::ContourOptIn) => {
                self.note_gateway(
                    gateway,
                    Code::ContourExternalName,
                    model,
                    noted,
                    "routes to \
DNS names through ExternalName Services: set `enableExternalNameService: true` in Contour's \
configuration",
                );
            }
            Dns::EnvoyBackend => {
                self.note_gateway(
                    gateway,
                    Code::EnvoyBackendApi,
                    model,
                    noted,
                    "routes to DNS \
names through Envoy Gateway's Backend API: enable it with `extensionApis.enableBackend: true`",
                );
            }
            Dns::ExternalName(Setup::Nothing) | Dns::IstioServiceEntry => {}
        }
    }

    fn check_backend_tls(
        &mut self,
        s: &ir::Service,
        on: &On<'_>,
        model: &ir::Model,
        noted: &mut Noted,
    ) {
        let target = on.target;
        match target.backend_tls() {
            BackendTls::None => self.report(on.why(backend_tls_unsupported(s, target))),
            BackendTls::V1alpha3 => {
                let gateway = on.gateway.map(|(g, _)| g);
                self.note_gateway(gateway, Code::BackendTlsV1alpha3, model, noted, "reads BackendTLSPolicy v1alpha3: install the Gateway API CRDs its controller bundles, as 1.4+ CRDs no longer serve v1alpha3");
            }
            BackendTls::V1 => {}
        }
        if let Some(ir::Trust::ConfigMap(name)) = &s.trust
            && target.caps().ca_files == CaFiles::KongCertificates
        {
            self.report(on.why(kong_ca_configmap(s, target, name)));
        }
        if matches!(s.trust, Some(ir::Trust::System)) && !target.caps().system_ca {
            self.report(on.why(system_ca_unsupported(s, target)));
        }
        if let Some((_, span)) = &s.subject_alt_names
            && !target.san_validation()
        {
            self.report(on.why(san_unsupported(s, target, *span)));
        }
    }

    /// Reports request mirrors a route's gateways cannot carry out: none at all (Kong,
    /// Traefik), several in one rule (GKE), or a part of the requests (Contour). A balanced
    /// service is mirrored once per endpoint, each copying its part of the requests, so it
    /// needs both several mirrors and parts.
    pub(super) fn check_mirrors(&mut self, model: &ir::Model, index: &GatewayIndex<'_>) {
        let mut reported: HashSet<(Span, Target)> = HashSet::new();
        for r in &model.routes {
            let gateways = route_gateways(r, index);
            for rule in &r.rules {
                for &g in &gateways {
                    let gw = &model.gateways[g];
                    let Some(d) = mirror_unsupported(&rule.filters.mirrors, gw.target) else {
                        continue;
                    };
                    if reported.insert((d.primary_span(), gw.target)) {
                        self.report(d.with_label(gw.target_from.span(), gw.target_reason()));
                    }
                }
            }
        }
    }

    /// Gives each route the API version its gateways' target reads its kind in; reports
    /// E0518 for a target that does not serve the kind.
    pub(super) fn fit_route_kinds(
        &mut self,
        routes: &mut [ir::Route],
        gateways: &[ir::Gateway],
        services: &[ir::Service],
        index: &GatewayIndex<'_>,
    ) {
        let mut noted: HashSet<(ir::RouteKind, Target)> = HashSet::new();
        for r in routes {
            for g in route_gateways(r, index) {
                let gw = &gateways[g];
                if let Some(switch) = gw.target.experimental_switch(r.kind)
                    && noted.insert((r.kind, gw.target))
                {
                    self.report(
                        experimental_channel(r, gw.target, switch)
                            .with_label(gw.target_from.span(), gw.target_reason()),
                    );
                }
                if let (ir::RouteKind::Grpc, Some(issue)) =
                    (r.kind, gw.target.caps().grpc_backend_tls_ignored)
                {
                    let tls_backend = r
                        .rules
                        .iter()
                        .flat_map(|rule| &rule.backends)
                        .map(|b| &services[b.at.service])
                        .find(|s| s.protocol == ir::Protocol::Https);
                    if let Some(s) = tls_backend {
                        self.report(
                            grpc_backend_tls_ignored(r, s, gw.target, issue)
                                .with_label(gw.target_from.span(), gw.target_reason()),
                        );
                    }
                }
                match gw.target.route_version(r.kind) {
                    Some(version) => r.version = version,
                    None => {
                        self.report(
                            route_kind_unsupported(r, gw.target)
                                .with_label(gw.target_from.span(), gw.target_reason()),
                        );
                        continue;
                    }
                }
                if r.kind == ir::RouteKind::Tls
                    && !gw.target.tls_terminate()
                    && let Some(l) = terminating_listener(r, gw)
                {
                    self.report(
                        tls_terminate_unsupported(r, gw.target, l)
                            .with_label(gw.target_from.span(), gw.target_reason()),
                    );
                }
            }
        }
    }

    /// Once per build that makes objects: applying EndpointSlices needs a permission that
    /// the default roles lack. The note points at the first address that makes one.
    pub(super) fn note_endpoint_slices(&mut self, model: &ir::Model) {
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
                    "service `{}` is reached through an EndpointSlice: whoever applies these \
manifests must be allowed to write EndpointSlices",
                    service.meta.name
                ),
                "an address: egwc writes an EndpointSlice",
            )
            .with_help(
                "grant write access to `endpointslices` (group `discovery.k8s.io`), which \
the default `edit` and `admin` roles lack; see `egwc explain N0513`",
            ),
        );
    }

    /// Once per build that makes objects: on a target with a defect for addresses on the
    /// nodes' own subnet (Cilium), the first private-range address, the homelab layout
    /// where it bites. egwc cannot know the nodes' subnet.
    pub(super) fn note_node_subnet(&mut self, model: &ir::Model) {
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
                    "service `{}` is reached at the private address {address}: if it is on the \
nodes' own subnet, {} answers 503 ({defect})",
                    service.meta.name,
                    service.target.caps().title
                ),
                "a private address",
            )
            .with_help(
                "if requests fail with 503 while the address answers from a node, this is \
the cause: see `egwc explain N0517` for what to check",
            ),
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

/// The targets (but `generic`) that reach endpoints outside the cluster, and DNS names too
/// when `dns`, by name.
fn reaching(dns: bool) -> Vec<&'static str> {
    targets_that(|t| t.caps().external_endpoints && (!dns || t.dns() != Dns::Refused))
}

/// The targets (but `generic`) whose latest version can do what `can` asks, by name: the
/// alternatives a target diagnostic's help names.
fn targets_that(can: impl Fn(Target) -> bool) -> Vec<&'static str> {
    Controller::all()
        .filter(|c| *c != Controller::GENERIC && can(Target::latest(*c)))
        .map(Controller::name)
        .collect()
}

/// E0509.
fn external_endpoints_unsupported(s: &ir::Service, target: Target) -> Diagnostic {
    let span = s
        .backends
        .iter()
        .find_map(|b| b.endpoint_spans.first().copied())
        .unwrap_or(s.meta.origin);
    let has_dns = s
        .backends
        .iter()
        .any(|b| matches!(b.destination, ir::Destination::Dns { .. }));
    Diagnostic::new(
        Code::ExternalEndpointsUnsupported,
        span,
        format!(
            "{target} cannot route to service `{}`: it reaches only Pods in the cluster",
            s.meta.name
        ),
        "an endpoint outside the cluster",
    )
    .with_help(format!(
        "route to a proxy that runs in the cluster (a Deployment forwarding to this endpoint, \
behind a Service with a selector), or compile for a controller that reaches external endpoints: {}",
        reaching(has_dns).join(", ")
    ))
}

/// E0501.
fn dns_unsupported(s: &ir::Service, target: Target, span: Span) -> Diagnostic {
    let caps = target.caps();
    let later = caps
        .dns
        .iter()
        .find(|(from, how)| *from > target.version && *how != Dns::Refused);
    let help = match later {
        Some((since, _)) => format!(
            "{} routes to DNS names from {since}: upgrade and write `target {} {since}`, or use \
the service's IP addresses as endpoints",
            caps.title, caps.name
        ),
        None => {
            let mut names = reaching(true);
            let last = names.pop().unwrap_or_default();
            format!(
                "use the service's IP addresses as endpoints (a selectorless Service works on \
{}), or compile for a target that reaches DNS names: {} or {last}",
                caps.title,
                names.join(", ")
            )
        }
    };
    Diagnostic::new(
        Code::DnsUnsupportedByTarget,
        span,
        format!(
            "{target} cannot route to the DNS name of service `{}`",
            s.meta.name
        ),
        "a DNS name",
    )
    .with_help(help)
}

/// W0502.
fn externalname_not_portable(s: &ir::Service, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::ExternalNameNotPortable,
        span,
        format!(
            "service `{}` becomes an ExternalName Service, which not every controller routes",
            s.meta.name
        ),
        "a DNS name",
    )
    .with_help(
        "name the controller with `target` in the gateway (see `egwc explain E0502`), so egwc \
emits what it needs",
    )
}

/// E0503.
fn backend_tls_unsupported(s: &ir::Service, target: Target) -> Diagnostic {
    let caps = target.caps();
    let later = caps
        .backend_tls
        .iter()
        .find(|(from, what)| *from > target.version && *what != BackendTls::None);
    let help = match later {
        Some((since, _)) => format!(
            "{} reads BackendTLSPolicy from {since}: upgrade and write `target {} {since}`, or use \
another target",
            caps.title, caps.name
        ),
        None => "use another target".to_string(),
    };
    Diagnostic::new(
        Code::BackendTlsUnsupported,
        s.meta.origin,
        format!(
            "service `{}` is HTTPS, but {target} has no BackendTLSPolicy: the gateway would send \
plain HTTP",
            s.meta.name
        ),
        "an HTTPS service",
    )
    .with_help(help)
}

/// N0514.
fn kong_ca_configmap(s: &ir::Service, target: Target, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::KongCaConfigMap,
        s.meta.origin,
        format!(
            "{target} reads the CA of service `{}` from ConfigMap `{name}` only if it is labelled \
`konghq.com/ca-cert: \"true\"` and has an `id` key",
            s.meta.name
        ),
        "an HTTPS service with `ca configmap`",
    )
    .with_help(
        "label the ConfigMap and give it an `id` (a UUID of your choice), with one certificate \
under `ca.crt`; or write `ca file \"...\"` and egwc writes such a ConfigMap; see \
`egwc explain N0514`",
    )
}

/// E0505.
fn system_ca_unsupported(s: &ir::Service, target: Target) -> Diagnostic {
    Diagnostic::new(
        Code::SystemCaUnsupported,
        s.meta.origin,
        format!(
            "service `{}` trusts the system CAs, which {target} does not accept",
            s.meta.name
        ),
        "trusts the system CAs",
    )
    .with_help(
        "give the CA explicitly: `tls { ca file \"ca.pem\" }` (for a public service, the root CA \
that signs its certificate) or `tls { ca configmap \"name\" }`",
    )
}

/// E0508.
fn san_unsupported(s: &ir::Service, target: Target, span: Span) -> Diagnostic {
    let validating: Vec<String> = TABLE
        .iter()
        .filter(|c| c.san_validation)
        .map(|c| format!("`{}`", c.name))
        .collect();
    Diagnostic::new(
        Code::SanUnsupported,
        span,
        format!(
            "service `{}` names the certificate's subject alternative names, which {target} does \
not validate",
            s.meta.name
        ),
        "a SAN list",
    )
    .with_help(format!(
        "give each endpoint its certificate's name, `endpoint \"10.0.0.11:8006\" as \
\"pve1.example.com\"` (one Service and policy per endpoint, on every target), or compile for {}",
        validating.join(", ")
    ))
}

/// N0519.
fn experimental_channel(r: &ir::Route, target: Target, switch: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ExperimentalChannel,
        r.meta.origin,
        format!(
            "{target} reads {}s only with its experimental channel switched on",
            r.kind.kind()
        ),
        format!("{} route", ir::article(r.kind.name())),
    )
    .with_help(format!("set {switch}, or the route is ignored"))
}

/// W0520.
fn grpc_backend_tls_ignored(
    r: &ir::Route,
    s: &ir::Service,
    target: Target,
    issue: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::GrpcBackendTlsIgnored,
        r.meta.origin,
        format!(
            "{target} ignores BackendTLSPolicy for gRPC routes ({issue}): it would call the HTTPS \
service `{}` without TLS",
            s.meta.name
        ),
        "a gRPC route to an HTTPS service",
    )
    .with_label(s.meta.origin, "an HTTPS service")
    .with_help(
        "give the backend a plaintext HTTP/2 port (`protocol H2C`), or compile the gateway for a \
controller that originates TLS to gRPC backends",
    )
}

/// A listener of `gw` that `r` attaches to and that terminates TLS, if there is one.
fn terminating_listener<'g>(r: &ir::Route, gw: &'g ir::Gateway) -> Option<&'g ir::Listener> {
    r.parents
        .iter()
        .filter(|p| p.gateway.name == gw.meta.name && p.gateway.namespace == gw.meta.namespace)
        .flat_map(|p| {
            gw.listeners.iter().filter(move |l| {
                p.listener.as_ref().is_none_or(|name| *name == l.name)
                    && r.kind.fits(l.protocol)
                    && matches!(l.tls, Some(ir::ListenerTls::Terminate { .. }))
            })
        })
        .next()
}

/// E0518 for a TLS route on a listener that terminates TLS, on a target that only passes it
/// through.
fn tls_terminate_unsupported(r: &ir::Route, target: Target, l: &ir::Listener) -> Diagnostic {
    let terminating = targets_that(Target::tls_terminate);
    Diagnostic::new(
        Code::RouteKindUnsupported,
        r.meta.origin,
        format!(
            "{target} passes TLS through for TLS routes but does not terminate it: listener `{}` \
terminates TLS, so route `{}` would never be routed",
            l.name, r.meta.name
        ),
        "a TLS route on a terminating listener",
    )
    .with_help(format!(
        "make `{}` a passthrough listener (`tls {{ mode passthrough }}`), or compile the gateway \
for a controller that terminates TLS for TLS routes: {}",
        l.name,
        terminating.join(", ")
    ))
}

/// E0518.
fn route_kind_unsupported(r: &ir::Route, target: Target) -> Diagnostic {
    let serving = targets_that(|t| t.route_version(r.kind).is_some());
    Diagnostic::new(
        Code::RouteKindUnsupported,
        r.meta.origin,
        format!(
            "{target} does not serve {}s: route `{}` would never be routed",
            r.kind.kind(),
            r.meta.name
        ),
        format!("{} route", ir::article(r.kind.name())),
    )
    .with_help(format!(
        "compile the gateway for a controller that serves {}s: {} (docs/targets.md, \"Route kinds\")",
        r.kind.kind(),
        serving.join(", ")
    ))
}

/// E0515 for a rule's mirrors on `target`, if it cannot carry them out.
fn mirror_unsupported(mirrors: &[ir::Mirror], target: Target) -> Option<Diagnostic> {
    let first = mirrors.first()?;
    let caps = target.caps();
    let parts_of = |m: &ir::Mirror| mirrors.iter().filter(|x| x.origin == m.origin).count();
    let (span, message, label, help) = if caps.mirrors == Mirrors::None {
        (
            first.origin,
            format!(
                "{target} does not mirror requests: it rejects a route with a RequestMirror filter"
            ),
            "a request mirror".to_string(),
            "remove the mirror, or compile for a controller that mirrors requests",
        )
    } else if mirrors.len() > 1 && caps.mirrors == Mirrors::One {
        let parts = parts_of(first);
        let label = if parts > 1 {
            format!(
                "mirrored to {parts} Kubernetes Services: the service is balanced over {parts} \
endpoints"
            )
        } else {
            format!("one of {} mirrors", mirrors.len())
        };
        (
            first.origin,
            format!(
                "this rule needs {} request mirrors, and {target} takes one per rule",
                mirrors.len()
            ),
            label,
            "mirror to one service per rule, made of one Kubernetes Service (`balance off`, for IP \
endpoints on one port)",
        )
    } else if let (Some(m), false) = (
        mirrors.iter().find(|m| m.share.is_some()),
        caps.mirror_share,
    ) {
        let parts = parts_of(m);
        let label = if parts > 1 {
            format!("split over {parts} endpoints: each copies a part of the requests")
        } else {
            "a part of the requests".to_string()
        };
        (
            m.origin,
            format!("{target} mirrors every request or none: it cannot copy a part of them"),
            label,
            "mirror every request (no percentage), to a service made of one Kubernetes Service \
(`balance off`, for IP endpoints on one port)",
        )
    } else {
        return None;
    };
    Some(Diagnostic::new(Code::MirrorUnsupported, span, message, label).with_help(help))
}
