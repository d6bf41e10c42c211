//! Controller-specific kinds, for targets that reach DNS names through their own objects:
//! Envoy Gateway's `Backend` and Istio's `ServiceEntry`. No maintained Rust crate carries
//! these types, so the fields egwc writes are declared here, named as in the controllers' CRDs
//! (`api/v1alpha1/backend_types.go` in envoyproxy/gateway, `networking/v1/service_entry.proto`
//! in istio/api). The same envelope carries BackendTLSPolicy `v1alpha3`, which gateway-api's
//! types cannot (their apiVersion is fixed to `v1`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::api;

/// A Kubernetes object of a kind without a typed crate: apiVersion, kind, metadata and spec.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Object<S> {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: S,
}

/// `gateway.envoyproxy.io/v1alpha1` `Backend`, with FQDN endpoints only.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvoyBackendSpec {
    /// The protocol Envoy speaks to the endpoints when it is not HTTP/1.1:
    /// [`api::ENVOY_H2C`] for HTTP/2 in the clear. Envoy Gateway does not read a Backend's
    /// protocol from anything else an HTTPRoute has (`processBackendDestinationSetting` in
    /// internal/gatewayapi/route.go, v1.1.0 to v1.9.0; before 1.3, a GRPCRoute's neither).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_protocols: Vec<&'static str>,
    pub endpoints: Vec<EnvoyBackendEndpoint>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EnvoyBackendEndpoint {
    pub fqdn: EnvoyFqdn,
}

#[derive(Clone, Debug, Serialize)]
pub struct EnvoyFqdn {
    pub hostname: String,
    pub port: u16,
}

pub fn envoy_backend(
    metadata: ObjectMeta,
    host: &str,
    port: u16,
    h2c: bool,
) -> Object<EnvoyBackendSpec> {
    Object {
        api_version: api::ENVOY_BACKEND_VERSION,
        kind: "Backend",
        metadata,
        spec: EnvoyBackendSpec {
            app_protocols: if h2c {
                vec![api::ENVOY_H2C]
            } else {
                Vec::new()
            },
            endpoints: vec![EnvoyBackendEndpoint {
                fqdn: EnvoyFqdn {
                    hostname: host.to_string(),
                    port,
                },
            }],
        },
    }
}

/// `networking.istio.io/v1` `ServiceEntry` for one external host resolved by DNS.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceEntrySpec {
    pub hosts: Vec<String>,
    pub location: &'static str,
    pub resolution: &'static str,
    pub ports: Vec<ServiceEntryPort>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceEntryPort {
    pub number: u16,
    pub name: &'static str,
    pub protocol: &'static str,
}

pub fn service_entry(
    metadata: ObjectMeta,
    host: &str,
    port: u16,
    port_name: &'static str,
    protocol: &'static str,
) -> Object<ServiceEntrySpec> {
    Object {
        api_version: api::ISTIO_SERVICE_ENTRY_VERSION,
        kind: "ServiceEntry",
        metadata,
        spec: ServiceEntrySpec {
            hosts: vec![host.to_string()],
            location: "MESH_EXTERNAL",
            resolution: "DNS",
            ports: vec![ServiceEntryPort {
                number: port,
                name: port_name,
                protocol,
            }],
        },
    }
}
