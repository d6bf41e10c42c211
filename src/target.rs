//! Targets: the gateway controllers egwc compiles for, and the one capability table that says
//! what each of them does with external backends. The emission strategy (`check::target`) and
//! the target diagnostics are both read from [`TABLE`]; `docs/targets.md` is generated from it
//! and a test keeps the two equal. Facts and sources: `design/controllers.md` in the shared
//! research, which cites the controllers' code, issues and conformance reports.

use std::fmt;

use crate::ir::{RouteKind, RouteVersion};

/// A gateway controller: a row of the capability table, known by its name. Adding a target
/// that reuses the table's strategies is adding a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Controller(&'static str);

/// Every target's name, as `a, b, c {last} d`, for help texts.
pub fn names(last: &str) -> String {
    let names: Vec<&str> = Controller::all().map(Controller::name).collect();
    match names.split_last() {
        Some((tail, init)) if !init.is_empty() => format!("{} {last} {tail}", init.join(", ")),
        _ => names.join(", "),
    }
}

/// A controller version, `major.minor[.patch]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub [u32; 3]);

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = [0u32; 3];
        let mut count = 0;
        for part in text.split('.') {
            if count == 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            parts[count] = part.parse().ok()?;
            count += 1;
        }
        (count >= 2).then_some(Version(parts))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [major, minor, patch] = self.0;
        if patch == 0 {
            write!(f, "{major}.{minor}")
        } else {
            write!(f, "{major}.{minor}.{patch}")
        }
    }
}

const fn v(major: u32, minor: u32) -> Version {
    Version([major, minor, 0])
}

/// "Every version": the start of a range that has no lower bound.
const ALWAYS: Version = v(0, 0);

/// "No version": the end of a range that has no upper bound.
const NEVER: Version = Version([u32::MAX; 3]);

/// The value of a versioned capability at `version`: that of the last range starting at or
/// before it, or `before` when none does.
fn at<T: Copy>(ranges: &[(Version, T)], version: Version, before: T) -> T {
    ranges
        .iter()
        .rev()
        .find(|(from, _)| *from <= version)
        .map_or(before, |(_, value)| *value)
}

/// A controller and the version egwc compiles for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub controller: Controller,
    pub version: Version,
}

impl Target {
    pub fn generic() -> Target {
        Target::latest(Controller::GENERIC)
    }

    pub fn latest(controller: Controller) -> Target {
        Target {
            controller,
            version: controller.caps().latest,
        }
    }

    pub fn caps(self) -> &'static Capabilities {
        self.controller.caps()
    }

    /// How this target reaches a DNS name, at this version.
    pub fn dns(self) -> Dns {
        at(self.caps().dns, self.version, Dns::Refused)
    }

    /// The BackendTLSPolicy version this target reads, at this version.
    pub fn backend_tls(self) -> BackendTls {
        at(self.caps().backend_tls, self.version, BackendTls::None)
    }

    /// The API version this target reads routes of `kind` in, at this version; `None` when
    /// it does not serve them.
    pub fn route_version(self, kind: RouteKind) -> Option<RouteVersion> {
        let ranges = match kind {
            RouteKind::Http => return Some(RouteVersion::V1),
            RouteKind::Tcp => self.caps().tcp_routes,
            RouteKind::Udp => self.caps().udp_routes,
            RouteKind::Tls => self.caps().tls_routes,
            RouteKind::Grpc => self.caps().grpc_routes,
        };
        at(ranges, self.version, None)
    }

    /// How to switch on the experimental channel this target needs to read routes of `kind`
    /// at this version, if it needs it.
    pub fn experimental_switch(self, kind: RouteKind) -> Option<&'static str> {
        let e = self.caps().experimental_channel.as_ref()?;
        e.kinds
            .iter()
            .any(|(k, until)| *k == kind && self.version < *until)
            .then_some(e.switch)
    }

    /// Whether TLS routes may attach to a listener that terminates TLS.
    pub fn tls_terminate(self) -> bool {
        at(self.caps().tls_terminate, self.version, false)
    }

    /// Whether the controller authenticates backends by a `subjectAltNames` list.
    pub fn san_validation(self) -> bool {
        self.caps().san_validation
    }
}

impl std::str::FromStr for Target {
    type Err = String;

    /// `NAME` or `NAME@VERSION`, as given to `--target`.
    fn from_str(text: &str) -> Result<Target, String> {
        let (name, version) = match text.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (text, None),
        };
        let names: Vec<&str> = Controller::all().map(Controller::name).collect();
        let Some(controller) = Controller::find(name) else {
            let hint = crate::diagnostics::closest(name, names.iter().copied())
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            return Err(format!(
                "unknown target `{name}`: {hint}targets are {}",
                names.join(", ")
            ));
        };
        let version = match version {
            None => controller.caps().latest,
            Some(v) => Version::parse(v).ok_or_else(|| {
                format!("`{v}` is not a version: write `{name}@1.2` or `{name}@1.2.3`")
            })?,
        };
        Ok(Target {
            controller,
            version,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.controller == Controller::GENERIC {
            f.write_str(self.controller.name())
        } else {
            write!(f, "{} {}", self.controller.name(), self.version)
        }
    }
}

impl Controller {
    /// The portable target, for classes no row claims.
    pub const GENERIC: Controller = Controller("generic");

    /// Every controller, in the table's order.
    pub fn all() -> impl Iterator<Item = Controller> {
        TABLE.iter().map(Capabilities::controller)
    }

    /// The name written after `target` and `--target`.
    pub fn name(self) -> &'static str {
        self.0
    }

    pub fn find(name: &str) -> Option<Controller> {
        Controller::all().find(|c| c.name() == name)
    }

    pub fn caps(self) -> &'static Capabilities {
        TABLE
            .iter()
            .find(|c| c.name == self.0)
            .expect("a controller is made from a row of TABLE")
    }

    /// The controller a well-known GatewayClass name belongs to, used when a gateway names
    /// no `target`.
    pub fn from_class(class: &str) -> Option<Controller> {
        TABLE
            .iter()
            .find(|c| {
                c.classes.iter().any(|k| match k.strip_suffix('*') {
                    Some(prefix) => class.starts_with(prefix),
                    None => class == *k,
                })
            })
            .map(Capabilities::controller)
    }
}

/// How a controller reaches an external DNS name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dns {
    /// It does not: no object makes it route to a DNS name.
    Refused,
    /// An `ExternalName` Service, with what the cluster must have for it to work.
    ExternalName(Setup),
    /// Envoy Gateway's `Backend` (`gateway.envoyproxy.io/v1alpha1`) with an `fqdn` endpoint.
    EnvoyBackend,
    /// Istio's `ServiceEntry` (`networking.istio.io/v1`) and a backendRef of kind `Hostname`.
    IstioServiceEntry,
}

/// What the cluster needs before an ExternalName Service is routed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    Nothing,
    /// NGINX Gateway Fabric: `NginxProxy.spec.dnsResolver` on the Gateway.
    NginxDnsResolver,
    /// Contour: `enableExternalNameService: true` in its configuration.
    ContourOptIn,
    /// The generic target: behaviour is implementation-specific.
    NotPortable,
}

/// Which BackendTLSPolicy a controller reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendTls {
    None,
    /// `gateway.networking.k8s.io/v1alpha3`: Gateway API 1.2–1.3. Gateway API 1.4+ CRDs no
    /// longer serve it, so the cluster must carry the CRDs the controller bundles.
    V1alpha3,
    V1,
}

/// How a controller reads the CA certificates egwc writes from a `ca file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaFiles {
    /// One ConfigMap holding the bundle under `ca.crt`, as the Gateway API defines.
    Bundle,
    /// Kong Ingress Controller: only ConfigMaps labelled `konghq.com/ca-cert: "true"` that
    /// carry an `id` key, each holding one certificate.
    KongCertificates,
}

/// The request mirrors a rule may have on a controller: the Extended features
/// `HTTPRouteRequestMirror` and `HTTPRouteRequestMultipleMirrors`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mirrors {
    None,
    One,
    Many,
}

/// Route kinds a controller reads only with a switch on, and the switch.
#[derive(Debug)]
pub struct ExperimentalChannel {
    /// Each kind, until the version given (`NEVER`: in every version).
    pub kinds: &'static [(RouteKind, Version)],
    /// How the switch is set, for the help of N0519.
    pub switch: &'static str,
}

/// One row of the capability table.
#[derive(Debug)]
pub struct Capabilities {
    /// The name written after `target` and `--target`: the controller's identity.
    pub name: &'static str,
    /// The display name, for documentation.
    pub title: &'static str,
    /// The newest version the facts below were read from; the default version.
    pub latest: Version,
    /// GatewayClass names that imply this target (a trailing `*` matches a prefix).
    pub classes: &'static [&'static str],
    /// Whether the controller routes to the addresses of a selectorless Service's
    /// EndpointSlices, the way egwc reaches every IP endpoint (and every endpoint at all
    /// when false: a DNS name has no better way on such a controller).
    pub external_endpoints: bool,
    /// How DNS names are reached, by version: `(from, how)` in ascending order of `from`;
    /// before the first (or with none), they are refused.
    pub dns: &'static [(Version, Dns)],
    /// The BackendTLSPolicy version read, by version, as `dns`; before the first, none.
    pub backend_tls: &'static [(Version, BackendTls)],
    /// Whether BackendTLSPolicy's `wellKnownCACertificates: System` is accepted.
    pub system_ca: bool,
    /// How CA certificates from a file are written.
    pub ca_files: CaFiles,
    /// Whether BackendTLSPolicy's `subjectAltNames` are validated (the Extended feature
    /// `BackendTLSPolicySANValidation`, from the conformance reports).
    pub san_validation: bool,
    /// An annotation the controller needs on the Service of an HTTPS backend.
    pub https_service_annotation: Option<(&'static str, &'static str)>,
    /// A known defect with endpoints on the nodes' own subnet (the issue that tracks it): an
    /// external address there may never answer through the gateway.
    pub node_subnet_defect: Option<&'static str>,
    /// Route kinds the controller reads only with its experimental-channel switch on, if
    /// any, and how that switch is set.
    pub experimental_channel: Option<ExperimentalChannel>,
    /// A known defect: BackendTLSPolicy is ignored for GRPCRoute backends (the issue that
    /// tracks it), so the gateway speaks plaintext to a TLS backend.
    pub grpc_backend_tls_ignored: Option<&'static str>,
    /// Request mirrors per rule.
    pub mirrors: Mirrors,
    /// Whether a mirror may copy part of the requests (`percent` or `fraction`: the Extended
    /// feature `HTTPRouteRequestPercentageMirror`).
    pub mirror_share: bool,
    /// The TCPRoute version read, by version, as `dns` (`None`: not served); before the
    /// first, not served. `v1alpha2` for controllers built on Gateway API up to 1.5, `v1`
    /// from 1.6 (whose standard CRDs no longer serve `v1alpha2`).
    pub tcp_routes: &'static [(Version, Option<RouteVersion>)],
    /// The UDPRoute version read, as `tcp_routes`.
    pub udp_routes: &'static [(Version, Option<RouteVersion>)],
    /// The TLSRoute version read, as `tcp_routes` (`v1alpha3` for Gateway API 1.4, `v1` from
    /// 1.5).
    pub tls_routes: &'static [(Version, Option<RouteVersion>)],
    /// The GRPCRoute version read, as `tcp_routes` (`v1` since Gateway API 1.1).
    pub grpc_routes: &'static [(Version, Option<RouteVersion>)],
    /// Whether TLS routes may attach to listeners that terminate TLS (the Extended feature
    /// `TLSRouteModeTerminate`), by version; before the first, not.
    pub tls_terminate: &'static [(Version, bool)],
    /// What else a user of this target should know, for documentation.
    pub notes: &'static str,
    /// Where the facts of this row come from.
    pub sources: &'static [&'static str],
}

impl Capabilities {
    pub fn controller(&self) -> Controller {
        Controller(self.name)
    }
}

/// The capability table: one row per controller. Weighted backendRefs and
/// `URLRewrite.hostname` work on every target here, so they have no column.
pub static TABLE: [Capabilities; 9] = [
    Capabilities {
        name: "cilium",
        title: "Cilium",
        latest: v(1, 20),
        classes: &["cilium"],
        // Gateway backends resolve only Service/ServiceImport; ExternalName gets "no healthy
        // upstream".
        external_endpoints: true,
        dns: &[],
        backend_tls: &[(v(1, 20), BackendTls::V1)],
        system_ca: true,
        ca_files: CaFiles::Bundle,
        san_validation: false,
        https_service_annotation: None,
        node_subnet_defect: Some("cilium/cilium#46798"),
        experimental_channel: None,
        grpc_backend_tls_ignored: Some("cilium/cilium#48935"),
        mirrors: Mirrors::Many,
        mirror_share: true,
        tcp_routes: &[(v(1, 20), Some(RouteVersion::V1))],
        udp_routes: &[(v(1, 20), Some(RouteVersion::V1))],
        grpc_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_routes: &[(v(1, 20), Some(RouteVersion::V1))],
        tls_terminate: &[],
        notes: "No SAN-list validation. An external IP on the nodes' own L2 subnet may fail with \
503 (cilium/cilium#46798), so egwc notes private-range endpoints (N0517); with `bpf.masquerade` check egress to external upstreams \
(cilium/cilium#35277). BackendTLSPolicy is ignored for GRPCRoute (cilium/cilium#48935).",
        sources: &[
            "conformance report v1.6.1 Cilium v1.20.0: GATEWAY-GRPC success",
            "conformance report v1.6.1 (standard channel) Cilium v1.20.0: GATEWAY-TLS success, TLSRouteModeTerminate and TLSRouteModeMixed unsupported (TLS routes known from 1.20, passthrough only)",
            "conformance report v1.6.1 Cilium v1.20.0 (profiles GATEWAY-TCP and GATEWAY-UDP: success; TCP and UDP routes known from 1.20)",
            "cilium/cilium#24495",
            "cilium/cilium#46798 (open: an EndpointSlice address on the nodes' subnet never completes the TCP handshake through the gateway, 503)",
            "operator/pkg/gateway-api/helpers/servicelookup.go",
            "cilium/cilium#31352 (BackendTLSPolicy in 1.20)",
            "conformance report v1.6.1 Cilium v1.20.0",
        ],
    },
    Capabilities {
        name: "envoy-gateway",
        title: "Envoy Gateway",
        latest: v(1, 9),
        classes: &["envoy-gateway", "eg", "envoy"],
        // ExternalName is rejected since 1.9 ("use an Envoy Gateway Backend resource"); the
        // Backend CRD (since 1.1) takes `fqdn` endpoints.
        external_endpoints: true,
        dns: &[(v(1, 1), Dns::EnvoyBackend)],
        // v1alpha2 in 1.0 (not written by egwc), v1alpha3 in 1.1–1.5, v1 from 1.6.
        backend_tls: &[(v(1, 1), BackendTls::V1alpha3), (v(1, 6), BackendTls::V1)],
        system_ca: true,
        ca_files: CaFiles::Bundle,
        san_validation: true,
        https_service_annotation: None,
        node_subnet_defect: None,
        experimental_channel: None,
        grpc_backend_tls_ignored: None,
        mirrors: Mirrors::Many,
        mirror_share: true,
        tcp_routes: &[
            (ALWAYS, Some(RouteVersion::V1alpha2)),
            (v(1, 9), Some(RouteVersion::V1)),
        ],
        udp_routes: &[
            (ALWAYS, Some(RouteVersion::V1alpha2)),
            (v(1, 9), Some(RouteVersion::V1)),
        ],
        grpc_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_routes: &[
            (ALWAYS, Some(RouteVersion::V1alpha2)),
            (v(1, 6), Some(RouteVersion::V1alpha3)),
            (v(1, 8), Some(RouteVersion::V1)),
        ],
        tls_terminate: &[(v(1, 9), true)],
        notes: "The Backend API is off by default: set `extensionApis.enableBackend: true` in \
the EnvoyGateway configuration. BackendTLSPolicy may target a Backend. `RequestHeaderModifier` \
cannot set `Host` (envoyproxy/gateway#3505); egwc uses URLRewrite. Envoy Gateway takes a \
Backend's protocol from its `appProtocols`: an `H2C` service's Backend lists \
`gateway.envoyproxy.io/h2c`, without which Envoy speaks HTTP/1.1 to it from an HTTPRoute (and \
before 1.3 from a GRPCRoute too).",
        sources: &[
            "internal/gatewayapi/route.go at v1.1.0–v1.9.0 (processBackendDestinationSetting: HTTP/2 for appProtocols gateway.envoyproxy.io/h2c; otherwise HTTP/1.1 in 1.1–1.2, the route kind's protocol from 1.3)",
            "conformance report v1.6.1 Envoy Gateway v1.9.0: GATEWAY-GRPC success",
            "internal/provider/kubernetes/*.go at v1.1.0–v1.9.0 (TCPRoute and UDPRoute v1alpha2 until 1.8, v1 from 1.9; TLSRoute v1alpha2 until 1.5, v1alpha3 in 1.6–1.7, v1 from 1.8); conformance report v1.6.1 Envoy Gateway v1.9.0 (TLSRouteModeTerminate supported)",
            "site tasks/traffic/tcp-routing.md and udp-routing.md",
            "envoyproxy/gateway PR #9190 (internal/gatewayapi/route.go)",
            "internal/provider/kubernetes/controller.go at v1.0.0–v1.9.0 (BackendTLSPolicy v1alpha2, v1alpha3 from 1.1, v1 from 1.6)",
            "api/v1alpha1/backend_types.go",
            "site tasks/traffic/backend.md",
            "conformance report v1.6.1 Envoy Gateway v1.9.0",
        ],
    },
    Capabilities {
        name: "istio",
        title: "Istio",
        latest: v(1, 30),
        classes: &["istio"],
        // ExternalName is an alias since 1.21: it needs a ServiceEntry for the host anyway.
        external_endpoints: true,
        dns: &[(ALWAYS, Dns::IstioServiceEntry)],
        // None before 1.26, v1alpha3 in 1.26–1.27, v1 from 1.28.
        backend_tls: &[(v(1, 26), BackendTls::V1alpha3), (v(1, 28), BackendTls::V1)],
        system_ca: true,
        ca_files: CaFiles::Bundle,
        san_validation: true,
        https_service_annotation: None,
        node_subnet_defect: None,
        experimental_channel: None,
        grpc_backend_tls_ignored: None,
        mirrors: Mirrors::Many,
        mirror_share: true,
        tcp_routes: &[(ALWAYS, Some(RouteVersion::V1alpha2))],
        udp_routes: &[],
        grpc_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_routes: &[
            (ALWAYS, Some(RouteVersion::V1alpha2)),
            (v(1, 30), Some(RouteVersion::V1)),
        ],
        tls_terminate: &[(v(1, 30), true)],
        notes: "A DNS name becomes a ServiceEntry (`MESH_EXTERNAL`, `resolution: DNS`) and a \
backendRef of group `networking.istio.io`, kind `Hostname`; its BackendTLSPolicy targets the \
ServiceEntry. SAN lists are supported.",
        sources: &[
            "conformance report v1.5.1 Istio 1.30.0: GATEWAY-GRPC; gvr/resources.gen.go: GRPCRoute v1",
            "pkg/config/schema/gvr/resources.gen.go at 1.26.0–1.30.0 (TCPRoute v1alpha2; TLSRoute v1alpha2 until 1.29, v1 from 1.30); conformance report v1.5.1 Istio 1.30.0 (TLSRouteModeTerminate supported)",
            "pilot/pkg/config/kube/gateway/ at 1.30.0: no UDPRoute controller (UDP routes refused)",
            "pilot/pkg/config/kube/gateway/conversion.go (buildDestination)",
            "pilot/pkg/config/kube/gateway/backend_policies.go",
            "istio/istio#54533",
            "pkg/config/schema/gvr/resources.gen.go at 1.26.0–1.30.0 (BackendTLSPolicy v1alpha3 in 1.26–1.27, v1 from 1.28)",
            "conformance report v1.5.1 Istio 1.30.1",
        ],
    },
    Capabilities {
        name: "nginx",
        title: "NGINX Gateway Fabric",
        latest: v(2, 6),
        classes: &["nginx"],
        external_endpoints: true,
        dns: &[(v(2, 2), Dns::ExternalName(Setup::NginxDnsResolver))],
        // v1alpha2 in 1.2 (not written by egwc), v1alpha3 in 1.3–2.2, v1 from 2.3.
        backend_tls: &[(v(1, 3), BackendTls::V1alpha3), (v(2, 3), BackendTls::V1)],
        system_ca: true,
        ca_files: CaFiles::Bundle,
        san_validation: false,
        https_service_annotation: None,
        node_subnet_defect: None,
        experimental_channel: None,
        grpc_backend_tls_ignored: None,
        mirrors: Mirrors::Many,
        mirror_share: true,
        tcp_routes: &[
            (v(2, 4), Some(RouteVersion::V1alpha2)),
            (v(2, 7), Some(RouteVersion::V1)),
        ],
        udp_routes: &[
            (v(2, 4), Some(RouteVersion::V1alpha2)),
            (v(2, 7), Some(RouteVersion::V1)),
        ],
        grpc_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_routes: &[
            (v(1, 4), Some(RouteVersion::V1alpha2)),
            (v(2, 5), Some(RouteVersion::V1)),
        ],
        tls_terminate: &[(v(2, 7), true)],
        notes: "ExternalName needs `NginxProxy.spec.dnsResolver`, wired to the Gateway by \
`infrastructure.parametersRef`. It sets Host to the external name itself (egwc writes the same \
URLRewrite explicitly). No SAN-list validation.",
        sources: &[
            "conformance reports v1.5.1 NGF 2.6.0 and v1.6.1 NGF 2.7.0-pre-release: GATEWAY-GRPC success",
            "internal/ at v1.4.0–v2.6.0 (TLSRoute passthrough from 1.4, PR #2356; v1alpha2 until 2.4, v1 from 2.5; TCPRoute and UDPRoute v1alpha2 in 2.4–2.6)",
            "nginx/nginx-gateway-fabric PR #4518 (TCPRoute and UDPRoute, 2.4.0); conformance report v1.6.1 NGF 2.7.0-pre-release (GATEWAY-TCP, GATEWAY-UDP: success)",
            "conformance report v1.5.1 NGF 2.6.0 (request mirrors)",
            "nginx/nginx-gateway-fabric PR #3759 (ExternalName, 2.2.0)",
            "internal/controller/state/graph/backend_refs.go",
            "nginx/nginx-gateway-fabric PR #4166 (BackendTLSPolicy v1, 2.3.0)",
            "internal/ at v1.2.0–v2.6.0 (BackendTLSPolicy v1alpha2 in 1.2, v1alpha3 in 1.3–2.2, v1 from 2.3)",
            "conformance report v1.6.1 NGF 2.7.0-pre-release",
        ],
    },
    Capabilities {
        name: "kong",
        title: "Kong Ingress Controller",
        latest: v(3, 5),
        classes: &["kong"],
        external_endpoints: true,
        dns: &[(ALWAYS, Dns::ExternalName(Setup::Nothing))],
        backend_tls: &[(v(3, 4), BackendTls::V1alpha3)],
        system_ca: false,
        ca_files: CaFiles::KongCertificates,
        san_validation: false,
        https_service_annotation: Some(("konghq.com/protocol", "https")),
        node_subnet_defect: None,
        experimental_channel: None,
        grpc_backend_tls_ignored: None,
        mirrors: Mirrors::None,
        mirror_share: false,
        tcp_routes: &[(ALWAYS, Some(RouteVersion::V1alpha2))],
        udp_routes: &[(ALWAYS, Some(RouteVersion::V1alpha2))],
        grpc_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_routes: &[(ALWAYS, Some(RouteVersion::V1alpha2))],
        tls_terminate: &[(ALWAYS, true)],
        notes: "HTTPRoutes keep the client's Host (`preserve_host`), so the URLRewrite egwc \
writes for DNS backends matters. KIC 3.4+ reads BackendTLSPolicy v1alpha3; Kong Operator does \
not claim BackendTLSPolicy at all. KIC takes CA certificates only from ConfigMaps labelled \
`konghq.com/ca-cert: \"true\"` with an `id` key, one certificate each, so egwc writes a `ca file` \
that way: one ConfigMap per certificate (`<service>-ca`, or `<service>-ca-1`, `-2`, … for a \
bundle), labelled, with an `id` derived from the ConfigMap's namespace and name, and a \
certificate shared by services of one namespace written once. A `ca configmap` of yours needs \
the same label and key (N0514). `ca system` is refused: KIC marks a policy with \
`wellKnownCACertificates` invalid (E0505).",
        sources: &[
            "conformance report v1.2.1 KIC v3.4.0: GATEWAY-GRPC partial (GRPCRouteHeaderMatching and GRPCRouteListenerHostnameMatching skipped in Kong Operator v2.3.0-rc.3 too)",
            "TLS, TCP and UDP routes: conformance report v1.6.1 Kong Operator v2.3.0-rc.3 (TLSRouteModeTerminate supported); KIC v3.4.0 on Gateway API 1.2.1 reads them as v1alpha2 (its own report covers HTTP and gRPC only)",
            "conformance report v1.6.1 Kong Operator v2.3.0-rc.3 (GATEWAY-TCP partial: TCPRouteWeightedRouting skipped; GATEWAY-UDP success); KIC 3.x reads TCPRoute and UDPRoute v1alpha2",
            "internal/dataplane/translator/subtranslator/httproute.go (\"httpFilter %s unsupported\" for RequestMirror)",
            "internal/dataplane/translator/translate_upstreams.go",
            "internal/store/store.go (ListCACerts: label konghq.com/ca-cert=true)",
            "internal/dataplane/translator/ingressrules.go (\"missing 'id' field in data\")",
            "internal/dataplane/translator/translate_cacerts.go (one PEM block per CA certificate)",
            "internal/controllers/gateway/backendtlspolicy_utils.go (\"WellKnownCACertificates feature is not currently supported\")",
            "Kong/kong kong/db/schema/entities/ca_certificates.lua (id is a UUID; cert_digest unique)",
            "Kong/kubernetes-ingress-controller#6631 (BackendTLSPolicy, 3.4.0)",
            "conformance report v1.6.1 Kong Operator v2.3.0-rc.3",
        ],
    },
    Capabilities {
        name: "traefik",
        title: "Traefik",
        latest: v(3, 7),
        classes: &["traefik"],
        // "type ExternalName is not supported for Kubernetes Service reference".
        external_endpoints: true,
        dns: &[],
        // None before 3.2, v1alpha3 in 3.2–3.5, v1 from 3.6.
        backend_tls: &[(v(3, 2), BackendTls::V1alpha3), (v(3, 6), BackendTls::V1)],
        system_ca: true,
        ca_files: CaFiles::Bundle,
        san_validation: false,
        https_service_annotation: None,
        node_subnet_defect: None,
        experimental_channel: Some(ExperimentalChannel {
            kinds: &[(RouteKind::Tcp, NEVER), (RouteKind::Tls, v(3, 7))],
            switch: "`experimentalChannel: true` in Traefik's Kubernetes Gateway provider \
(`--providers.kubernetesgateway.experimentalchannel=true`)",
        }),
        grpc_backend_tls_ignored: None,
        mirrors: Mirrors::None,
        mirror_share: false,
        tcp_routes: &[(ALWAYS, Some(RouteVersion::V1alpha2))],
        udp_routes: &[],
        grpc_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_routes: &[
            (ALWAYS, Some(RouteVersion::V1alpha2)),
            (v(3, 7), Some(RouteVersion::V1)),
        ],
        tls_terminate: &[(v(3, 7), true)],
        notes: "Only endpoints with `conditions.ready: true` and a port name equal to the \
Service's are used; egwc writes both. No SAN-list validation in v3.7. TCP routes (and TLS routes \
before 3.7) are read only with `experimentalChannel: true` in the Kubernetes Gateway provider's \
configuration; there are no UDP routes.",
        sources: &[
            "conformance report v1.6.1 Traefik v3.7.10: GATEWAY-GRPC success",
            "pkg/provider/kubernetes/gateway/client.go at v3.2.0–v3.7.0 (TCPRoute v1alpha2, only with `experimentalChannel`; TLSRoute v1alpha2 with `experimentalChannel` until 3.6, v1 from 3.7); conformance report v1.6.1 Traefik v3.7.10 (TLSRouteModeTerminate supported)",
            "pkg/provider/kubernetes/gateway/httproute.go (\"unsupported filter\" for RequestMirror)",
            "pkg/provider/kubernetes/gateway/kubernetes.go",
            "traefik/traefik#12950",
            "pkg/provider/kubernetes/gateway/ at v3.0.0–v3.7.0 (BackendTLSPolicy v1alpha3 in 3.2–3.5, v1 from 3.6)",
            "conformance report v1.6.1 Traefik v3.7.10",
        ],
    },
    Capabilities {
        name: "contour",
        title: "Contour",
        latest: v(1, 33),
        classes: &["contour"],
        external_endpoints: true,
        dns: &[(ALWAYS, Dns::ExternalName(Setup::ContourOptIn))],
        backend_tls: &[(ALWAYS, BackendTls::V1alpha3)],
        system_ca: false,
        ca_files: CaFiles::Bundle,
        san_validation: false,
        https_service_annotation: None,
        node_subnet_defect: None,
        experimental_channel: None,
        grpc_backend_tls_ignored: None,
        mirrors: Mirrors::Many,
        mirror_share: false,
        tcp_routes: &[(ALWAYS, Some(RouteVersion::V1alpha2))],
        udp_routes: &[],
        grpc_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_routes: &[(ALWAYS, Some(RouteVersion::V1alpha2))],
        tls_terminate: &[],
        notes: "ExternalName is off by default (`enableExternalNameService: true`); it sets \
SNI to the external name but keeps the client's Host. Contour 1.33 bundles Gateway API 1.3: \
BackendTLSPolicy v1alpha3 with a CA bundle, never `System`.",
        sources: &[
            "conformance report v1.3.0 Contour v1.33.0: GATEWAY-GRPC partial",
            "conformance report v1.3.0 Contour v1.33.0 (GATEWAY-TLS; TLSRoute v1alpha2; terminate mode not claimed)",
            "conformance report v1.3.0 Contour v1.33.0 (Gateway API 1.3: TCPRoute v1alpha2; no UDPRoute in its code)",
            "conformance report v1.3.0 Contour v1.33.0 (HTTPRouteRequestPercentageMirror unsupported)",
            "internal/dag/accessors.go, gatewayapi_processor.go",
            "site/content/docs/main/config/external-service-routing.md",
            "projectcontour/contour#5776",
            "go.mod (gateway-api v1.3.0)",
        ],
    },
    Capabilities {
        name: "gke",
        title: "GKE Gateway",
        latest: v(1, 36),
        classes: &["gke-l7-*"],
        external_endpoints: false,
        dns: &[],
        backend_tls: &[(ALWAYS, BackendTls::V1)],
        system_ca: true,
        ca_files: CaFiles::Bundle,
        san_validation: true,
        https_service_annotation: None,
        node_subnet_defect: None,
        experimental_channel: None,
        grpc_backend_tls_ignored: None,
        mirrors: Mirrors::One,
        mirror_share: true,
        tcp_routes: &[],
        udp_routes: &[],
        grpc_routes: &[],
        tls_routes: &[],
        tls_terminate: &[],
        notes: "GKE Gateway's backends are container-native network endpoint groups, and the NEG \
controller takes an endpoint only if it names a Pod (`targetRef`) and a node (`nodeName`): the \
addresses of a selectorless Service are skipped and the backend stays empty. egwc therefore \
refuses external endpoints on `gke` (E0509). Reach an external service through a proxy \
running in the cluster (a Deployment whose Pods forward to it, behind an ordinary Service), or \
run another controller.",
        sources: &[
            "conformance report v1.6.0 GKE: GATEWAY-HTTP only (no gRPC, TLS, TCP or UDP routes)",
            "conformance report v1.6.0 GKE (HTTPRouteRequestMultipleMirrors unsupported)",
            "kubernetes/ingress-gce pkg/neg/syncers/utils.go (getEndpointZoneSubnet: ErrEPNodeMissing; getEndpointPod: ErrEPPodMissing)",
            "kubernetes/ingress-gce pkg/neg/syncers/endpoints_calculator.go (endpoints without nodeName or targetRef skipped)",
            "conformance report v1.6.0 GKE 1.36.2-gke",
        ],
    },
    Capabilities {
        name: "generic",
        title: "Generic (portable Gateway API)",
        latest: v(1, 6),
        classes: &[],
        external_endpoints: true,
        dns: &[(ALWAYS, Dns::ExternalName(Setup::NotPortable))],
        backend_tls: &[(ALWAYS, BackendTls::V1)],
        system_ca: true,
        ca_files: CaFiles::Bundle,
        san_validation: false,
        https_service_annotation: None,
        node_subnet_defect: None,
        experimental_channel: None,
        grpc_backend_tls_ignored: None,
        mirrors: Mirrors::Many,
        mirror_share: true,
        tcp_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        udp_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        grpc_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_routes: &[(ALWAYS, Some(RouteVersion::V1))],
        tls_terminate: &[(ALWAYS, true)],
        notes: "Only portable Gateway API v1.6. ExternalName backends are implementation-specific \
(GEP-1294), so egwc emits them with a warning.",
        sources: &[
            "apis/v1/object_reference_types.go (BackendObjectReference)",
            "geps/gep-1294",
        ],
    },
];

/// A versioned capability for the table: `before` before the first range (when it has a lower
/// bound), then each range as `what from VERSION`, `;`-separated.
fn ranges<T: Copy>(
    list: &[(Version, T)],
    before: &str,
    name: impl Fn(T) -> &'static str,
) -> String {
    let mut parts = Vec::new();
    match list.first() {
        None => return before.to_string(),
        Some((from, _)) if *from != ALWAYS => parts.push(format!("{before} before {from}")),
        Some(_) => {}
    }
    for (from, value) in list {
        parts.push(if *from == ALWAYS {
            name(*value).to_string()
        } else {
            format!("{} from {from}", name(*value))
        });
    }
    parts.join("; ")
}

/// One row of the capability table in Markdown.
fn table_row(c: &Capabilities) -> String {
    let classes = if c.classes.is_empty() {
        "(any other)".to_string()
    } else {
        c.classes
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ip = if c.external_endpoints {
        "Service + EndpointSlice"
    } else {
        "refused (E0509)"
    };
    let dns = if !c.external_endpoints {
        "refused (E0509)".to_string()
    } else {
        ranges(c.dns, "refused (E0501)", |d| match d {
            Dns::Refused => "refused (E0501)",
            Dns::ExternalName(Setup::Nothing) => "ExternalName Service",
            Dns::ExternalName(Setup::NginxDnsResolver) => {
                "ExternalName Service with a DNS resolver (N0511)"
            }
            Dns::ExternalName(Setup::ContourOptIn) => "ExternalName Service, opted in (N0512)",
            Dns::ExternalName(Setup::NotPortable) => "ExternalName Service, not portable (W0502)",
            Dns::EnvoyBackend => "`Backend` (gateway.envoyproxy.io), enabled (N0510)",
            Dns::IstioServiceEntry => "`ServiceEntry` + `Hostname` backendRef",
        })
    };
    let tls = ranges(c.backend_tls, "none (E0503)", |t| match t {
        BackendTls::None => "none (E0503)",
        BackendTls::V1alpha3 => "v1alpha3 (N0504)",
        BackendTls::V1 => "v1",
    });
    let system = if c.system_ca { "yes" } else { "no (E0505)" };
    let san = if c.san_validation {
        "yes"
    } else {
        "no (E0508)"
    };
    let mirror = match (c.mirrors, c.mirror_share) {
        (Mirrors::None, _) => "none (E0515)",
        (Mirrors::One, true) => "one per rule (E0515)",
        (Mirrors::One, false) => "one per rule, of every request (E0515)",
        (Mirrors::Many, true) => "yes",
        (Mirrors::Many, false) => "of every request (E0515)",
    };
    format!(
        "| `{}` | {classes} | {} | {ip} | {dns} | {tls} | {system} | {san} | {mirror} |\n",
        c.name, c.latest
    )
}

/// The capability table as Markdown: the content of `docs/targets.md`.
pub fn table_markdown() -> String {
    let mut out = String::from(
        "# Targets\n\n\
A target is the gateway controller that will run a gateway. egwc compiles each gateway for its \
target: `target NAME [VERSION]` in the gateway block, `--target NAME[@VERSION]` on the command \
line (which overrides every gateway), or, when neither is given, the target implied by a \
well-known class name below; any other class compiles for `generic`.\n\n\
This page is generated from the capability table in `src/target.rs`, and a test keeps it \
equal. The research behind it, with links to code and issues, is in the shared \
`design/controllers.md`.\n\n\
Every target that routes to endpoints outside the cluster gets the same objects for **IP \
endpoints** (a selectorless Service and an EndpointSlice per address family, \
`conditions.ready: true`, port names equal), the same **weights**, and the same **Host \
rewrite** (`URLRewrite.hostname`, see docs/language.md). GKE routes to none (E0509).\n\n\
Applying EndpointSlices needs a permission the default `edit` and `admin` roles lack since \
CVE-2021-25740: grant `create`, `update` and `patch` on `endpointslices.discovery.k8s.io` to \
whoever (or whichever GitOps agent) applies egwc's output. Every build that writes one says \
so once (note N0513).\n\n\
| Target | Classes | Latest known | IP endpoints | DNS endpoints | BackendTLSPolicy | `ca system` | `san` | `mirror` |\n\
|---|---|---|---|---|---|---|---|---|\n",
    );
    for c in &TABLE {
        out.push_str(&table_row(c));
    }
    out.push_str(
        "\n## Route kinds\n\nHTTP routes (`route`) are HTTPRoute `v1` on every target, gRPC routes \
(`grpc route`) GRPCRoute `v1` where served. TCP, UDP \
and TLS routes (`tcp route`, `udp route`, `tls route`) are written in the version the controller \
reads (TCPRoute and UDPRoute `v1alpha2` for controllers built on Gateway API 1.5 or earlier, \
`v1` from 1.6; TLSRoute `v1alpha2` up to 1.3, `v1alpha3` in 1.4, `v1` from 1.5), read from the \
controllers' code at their release tags. The Gateway API 1.6 standard CRDs serve only `v1`, so \
an older controller needs the CRDs it was built with. A target that does not serve a kind, or \
does not take TLS routes on a listener that terminates TLS, refuses it (E0518), naming the \
targets that do.\n\n\
| Target | `grpc route` | `tcp route` | `udp route` | `tls route` | `tls route` on a terminating \
listener |\n|---|---|---|---|---|---|\n",
    );
    for c in &TABLE {
        let kind = |list: &[(Version, Option<RouteVersion>)]| {
            ranges(list, "refused (E0518)", |v| match v {
                None => "refused (E0518)",
                Some(RouteVersion::V1alpha2) => "`v1alpha2`",
                Some(RouteVersion::V1alpha3) => "`v1alpha3`",
                Some(RouteVersion::V1) => "`v1`",
            })
        };
        let terminate = ranges(c.tls_terminate, "refused (E0518)", |t| {
            if t { "yes" } else { "refused (E0518)" }
        });
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {terminate} |\n",
            c.name,
            kind(c.grpc_routes),
            kind(c.tcp_routes),
            kind(c.udp_routes),
            kind(c.tls_routes),
        ));
    }
    for c in &TABLE {
        out.push_str(&format!("\n## `{}`: {}\n\n{}\n", c.name, c.title, c.notes));
        if let Some((key, value)) = c.https_service_annotation {
            out.push_str(&format!(
                "\nHTTPS backends' Services carry the annotation `{key}: {value}`.\n"
            ));
        }
        out.push_str("\nSources:\n\n");
        for s in c.sources {
            out.push_str(&format!("- {s}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_controller_has_one_row_and_a_unique_name() {
        for c in Controller::all() {
            assert_eq!(TABLE.iter().filter(|r| r.controller() == c).count(), 1);
            assert_eq!(Controller::find(c.name()), Some(c));
        }
    }

    #[test]
    fn versions_parse_and_gate_capabilities() {
        assert_eq!(Version::parse("1.19"), Some(v(1, 19)));
        assert_eq!(Version::parse("2.2.1"), Some(Version([2, 2, 1])));
        assert_eq!(Version::parse("1"), None);
        assert_eq!(Version::parse("1..2"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
        let old_cilium = Target {
            controller: Controller("cilium"),
            version: v(1, 19),
        };
        assert_eq!(old_cilium.backend_tls(), BackendTls::None);
        assert_eq!(
            Target::latest(Controller("cilium")).backend_tls(),
            BackendTls::V1
        );
        let old_nginx = Target {
            controller: Controller("nginx"),
            version: v(2, 1),
        };
        assert_eq!(old_nginx.dns(), Dns::Refused);
        assert_eq!(old_nginx.backend_tls(), BackendTls::V1alpha3);
        let at = |controller, version: Version| Target {
            controller,
            version,
        };
        for (controller, before, v1alpha3, v1) in [
            (Controller("envoy-gateway"), v(1, 0), v(1, 5), v(1, 6)),
            (Controller("istio"), v(1, 25), v(1, 27), v(1, 28)),
            (Controller("nginx"), v(1, 2), v(2, 2), v(2, 3)),
            (Controller("traefik"), v(3, 1), v(3, 5), v(3, 6)),
        ] {
            assert_eq!(at(controller, before).backend_tls(), BackendTls::None);
            assert_eq!(at(controller, v1alpha3).backend_tls(), BackendTls::V1alpha3);
            assert_eq!(at(controller, v1).backend_tls(), BackendTls::V1);
        }
        assert_eq!(
            at(Controller("kong"), Version([3, 9, 2])).backend_tls(),
            BackendTls::V1alpha3
        );
    }

    #[test]
    fn classes_imply_targets() {
        assert_eq!(Controller::from_class("cilium"), Some(Controller("cilium")));
        assert_eq!(
            Controller::from_class("eg"),
            Some(Controller("envoy-gateway"))
        );
        assert_eq!(
            Controller::from_class("gke-l7-global-external-managed"),
            Some(Controller("gke"))
        );
        assert_eq!(Controller::from_class("my-class"), None);
    }
}
