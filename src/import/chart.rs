//! `egwc import --from chart`: the values.yaml of the "External Gateway Load Balancer" Helm
//! chart, read with the meaning the chart intends (docs/import.md). Where what the chart
//! renders differs from what the `.egw` builds (its defects, `../shared/design/peers-baseline.md`
//! §1.3), a note names the value and the difference.

use super::draft::{Block, Draft, quote};
use super::rules::{self, Condition};
use super::yaml::{Node, Notes, Obj};
use crate::check::validate;

/// The chart's defaults when `gateway` is absent (its templates/gateway.yaml).
const GENERATED_GATEWAY: &str = "external-gateway";
const GENERATED_CLASS: &str = "cilium";
const GENERATED_CERT: &str = "gateway-cert";

/// One `externalServices[]` entry, as far as routes need it.
struct Service {
    name: String,
    /// Its `.egw` name (the name, unless that is no RFC 1035 label).
    egw_name: String,
    /// The endpoints the chart balances over (1 when it does not).
    balanced_endpoints: usize,
    port: Option<i64>,
}

pub fn import(values: &Node, file: &str, notes: &Notes) -> Result<Draft, String> {
    let top = Obj::new(values, "");
    let mut draft = Draft {
        header: vec![
            format!("Imported by `egwc import` from {file},"),
            "the values of the External Gateway Load Balancer chart. Without a `namespace`,".into(),
            "the chart installs into the Helm release's namespace; this file uses \"default\""
                .into(),
            "unless you write `namespace`.".into(),
        ],
        ..Draft::default()
    };
    let global = top.obj("global")?;
    if let Some(g) = &global {
        draft.namespace = g.str("namespace")?.map(str::to_string);
        g.rest(notes, "this value");
    }
    let labels = top.string_map("labels")?;
    let annotations = top.string_map("annotations")?;

    let mut services = Vec::new();
    let mut protocols = Vec::new();
    for s in top.objs("externalServices")? {
        let (block, service, protocol) = service(&s, &labels, &annotations, notes)?;
        draft.services.push(block);
        services.push(service);
        if !protocols.contains(&protocol) {
            protocols.push(protocol);
        }
        s.rest(notes, "this value");
    }

    let gateway_name = match top.obj("gateway")? {
        Some(g) if g.get("name").is_some() => {
            let (block, name) = gateway(&g, &labels, &annotations, notes)?;
            draft.gateways.push(block);
            g.rest(notes, "this value");
            name
        }
        _ => {
            draft
                .gateways
                .push(generated_gateway(&protocols, &labels, &annotations));
            GENERATED_GATEWAY.to_string()
        }
    };

    let routes = top.objs("routes")?;
    if routes.is_empty() {
        for s in &services {
            draft
                .routes
                .push(generated_route(s, &gateway_name, &labels, &annotations));
        }
        if gateway_name != GENERATED_GATEWAY && !services.is_empty() {
            notes.note(
                top.get("gateway").map_or(0, |g| g.line),
                "gateway.name",
                format!(
                    "the chart's generated routes attach to `{GENERATED_GATEWAY}`, which it does \
not create when `gateway` is given; the .egw attaches them to `{gateway_name}`"
                ),
            );
        }
    }
    for r in &routes {
        draft.routes.push(route(
            r,
            &gateway_name,
            top.get("gateway").is_some(),
            &services,
            &labels,
            &annotations,
            notes,
        )?);
        r.rest(notes, "this value");
    }
    top.skip(&[
        "externalServices",
        "gateway",
        "routes",
        "labels",
        "annotations",
        "global",
    ]);
    top.rest(notes, "this value");
    Ok(draft)
}

/// Object metadata: the chart's global labels and annotations, then the object's own.
fn metadata(
    block: &mut Block,
    o: &Obj,
    labels: &[(String, String)],
    annotations: &[(String, String)],
) -> Result<bool, String> {
    let mut l = labels.to_vec();
    merge(&mut l, o.string_map("labels")?);
    let mut a = annotations.to_vec();
    merge(&mut a, o.string_map("annotations")?);
    block.metadata(&l, &a);
    Ok(!a.is_empty())
}

fn merge(into: &mut Vec<(String, String)>, from: Vec<(String, String)>) {
    for (k, v) in from {
        match into.iter_mut().find(|(key, _)| *key == k) {
            Some(entry) => entry.1 = v,
            None => into.push((k, v)),
        }
    }
}

fn service(
    s: &Obj,
    labels: &[(String, String)],
    annotations: &[(String, String)],
    notes: &Notes,
) -> Result<(Block, Service, String), String> {
    let name = s.required_str("name")?;
    let egw_name = super::name(name, s, notes);
    let mut block = Block::new(format!("service {egw_name}"));
    if let Some(ns) = s.str("namespace")? {
        block.line(format!("namespace {}", quote(ns)));
    }
    let endpoints = s.strs("endpoints")?;
    if endpoints.is_empty() {
        return Err(format!(
            "line {}: {} needs at least one endpoint",
            s.line(),
            s.field("endpoints")
        ));
    }
    let balance = s.bool("loadBalanceAcrossEndpoints")?.unwrap_or(true);
    let used: &[&str] = if balance { &endpoints } else { &endpoints[..1] };
    if !balance && endpoints.len() > 1 {
        let line = s.get("loadBalanceAcrossEndpoints").map_or(0, |n| n.line);
        notes.note(
            line,
            s.field("loadBalanceAcrossEndpoints"),
            format!(
                "false: the chart still makes {name}-0 … {name}-{} (Sprig's `default` reads false \
as unset); the .egw uses the first endpoint only, as false means",
                endpoints.len() - 1
            ),
        );
        block.noted_line(
            format!(
                "loadBalanceAcrossEndpoints: false, so only the first endpoint; the chart's others: {}",
                endpoints[1..].join(", ")
            ),
            format!("endpoint {}", quote(endpoints[0])),
        );
    } else {
        let words: Vec<String> = used.iter().map(|e| quote(e)).collect();
        let keyword = if words.len() == 1 {
            "endpoint"
        } else {
            "endpoints"
        };
        block.line(format!("{keyword} {}", words.join(" ")));
    }
    for e in used {
        if let Ok((validate::Host::Dns(host), Some(port))) = validate::endpoint(e) {
            notes.note(
                s.get("endpoints").map_or(0, |n| n.line),
                s.field("endpoints"),
                format!(
                    "{e:?}: the chart writes `externalName: {e}`, which the API server refuses (not \
a DNS name); the .egw reaches {host} on port {port}"
                ),
            );
        }
    }
    let protocol = s.str("protocol")?.unwrap_or("HTTP");
    let protocol = rules::word(s, "protocol", protocol)?.to_string();
    if protocol != "HTTP" {
        block.line(format!("protocol {protocol}"));
    }
    let port = s.int("port")?;
    // What the .egw's port is without a `port` line: the first endpoint's, else the
    // protocol's.
    let derived = validate::endpoint(used[0])
        .ok()
        .and_then(|(_, p)| p)
        .unwrap_or(if protocol == "HTTPS" { 443 } else { 80 });
    if let Some(p) = port.filter(|p| u64::try_from(*p).ok() != Some(derived)) {
        block.line(format!("port {p}"));
    }
    // The chart forwards the client's Host; egwc would send a DNS endpoint's own name.
    let dns = used
        .iter()
        .any(|e| matches!(validate::endpoint(e), Ok((validate::Host::Dns(_), _))));
    if dns {
        block.noted_line(
            "as the chart does: requests keep the client's Host (egwc would send the endpoint's name)",
            "rewrite host off",
        );
    }
    let description = s.str("description")?;
    if let Some(d) = description {
        block.line(format!("description {}", quote(d)));
    }
    let annotated = metadata(&mut block, s, labels, annotations)?;
    if description.is_some() && !annotated {
        notes.note(
            s.get("description").map_or(0, |n| n.line),
            s.field("description"),
            "the chart writes the description only when some annotation is set; the .egw always \
writes it (annotation egwc/description)",
        );
    }
    let service = Service {
        name: name.to_string(),
        egw_name,
        balanced_endpoints: used.len(),
        port,
    };
    Ok((block, service, protocol))
}

fn gateway(
    g: &Obj,
    labels: &[(String, String)],
    annotations: &[(String, String)],
    notes: &Notes,
) -> Result<(Block, String), String> {
    let name = g.required_str("name")?;
    let mut block = Block::new(format!("gateway {}", super::name(name, g, notes)));
    if let Some(ns) = g.str("namespace")? {
        block.line(format!("namespace {}", quote(ns)));
    }
    block.line(format!(
        "class {}",
        quote(g.str("className")?.unwrap_or(GENERATED_CLASS))
    ));
    metadata(&mut block, g, labels, annotations)?;
    for l in g.objs("listeners")? {
        if let Some((listener, _, _)) = rules::listener(&l, notes, "this value")? {
            block.block(listener);
        }
    }
    Ok((block, name.to_string()))
}

fn generated_gateway(
    protocols: &[String],
    labels: &[(String, String)],
    annotations: &[(String, String)],
) -> Block {
    let mut block = Block::new(format!("gateway {GENERATED_GATEWAY}"));
    block.comments.push(
        "values.yaml has no `gateway`: the one the chart generates, with a listener per protocol \
of the services"
            .into(),
    );
    block.line(format!("class {}", quote(GENERATED_CLASS)));
    block.metadata(labels, annotations);
    if protocols.iter().any(|p| p == "HTTP") {
        block.line("listener http { port 80 protocol HTTP }");
    }
    if protocols.iter().any(|p| p == "HTTPS") {
        block.line(format!(
            "listener https {{ port 443 protocol HTTPS tls {{ cert {} }} }}",
            quote(GENERATED_CERT)
        ));
    }
    block
}

fn generated_route(
    s: &Service,
    gateway: &str,
    labels: &[(String, String)],
    annotations: &[(String, String)],
) -> Block {
    let mut block = Block::new(format!(
        "route {}",
        super::label(&format!("{}-route", s.name))
    ));
    block.comments.push(format!(
        "values.yaml has no `routes`: the route the chart generates for service {}",
        s.name
    ));
    block.line(format!("on {gateway}"));
    block.line(format!("host {}", quote(&format!("{}.local", s.name))));
    block.metadata(labels, annotations);
    block.line(format!("rule {{ -> {} }}", s.egw_name));
    block
}

fn route(
    r: &Obj,
    gateway: &str,
    gateway_given: bool,
    services: &[Service],
    labels: &[(String, String)],
    annotations: &[(String, String)],
    notes: &Notes,
) -> Result<Block, String> {
    let name = r.required_str("name")?;
    let mut block = Block::new(format!("route {}", super::name(name, r, notes)));
    if let Some(ns) = r.str("namespace")? {
        block.line(format!("namespace {}", quote(ns)));
    }
    let parent = match r.str("gateway")? {
        Some(g) => g.to_string(),
        None => {
            if !gateway_given {
                notes.note(
                    r.line(),
                    r.field("gateway"),
                    "absent, and values.yaml has no `gateway`: the chart fails to render (nil \
pointer evaluating .namespace); the .egw attaches the route to the generated gateway",
                );
            }
            gateway.to_string()
        }
    };
    block.line(format!("on {}", super::label(&parent)));
    let hosts: Vec<String> = r.strs("hostnames")?.iter().map(|h| quote(h)).collect();
    if !hosts.is_empty() {
        block.line(format!("host {}", hosts.join(" ")));
    }
    let annotated = metadata(&mut block, r, labels, annotations)?;
    // The chart writes a route's description as its `description` annotation.
    if let Some(d) = r.str("description")? {
        block.line(format!("annotation \"description\" = {}", quote(d)));
        if !annotated {
            notes.note(
                r.get("description").map_or(0, |n| n.line),
                r.field("description"),
                "the chart writes the description only when some annotation is set; the .egw \
always writes it (annotation description)",
            );
        }
    }
    for rule in r.objs("rules")? {
        block.block(route_rule(&rule, services, notes)?);
        rule.rest(notes, "this value");
    }
    Ok(block)
}

fn route_rule(rule: &Obj, services: &[Service], notes: &Notes) -> Result<Block, String> {
    let mut block = Block::new("rule");
    for m in rule.objs("matches")? {
        let mut conditions = Vec::new();
        if let Some(p) = m.obj("path")? {
            conditions.push(Condition::path(&p)?);
            p.rest(notes, "this value");
        }
        if let Some(method) = m.str("method")? {
            conditions.push(Condition::Method(
                rules::word(&m, "method", method)?.to_string(),
            ));
        }
        let headers = m.objs("headers")?;
        for h in &headers {
            conditions.push(Condition::header(h, "header")?);
            h.rest(notes, "this value");
        }
        if m.get("path").is_some() && !headers.is_empty() {
            notes.note(
                m.line(),
                m.field("headers"),
                "the chart renders these headers inside `path` (its template is mis-indented), so \
it loses the header match; the .egw keeps it",
            );
        }
        m.rest(notes, "this value");
        block.line(rules::match_line(&conditions));
    }
    let mut refs = Vec::new();
    for b in rule.objs("backendRefs")? {
        if let Some(address) = b.str("address")? {
            notes.note(
                b.get("address").map_or(0, |n| n.line),
                b.field("address"),
                format!(
                    "{address:?}: `address` is not a Gateway API field, and the API server \
refuses the chart's route; the .egw routes to the service by name"
                ),
            );
        }
        let Some(name) = b.str("name")? else {
            notes.warn(
                b.line(),
                b.path.clone(),
                "a backend without `name`: not imported",
            );
            continue;
        };
        let weight = b.int("weight")?;
        let port = b.int("port")?;
        let known = services.iter().find(|s| s.name == name);
        match known {
            None if !services.is_empty() => notes.note(
                b.line(),
                b.field("name"),
                format!(
                    "{name:?} is not in externalServices: the chart routes to {name}-0 … with the \
first service's endpoint count and no error; `egwc check` reports it"
                ),
            ),
            Some(s) if port.is_some() && s.port.is_some() && port != s.port => notes.note(
                b.line(),
                b.field("port"),
                format!(
                    "{}: the .egw routes to the service's port {}",
                    port.unwrap_or_default(),
                    s.port.unwrap_or_default()
                ),
            ),
            _ => {}
        }
        refs.push((
            name.to_string(),
            weight,
            known.map_or(1, |s| s.balanced_endpoints),
        ));
        b.skip(&["port"]);
        b.rest(notes, "this value");
    }
    if refs.is_empty() {
        return Ok(block);
    }
    chart_weights(rule, &refs, notes);
    let backends: Vec<(String, Option<u64>)> = refs
        .iter()
        .map(|(n, w, _)| (n.clone(), w.map(|w| w.max(0) as u64)))
        .collect();
    block.line(rules::backends_line(&backends));
    Ok(block)
}

/// Defect 4 (and the integer division of 100 ÷ n): the chart gives every endpoint of a
/// balanced service the weight written for the service, or 100 ÷ n when none is, so the
/// shares it renders differ from the written ones.
fn chart_weights(rule: &Obj, refs: &[(String, Option<i64>, usize)], notes: &Notes) {
    let chart: Vec<f64> = refs
        .iter()
        .map(|(_, w, n)| match w {
            Some(w) => (*w as f64) * (*n as f64),
            None => ((100 / *n) * *n) as f64,
        })
        .collect();
    let written: Vec<f64> = refs.iter().map(|(_, w, _)| w.unwrap_or(1) as f64).collect();
    let share = |v: &[f64], i: usize| {
        let sum: f64 = v.iter().sum();
        if sum > 0.0 { v[i] / sum } else { 0.0 }
    };
    let differs = (0..refs.len()).any(|i| (share(&chart, i) - share(&written, i)).abs() > 5e-4);
    if refs.len() > 1 && differs {
        let describe = |v: &[f64]| {
            (0..refs.len())
                .map(|i| format!("{} {}%", refs[i].0, crate::route::percent(share(v, i))))
                .collect::<Vec<_>>()
                .join(", ")
        };
        notes.note(
            rule.get("backendRefs").map_or(0, |n| n.line),
            rule.field("backendRefs"),
            format!(
                "the chart gives each endpoint of a balanced service the service's weight: it \
splits {}; the .egw splits as written: {}",
                describe(&chart),
                describe(&written)
            ),
        );
    }
}
