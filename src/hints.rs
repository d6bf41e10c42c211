//! What egwc derives, shown where it is derived from: the language server's inlay hints.
//! Pure: read from a file's syntax tree and the checked model.
//!
//! - after a gateway's name: the target it compiles for, and why (`: cilium 1.20, from its
//!   class`);
//! - after a service's name: the Kubernetes Services a balanced one becomes
//!   (`pve-0 … pve-3`) and the port, when it is not written;
//! - after each backend of a rule: its share, and for a balanced service the share of each
//!   endpoint (`-> pve 90` shows `= 4 × 22.5 %`).

use std::collections::HashMap;

use crate::ir::{Model, TargetFrom};
use crate::route::percent;
use crate::source::{FileId, Span};
use crate::syntax::ast::{File, Item, RouteItem, RuleItem, ServiceItem};

/// A hint: its text, shown at the end of `after`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub after: Span,
    pub label: String,
}

/// The hints of one file, in its order.
pub fn hints(file: &File, file_id: FileId, model: &Model) -> Vec<Hint> {
    // How many Kubernetes Services each service is: looked up for every backend of a rule.
    let endpoints: HashMap<&str, usize> = model
        .services
        .iter()
        .map(|s| (s.meta.name.as_str(), s.backends.len()))
        .collect();
    let mut out = Vec::new();
    for item in &file.items {
        if item.span.file != file_id {
            continue;
        }
        match &item.node {
            Item::Gateway(g) => {
                if let Some(m) = model.gateways.iter().find(|m| m.meta.name == g.name.text) {
                    let why = match m.target_from {
                        TargetFrom::Attribute(_) => "as written",
                        TargetFrom::Class(_) => "from its class",
                        TargetFrom::CommandLine(_) => "from --target",
                        TargetFrom::Config(_) => "from egwc.toml",
                        TargetFrom::Default(_) => "an unknown class",
                    };
                    out.push(Hint {
                        after: g.name.span,
                        label: format!(
                            ": {} {}, {why}",
                            m.target.controller.name(),
                            m.target.version
                        ),
                    });
                }
            }
            Item::Service(s) => {
                let Some(m) = model.services.iter().find(|m| m.meta.name == s.name.text) else {
                    continue;
                };
                let mut parts = Vec::new();
                if let [first, .., last] = &m.backends[..] {
                    parts.push(format!("{} … {}", first.name, last.name));
                }
                let port_written = s
                    .items
                    .iter()
                    .any(|i| matches!(i.node, ServiceItem::Port(_)));
                if let (false, Some(b)) = (port_written, m.backends.first()) {
                    parts.push(format!("port {}", b.port));
                }
                if !parts.is_empty() {
                    out.push(Hint {
                        after: s.name.span,
                        label: format!(": {}", parts.join(", ")),
                    });
                }
            }
            Item::Route(r) => {
                for rule in r.items.iter().filter_map(|i| match &i.node {
                    RouteItem::Rule(rule) => Some(rule),
                    _ => None,
                }) {
                    for refs in rule.items.iter().filter_map(|i| match &i.node {
                        RuleItem::Backends(refs) => Some(refs),
                        _ => None,
                    }) {
                        backend_shares(refs, &endpoints, &mut out);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `= 90 %` after each backend of a rule with several, and `= 4 × 22.5 %` after a balanced
/// one: the share of each of its endpoints.
fn backend_shares(
    refs: &[crate::syntax::ast::BackendRef],
    endpoints: &HashMap<&str, usize>,
    out: &mut Vec<Hint>,
) {
    let weight = |r: &crate::syntax::ast::BackendRef| r.weight.as_ref().map_or(1, |w| w.value);
    let total: u64 = refs.iter().map(weight).sum();
    if total == 0 {
        return;
    }
    for r in refs {
        let share = weight(r) as f64 / total as f64;
        let endpoints = endpoints.get(r.service.text.as_str()).copied().unwrap_or(1);
        let label = if endpoints > 1 {
            format!("= {endpoints} × {} %", percent(share / endpoints as f64))
        } else if refs.len() > 1 {
            format!("= {} %", percent(share))
        } else {
            continue;
        };
        out.push(Hint {
            after: r.span,
            label,
        });
    }
}
