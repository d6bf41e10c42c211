//! ReferenceGrants: every reference across namespaces needs one in the target namespace.
//! Routes reaching Services elsewhere, and Gateways using Secrets elsewhere.

use std::collections::{BTreeMap, BTreeSet};

use gateway_api::referencegrants::{
    ReferenceGrant, ReferenceGrantFrom, ReferenceGrantSpec, ReferenceGrantTo,
};

use super::{Context, Manifest, api};
use crate::ir;
use crate::source::Span;

/// The API allows at most 16 `to` entries per grant; longer lists are split.
const MAX_TO: usize = 16;

/// Target namespace, from kind, from namespace, to group and kind.
type GrantKey<'a> = (String, &'a str, String, (&'a str, &'a str));

pub(super) fn grants(cx: &Context<'_>, model: &ir::Model, out: &mut Vec<Manifest>) {
    // (target namespace, from kind, from namespace, to kind) → (names, first origin)
    let mut needed: BTreeMap<GrantKey<'_>, (BTreeSet<String>, Span)> = BTreeMap::new();
    let mut need = |to_ns: &str, from_kind, from_ns: &str, to_kind, name: &str, origin: Span| {
        if to_ns == from_ns {
            return;
        }
        needed
            .entry((to_ns.to_string(), from_kind, from_ns.to_string(), to_kind))
            .or_insert_with(|| (BTreeSet::new(), origin))
            .0
            .insert(name.to_string());
    };
    for g in &model.gateways {
        for l in &g.listeners {
            if let Some(ir::ListenerTls::Terminate { certificates }) = &l.tls {
                for c in certificates {
                    need(
                        &c.namespace,
                        "Gateway",
                        &g.meta.namespace,
                        ("", "Secret"),
                        &c.name,
                        g.meta.origin,
                    );
                }
            }
        }
    }
    for r in &model.routes {
        for rule in &r.rules {
            let mirrors = rule.filters.mirrors.iter().map(|m| &m.backend);
            for b in rule.backends.iter().chain(mirrors) {
                if let (name, Some(namespace)) = api::name_in(b, &r.meta.namespace) {
                    need(
                        &namespace,
                        r.kind.kind(),
                        &r.meta.namespace,
                        api::group_kind(b).unwrap_or(("", "Service")),
                        &name,
                        r.meta.origin,
                    );
                }
            }
        }
    }
    for ((to_ns, from_kind, from_ns, (to_group, to_kind)), (names, origin)) in needed {
        let names: Vec<String> = names.into_iter().collect();
        let chunks: Vec<&[String]> = names.chunks(MAX_TO).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut name = format!(
                "egwc-{}-from-{from_ns}-{}",
                from_kind.to_ascii_lowercase(),
                to_kind.to_ascii_lowercase()
            );
            if chunks.len() > 1 {
                name.push_str(&format!("-{i}"));
            }
            out.push(Manifest::ReferenceGrant(Box::new(ReferenceGrant {
                metadata: cx.derived_meta(&name, &to_ns, origin),
                spec: ReferenceGrantSpec {
                    from: vec![ReferenceGrantFrom {
                        group: api::GATEWAY_GROUP.into(),
                        kind: from_kind.into(),
                        namespace: from_ns.clone(),
                    }],
                    to: chunk
                        .iter()
                        .map(|n| ReferenceGrantTo {
                            group: to_group.into(),
                            kind: to_kind.into(),
                            name: Some(n.clone()),
                        })
                        .collect(),
                },
            })));
        }
    }
}
