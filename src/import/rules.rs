//! The parts of Gateway API objects that both sources share (the chart's values repeat the
//! Gateway API's shapes): matches, backends, listener TLS and allowed routes, as `.egw`.

use super::draft::{Block, quote};
use super::yaml::{Notes, Obj};

/// One condition of a `match` line.
pub enum Condition {
    /// `path "/p"`, `path = "/p"`, `path ~ "re"`: the operator (empty for a prefix).
    Path(&'static str, String),
    /// `header "n" = "v"` or `query "n" ~ "re"`: the keyword, name, operator and value.
    Value(&'static str, String, &'static str, String),
    Method(String),
    /// gRPC: `service "pkg.Svc"` and `method "Name"` (or `~ "re"`).
    Grpc(&'static str, &'static str, String),
}

impl Condition {
    /// A Gateway API path match (`type` defaults to PathPrefix, `value` to `/`).
    pub fn path(p: &Obj) -> Result<Condition, String> {
        let value = p.str("value")?.unwrap_or("/").to_string();
        let op = match p.str("type")?.unwrap_or("PathPrefix") {
            "PathPrefix" => "",
            "Exact" => "=",
            "RegularExpression" => "~",
            other => return Err(unknown(p, "type", other)),
        };
        Ok(Condition::Path(op, value))
    }

    /// A header or query parameter match (`type` defaults to Exact).
    pub fn header(h: &Obj, keyword: &'static str) -> Result<Condition, String> {
        let op = match h.str("type")?.unwrap_or("Exact") {
            "Exact" => "=",
            "RegularExpression" => "~",
            other => return Err(unknown(h, "type", other)),
        };
        Ok(Condition::Value(
            keyword,
            h.required_str("name")?.to_string(),
            op,
            h.str("value")?.unwrap_or_default().to_string(),
        ))
    }

    fn text(&self) -> String {
        let op = |op: &str| {
            if op.is_empty() {
                String::new()
            } else {
                format!("{op} ")
            }
        };
        match self {
            Condition::Path(o, v) => format!("path {}{}", op(o), quote(v)),
            Condition::Value(k, n, o, v) => format!("{k} {} {o} {}", quote(n), quote(v)),
            Condition::Method(m) => format!("method {m}"),
            Condition::Grpc(k, o, v) => format!("{k} {}{}", op(o), quote(v)),
        }
    }
}

/// An error for a value of a closed set that egwc does not know.
pub fn unknown(o: &Obj, key: &str, value: &str) -> String {
    format!(
        "line {}: {} is {value:?}, which is not a value of the Gateway API",
        o.get(key).map_or(o.line(), |n| n.line),
        o.field(key)
    )
}

/// A value of a closed set that `.egw` writes as a word (a method, a scheme): any other is
/// an error, as the Gateway API does not have it either.
pub fn word<'a>(o: &Obj, key: &str, value: &'a str) -> Result<&'a str, String> {
    if super::draft::is_word(value) {
        Ok(value)
    } else {
        Err(unknown(o, key, value))
    }
}

/// A listener's protocol, or `None` with a warning when `.egw` cannot write it (a
/// domain-prefixed protocol of a controller's own).
pub fn protocol<'a>(l: &Obj<'a>, notes: &Notes) -> Result<Option<&'a str>, String> {
    let protocol = l.required_str("protocol")?;
    if super::draft::is_word(protocol) {
        return Ok(Some(protocol));
    }
    notes.warn(
        l.line(),
        l.path.clone(),
        format!("protocol {protocol:?} has no .egw form: this listener is not imported"),
    );
    Ok(None)
}

/// `match …`. A match without conditions matches every request: `path "/"`.
pub fn match_line(conditions: &[Condition]) -> String {
    if conditions.is_empty() {
        return "match path \"/\"".to_string();
    }
    let parts: Vec<String> = conditions.iter().map(Condition::text).collect();
    format!("match {}", parts.join(" "))
}

/// `-> a 90, b 10`; weights are left out when they are all the default, 1.
pub fn backends_line(backends: &[(String, Option<u64>)]) -> String {
    let defaults = backends.iter().all(|(_, w)| w.is_none_or(|w| w == 1));
    let parts: Vec<String> = backends
        .iter()
        .map(|(name, w)| match w {
            _ if defaults => name.clone(),
            Some(w) => format!("{name} {w}"),
            None => format!("{name} 1"),
        })
        .collect();
    format!("-> {}", parts.join(", "))
}

/// A Gateway API listener (the chart's `gateway.listeners[]` have its shape) as a `listener`
/// block, with its name and port; `None`, with a warning, when `.egw` cannot write its
/// protocol. `what` names the mapping's fields in warnings ("this field", "this value").
pub fn listener(
    l: &Obj,
    notes: &Notes,
    what: &str,
) -> Result<Option<(Block, String, i64)>, String> {
    let name = l.required_str("name")?;
    let port = l
        .int("port")?
        .ok_or_else(|| format!("line {}: {} is missing", l.line(), l.field("port")))?;
    let Some(protocol) = protocol(l, notes)? else {
        return Ok(None);
    };
    let mut listener = Block::new(format!("listener {}", crate::import::name(name, l, notes)));
    listener.line(format!("port {port}"));
    listener.line(format!("protocol {protocol}"));
    if let Some(h) = l.str("hostname")? {
        listener.line(format!("hostname {}", quote(h)));
    }
    if let Some(tls) = l.obj("tls")? {
        listener.block(listener_tls(&tls, notes)?);
        tls.rest(notes, what);
    }
    if let Some(allowed) = l.obj("allowedRoutes")? {
        allowed_routes(&allowed, &mut listener, notes)?;
        allowed.rest(notes, what);
    }
    l.rest(notes, what);
    Ok(Some((listener, name.to_string(), port)))
}

/// A listener's `tls` as a `tls { … }` block: its mode and certificates.
pub fn listener_tls(tls: &Obj, notes: &Notes) -> Result<Block, String> {
    let mut block = Block::new("tls");
    match tls.str("mode")?.unwrap_or("Terminate") {
        "Terminate" => {}
        "Passthrough" => block.line("mode passthrough"),
        other => return Err(unknown(tls, "mode", other)),
    }
    for c in tls.objs("certificateRefs")? {
        let kind = c.str("kind")?.unwrap_or("Secret");
        let group = c.str("group")?.unwrap_or("");
        let name = c.required_str("name")?;
        if kind != "Secret" || !group.is_empty() {
            notes.warn(
                c.line(),
                c.path.clone(),
                format!("a certificate of kind {kind:?} (group {group:?}): egwc names Secrets only; not imported"),
            );
            continue;
        }
        let name = match c.str("namespace")? {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_string(),
        };
        block.line(format!("cert {}", quote(&name)));
        c.rest(notes, "this field");
    }
    Ok(block)
}

/// `allowedRoutes.namespaces.from`: `Same` is the default, `All` is `routes from all`.
pub fn allowed_routes(allowed: &Obj, listener: &mut Block, notes: &Notes) -> Result<(), String> {
    if let Some(ns) = allowed.obj("namespaces")? {
        match ns.str("from")?.unwrap_or("Same") {
            "Same" => {}
            "All" => listener.line("routes from all"),
            "Selector" => {
                notes.warn(
                    ns.line(),
                    ns.field("from"),
                    "Selector: egwc takes routes from the same namespace or from all; this \
listener takes them from the same namespace",
                );
                ns.skip(&["selector"]);
            }
            other => return Err(unknown(&ns, "from", other)),
        }
        ns.rest(notes, "this field");
    }
    Ok(())
}
