//! `egwc import --from manifests`: Gateway API objects (and the Services, EndpointSlices,
//! ConfigMaps, Envoy Gateway Backends and Istio ServiceEntries behind them) as `.egw`.
//!
//! Each backend object becomes a service. Services that egwc makes from one balanced service
//! (`pve-0`, `pve-1`, … that every rule names together with equal weights) are folded back
//! into one. ReferenceGrants are dropped when an imported reference needs them, as egwc
//! writes those itself. What has no `.egw` form is a warning with its object and field.

mod fold;
mod objects;
mod routes;
mod write;

use std::collections::HashMap;

use fold::{fold, host_rewrites};
use objects::{backend, collect, endpoint_slice, gateway, policy};
use routes::{grant, route};
use write::{route_block, service};

use super::draft::{Block, Draft, duration, quote};
use super::rules::{self, Condition};
use super::yaml::{Node, Notes, Obj, Value};

const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";
const ENVOY_GROUP: &str = crate::emit::api::ENVOY_GROUP;
const ENVOY_H2C: &str = crate::emit::api::ENVOY_H2C;
const ISTIO_GROUP: &str = "networking.istio.io";

/// Metadata fields the API server writes: not part of a configuration.
const SERVER_FIELDS: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
];
/// Labels and annotations egwc writes itself: dropped, as the build writes them again.
const DERIVED_LABELS: &[&str] = &[
    "app.kubernetes.io/managed-by",
    "endpointslice.kubernetes.io/managed-by",
    "kubernetes.io/service-name",
];
const DERIVED_ANNOTATIONS: &[&str] = &[
    "egwc/source",
    "egwc/description",
    "kubectl.kubernetes.io/last-applied-configuration",
    "konghq.com/protocol",
];

/// An object of the input: its kind, namespace, name and the mapping to read it from.
struct Object<'a> {
    file: String,
    group: String,
    kind: String,
    ns: String,
    name: String,
    o: Obj<'a>,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
    description: Option<String>,
}

impl Object<'_> {
    fn what(&self) -> String {
        format!("{} {}/{}", self.kind, self.ns, self.name)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Protocol {
    Http,
    H2c,
    Tcp,
    Udp,
}

#[derive(Clone, PartialEq, Debug)]
struct Tls {
    hostname: Option<String>,
    /// CA ConfigMaps; empty: the system's CAs.
    ca: Vec<String>,
    sans: Vec<String>,
}

/// A backend object: a Service (ExternalName, or selectorless with EndpointSlices), an Envoy
/// Gateway Backend or an Istio ServiceEntry.
struct Backend {
    file: String,
    group: &'static str,
    kind: &'static str,
    ns: String,
    name: String,
    line: u64,
    /// `host` (an address or a DNS name) and port.
    endpoints: Vec<(String, i64)>,
    /// The Service's port, when it differs from the endpoints'.
    port: i64,
    protocol: Protocol,
    tls: Option<Tls>,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
    description: Option<String>,
    /// For a service folded from `name-0`, `name-1`, …: each endpoint's certificate name.
    as_names: Vec<Option<String>>,
    /// Folded into the backend of this index.
    folded: Option<usize>,
    /// Used by a route as an L4 backend.
    l4: Option<Protocol>,
    /// Folded from `name-0`, `name-1`, …: balanced.
    balanced: bool,
}

impl Backend {
    fn is_dns(&self) -> bool {
        self.endpoints
            .iter()
            .any(|(h, _)| h.parse::<std::net::IpAddr>().is_err())
    }
}

/// Where a backend reference leads: an imported backend, or a name that is not in the input.
#[derive(Clone, PartialEq, Debug)]
enum Target {
    Backend(usize),
    Missing(String),
}

/// A mirror's share: a percentage, or a fraction.
#[derive(Clone, PartialEq, Debug)]
struct Mirror {
    target: Target,
    numerator: u64,
    denominator: u64,
}

struct RuleDraft {
    comments: Vec<String>,
    matches: Vec<String>,
    backends: Vec<(Target, u64)>,
    mirrors: Vec<Mirror>,
    /// Header edits, rewrites, redirects and the timeout, as `.egw` lines.
    lines: Vec<String>,
    rewrite_host: Option<String>,
    /// `path "/p"` or `path prefix "/p"` of a URLRewrite.
    rewrite_path: Option<String>,
}

struct RouteDraft {
    keyword: &'static str,
    name: String,
    ns: String,
    parents: Vec<String>,
    hosts: Vec<String>,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
    rules: Vec<RuleDraft>,
}

pub fn import(documents: &[(String, Node)], notes: &Notes, files: bool) -> Result<Draft, String> {
    let mut objects = Vec::new();
    for (file, node) in documents {
        notes.file(file);
        collect(file, node, &mut objects, notes).map_err(|e| format!("{file}: {e}"))?;
    }
    // Each object's errors name its file.
    let in_file = |ob: &Object, e: String| format!("{}: {e}", ob.file);
    let mut configmaps: HashMap<(String, String), String> = HashMap::new();
    let mut slices: HashMap<(String, String), Vec<(String, i64)>> = HashMap::new();
    for ob in &objects {
        notes.file(&ob.file);
        match (ob.group.as_str(), ob.kind.as_str()) {
            ("", "ConfigMap") => {
                let data = ob.o.string_map("data").map_err(|e| in_file(ob, e))?;
                if let Some((_, pem)) = data.iter().find(|(k, _)| k == "ca.crt") {
                    configmaps.insert((ob.ns.clone(), ob.name.clone()), pem.clone());
                }
                ob.o.skip(&["data"]);
            }
            ("discovery.k8s.io", "EndpointSlice") => {
                endpoint_slice(ob, &mut slices).map_err(|e| in_file(ob, e))?;
            }
            _ => {}
        }
    }
    let mut backends: Vec<Backend> = Vec::new();
    for ob in &objects {
        notes.file(&ob.file);
        let Some(b) = backend(ob, &slices, notes).map_err(|e| in_file(ob, e))? else {
            continue;
        };
        if let Some(first) = backends.iter().find(|x| x.name == b.name) {
            notes.warn(
                b.line,
                ob.what(),
                format!(
                    "a service of this name is imported from namespace {}, and .egw names are \
unique across namespaces: not imported",
                    first.ns
                ),
            );
            continue;
        }
        backends.push(b);
    }
    let mut used_configmaps = Vec::new();
    for ob in objects.iter().filter(|o| o.kind == "BackendTLSPolicy") {
        notes.file(&ob.file);
        policy(ob, &mut backends, &mut used_configmaps, notes).map_err(|e| in_file(ob, e))?;
    }
    let namespace = common_namespace(&objects);
    let mut draft = Draft::default();
    if namespace != "default" {
        draft.namespace = Some(namespace.clone());
    }
    let mut listeners: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    for ob in objects.iter().filter(|o| o.kind == "Gateway") {
        notes.file(&ob.file);
        if listeners.contains_key(&ob.name) {
            notes.warn(
                ob.o.line(),
                ob.what(),
                "a gateway of this name is imported already, and .egw names are unique across \
namespaces: not imported",
            );
            continue;
        }
        let (block, ports) = gateway(ob, notes).map_err(|e| in_file(ob, e))?;
        listeners.insert(ob.name.clone(), ports);
        draft.gateways.push(placed(block, &ob.ns, &namespace));
    }
    let mut routes: Vec<RouteDraft> = Vec::new();
    for ob in &objects {
        notes.file(&ob.file);
        let keyword = match (ob.group.as_str(), ob.kind.as_str()) {
            (GATEWAY_GROUP, "HTTPRoute") => "",
            (GATEWAY_GROUP, "GRPCRoute") => "grpc",
            (GATEWAY_GROUP, "TCPRoute") => "tcp",
            (GATEWAY_GROUP, "UDPRoute") => "udp",
            (GATEWAY_GROUP, "TLSRoute") => "tls",
            _ => continue,
        };
        if routes
            .iter()
            .any(|r| r.name == ob.name && r.keyword == keyword)
        {
            notes.warn(
                ob.o.line(),
                ob.what(),
                "a route of this kind and name is imported already, and .egw names are unique \
across namespaces: not imported",
            );
            continue;
        }
        let r = route(ob, keyword, &mut backends, &listeners, notes).map_err(|e| in_file(ob, e))?;
        routes.push(r);
    }
    for ob in objects.iter().filter(|o| o.kind == "ReferenceGrant") {
        notes.file(&ob.file);
        grant(ob, &objects, &routes, &backends, notes).map_err(|e| in_file(ob, e))?;
    }
    for ob in objects.iter().filter(|o| o.kind == "ConfigMap") {
        if !used_configmaps.contains(&(ob.ns.clone(), ob.name.clone())) {
            notes.file(&ob.file);
            notes.warn(
                ob.o.line(),
                ob.what(),
                "no imported BackendTLSPolicy names it: not imported",
            );
        }
    }
    for ob in &objects {
        notes.file(&ob.file);
        ob.o.rest(notes, "this field");
    }
    fold(&mut backends, &mut routes);
    let keeps_host = host_rewrites(&backends, &mut routes);
    // In input order; a folded service where its first member was.
    let mut order: Vec<usize> = Vec::new();
    for (i, b) in backends.iter().enumerate() {
        let at = b.folded.unwrap_or(i);
        if !order.contains(&at) && (b.folded.is_some() || !b.balanced) {
            order.push(at);
        }
    }
    for i in order {
        let b = &backends[i];
        notes.file(&b.file);
        let block = service(b, keeps_host[i], &configmaps, files, &mut draft.files);
        draft.services.push(placed(block, &b.ns, &namespace));
    }
    for r in &routes {
        draft
            .routes
            .push(placed(route_block(r, &backends), &r.ns, &namespace));
    }
    Ok(draft)
}

/// A block with its `namespace` line when it is not in the file's namespace.
fn placed(mut block: Block, ns: &str, file_namespace: &str) -> Block {
    if ns != file_namespace {
        block.items.insert(
            0,
            crate::import::draft::Item::Line {
                comments: Vec::new(),
                text: format!("namespace {}", quote(ns)),
            },
        );
    }
    block
}

/// The namespace most objects are in: the file's.
fn common_namespace(objects: &[Object]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for o in objects {
        match counts.iter_mut().find(|(ns, _)| *ns == o.ns) {
            Some(c) => c.1 += 1,
            None => counts.push((o.ns.clone(), 1)),
        }
    }
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map_or("default".to_string(), |(ns, _)| ns)
}
