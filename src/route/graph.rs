//! `egwc graph`: the routing as a picture, gateway → listener → route → rule (its matches on
//! the edge) → backend (the traffic share on the edge) → where the backend leads (addresses,
//! an external name), in Mermaid or Graphviz dot. Read from the emitted objects, like the
//! matcher.

use std::collections::BTreeMap;
use std::fmt::Write;

use gateway_api::httproutes::{HttpRouteRulesMatches, HttpRouteRulesMatchesPathType};

use super::Objects;
use crate::emit::Manifest;
use crate::ir::RouteKind;

/// The output format of `egwc graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// A graph: nodes by id (with their labels), and edges with optional labels, in order.
#[derive(Default)]
struct Graph {
    nodes: BTreeMap<String, String>,
    edges: Vec<(String, String, Option<String>)>,
}

impl Graph {
    fn node(&mut self, id: String, label: String) -> String {
        self.nodes.entry(id.clone()).or_insert(label);
        id
    }

    fn edge(&mut self, from: &str, to: &str, label: Option<String>) {
        self.edges.push((from.to_string(), to.to_string(), label));
    }
}

/// The graph of `manifests` in `format`.
pub fn graph(manifests: &[Manifest], format: GraphFormat) -> String {
    let objects = Objects::from_manifests(manifests.iter().cloned());
    let mut g = Graph::default();
    let leads = leads(manifests);
    for gw in &objects.gateways {
        let ns = gw.metadata.namespace.as_deref().unwrap_or_default();
        let name = gw.metadata.name.as_deref().unwrap_or_default();
        let gid = g.node(id(&["g", ns, name]), format!("gateway {ns}/{name}"));
        for l in &gw.spec.listeners {
            let host = l.hostname.as_deref().unwrap_or("*");
            let lid = g.node(
                id(&["l", ns, name, &l.name]),
                format!("{} {} :{} {host}", l.name, l.protocol, l.port),
            );
            g.edge(&gid, &lid, None);
            // HTTP routes on HTTP and HTTPS listeners, the other kinds where they fit.
            let http = matches!(l.protocol.as_str(), "HTTP" | "HTTPS");
            let routes = objects
                .routes
                .iter()
                .filter(|_| http)
                .map(|r| (RouteKind::Http.keyword(), "r", r, None))
                .chain(
                    objects
                        .other_routes
                        .iter()
                        .filter(|o| o.fits(&l.protocol))
                        .map(|o| (o.kind.keyword(), "o", &o.route, Some(&o.rule_matches))),
                );
            for (word, prefix, r, rule_matches) in routes {
                if !super::attaches(r, ns, name, &l.name, l.port) {
                    continue;
                }
                let rns = r.metadata.namespace.as_deref().unwrap_or_default();
                let rname = r.metadata.name.as_deref().unwrap_or_default();
                let hosts = r.spec.hostnames.as_deref().unwrap_or_default().join(" ");
                let rid = g.node(
                    id(&[prefix, rns, rname]),
                    format!("{word} {rns}/{rname} {hosts}")
                        .trim_end()
                        .to_string(),
                );
                g.edge(&lid, &rid, None);
                for (i, rule) in r.spec.rules.iter().flatten().enumerate() {
                    // HTTP routes' ids as before other kinds were drawn.
                    let index = i.to_string();
                    let parts: &[&str] = if prefix == "r" {
                        &["u", rns, rname, &index]
                    } else {
                        &["u", prefix, rns, rname, &index]
                    };
                    let uid = g.node(id(parts), format!("rule {i}"));
                    let label = match rule_matches {
                        Some(texts) => texts.get(i).cloned().unwrap_or_default(),
                        None => matches(rule.matches.as_deref()),
                    };
                    g.edge(&rid, &uid, Some(label));
                    rule_backends(&mut g, &uid, rns, rule, &leads);
                }
            }
        }
    }
    render(&g, format)
}

fn rule_backends(
    g: &mut Graph,
    rule: &str,
    namespace: &str,
    r: &gateway_api::httproutes::HttpRouteRules,
    leads: &BTreeMap<String, Vec<String>>,
) {
    let refs = r.backend_refs.as_deref().unwrap_or_default();
    for (b, share) in refs.iter().zip(super::shares(r)) {
        let ns = b.namespace.as_deref().unwrap_or(namespace);
        let name = format!("{ns}/{}", b.name);
        let bid = g.node(id(&["b", ns, &b.name]), format!("backend {name}"));
        let share = super::percent(share);
        g.edge(rule, &bid, Some(format!("{share}%")));
        for (i, lead) in leads.get(&name).into_iter().flatten().enumerate() {
            let eid = g.node(id(&["e", ns, &b.name, &i.to_string()]), lead.clone());
            g.edge(&bid, &eid, None);
        }
    }
}

/// Where each backend object (`namespace/name`) leads: its EndpointSlices' addresses, its
/// external name, or its FQDN endpoints.
fn leads(manifests: &[Manifest]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let key =
        |ns: &Option<String>, name: &str| format!("{}/{name}", ns.as_deref().unwrap_or_default());
    for m in manifests {
        match m {
            Manifest::EndpointSlice(s) => {
                let Some(service) = s
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("kubernetes.io/service-name"))
                else {
                    continue;
                };
                let port = s
                    .ports
                    .iter()
                    .flatten()
                    .find_map(|p| p.port)
                    .map_or(String::new(), |p| format!(":{p}"));
                let entry = out.entry(key(&s.metadata.namespace, service)).or_default();
                for e in s.endpoints.iter().flatten() {
                    for a in &e.addresses {
                        entry.push(if a.contains(':') {
                            format!("[{a}]{port}")
                        } else {
                            format!("{a}{port}")
                        });
                    }
                }
            }
            Manifest::Service(s) => {
                let name = s.metadata.name.as_deref().unwrap_or_default();
                if let Some(host) = s.spec.as_ref().and_then(|spec| spec.external_name.clone()) {
                    out.entry(key(&s.metadata.namespace, name))
                        .or_default()
                        .push(host);
                }
            }
            Manifest::EnvoyBackend(b) => {
                let name = b.metadata.name.as_deref().unwrap_or_default();
                for e in &b.spec.endpoints {
                    out.entry(key(&b.metadata.namespace, name))
                        .or_default()
                        .push(format!("{}:{}", e.fqdn.hostname, e.fqdn.port));
                }
            }
            _ => {}
        }
    }
    out
}

/// A rule's matches as an edge label: each match's path, method, headers and query, `or`ed.
fn matches(list: Option<&[HttpRouteRulesMatches]>) -> String {
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        return "any".to_string();
    };
    list.iter().map(match_text).collect::<Vec<_>>().join(" or ")
}

/// One match as people read it: its path, method, headers and query; `any` when empty.
pub fn match_text(m: &HttpRouteRulesMatches) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &m.path {
        let value = p.value.as_deref().unwrap_or("/");
        parts.push(match p.r#type {
            Some(HttpRouteRulesMatchesPathType::Exact) => format!("= {value}"),
            Some(HttpRouteRulesMatchesPathType::RegularExpression) => format!("~ {value}"),
            _ => value.to_string(),
        });
    }
    if let Some(method) = &m.method {
        parts.push(super::method_name(method).to_string());
    }
    for h in m.headers.iter().flatten() {
        parts.push(format!("{}: {}", h.name, h.value));
    }
    for q in m.query_params.iter().flatten() {
        parts.push(format!("?{}={}", q.name, q.value));
    }
    if parts.is_empty() {
        "any".to_string()
    } else {
        parts.join(" ")
    }
}

/// A node id: the parts, with every character that is not a letter or digit as `_`.
fn id(parts: &[&str]) -> String {
    parts
        .join("_")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A label in double quotes, with its quotes escaped as each format wants them.
fn quoted(label: &str, format: GraphFormat) -> String {
    match format {
        GraphFormat::Mermaid => format!("\"{}\"", label.replace('"', "#quot;")),
        GraphFormat::Dot => format!("\"{}\"", label.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

fn render(g: &Graph, format: GraphFormat) -> String {
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => {
            out.push_str("flowchart LR\n");
            for (id, label) in &g.nodes {
                let _ = writeln!(out, "  {id}[{}]", quoted(label, format));
            }
            for (from, to, label) in &g.edges {
                let _ = match label {
                    Some(l) => writeln!(out, "  {from} -->|{}| {to}", quoted(l, format)),
                    None => writeln!(out, "  {from} --> {to}"),
                };
            }
        }
        GraphFormat::Dot => {
            out.push_str("digraph egwc {\n  rankdir=LR;\n  node [shape=box];\n");
            for (id, label) in &g.nodes {
                let _ = writeln!(out, "  {id} [label={}];", quoted(label, format));
            }
            for (from, to, label) in &g.edges {
                let _ = match label {
                    Some(l) => writeln!(out, "  {from} -> {to} [label={}];", quoted(l, format)),
                    None => writeln!(out, "  {from} -> {to};"),
                };
            }
            out.push_str("}\n");
        }
    }
    out
}
