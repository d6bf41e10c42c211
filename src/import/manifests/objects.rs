//! The objects of the input: each read once, its fields marked as they are read. Backend
//! objects (Services with their EndpointSlices, Envoy Gateway Backends, Istio ServiceEntries)
//! and their BackendTLSPolicies become [`Backend`]s; Gateways become blocks.

use super::*;

/// Reads the objects of a document (a `List`'s items one by one), keeping the kinds an
/// import reads and warning about the others.
pub(super) fn collect<'a>(
    file: &str,
    node: &'a Node,
    out: &mut Vec<Object<'a>>,
    notes: &Notes,
) -> Result<(), String> {
    let text = |key: &str| node.get(key).and_then(Node::as_str);
    let kind = text("kind").unwrap_or_default();
    if kind == "List" {
        let items = Obj::new(node, "List: ");
        for item in items.list("items")? {
            if !item.is_map() {
                return Err(format!("line {}: a List item is not an object", item.line));
            }
            collect(file, item, out, notes)?;
        }
        return Ok(());
    }
    let (Some(api), false) = (text("apiVersion"), kind.is_empty()) else {
        return Err(format!(
            "line {}: not a Kubernetes object (it has no apiVersion and kind)",
            node.line
        ));
    };
    let group = api.rsplit_once('/').map_or("", |(g, _)| g).to_string();
    let meta = node
        .get("metadata")
        .filter(|m| m.is_map())
        .ok_or_else(|| format!("line {}: {kind} has no metadata", node.line))?;
    let name = meta
        .get("name")
        .and_then(Node::as_str)
        .ok_or_else(|| format!("line {}: {kind} has no metadata.name", meta.line))?;
    let ns = meta
        .get("namespace")
        .and_then(Node::as_str)
        .unwrap_or("default");
    let what = format!("{kind} {ns}/{name}");
    let o = Obj::new(node, format!("{what}: "));
    let known = matches!(
        (group.as_str(), kind),
        (
            GATEWAY_GROUP,
            "Gateway"
                | "HTTPRoute"
                | "GRPCRoute"
                | "TCPRoute"
                | "UDPRoute"
                | "TLSRoute"
                | "BackendTLSPolicy"
                | "ReferenceGrant"
        ) | ("", "Service" | "ConfigMap")
            | ("discovery.k8s.io", "EndpointSlice")
            | (ENVOY_GROUP, "Backend")
            | (ISTIO_GROUP, "ServiceEntry")
    );
    if !known {
        notes.warn(
            node.line,
            what,
            format!("{kind} ({api}) has no .egw form: not imported"),
        );
        return Ok(());
    }
    let m = o.obj("metadata")?.expect("a mapping, found above");
    let mut labels = m.string_map("labels")?;
    labels.retain(|(k, _)| !DERIVED_LABELS.contains(&k.as_str()));
    let mut annotations = m.string_map("annotations")?;
    let description = annotations
        .iter()
        .find(|(k, _)| k == "egwc/description")
        .map(|(_, v)| v.clone());
    annotations.retain(|(k, _)| !DERIVED_ANNOTATIONS.contains(&k.as_str()));
    m.skip(SERVER_FIELDS);
    m.skip(&["name", "namespace"]);
    m.rest(notes, "this field");
    o.skip(&["status", "apiVersion", "kind"]);
    out.push(Object {
        file: file.to_string(),
        group,
        kind: kind.to_string(),
        ns: ns.to_string(),
        name: name.to_string(),
        o,
        labels,
        annotations,
        description,
    });
    Ok(())
}

pub(super) fn endpoint_slice(
    ob: &Object,
    slices: &mut HashMap<(String, String), Vec<(String, i64)>>,
) -> Result<(), String> {
    let o = &ob.o;
    let service = o
        .node
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(|l| l.get("kubernetes.io/service-name"))
        .and_then(Node::as_str);
    let Some(service) = service else {
        return Ok(());
    };
    let port = o
        .objs("ports")?
        .first()
        .map(|p| p.int("port"))
        .transpose()?
        .flatten();
    let entry = slices
        .entry((ob.ns.clone(), service.to_string()))
        .or_default();
    for e in o.objs("endpoints")? {
        for a in e.strs("addresses")? {
            entry.push((a.to_string(), port.unwrap_or_default()));
        }
        e.skip(&["conditions"]);
    }
    o.skip(&["addressType", "endpoints", "ports"]);
    Ok(())
}

/// A backend object as a service, or `None` for other kinds (and for a Service that selects
/// Pods, with a warning).
pub(super) fn backend(
    ob: &Object,
    slices: &HashMap<(String, String), Vec<(String, i64)>>,
    notes: &Notes,
) -> Result<Option<Backend>, String> {
    let o = &ob.o;
    let (group, kind, endpoints, port, protocol) = match (ob.group.as_str(), ob.kind.as_str()) {
        ("", "Service") => {
            let spec = o
                .obj("spec")?
                .ok_or_else(|| format!("line {}: {} has no spec", o.line(), ob.what()))?;
            let ports = spec.objs("ports")?;
            let Some(first) = ports.first() else {
                notes.warn(o.line(), ob.what(), "a Service without ports: not imported");
                return Ok(None);
            };
            for extra in &ports[1..] {
                notes.warn(
                    extra.line(),
                    extra.path.clone(),
                    "a .egw service has one port: this one is not imported",
                );
            }
            let port = first.int("port")?.unwrap_or_default();
            let target = first.int("targetPort").unwrap_or(None).unwrap_or(port);
            let protocol = match (first.str("protocol")?, first.str("appProtocol")?) {
                (Some("UDP"), _) => Protocol::Udp,
                (_, Some("kubernetes.io/h2c")) => Protocol::H2c,
                _ if first.str("name")? == Some("tcp") => Protocol::Tcp,
                _ => Protocol::Http,
            };
            first.skip(&["name", "targetPort"]);
            first.rest(notes, "this field");
            if spec.get("selector").is_some() {
                notes.warn(
                    o.line(),
                    ob.what(),
                    "selects Pods (spec.selector): it is inside the cluster, and egwc describes \
services outside it: not imported; routes to it keep its name",
                );
                return Ok(None);
            }
            let endpoints = match spec.str("type")?.unwrap_or("ClusterIP") {
                "ExternalName" => vec![(spec.required_str("externalName")?.to_string(), port)],
                "ClusterIP" => {
                    let found = slices
                        .get(&(ob.ns.clone(), ob.name.clone()))
                        .cloned()
                        .unwrap_or_default();
                    if found.is_empty() {
                        notes.warn(
                            o.line(),
                            ob.what(),
                            "no EndpointSlice of the input names this Service \
(kubernetes.io/service-name): not imported",
                        );
                        return Ok(None);
                    }
                    found
                        .into_iter()
                        .map(|(a, p)| (a, if p == 0 { target } else { p }))
                        .collect()
                }
                other => {
                    notes.warn(
                        o.line(),
                        ob.what(),
                        format!("a Service of type {other}: not imported"),
                    );
                    return Ok(None);
                }
            };
            spec.skip(&[
                "type",
                "externalName",
                "ports",
                "clusterIP",
                "clusterIPs",
                "ipFamilies",
                "ipFamilyPolicy",
                "sessionAffinity",
                "internalTrafficPolicy",
            ]);
            spec.rest(notes, "this field");
            ("", "Service", endpoints, port, protocol)
        }
        (ENVOY_GROUP, "Backend") => {
            let spec = o
                .obj("spec")?
                .ok_or_else(|| format!("line {}: {} has no spec", o.line(), ob.what()))?;
            let mut endpoints = Vec::new();
            for e in spec.objs("endpoints")? {
                let address = match (e.obj("fqdn")?, e.obj("ip")?) {
                    (Some(f), _) => (f.required_str("hostname")?.to_string(), f.int("port")?),
                    (None, Some(i)) => (i.required_str("address")?.to_string(), i.int("port")?),
                    _ => {
                        notes.warn(
                            e.line(),
                            e.path.clone(),
                            "an endpoint that is not an fqdn or ip: not imported",
                        );
                        continue;
                    }
                };
                endpoints.push((address.0, address.1.unwrap_or_default()));
                e.rest(notes, "this field");
            }
            // HTTP/2 in the clear is the one protocol of a Backend a .egw service has.
            let app_protocols = spec.strs("appProtocols")?;
            for other in app_protocols.iter().filter(|p| **p != ENVOY_H2C) {
                notes.warn(
                    spec.line(),
                    spec.field("appProtocols"),
                    format!(
                        "`{other}`: not imported (a .egw service speaks HTTP/1.1, or HTTP/2 in \
the clear with `protocol H2C`)"
                    ),
                );
            }
            let protocol = if app_protocols.contains(&ENVOY_H2C) {
                Protocol::H2c
            } else {
                Protocol::Http
            };
            spec.rest(notes, "this field");
            let port = endpoints.first().map_or(0, |e| e.1);
            (ENVOY_GROUP, "Backend", endpoints, port, protocol)
        }
        (ISTIO_GROUP, "ServiceEntry") => {
            let spec = o
                .obj("spec")?
                .ok_or_else(|| format!("line {}: {} has no spec", o.line(), ob.what()))?;
            let ports = spec.objs("ports")?;
            let port = match ports.first() {
                Some(p) => p.int("number")?.unwrap_or_default(),
                None => 0,
            };
            let protocol = match ports
                .first()
                .map(|p| p.str("protocol"))
                .transpose()?
                .flatten()
            {
                Some("UDP") => Protocol::Udp,
                Some("TCP" | "TLS") => Protocol::Tcp,
                Some("GRPC" | "HTTP2") => Protocol::H2c,
                _ => Protocol::Http,
            };
            for p in &ports {
                p.skip(&["name", "protocol"]);
                p.rest(notes, "this field");
            }
            let endpoints = spec
                .strs("hosts")?
                .into_iter()
                .map(|h| (h.to_string(), port))
                .collect();
            spec.skip(&["location", "resolution"]);
            spec.rest(notes, "this field");
            (ISTIO_GROUP, "ServiceEntry", endpoints, port, protocol)
        }
        _ => return Ok(None),
    };
    if endpoints.is_empty() {
        notes.warn(o.line(), ob.what(), "no endpoints: not imported");
        return Ok(None);
    }
    // Its `.egw` name (written by `write.rs`) is noted here, where the object's line is known,
    // when it is not the Kubernetes name.
    crate::import::name(&ob.name, o, notes);
    Ok(Some(Backend {
        file: ob.file.clone(),
        group,
        kind,
        ns: ob.ns.clone(),
        name: ob.name.clone(),
        line: o.line(),
        endpoints,
        port,
        protocol,
        tls: None,
        labels: ob.labels.clone(),
        annotations: ob.annotations.clone(),
        description: ob.description.clone(),
        as_names: Vec::new(),
        folded: None,
        l4: None,
        balanced: false,
    }))
}

/// A BackendTLSPolicy: the TLS of the backends it targets.
pub(super) fn policy(
    ob: &Object,
    backends: &mut [Backend],
    used: &mut Vec<(String, String)>,
    notes: &Notes,
) -> Result<(), String> {
    let spec =
        ob.o.obj("spec")?
            .ok_or_else(|| format!("line {}: {} has no spec", ob.o.line(), ob.what()))?;
    let validation = spec
        .obj("validation")?
        .ok_or_else(|| format!("line {}: {} has no validation", ob.o.line(), ob.what()))?;
    let mut ca = Vec::new();
    for r in validation.objs("caCertificateRefs")? {
        let name = r.required_str("name")?.to_string();
        used.push((ob.ns.clone(), name.clone()));
        ca.push(name);
        r.skip(&["group", "kind"]);
        r.rest(notes, "this field");
    }
    validation.skip(&["wellKnownCACertificates"]);
    let mut sans = Vec::new();
    for s in validation.objs("subjectAltNames")? {
        match s.str("type")? {
            Some("Hostname") => sans.push(s.required_str("hostname")?.to_string()),
            _ => notes.warn(
                s.line(),
                s.path.clone(),
                "a URI subject name has no .egw form: not imported",
            ),
        }
        s.skip(&["uri"]);
    }
    let tls = Tls {
        hostname: validation.str("hostname")?.map(str::to_string),
        ca,
        sans,
    };
    validation.rest(notes, "this field");
    for t in spec.objs("targetRefs")? {
        let name = t.required_str("name")?;
        let kind = t.str("kind")?.unwrap_or("Service");
        match backends
            .iter_mut()
            .find(|b| b.ns == ob.ns && b.name == name && b.kind == kind)
        {
            Some(b) => b.tls = Some(tls.clone()),
            None => notes.warn(
                t.line(),
                t.path.clone(),
                format!("{kind} {name} is not imported: its TLS is not either"),
            ),
        }
        t.skip(&["group", "sectionName"]);
        t.rest(notes, "this field");
    }
    spec.rest(notes, "this field");
    Ok(())
}

/// A Gateway as a block, and its listeners' names and ports.
pub(super) fn gateway(ob: &Object, notes: &Notes) -> Result<(Block, Vec<(String, i64)>), String> {
    let o = &ob.o;
    let spec = o
        .obj("spec")?
        .ok_or_else(|| format!("line {}: {} has no spec", o.line(), ob.what()))?;
    let mut block = Block::new(format!(
        "gateway {}",
        crate::import::name(&ob.name, o, notes)
    ));
    block.line(format!(
        "class {}",
        quote(spec.required_str("gatewayClassName")?)
    ));
    block.metadata(&ob.labels, &ob.annotations);
    let mut ports = Vec::new();
    for l in spec.objs("listeners")? {
        if let Some((listener, name, port)) = rules::listener(&l, notes, "this field")? {
            ports.push((name, port));
            block.block(listener);
        }
    }
    spec.skip(&["gatewayClassName"]);
    spec.rest(notes, "this field");
    Ok((block, ports))
}
