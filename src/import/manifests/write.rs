//! Services and routes as `.egw` blocks.

use super::*;

pub(super) fn service(
    b: &Backend,
    keeps_host: bool,
    configmaps: &HashMap<(String, String), String>,
    files: bool,
    written: &mut Vec<(String, String)>,
) -> Block {
    let mut block = Block::new(format!("service {}", crate::import::label(&b.name)));
    let words: Vec<String> = b
        .endpoints
        .iter()
        .enumerate()
        .map(|(i, (h, p))| {
            let host = if h.contains(':') {
                format!("[{h}]")
            } else {
                h.clone()
            };
            let e = quote(&format!("{host}:{p}"));
            match b.as_names.get(i).cloned().flatten() {
                Some(a) => format!("{e} as {}", quote(&a)),
                None => e,
            }
        })
        .collect();
    let keyword = if words.len() == 1 {
        "endpoint"
    } else {
        "endpoints"
    };
    block.line(format!("{keyword} {}", words.join(" ")));
    let protocol = match (&b.tls, b.protocol, b.l4) {
        (_, Protocol::Udp, _) | (_, _, Some(Protocol::Udp)) => "UDP",
        (_, _, Some(_)) | (_, Protocol::Tcp, _) => "TCP",
        (Some(_), _, _) => "HTTPS",
        (None, Protocol::H2c, _) => "H2C",
        _ => "HTTP",
    };
    if protocol != "HTTP" {
        block.line(format!("protocol {protocol}"));
    }
    if b.endpoints.iter().any(|(_, p)| *p != b.port) && b.port != 0 {
        block.line(format!("port {}", b.port));
    }
    if b.endpoints.len() > 1 && !b.balanced {
        block.noted_line(
            "one Service with several addresses: the addresses share its traffic as the proxy \
balances them, not by weights",
            "balance off",
        );
    }
    if let Some(tls) = &b.tls {
        let mut t = Block::new("tls");
        let dns_name = b.endpoints.len() == 1 && tls.hostname.as_ref() == Some(&b.endpoints[0].0);
        if let Some(h) = tls.hostname.as_ref().filter(|_| !dns_name) {
            t.line(format!("hostname {}", quote(h)));
        }
        // Several ConfigMaps (Kong's, one per certificate of a bundle): one file holds them.
        let pems: Option<String> = tls
            .ca
            .iter()
            .map(|ca| configmaps.get(&(b.ns.clone(), ca.clone())).cloned())
            .collect();
        if let Some(ca) = tls.ca.first() {
            match pems {
                Some(pem) if files => {
                    let mut file = format!("{ca}.pem");
                    if written.iter().any(|(f, text)| *f == file && *text != pem) {
                        file = format!("{}-{ca}.pem", b.ns);
                    }
                    if !written.iter().any(|(f, _)| *f == file) {
                        written.push((file.clone(), pem));
                    }
                    t.line(format!("ca file {}", quote(&file)));
                }
                Some(_) => t.noted_line(
                    format!(
                        "ConfigMap {ca} is not written by this build: keep it, or import with --output-dir \
DIR to have its certificates as a file"
                    ),
                    format!("ca configmap {}", quote(ca)),
                ),
                None => t.noted_line(
                    format!(
                        "ConfigMap {ca} is not in the input: egwc names it and writes no ConfigMap"
                    ),
                    format!("ca configmap {}", quote(ca)),
                ),
            }
        }
        if !tls.sans.is_empty() {
            let sans: Vec<String> = tls.sans.iter().map(|s| quote(s)).collect();
            t.line(format!("san {}", sans.join(" ")));
        }
        if !t.items.is_empty() {
            block.block(t);
        }
    }
    if keeps_host {
        block.noted_line(
            "the input keeps the client's Host on a route to this DNS name",
            "rewrite host off",
        );
    }
    if let Some(d) = &b.description {
        block.line(format!("description {}", quote(d)));
    }
    block.metadata(&b.labels, &b.annotations);
    block
}

pub(super) fn route_block(r: &RouteDraft, backends: &[Backend]) -> Block {
    let head = if r.keyword.is_empty() {
        format!("route {}", r.name)
    } else {
        format!("{} route {}", r.keyword, r.name)
    };
    let mut block = Block::new(head);
    if !r.parents.is_empty() {
        block.line(format!("on {}", r.parents.join(", ")));
    }
    if !r.hosts.is_empty() {
        let hosts: Vec<String> = r.hosts.iter().map(|h| quote(h)).collect();
        block.line(format!("host {}", hosts.join(" ")));
    }
    block.metadata(&r.labels, &r.annotations);
    let name = |t: &Target| match t {
        Target::Backend(i) => crate::import::label(&backends[*i].name),
        Target::Missing(n) => crate::import::label(n),
    };
    for rule in &r.rules {
        let mut b = Block::new("rule");
        b.comments.extend(rule.comments.iter().cloned());
        for m in &rule.matches {
            b.line(m.clone());
        }
        if !rule.backends.is_empty() {
            // Folded weights are the sums of the members', so that the build gives each
            // endpoint what it had: `-> a, b` only when every weight, folded, is 1.
            let refs: Vec<(String, Option<u64>)> = rule
                .backends
                .iter()
                .map(|(t, w)| (name(t), Some(*w)))
                .collect();
            b.line(rules::backends_line(&refs));
        }
        for l in &rule.lines {
            b.line(l.clone());
        }
        for m in &rule.mirrors {
            let percent = m.numerator * 100 / m.denominator;
            let exact = m.numerator * 100 % m.denominator == 0;
            match (percent, exact) {
                (100, true) => b.line(format!("mirror {}", name(&m.target))),
                (p, true) => b.line(format!("mirror {} {p}%", name(&m.target))),
                (p, false) => b.noted_line(
                    format!(
                        "the input mirrors {}/{}; a .egw mirror is a whole percentage",
                        m.numerator, m.denominator
                    ),
                    format!("mirror {} {p}%", name(&m.target)),
                ),
            }
        }
        block.block(b);
    }
    block
}
