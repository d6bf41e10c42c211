//! What egwc derives, given back to it: balanced services folded back into one, and Host
//! rewrites that egwc would write itself.

use super::*;

/// Folds the Services egwc makes from a balanced service, `NAME-0` … `NAME-(n-1)`, back into
/// one service `NAME`: when each has one endpoint on one port, the same kind and protocol, a
/// TLS that differs only in its hostname, no object `NAME` exists, and every rule names all
/// of them with one weight (and every mirror all of them with one share).
pub(super) fn fold(backends: &mut Vec<Backend>, routes: &mut [RouteDraft]) {
    // (namespace, base name, kind) → (suffix, index) of each member.
    type Group = (String, String, &'static str);
    let mut groups: HashMap<Group, Vec<(usize, usize)>> = HashMap::new();
    for (i, b) in backends.iter().enumerate() {
        if let Some((base, suffix)) = b.name.rsplit_once('-')
            && let Ok(n) = suffix.parse::<usize>()
            && suffix == n.to_string()
            && b.endpoints.len() == 1
        {
            groups
                .entry((b.ns.clone(), base.to_string(), b.kind))
                .or_default()
                .push((n, i));
        }
    }
    let mut keys: Vec<_> = groups.keys().cloned().collect();
    keys.sort();
    for key in keys {
        let mut members = groups.remove(&key).unwrap_or_default();
        members.sort();
        let (ns, base, kind) = key;
        let contiguous =
            members.len() >= 2 && members.iter().enumerate().all(|(i, (n, _))| i == *n);
        let indices: Vec<usize> = members.iter().map(|(_, i)| *i).collect();
        let first = &backends[indices[0]];
        let alike = indices.iter().all(|&i| {
            let b = &backends[i];
            b.port == first.port
                && b.endpoints[0].1 == first.endpoints[0].1
                && b.protocol == first.protocol
                && b.l4 == first.l4
                && b.tls.as_ref().map(|t| (&t.ca, &t.sans))
                    == first.tls.as_ref().map(|t| (&t.ca, &t.sans))
        });
        let taken = backends
            .iter()
            .any(|b| b.ns == ns && b.name == base && b.kind == kind);
        if !contiguous || !alike || taken || !together(&indices, routes) {
            continue;
        }
        let mut folded = Backend {
            name: base.clone(),
            endpoints: indices
                .iter()
                .map(|&i| backends[i].endpoints[0].clone())
                .collect(),
            as_names: indices
                .iter()
                .map(|&i| {
                    let b = &backends[i];
                    b.tls
                        .as_ref()
                        .and_then(|t| t.hostname.clone())
                        .filter(|h| *h != b.endpoints[0].0)
                })
                .collect(),
            tls: first.tls.clone().map(|t| Tls {
                hostname: None,
                ..t
            }),
            description: first.description.as_ref().map(|d| {
                d.rsplit_once(" (endpoint ")
                    .map_or(d.clone(), |(d, _)| d.to_string())
            }),
            labels: first.labels.clone(),
            annotations: first.annotations.clone(),
            folded: None,
            balanced: true,
            file: first.file.clone(),
            group: first.group,
            kind: first.kind,
            ns: first.ns.clone(),
            line: first.line,
            port: first.port,
            protocol: first.protocol,
            l4: first.l4,
        };
        // A DNS endpoint's certificate name is its own name: no `as`.
        if folded.as_names.iter().all(Option::is_none) {
            folded.as_names.clear();
        }
        let at = backends.len();
        for &i in &indices {
            backends[i].folded = Some(at);
        }
        backends.push(folded);
        for route in routes.iter_mut() {
            for rule in &mut route.rules {
                merge(&mut rule.backends, &indices, at);
                let mut mirrors = Vec::new();
                for m in rule.mirrors.drain(..) {
                    match m.target {
                        Target::Backend(i) if indices.contains(&i) => {
                            if !mirrors
                                .iter()
                                .any(|x: &Mirror| x.target == Target::Backend(at))
                            {
                                mirrors.push(Mirror {
                                    target: Target::Backend(at),
                                    numerator: m.numerator * indices.len() as u64,
                                    denominator: m.denominator,
                                });
                            }
                        }
                        _ => mirrors.push(m),
                    }
                }
                rule.mirrors = mirrors;
            }
        }
    }
}

/// Whether every rule and mirror that names one of `members` names all of them, equally.
pub(super) fn together(members: &[usize], routes: &[RouteDraft]) -> bool {
    routes.iter().flat_map(|r| &r.rules).all(|rule| {
        let weights: Vec<u64> = rule
            .backends
            .iter()
            .filter_map(|(t, w)| match t {
                Target::Backend(i) if members.contains(i) => Some(*w),
                _ => None,
            })
            .collect();
        let mirrors: Vec<(u64, u64)> = rule
            .mirrors
            .iter()
            .filter_map(|m| match m.target {
                Target::Backend(i) if members.contains(&i) => Some((m.numerator, m.denominator)),
                _ => None,
            })
            .collect();
        let even = |n: usize| n == 0 || n == members.len();
        even(weights.len())
            && weights.windows(2).all(|w| w[0] == w[1])
            && even(mirrors.len())
            && mirrors.windows(2).all(|w| w[0] == w[1])
    })
}

/// Replaces the members' references of a rule by one to the folded service, with their
/// weights added up, where the first member was.
pub(super) fn merge(refs: &mut Vec<(Target, u64)>, members: &[usize], folded: usize) {
    let total: u64 = refs
        .iter()
        .filter(|(t, _)| matches!(t, Target::Backend(i) if members.contains(i)))
        .map(|(_, w)| w)
        .sum();
    let mut placed = false;
    refs.retain_mut(|(t, w)| match t {
        Target::Backend(i) if members.contains(i) => {
            if placed {
                false
            } else {
                placed = true;
                *t = Target::Backend(folded);
                *w = total;
                true
            }
        }
        _ => true,
    });
}

/// Host rewrites. egwc rewrites the Host of a request to a DNS endpoint's name unless the
/// service says `rewrite host off`. So a DNS service that some HTTP rule reaches without a
/// URLRewrite hostname keeps the client's Host (`rewrite host off`, returned per backend);
/// a rule's rewrite that says what egwc derives is left to egwc; any other is written.
pub(super) fn host_rewrites(backends: &[Backend], routes: &mut [RouteDraft]) -> Vec<bool> {
    let mut keeps = vec![false; backends.len()];
    let http = |r: &&mut RouteDraft| r.keyword.is_empty();
    for rule in routes.iter_mut().filter(http).flat_map(|r| &mut r.rules) {
        for (t, _) in &rule.backends {
            if let Target::Backend(i) = t
                && backends[*i].is_dns()
                && rule.rewrite_host.is_none()
            {
                keeps[*i] = true;
            }
        }
    }
    for route in routes.iter_mut() {
        let is_http = route.keyword.is_empty();
        for rule in &mut route.rules {
            let host = rule.rewrite_host.take().filter(|host| {
                let derived = is_http
                    && rule
                        .backends
                        .iter()
                        .any(|(t, _)| matches!(t, Target::Backend(_)))
                    && rule.backends.iter().all(|(t, _)| match t {
                        Target::Backend(i) => {
                            let b = &backends[*i];
                            b.is_dns() && !keeps[*i] && b.endpoints.iter().all(|(h, _)| h == host)
                        }
                        Target::Missing(_) => false,
                    });
                !derived
            });
            let mut parts = Vec::new();
            if let Some(h) = host {
                parts.push(format!("host {}", quote(&h)));
            }
            parts.extend(rule.rewrite_path.take());
            if !parts.is_empty() {
                rule.lines.insert(0, format!("rewrite {}", parts.join(" ")));
            }
        }
    }
    keeps
}
