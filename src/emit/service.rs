//! The objects a service becomes, for its target: per backend a selectorless Service with
//! EndpointSlices (IP endpoints) or what the target reaches a DNS name with (an ExternalName
//! Service, Envoy Gateway's `Backend`, Istio's `ServiceEntry`) and, for HTTPS, a
//! BackendTLSPolicy in the version the target reads; per service a ConfigMap when its CA
//! comes from a file.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use gateway_api::backendtlspolicies::{
    BackendTlsPolicy, BackendTlsPolicySpec, BackendTlsPolicyTargetRefs, BackendTlsPolicyValidation,
    BackendTlsPolicyValidationCaCertificateRefs, BackendTlsPolicyValidationSubjectAltNames,
    BackendTlsPolicyValidationSubjectAltNamesType,
};
use k8s_openapi::api::core::v1::{ConfigMap, Service, ServicePort, ServiceSpec};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Context, DESCRIPTION_ANNOTATION, Manifest, api, external};
use crate::ir::{self, Protocol};

/// The label that ties an EndpointSlice to its Service.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// Marks EndpointSlices as managed by egwc, so Kubernetes' own controller leaves them alone.
const SLICE_MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
/// The label Kong Ingress Controller lists CA certificates by (its store's `ListCACerts`).
const KONG_CA_LABEL: &str = "konghq.com/ca-cert";

pub(super) fn service(cx: &Context<'_>, s: &ir::Service, out: &mut Vec<Manifest>) {
    let port_name = match s.protocol {
        Protocol::Https => "https",
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::H2c => "h2c",
        _ => "http",
    };
    if let Some(ir::Trust::Pem { write, .. }) = &s.trust {
        ca_configmaps(cx, s, write, out);
    }
    for (i, b) in s.backends.iter().enumerate() {
        let mut metadata = cx.meta(&b.name, &s.meta, s.meta.origin);
        let annotations = metadata.annotations.get_or_insert_with(BTreeMap::new);
        if let Some(d) = &s.description {
            let d = if s.backends.len() > 1 {
                format!(
                    "{d} (endpoint {} of {}: {})",
                    i + 1,
                    s.backends.len(),
                    b.endpoints.join(", ")
                )
            } else {
                d.clone()
            };
            annotations.insert(DESCRIPTION_ANNOTATION.into(), d);
        }
        if let Some((key, value)) = s.https_annotation
            && s.protocol == Protocol::Https
        {
            annotations.insert(key.into(), value.into());
        }
        let (policy_group, policy_kind) = backend_object(cx, s, b, metadata, port_name, out);
        if let (Some(trust), Some(hostname)) = (&s.trust, &b.tls_hostname) {
            let target = (policy_group, policy_kind, b.name.as_str());
            out.push(backend_tls_policy(cx, s, trust, hostname, target));
        }
    }
}

/// The object a backend is (a Service with EndpointSlices, an ExternalName Service, an Envoy
/// Gateway `Backend` or an Istio `ServiceEntry`), and the group and kind a BackendTLSPolicy
/// names it by.
fn backend_object(
    cx: &Context<'_>,
    s: &ir::Service,
    b: &ir::Backend,
    metadata: ObjectMeta,
    port_name: &'static str,
    out: &mut Vec<Manifest>,
) -> (&'static str, &'static str) {
    let service_port = ServicePort {
        name: Some(port_name.into()),
        port: i32::from(b.port),
        protocol: Some(transport(s.protocol).into()),
        // Gateway API's appProtocol for HTTP/2 in the clear (GEP-1911).
        app_protocol: (s.protocol == Protocol::H2c).then(|| "kubernetes.io/h2c".into()),
        ..ServicePort::default()
    };
    // The object the backend is, and how a BackendTLSPolicy names it.
    match &b.destination {
        ir::Destination::Dns {
            host,
            via: ir::DnsObject::EnvoyBackend,
        } => {
            out.push(Manifest::EnvoyBackend(Box::new(external::envoy_backend(
                metadata,
                host,
                b.port,
                s.protocol == Protocol::H2c,
            ))));
            (api::ENVOY_GROUP, "Backend")
        }
        ir::Destination::Dns {
            host,
            via: ir::DnsObject::IstioServiceEntry,
        } => {
            let protocol = match s.protocol {
                Protocol::Https => "HTTPS",
                Protocol::Tcp => "TCP",
                Protocol::Udp => "UDP",
                Protocol::H2c => "HTTP2",
                _ => "HTTP",
            };
            out.push(Manifest::ServiceEntry(Box::new(external::service_entry(
                metadata, host, b.port, port_name, protocol,
            ))));
            (api::ISTIO_GROUP, "ServiceEntry")
        }
        ir::Destination::Dns {
            host,
            via: ir::DnsObject::ExternalName,
        } => {
            out.push(Manifest::Service(Box::new(Service {
                metadata,
                spec: Some(ServiceSpec {
                    type_: Some("ExternalName".into()),
                    external_name: Some(host.clone()),
                    ports: Some(vec![service_port]),
                    ..ServiceSpec::default()
                }),
                status: None,
            })));
            ("", "Service")
        }
        ir::Destination::Addresses { port, ipv4, ipv6 } => {
            out.push(Manifest::Service(Box::new(Service {
                metadata,
                spec: Some(ServiceSpec {
                    type_: Some("ClusterIP".into()),
                    ports: Some(vec![ServicePort {
                        target_port: Some(IntOrString::Int(i32::from(*port))),
                        ..service_port
                    }]),
                    ..ServiceSpec::default()
                }),
                status: None,
            })));
            endpoint_slices(cx, s, b, port_name, *port, ipv4, ipv6, out);
            ("", "Service")
        }
    }
}

/// The transport protocol of a Service port and an EndpointSlice port.
fn transport(protocol: Protocol) -> &'static str {
    if protocol.is_udp() { "UDP" } else { "TCP" }
}

/// The ConfigMaps of a `ca file`, labelled and with an `id` for Kong.
fn ca_configmaps(
    cx: &Context<'_>,
    s: &ir::Service,
    write: &[ir::CaConfigMap],
    out: &mut Vec<Manifest>,
) {
    for c in write {
        let mut metadata = cx.meta(&c.name, &s.meta, s.meta.origin);
        let mut data = BTreeMap::from([("ca.crt".to_string(), c.pem.clone())]);
        if let Some(id) = &c.kong_id {
            metadata
                .labels
                .get_or_insert_with(BTreeMap::new)
                .insert(KONG_CA_LABEL.into(), "true".into());
            data.insert("id".into(), id.clone());
        }
        out.push(Manifest::ConfigMap(Box::new(ConfigMap {
            metadata,
            data: Some(data),
            ..ConfigMap::default()
        })));
    }
}

/// The BackendTLSPolicy of one backend object, `(group, kind, name)`, in the version the
/// service's target reads.
fn backend_tls_policy(
    cx: &Context<'_>,
    s: &ir::Service,
    trust: &ir::Trust,
    hostname: &str,
    (group, kind, name): (&str, &str, &str),
) -> Manifest {
    let (well_known, ca_refs) = match trust {
        ir::Trust::System => (Some("System".to_string()), None),
        ir::Trust::Pem { refs, .. } => (None, Some(refs.iter().map(|r| ca_ref(r)).collect())),
        ir::Trust::ConfigMap(name) => (None, Some(vec![ca_ref(name)])),
    };
    let metadata = cx.meta(name, &s.meta, s.meta.origin);
    let spec = BackendTlsPolicySpec {
        target_refs: vec![BackendTlsPolicyTargetRefs {
            group: group.into(),
            kind: kind.into(),
            name: name.to_string(),
            section_name: None,
        }],
        validation: BackendTlsPolicyValidation {
            hostname: hostname.to_string(),
            well_known_ca_certificates: well_known,
            ca_certificate_refs: ca_refs,
            subject_alt_names: s.subject_alt_names.as_ref().map(|(names, _)| {
                names
                    .iter()
                    .map(|n| BackendTlsPolicyValidationSubjectAltNames {
                        r#type: BackendTlsPolicyValidationSubjectAltNamesType::Hostname,
                        hostname: Some(n.clone()),
                        uri: None,
                    })
                    .collect()
            }),
        },
        options: None,
    };
    match s.policy_version {
        ir::PolicyVersion::V1 => Manifest::BackendTlsPolicy(Box::new(BackendTlsPolicy {
            metadata,
            spec,
            status: None,
        })),
        ir::PolicyVersion::V1alpha3 => {
            Manifest::BackendTlsPolicyV1alpha3(Box::new(external::Object {
                api_version: api::BACKEND_TLS_V1ALPHA3,
                kind: "BackendTLSPolicy",
                metadata,
                spec,
            }))
        }
    }
}

fn ca_ref(name: &str) -> BackendTlsPolicyValidationCaCertificateRefs {
    BackendTlsPolicyValidationCaCertificateRefs {
        group: String::new(),
        kind: "ConfigMap".into(),
        name: name.to_string(),
    }
}

/// One EndpointSlice per address family of a backend's IP endpoints.
#[allow(clippy::too_many_arguments)]
fn endpoint_slices(
    cx: &Context<'_>,
    s: &ir::Service,
    b: &ir::Backend,
    port_name: &str,
    port: u16,
    ipv4: &[Ipv4Addr],
    ipv6: &[Ipv6Addr],
    out: &mut Vec<Manifest>,
) {
    let families = [
        (
            "IPv4",
            "ipv4",
            ipv4.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ),
        (
            "IPv6",
            "ipv6",
            ipv6.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ),
    ];
    for (address_type, suffix, addresses) in families {
        if addresses.is_empty() {
            continue;
        }
        let mut meta = cx.meta(&format!("{}-{suffix}", b.name), &s.meta, s.meta.origin);
        let labels = meta.labels.get_or_insert_with(BTreeMap::new);
        labels.insert(SERVICE_NAME_LABEL.into(), b.name.clone());
        labels.insert(SLICE_MANAGED_BY.into(), "egwc".into());
        out.push(Manifest::EndpointSlice(Box::new(EndpointSlice {
            metadata: meta,
            address_type: address_type.into(),
            endpoints: Some(
                addresses
                    .into_iter()
                    .map(|a| Endpoint {
                        addresses: vec![a],
                        conditions: Some(EndpointConditions {
                            ready: Some(true),
                            ..EndpointConditions::default()
                        }),
                        ..Endpoint::default()
                    })
                    .collect(),
            ),
            ports: Some(vec![EndpointPort {
                name: Some(port_name.into()),
                port: Some(i32::from(port)),
                protocol: Some(transport(s.protocol).into()),
                app_protocol: (s.protocol == Protocol::H2c).then(|| "kubernetes.io/h2c".into()),
            }]),
        })));
    }
}
