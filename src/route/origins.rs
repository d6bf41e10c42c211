//! What the objects came from, for answers about `.egw` input: each rule's `file:line`, and
//! the egwc service behind each backend object, so that an answer names the user's services
//! (a balanced service is one Kubernetes Service per endpoint) with the per-endpoint split
//! below each.

use std::collections::HashMap;

use super::{Answer, Backend, Endpoint};
use crate::emit::api;
use crate::ir::Model;
use crate::source::SourceMap;

#[derive(Clone, Debug, Default)]
pub struct Origins {
    /// `namespace/name` of a route → the `file:line` of each of its rules.
    rules: HashMap<String, Vec<String>>,
    /// A backend as a backendRef names it (`namespace/name`, as [`Answer`] gives it) → the
    /// egwc service it belongs to.
    backends: HashMap<String, Origin>,
}

#[derive(Clone, Debug)]
struct Origin {
    /// `namespace/name` of the egwc service.
    service: String,
    /// The endpoints the object sends to, as written.
    endpoints: String,
    /// Whether the service is more than this one object.
    split: bool,
    /// Where the service is defined, `file:line`.
    location: String,
}

impl Origins {
    pub fn new(model: &Model, sources: &SourceMap) -> Origins {
        let mut o = Origins::default();
        let mut services = HashMap::new();
        for s in &model.services {
            for b in &s.backends {
                let origin = Origin {
                    service: format!("{}/{}", s.meta.namespace, s.meta.name),
                    endpoints: b.endpoints.join(", "),
                    split: s.backends.len() > 1,
                    location: sources.location(s.meta.origin),
                };
                services.insert((s.meta.namespace.as_str(), b.name.as_str()), origin);
            }
        }
        for r in &model.routes {
            let namespace = &r.meta.namespace;
            let lines = r.rules.iter().map(|rule| sources.location(rule.origin));
            o.rules
                .insert(format!("{namespace}/{}", r.meta.name), lines.collect());
            for rule in &r.rules {
                let mirrored = rule.filters.mirrors.iter().map(|m| &m.backend);
                for b in rule.backends.iter().chain(mirrored) {
                    let key = (b.service.namespace.as_str(), b.service.name.as_str());
                    let Some(origin) = services.get(&key) else {
                        continue;
                    };
                    let (name, ns) = api::name_in(b, namespace);
                    let ns = ns.as_deref().unwrap_or(namespace);
                    o.backends.insert(format!("{ns}/{name}"), origin.clone());
                }
            }
        }
        o
    }

    /// The `file:line` of rule `rule` of route `namespace/name`.
    pub fn rule_source(&self, route: &str, rule: usize) -> Option<&str> {
        self.rules.get(route)?.get(rule).map(String::as_str)
    }

    /// The egwc service (`namespace/name`) of a backend as a backendRef names it, and where
    /// that service is defined.
    pub fn service(&self, backend: &str) -> Option<(&str, &str)> {
        self.backends
            .get(backend)
            .map(|o| (o.service.as_str(), o.location.as_str()))
    }

    /// Rewrites answers about the objects into answers about the `.egw` they came from: the
    /// rule's source, and backends per egwc service, in the order they first appear.
    pub fn apply(&self, answers: &mut [Answer]) {
        for a in answers {
            if let (Some(route), Some(rule)) = (&a.route, a.rule_index)
                && let Some(line) = self.rules.get(route).and_then(|lines| lines.get(rule))
            {
                a.source = Some(line.clone());
            }
            let mut grouped: Vec<Backend> = Vec::new();
            for b in std::mem::take(&mut a.backends) {
                let Some(origin) = self.backends.get(&b.name) else {
                    grouped.push(b);
                    continue;
                };
                let at = match grouped.iter().position(|g| g.name == origin.service) {
                    Some(at) => at,
                    None => {
                        grouped.push(Backend {
                            name: origin.service.clone(),
                            share: 0.0,
                            invalid: None,
                            endpoints: Vec::new(),
                        });
                        grouped.len() - 1
                    }
                };
                let g = &mut grouped[at];
                g.share += b.share;
                g.invalid = g.invalid.take().or(b.invalid);
                if origin.split {
                    g.endpoints.push(Endpoint {
                        object: b.name,
                        address: origin.endpoints.clone(),
                        share: b.share,
                    });
                }
            }
            a.backends = grouped;
            // Mirrors to a balanced service's objects: one copy, to the service.
            let mut mirrors: Vec<super::filters::Mirror> = Vec::new();
            for m in std::mem::take(&mut a.mirrors) {
                let name = self
                    .backends
                    .get(&m.name)
                    .map_or(m.name.clone(), |o| o.service.clone());
                match mirrors.iter_mut().find(|x| x.name == name) {
                    Some(x) => x.share += m.share,
                    None => mirrors.push(super::filters::Mirror {
                        name,
                        share: m.share,
                    }),
                }
            }
            a.mirrors = mirrors;
        }
    }
}
