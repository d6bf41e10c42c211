//! The API groups and versions of the objects egwc writes or refers to, in one place, and how
//! a backendRef names its referent.

use crate::ir::{BackendRef, RefKind, RouteVersion};

/// The Gateway API's group.
pub const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";
/// BackendTLSPolicy `v1alpha3` (Gateway API 1.1–1.3), which gateway-api's types cannot carry.
pub const BACKEND_TLS_V1ALPHA3: &str = "gateway.networking.k8s.io/v1alpha3";
/// Envoy Gateway's group, and the version of its `Backend`.
pub const ENVOY_GROUP: &str = "gateway.envoyproxy.io";
pub const ENVOY_BACKEND_VERSION: &str = "gateway.envoyproxy.io/v1alpha1";
/// Envoy Gateway's application protocol of a `Backend` for HTTP/2 in the clear
/// (`AppProtocolTypeH2C` in api/v1alpha1/backend_types.go).
pub const ENVOY_H2C: &str = "gateway.envoyproxy.io/h2c";
/// Istio's networking group, and the version of its `ServiceEntry`.
pub const ISTIO_GROUP: &str = "networking.istio.io";
pub const ISTIO_SERVICE_ENTRY_VERSION: &str = "networking.istio.io/v1";

/// The apiVersion of a TCPRoute, UDPRoute or TLSRoute in `version`.
pub fn route_version(version: RouteVersion) -> &'static str {
    match version {
        RouteVersion::V1alpha2 => "gateway.networking.k8s.io/v1alpha2",
        RouteVersion::V1alpha3 => "gateway.networking.k8s.io/v1alpha3",
        RouteVersion::V1 => "gateway.networking.k8s.io/v1",
    }
}

/// The API group and kind of a backendRef's referent; `None` for the core Service.
pub fn group_kind(r: &BackendRef) -> Option<(&'static str, &'static str)> {
    match r.kind {
        RefKind::Service => None,
        RefKind::EnvoyBackend => Some((ENVOY_GROUP, "Backend")),
        RefKind::IstioHostname(_) => Some((ISTIO_GROUP, "Hostname")),
    }
}

/// The referent's name and, when it lives in a namespace other than `from`, that namespace.
/// Istio's `Hostname` is a host, not an object: it has no namespace.
pub fn name_in(r: &BackendRef, from: &str) -> (String, Option<String>) {
    match &r.kind {
        RefKind::IstioHostname(host) => (host.clone(), None),
        _ => (
            r.service.name.clone(),
            (r.service.namespace != from).then(|| r.service.namespace.clone()),
        ),
    }
}
