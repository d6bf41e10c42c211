//! `egwc route`'s text output: per Gateway, what it does with the request.

use std::fmt::Write;

use super::{Answer, Request};

/// The answers as people read them.
pub fn text(answers: &[Answer], request: &Request) -> String {
    let mut out = String::new();
    let scheme = request.scheme();
    if answers.is_empty() {
        let _ = writeln!(
            out,
            "no gateway listens on port {} for {scheme}",
            request.port
        );
        return out;
    }
    for a in answers {
        let listener = a
            .listener
            .as_deref()
            .map_or(String::new(), |l| format!(", listener {l}"));
        let _ = writeln!(out, "gateway {}{listener}: {}", a.gateway, a.status);
        if let (Some(route), Some(rule)) = (&a.route, a.rule_index) {
            let source = a
                .source
                .as_deref()
                .map_or(String::new(), |s| format!(" ({s})"));
            let _ = writeln!(out, "  route {route}, rule {rule}{source}");
        } else if a.listener.is_none() {
            let _ = writeln!(out, "  no listener takes host `{}`", request.host);
        } else {
            let _ = writeln!(out, "  no rule matches {} {}", request.method, request.path);
        }
        for m in &a.misses {
            let rule = m
                .rule_index
                .map_or(String::new(), |i| format!(", rule {i}"));
            let _ = writeln!(out, "  nearest miss: route {}{rule}: {}", m.route, m.reason);
        }
        if let Some(r) = &a.redirect {
            let _ = writeln!(out, "  redirect {} to {}", r.status, r.location);
        }
        for b in &a.backends {
            let invalid = b
                .invalid
                .as_deref()
                .map_or(String::new(), |why| format!(" (invalid: {why})"));
            let _ = writeln!(out, "  -> {} {}%{invalid}", b.name, percent(b.share));
            for e in &b.endpoints {
                let _ = writeln!(
                    out,
                    "       {} {}% ({})",
                    e.address,
                    percent(e.share),
                    e.object
                );
            }
        }
        if let Some(r) = &a.backend_request
            && a.status == 200
        {
            let _ = writeln!(out, "  as {} {}{}", request.method, r.host, r.path);
        }
        for m in &a.mirrors {
            let _ = writeln!(out, "  mirror -> {} {}%", m.name, percent(m.share));
        }
        if let Some(e) = &a.response_headers {
            let mut edits: Vec<String> = Vec::new();
            edits.extend(e.set.iter().map(|(n, v)| format!("set {n}: {v}")));
            edits.extend(e.add.iter().map(|(n, v)| format!("add {n}: {v}")));
            edits.extend(e.remove.iter().map(|n| format!("remove {n}")));
            let _ = writeln!(out, "  response: {}", edits.join(", "));
        }
    }
    out
}

/// A share in percent, with as many decimals as it needs, at most two.
pub fn percent(share: f64) -> String {
    let p = format!("{:.2}", share * 100.0);
    p.trim_end_matches('0').trim_end_matches('.').to_string()
}
