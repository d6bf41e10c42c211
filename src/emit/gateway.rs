//! Gateway objects.

use gateway_api::gateways::{
    Gateway, GatewayListeners, GatewayListenersAllowedRoutes,
    GatewayListenersAllowedRoutesNamespaces, GatewayListenersAllowedRoutesNamespacesFrom,
    GatewayListenersTls, GatewayListenersTlsCertificateRefs, GatewayListenersTlsMode, GatewaySpec,
};

use super::Context;
use crate::ir;

pub(super) fn gateway(cx: &Context<'_>, g: &ir::Gateway) -> Gateway {
    let listeners = g
        .listeners
        .iter()
        .map(|l| GatewayListeners {
            name: l.name.clone(),
            port: i32::from(l.port),
            protocol: l.protocol.as_str().to_string(),
            hostname: l.hostname.clone(),
            tls: l.tls.as_ref().map(|tls| match tls {
                ir::ListenerTls::Passthrough => GatewayListenersTls {
                    mode: Some(GatewayListenersTlsMode::Passthrough),
                    ..Default::default()
                },
                ir::ListenerTls::Terminate { certificates } => GatewayListenersTls {
                    mode: Some(GatewayListenersTlsMode::Terminate),
                    certificate_refs: Some(
                        certificates
                            .iter()
                            .map(|c| GatewayListenersTlsCertificateRefs {
                                group: Some(String::new()),
                                kind: Some("Secret".into()),
                                name: c.name.clone(),
                                namespace: (c.namespace != g.meta.namespace)
                                    .then(|| c.namespace.clone()),
                            })
                            .collect(),
                    ),
                    ..Default::default()
                },
            }),
            allowed_routes: l.routes_from_all.then_some(GatewayListenersAllowedRoutes {
                namespaces: Some(GatewayListenersAllowedRoutesNamespaces {
                    from: Some(GatewayListenersAllowedRoutesNamespacesFrom::All),
                    selector: None,
                }),
                kinds: None,
            }),
        })
        .collect();
    Gateway {
        metadata: cx.meta(&g.meta.name, &g.meta, g.meta.origin),
        spec: GatewaySpec {
            gateway_class_name: g.class.clone(),
            listeners,
            ..Default::default()
        },
        status: None,
    }
}
