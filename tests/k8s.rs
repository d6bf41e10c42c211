//! The real-API-server tier: every example's output and every golden `.yaml` is applied with
//! `kubectl apply --server-side --dry-run=server` to the cluster in `$KUBECONFIG` (a local
//! apiextensions server with the Gateway API v1.6.1 CRDs in CI, see `.ci/run`, or your own
//! cluster). Without `$KUBECONFIG` the server test says so and passes, unless
//! `EGWC_REQUIRE_K8S=1` (set by CI when its server started) makes that a failure.
//!
//! Core kinds (Service, EndpointSlice, ConfigMap) are not served by the local server; the
//! second test checks them against Kubernetes' own rules for the fields egwc writes.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::Command;

use egwc::check::validate;
use egwc::emit::{self, Format, Manifest};

mod common;
use common::all_outputs;

/// The objects the server can check: the Gateway API kinds its v1.6.1 CRDs serve. Core kinds
/// are checked by the second test; controller kinds (Envoy Gateway's Backend, Istio's
/// ServiceEntry) have no CRD there; BackendTLSPolicy v1alpha3 and TCPRoute and UDPRoute
/// v1alpha2 (for controllers built on Gateway API 1.5 or earlier) are no longer served by
/// v1.6.1's standard CRDs.
fn is_gateway_api(m: &Manifest) -> bool {
    match m {
        Manifest::L4Route(r) => r.api_version == "gateway.networking.k8s.io/v1",
        _ => !matches!(
            m,
            Manifest::Service(_)
                | Manifest::EndpointSlice(_)
                | Manifest::ConfigMap(_)
                | Manifest::EnvoyBackend(_)
                | Manifest::ServiceEntry(_)
                | Manifest::BackendTlsPolicyV1alpha3(_)
        ),
    }
}

#[test]
fn the_api_server_accepts_every_gateway_api_object() {
    if !common::api_server_tier() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut applied = 0;
    for (input, manifests) in all_outputs() {
        let objects: Vec<Manifest> = manifests.into_iter().filter(is_gateway_api).collect();
        if objects.is_empty() {
            continue;
        }
        let file = dir.path().join("out.yaml");
        std::fs::write(&file, emit::to_stream(&objects, Format::Yaml)).unwrap();
        let out = Command::new("kubectl")
            .args([
                "apply",
                "--server-side",
                "--dry-run=server",
                "--field-manager=egwc",
                "-f",
            ])
            .arg(&file)
            .output()
            .expect("kubectl is on PATH (scripts/k8s-apiserver.sh start prints the PATH)");
        applied += objects.len();
        if !out.status.success() {
            failures.push(format!(
                "{}:\n{}{}",
                input,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(applied > 0);
    assert!(
        failures.is_empty(),
        "the API server rejected:\n{}",
        failures.join("\n")
    );
    eprintln!("the API server accepted {applied} objects");
}

#[test]
fn core_objects_follow_kubernetes_rules() {
    for (input, manifests) in all_outputs() {
        let at = &input;
        let mut service_ports: HashMap<(String, String), Vec<String>> = HashMap::new();
        for m in &manifests {
            let meta = m.metadata();
            let name = meta.name.clone().unwrap();
            let ns = meta.namespace.clone().unwrap();
            assert!(validate::dns1123_label(&ns).is_ok(), "{at}: namespace {ns}");
            assert_eq!(
                meta.labels.as_ref().unwrap()["app.kubernetes.io/managed-by"],
                "egwc",
                "{at}"
            );
            if let Manifest::Service(s) = m {
                validate::dns1035_label(&name)
                    .unwrap_or_else(|e| panic!("{at}: Service {name}: {e}"));
                let spec = s.spec.as_ref().unwrap();
                let ports = spec.ports.as_ref().unwrap();
                for p in ports {
                    assert!((1..=65535).contains(&p.port), "{at}: {name} port");
                    assert!(
                        matches!(p.protocol.as_deref(), Some("TCP" | "UDP")),
                        "{at}: {name} protocol"
                    );
                }
                match spec.type_.as_deref() {
                    Some("ExternalName") => {
                        let host = spec.external_name.as_deref().unwrap();
                        assert!(
                            validate::dns1123_subdomain(host).is_ok(),
                            "{at}: externalName {host}"
                        );
                        assert!(
                            host.parse::<std::net::IpAddr>().is_err(),
                            "{at}: externalName is an IP"
                        );
                        assert!(spec.selector.is_none());
                    }
                    Some("ClusterIP") => assert!(spec.selector.is_none(), "{at}: selectorless"),
                    other => panic!("{at}: Service type {other:?}"),
                }
                service_ports.insert(
                    (ns, name),
                    ports.iter().filter_map(|p| p.name.clone()).collect(),
                );
            }
        }
        for m in &manifests {
            let Manifest::EndpointSlice(slice) = m else {
                continue;
            };
            let meta = &slice.metadata;
            let ns = meta.namespace.clone().unwrap();
            let owner = &meta.labels.as_ref().unwrap()["kubernetes.io/service-name"];
            let ports = service_ports.get(&(ns, owner.clone())).unwrap_or_else(|| {
                panic!(
                    "{at}: slice {:?} names a Service egwc did not emit",
                    meta.name
                )
            });
            for p in slice.ports.as_ref().unwrap() {
                assert!(
                    ports.contains(p.name.as_ref().unwrap()),
                    "{at}: slice port name matches the Service"
                );
            }
            for e in slice.endpoints.as_ref().unwrap() {
                assert_eq!(e.conditions.as_ref().unwrap().ready, Some(true));
                for a in &e.addresses {
                    match slice.address_type.as_str() {
                        "IPv4" => assert!(a.parse::<Ipv4Addr>().is_ok(), "{at}: {a}"),
                        "IPv6" => assert!(a.parse::<Ipv6Addr>().is_ok(), "{at}: {a}"),
                        t => panic!("{at}: addressType {t}"),
                    }
                }
            }
        }
    }
}
