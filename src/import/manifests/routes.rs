//! Routes, their rules and filters, and the ReferenceGrants they need.

use super::*;
use crate::import::label;

pub(super) fn route(
    ob: &Object,
    keyword: &'static str,
    backends: &mut [Backend],
    listeners: &HashMap<String, Vec<(String, i64)>>,
    notes: &Notes,
) -> Result<RouteDraft, String> {
    let o = &ob.o;
    let spec = o
        .obj("spec")?
        .ok_or_else(|| format!("line {}: {} has no spec", o.line(), ob.what()))?;
    let mut parents = Vec::new();
    for p in spec.objs("parentRefs")? {
        let name = p.required_str("name")?;
        let kind = p.str("kind")?.unwrap_or("Gateway");
        if kind != "Gateway" {
            notes.warn(
                p.line(),
                p.path.clone(),
                format!("a parent of kind {kind}: not imported"),
            );
            continue;
        }
        p.skip(&["group", "namespace"]);
        match (p.str("sectionName")?, p.int("port")?) {
            (Some(section), _) => parents.push(format!("{}.{}", label(name), label(section))),
            (None, Some(port)) => {
                let on_port: Vec<String> = listeners
                    .get(name)
                    .into_iter()
                    .flatten()
                    .filter(|(_, p)| *p == port)
                    .map(|(l, _)| format!("{}.{}", label(name), label(l)))
                    .collect();
                if on_port.is_empty() {
                    notes.warn(
                        p.line(),
                        p.field("port"),
                        format!(
                            "{port}: no imported listener of {name} has this port: not imported"
                        ),
                    );
                }
                parents.extend(on_port);
            }
            (None, None) => parents.push(label(name)),
        }
        p.rest(notes, "this field");
    }
    let hosts = spec
        .strs("hostnames")?
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut rules = Vec::new();
    for r in spec.objs("rules")? {
        rules.push(rule(ob, &r, keyword, backends, notes)?);
        r.rest(notes, "this field");
    }
    spec.rest(notes, "this field");
    Ok(RouteDraft {
        keyword,
        name: crate::import::name(&ob.name, o, notes),
        ns: ob.ns.clone(),
        parents,
        hosts,
        labels: ob.labels.clone(),
        annotations: ob.annotations.clone(),
        rules,
    })
}

/// Where a reference (`backendRef`, a mirror's) leads, warning when it leads out of the input.
pub(super) fn target(
    ob: &Object,
    r: &Obj,
    backends: &[Backend],
    notes: &Notes,
) -> Result<Target, String> {
    let name = r.required_str("name")?;
    let kind = r.str("kind")?.unwrap_or("Service");
    let group = r.str("group")?.unwrap_or("");
    let given_ns = r.str("namespace")?;
    let ns = given_ns.unwrap_or(&ob.ns);
    r.skip(&["port"]);
    // Istio names a ServiceEntry's host: `kind: Hostname`, the host as the name.
    let found = if (group, kind) == (ISTIO_GROUP, "Hostname") {
        backends.iter().position(|b| {
            // A host is the mesh's: found in any namespace unless one is named.
            b.kind == "ServiceEntry"
                && given_ns.is_none_or(|ns| b.ns == ns)
                && b.endpoints.iter().any(|(h, _)| h == name)
        })
    } else {
        backends
            .iter()
            .position(|b| b.name == name && b.ns == ns && b.kind == kind && b.group == group)
    };
    Ok(match found {
        Some(i) => Target::Backend(i),
        None => {
            notes.warn(
                r.line(),
                r.path.clone(),
                format!(
                    "{kind} {ns}/{name} is not imported: the route names it, and `egwc check` \
reports it until a service of that name is written"
                ),
            );
            Target::Missing(name.to_string())
        }
    })
}

pub(super) fn rule(
    ob: &Object,
    r: &Obj,
    keyword: &str,
    backends: &mut [Backend],
    notes: &Notes,
) -> Result<RuleDraft, String> {
    let mut draft = RuleDraft {
        comments: Vec::new(),
        matches: Vec::new(),
        backends: Vec::new(),
        mirrors: Vec::new(),
        lines: Vec::new(),
        rewrite_host: None,
        rewrite_path: None,
    };
    let mut matches = Vec::new();
    for m in r.objs("matches")? {
        let mut conditions = Vec::new();
        if let Some(p) = m.obj("path")? {
            conditions.push(Condition::path(&p)?);
            p.rest(notes, "this field");
        }
        if let Some(method) = m.get("method") {
            match &method.value {
                Value::Str(s) => {
                    conditions.push(Condition::Method(rules::word(&m, "method", s)?.to_string()))
                }
                _ => {
                    let g = m.obj("method")?.expect("a mapping");
                    let op = match g.str("type")?.unwrap_or("Exact") {
                        "Exact" => "",
                        "RegularExpression" => "~",
                        other => return Err(rules::unknown(&g, "type", other)),
                    };
                    if let Some(s) = g.str("service")? {
                        conditions.push(Condition::Grpc("service", op, s.to_string()));
                    }
                    if let Some(s) = g.str("method")? {
                        conditions.push(Condition::Grpc("method", op, s.to_string()));
                    }
                    g.rest(notes, "this field");
                }
            }
        }
        for h in m.objs("headers")? {
            conditions.push(Condition::header(&h, "header")?);
            h.rest(notes, "this field");
        }
        for q in m.objs("queryParams")? {
            conditions.push(Condition::header(&q, "query")?);
            q.rest(notes, "this field");
        }
        m.rest(notes, "this field");
        matches.push(conditions);
    }
    draft.matches = matches.iter().map(|m| rules::match_line(m)).collect();
    for b in r.objs("backendRefs")? {
        let t = target(ob, &b, backends, notes)?;
        let weight = b.int("weight")?.unwrap_or(1).max(0) as u64;
        if let Target::Backend(i) = t {
            if let Some(port) = b.int("port")?.filter(|p| *p != backends[i].port) {
                notes.note(
                    b.line(),
                    b.field("port"),
                    format!(
                        "{port}: the .egw routes to the service's port {}",
                        backends[i].port
                    ),
                );
            }
            if matches!(keyword, "tcp" | "tls" | "udp") {
                backends[i].l4 = Some(if keyword == "udp" {
                    Protocol::Udp
                } else {
                    Protocol::Tcp
                });
            }
        }
        draft.backends.push((t, weight));
        b.rest(notes, "this field");
    }
    for f in r.objs("filters")? {
        filter(ob, &f, &mut draft, backends, notes)?;
    }
    if let Some(t) = r.obj("timeouts")? {
        let request = t.str("request")?;
        let backend = t.str("backendRequest")?;
        let d = |v: &str, key: &str| {
            duration(v).ok_or_else(|| {
                format!(
                    "line {}: {} is {v:?}, not a duration",
                    t.line(),
                    t.field(key)
                )
            })
        };
        match (request, backend) {
            (Some(r), Some(b)) => draft.lines.push(format!(
                "timeout {} backend {}",
                d(r, "request")?,
                d(b, "backendRequest")?
            )),
            (Some(r), None) => draft.lines.push(format!("timeout {}", d(r, "request")?)),
            (None, Some(_)) => notes.warn(
                t.line(),
                t.field("backendRequest"),
                "a backend timeout without a request timeout has no .egw form: not imported",
            ),
            (None, None) => {}
        }
        t.rest(notes, "this field");
    }
    Ok(draft)
}

pub(super) fn filter(
    ob: &Object,
    f: &Obj,
    draft: &mut RuleDraft,
    backends: &[Backend],
    notes: &Notes,
) -> Result<(), String> {
    let kind = f.required_str("type")?;
    let edits = |key: &str, prefix: &str, lines: &mut Vec<String>| -> Result<(), String> {
        let Some(m) = f.obj(key)? else { return Ok(()) };
        for (verb, list) in [("set", "set"), ("add", "add")] {
            for h in m.objs(list)? {
                lines.push(format!(
                    "{prefix}{verb} header {} = {}",
                    quote(h.required_str("name")?),
                    quote(h.str("value")?.unwrap_or_default())
                ));
                h.rest(notes, "this field");
            }
        }
        for name in m.strs("remove")? {
            lines.push(format!("{prefix}remove header {}", quote(name)));
        }
        m.rest(notes, "this field");
        Ok(())
    };
    match kind {
        "RequestHeaderModifier" => edits("requestHeaderModifier", "", &mut draft.lines)?,
        "ResponseHeaderModifier" => edits("responseHeaderModifier", "response ", &mut draft.lines)?,
        "RequestRedirect" => {
            let r = f
                .obj("requestRedirect")?
                .ok_or_else(|| rules::unknown(f, "requestRedirect", "null"))?;
            let mut parts = vec!["redirect".to_string()];
            if let Some(s) = r.str("scheme")? {
                parts.push(rules::word(&r, "scheme", s)?.to_string());
            }
            if let Some(h) = r.str("hostname")? {
                parts.push(format!("host {}", quote(h)));
            }
            if let Some(p) = r.int("port")? {
                parts.push(format!("port {p}"));
            }
            if let Some(p) = r.obj("path")? {
                parts.push(path_modifier(&p, notes)?);
            }
            if let Some(s) = r.int("statusCode")? {
                parts.push(format!("status {s}"));
            }
            r.rest(notes, "this field");
            draft.lines.push(parts.join(" "));
        }
        "URLRewrite" => {
            let r = f
                .obj("urlRewrite")?
                .ok_or_else(|| rules::unknown(f, "urlRewrite", "null"))?;
            draft.rewrite_host = r.str("hostname")?.map(str::to_string);
            if let Some(p) = r.obj("path")? {
                draft.rewrite_path = Some(path_modifier(&p, notes)?);
            }
            r.rest(notes, "this field");
        }
        "RequestMirror" => {
            let m = f
                .obj("requestMirror")?
                .ok_or_else(|| rules::unknown(f, "requestMirror", "null"))?;
            let r = m
                .obj("backendRef")?
                .ok_or_else(|| rules::unknown(&m, "backendRef", "null"))?;
            let t = target(ob, &r, backends, notes)?;
            r.rest(notes, "this field");
            let (numerator, denominator) = match (m.int("percent")?, m.obj("fraction")?) {
                (Some(p), _) => (p.max(0) as u64, 100),
                (None, Some(fr)) => (
                    fr.int("numerator")?.unwrap_or(0).max(0) as u64,
                    fr.int("denominator")?.unwrap_or(100).max(1) as u64,
                ),
                (None, None) => (1, 1),
            };
            m.rest(notes, "this field");
            draft.mirrors.push(Mirror {
                target: t,
                numerator,
                denominator,
            });
        }
        other => {
            notes.warn(
                f.line(),
                f.path.clone(),
                format!("a filter of type {other} has no .egw form: not imported"),
            );
            return Ok(());
        }
    }
    f.rest(notes, "this field");
    Ok(())
}

/// `path "/p"` or `path prefix "/p"` of a redirect or rewrite.
pub(super) fn path_modifier(p: &Obj, notes: &Notes) -> Result<String, String> {
    let text = match p.str("type")? {
        Some("ReplaceFullPath") => {
            format!("path {}", quote(p.str("replaceFullPath")?.unwrap_or("/")))
        }
        Some("ReplacePrefixMatch") => format!(
            "path prefix {}",
            quote(p.str("replacePrefixMatch")?.unwrap_or("/"))
        ),
        other => return Err(rules::unknown(p, "type", other.unwrap_or("null"))),
    };
    p.rest(notes, "this field");
    Ok(text)
}

/// A ReferenceGrant: dropped silently when an imported reference needs it (egwc writes the
/// grants its references need), else warned about.
pub(super) fn grant(
    ob: &Object,
    objects: &[Object],
    routes: &[RouteDraft],
    backends: &[Backend],
    notes: &Notes,
) -> Result<(), String> {
    let mut from = Vec::new();
    if let Some(spec) = ob.o.obj("spec")? {
        for f in spec.objs("from")? {
            from.push(f.str("namespace")?.unwrap_or_default().to_string());
        }
        spec.skip(&["to"]);
    }
    let route_needs = routes.iter().any(|r| {
        from.contains(&r.ns)
            && r.rules.iter().flat_map(|rule| &rule.backends).any(|(t, _)| {
                matches!(t, Target::Backend(i) if backends[*i].ns == ob.ns && r.ns != ob.ns)
            })
    });
    let gateway_needs = objects
        .iter()
        .any(|g| g.kind == "Gateway" && g.ns != ob.ns && from.contains(&g.ns));
    if !route_needs && !gateway_needs {
        notes.warn(
            ob.o.line(),
            ob.what(),
            "egwc writes the ReferenceGrants that its routes and listeners need, and no imported \
reference needs this one: not imported",
        );
    }
    Ok(())
}
