//! Target-aware lowering: once every route is checked, each service learns the target of the
//! gateways whose routes use it, and the model is fitted to that target: how DNS names are
//! reached (and so the backendRef kinds), which BackendTLSPolicy version is written, how CA
//! files become ConfigMaps. What a target cannot do, or needs from the cluster, is reported by
//! `capabilities.rs`. All of it is read from the capability table in `crate::target`.

use std::collections::{BTreeSet, HashMap};

use super::Checker;
use super::capabilities::{GatewayIndex, Noted, gateway_index, route_gateways};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Protocol, RefKind};
use crate::target::{BackendTls, CaFiles, Dns, Target};

/// The Kong CA ConfigMaps written so far: `(namespace, certificate)` to the ConfigMap's name.
type KongCertificates = HashMap<(String, String), String>;

/// BackendTLSPolicy's `caCertificateRefs` holds at most 8 references.
const MAX_CA_REFS: usize = 8;

impl Checker<'_> {
    pub(super) fn fit_to_targets(&mut self, model: &mut ir::Model) {
        let gateways = gateway_index(&model.gateways);
        let users = users(model, &gateways);

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
        self.check_mirrors(model, &gateways);
        self.fit_route_kinds(
            &mut model.routes,
            &model.gateways,
            &model.services,
            &gateways,
        );
        fit_refs(&mut model.routes, &model.services);
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
                                "service `{}` is used through gateways whose targets need \
different objects for it",
                                s.meta.name
                            ),
                            format!("used on {t} and on {target}"),
                        )
                        .with_label(a.target_from.span(), a.target_reason())
                        .with_label(b.target_from.span(), b.target_reason())
                        .with_help(
                            "define the service twice under two names, one per gateway, or \
compile both gateways for the same target",
                        ),
                    );
                    return None;
                }
                Some(_) => {}
            }
        }
        Some(chosen.map_or(fallback, |(_, t)| t))
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
                        "the CA file of service `{}` holds {} certificates, and Kong needs a \
ConfigMap for each: a BackendTLSPolicy names at most {MAX_CA_REFS}",
                        s.meta.name,
                        refs.len()
                    ),
                    "an HTTPS service",
                )
                .with_help(
                    "keep only the CA certificates that sign the backend's certificate \
(usually one root) in the file",
                ),
            );
        }
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

/// Which gateways reach each service, by index, through the routes' backends and mirrors.
fn users(model: &ir::Model, gateways: &GatewayIndex<'_>) -> Vec<BTreeSet<usize>> {
    let mut users: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); model.services.len()];
    for r in &model.routes {
        let through = route_gateways(r, gateways);
        for rule in &r.rules {
            let mirrors = rule.filters.mirrors.iter().map(|m| &m.backend);
            for b in rule.backends.iter().chain(mirrors) {
                users[b.at.service].extend(through.iter().copied());
            }
        }
    }
    users
}

/// Sets the kind of every backendRef (and mirror) to what its backend became.
fn fit_refs(routes: &mut [ir::Route], services: &[ir::Service]) {
    for r in routes {
        for rule in &mut r.rules {
            let mirrors = rule.filters.mirrors.iter_mut().map(|m| &mut m.backend);
            for b in rule.backends.iter_mut().chain(mirrors) {
                b.kind = ref_kind(&services[b.at.service].backends[b.at.backend]);
            }
        }
    }
}
