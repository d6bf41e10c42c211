//! `egwc test`: runs the `test` blocks. Each request goes through the same matcher as `egwc
//! route` (src/route/), over the objects the build makes; each `expect` line is compared with
//! the answer, and a failed one is a diagnostic at that line saying what the request got
//! instead. Coverage counts the rules, the matches of rules with several, and the services
//! used as backends that some test's request reaches.

use std::collections::BTreeSet;

use crate::diagnostics::{Code, Diagnostic};
use crate::emit::Manifest;
use crate::ir::{Expect, Model, Test};
use crate::route::{self, Answer, Objects, Origins};
use crate::source::SourceMap;

/// The outcome of every test, the diagnostics of those that failed, and the coverage.
#[derive(Debug)]
pub struct Report {
    pub results: Vec<TestResult>,
    pub diagnostics: Vec<Diagnostic>,
    pub coverage: Coverage,
}

#[derive(Debug)]
pub struct TestResult {
    /// The test's name, or `test`.
    pub name: String,
    /// `file:line` of the test.
    pub location: String,
    pub passed: bool,
}

/// What the tests reach: rules, matches (of rules with more than one) and backend services.
#[derive(Debug, Default)]
pub struct Coverage {
    pub items: Vec<CoverageItem>,
}

#[derive(Debug)]
pub struct CoverageItem {
    pub kind: ItemKind,
    /// `file:line` where it is written.
    pub location: String,
    /// What it is, as the report names it.
    pub what: String,
    pub reached: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Rule,
    Match,
    Backend,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|t| !t.passed).count()
    }

    /// One line per test, then the counts: what `egwc test` prints.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for t in &self.results {
            let verdict = if t.passed { "ok  " } else { "FAIL" };
            out.push_str(&format!("{verdict} {} ({})\n", t.name, t.location));
        }
        let n = self.results.len();
        if n == 0 {
            return "0 tests: no `test` block in these files (docs/language.md, \"Tests\")\n"
                .to_string();
        }
        out.push_str(&format!(
            "{n} {}: {} passed, {} failed\n",
            if n == 1 { "test" } else { "tests" },
            n - self.failed(),
            self.failed()
        ));
        out
    }
}

impl Coverage {
    /// The share of items reached, in percent; 100 when there is nothing to reach.
    pub fn percent(&self) -> f64 {
        if self.items.is_empty() {
            return 100.0;
        }
        let reached = self.items.iter().filter(|i| i.reached).count();
        reached as f64 * 100.0 / self.items.len() as f64
    }

    /// `reached of total` for one kind.
    fn count(&self, kind: ItemKind) -> (usize, usize) {
        let of_kind = self.items.iter().filter(|i| i.kind == kind);
        let total = of_kind.clone().count();
        (of_kind.filter(|i| i.reached).count(), total)
    }

    /// The report `egwc test --coverage` prints.
    pub fn text(&self) -> String {
        let reached = self.items.iter().filter(|i| i.reached).count();
        let (ru, rt) = self.count(ItemKind::Rule);
        let (mu, mt) = self.count(ItemKind::Match);
        let (bu, bt) = self.count(ItemKind::Backend);
        let mut out = format!(
            "coverage: {}% ({reached} of {}): rules {ru} of {rt}, matches {mu} of {mt}, \
backends {bu} of {bt}\n",
            route::percent(self.percent() / 100.0),
            self.items.len()
        );
        let missed: Vec<&CoverageItem> = self.items.iter().filter(|i| !i.reached).collect();
        if !missed.is_empty() {
            out.push_str("not reached by any test:\n");
            for i in missed {
                out.push_str(&format!("  {}: {}\n", i.location, i.what));
            }
        }
        out
    }
}

/// Runs the tests of `model` against `manifests`, the objects built from it.
pub fn run(model: &Model, manifests: &[Manifest], sources: &SourceMap) -> Report {
    let objects = Objects::from_manifests(manifests.iter().cloned());
    let origins = Origins::new(model, sources);
    let mut report = Report {
        results: Vec::new(),
        diagnostics: Vec::new(),
        coverage: Coverage::default(),
    };
    let mut reached = Reached::default();
    for t in &model.tests {
        let answer = answer(&objects, &origins, t);
        if let Some(a) = &answer {
            reached.add(a);
        }
        let failures: Vec<Diagnostic> = t
            .expectations
            .iter()
            .filter_map(|e| {
                let why = unmet(&e.expect, answer.as_ref())?;
                Some(failure(t, e.span, &e.expect, answer.as_ref(), why))
            })
            .collect();
        report.results.push(TestResult {
            name: t.name.clone().unwrap_or_else(|| "test".to_string()),
            location: sources.location(t.origin),
            passed: failures.is_empty(),
        });
        report.diagnostics.extend(failures);
    }
    report.coverage = coverage(&objects, &origins, &reached);
    report
}

/// What the test's request gets: the answer of the Gateway it enters (`None`: no Gateway
/// listens on its port).
fn answer(objects: &Objects, origins: &Origins, t: &Test) -> Option<Answer> {
    let mut answers = route::resolve(objects, &t.request);
    origins.apply(&mut answers);
    if let Some(g) = &t.gateway {
        let name = format!("{}/{}", g.namespace, g.name);
        answers.retain(|a| a.gateway == name);
    }
    // The checker made sure that at most one Gateway takes a request without `on`.
    answers.into_iter().next()
}

/// Why the answer does not meet the expectation, if it does not.
fn unmet(expect: &Expect, answer: Option<&Answer>) -> Option<String> {
    let status = answer.map_or(404, |a| a.status);
    let forwarded = answer.filter(|a| a.status == 200);
    let request = forwarded.and_then(|a| a.backend_request.as_ref());
    match expect {
        Expect::Status(s) => (status != *s).then(|| format!("expected {s}")),
        Expect::Redirect { location, status } => {
            let r = answer.and_then(|a| a.redirect.as_ref());
            let right =
                r.is_some_and(|r| r.location == *location && status.is_none_or(|s| s == r.status));
            (!right).then(|| match status {
                Some(s) => format!("expected a redirect {s} to {location}"),
                None => format!("expected a redirect to {location}"),
            })
        }
        Expect::Backends(list) => {
            let want = list
                .iter()
                .map(|(s, p)| {
                    let name = format!("{}/{}", s.namespace, s.name);
                    match p {
                        Some(p) => format!("{name} {p}%"),
                        None => name,
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let got: Vec<(&str, f64)> = forwarded
                .map(|a| {
                    a.backends
                        .iter()
                        .filter(|b| b.invalid.is_none() && b.share > 0.0)
                        .map(|b| (b.name.as_str(), b.share))
                        .collect()
                })
                .unwrap_or_default();
            let same_services = got.len() == list.len()
                && list.iter().all(|(s, p)| {
                    let name = format!("{}/{}", s.namespace, s.name);
                    got.iter().any(|(n, share)| {
                        // Within one percentage point: 33% of three equal shares is right.
                        *n == name && p.is_none_or(|p| (share * 100.0 - f64::from(p)).abs() < 1.0)
                    })
                });
            (!same_services).then(|| format!("expected -> {want}"))
        }
        Expect::Path(p) => (request.map(|r| &r.path) != Some(p))
            .then(|| format!("expected the backends to get path {p}")),
        Expect::Host(h) => (request.map(|r| &r.host) != Some(h))
            .then(|| format!("expected the backends to get host {h}")),
        Expect::Header(n, v) => {
            let got = request.and_then(|r| r.headers.get(&n.to_ascii_lowercase()));
            (got != Some(v)).then(|| format!("expected the backends to get header `{n}: {v}`"))
        }
    }
}

/// E0602 at the expectation's line.
fn failure(
    t: &Test,
    span: crate::source::Span,
    expect: &Expect,
    answer: Option<&Answer>,
    why: String,
) -> Diagnostic {
    let name = t
        .name
        .as_deref()
        .map_or(String::new(), |n| format!(" `{n}`"));
    let r = &t.request;
    let default_port = if r.https { 443 } else { 80 };
    let port = if r.port == default_port {
        String::new()
    } else {
        format!(":{}", r.port)
    };
    let url = format!("{}://{}{port}{}", r.scheme(), r.host, r.path);
    let got = got(answer, expect);
    let mut d = Diagnostic::new(
        Code::TestFailed,
        span,
        format!("test{name} fails: {} {url} gets {got}", r.method),
        why,
    );
    if span != t.origin {
        d = d.with_label(t.origin, "in this test");
    }
    d.with_help(details(answer, r))
}

/// What the request got, in a few words, as the expectation it is compared with speaks.
fn got(answer: Option<&Answer>, expect: &Expect) -> String {
    let Some(a) = answer else {
        return "404".to_string();
    };
    if let Some(r) = &a.redirect {
        return format!("a redirect {} to {}", r.status, r.location);
    }
    if a.status != 200 {
        return a.status.to_string();
    }
    let request = a.backend_request.as_ref();
    match expect {
        Expect::Path(_) => format!("path {}", request.map_or("", |r| r.path.as_str())),
        Expect::Host(_) => format!("host {}", request.map_or("", |r| r.host.as_str())),
        Expect::Header(n, _) => {
            match request.and_then(|r| r.headers.get(&n.to_ascii_lowercase())) {
                Some(v) => format!("header `{n}: {v}`"),
                None => format!("no header `{n}`"),
            }
        }
        _ => {
            let backends = a
                .backends
                .iter()
                .filter(|b| b.invalid.is_none())
                .map(|b| format!("{} {}%", b.name, route::percent(b.share)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("-> {backends}")
        }
    }
}

/// Where the request went, or for a 404 why nothing took it.
fn details(answer: Option<&Answer>, r: &route::Request) -> String {
    let Some(a) = answer else {
        return format!(
            "no gateway listens on port {} for {}; `egwc route` shows the whole answer",
            r.port,
            r.scheme()
        );
    };
    let mut out = match (&a.route, a.rule_index) {
        (Some(route), Some(rule)) => {
            let at = a
                .source
                .as_deref()
                .map_or(String::new(), |s| format!(" ({s})"));
            format!(
                "gateway {} took it on listener {}: route {route}, rule {rule}{at}",
                a.gateway,
                a.listener.as_deref().unwrap_or_default()
            )
        }
        _ => match &a.listener {
            None => format!(
                "no listener of gateway {} takes host `{}`",
                a.gateway, r.host
            ),
            Some(l) => format!(
                "no rule on listener {l} of gateway {} matches {} {}",
                a.gateway, r.method, r.path
            ),
        },
    };
    for b in a.backends.iter().filter(|b| b.invalid.is_some()) {
        let why = b.invalid.as_deref().unwrap_or_default();
        out.push_str(&format!("; backend {} is invalid: {why}", b.name));
    }
    let misses: Vec<String> = a
        .misses
        .iter()
        .map(|m| {
            let rule = m
                .rule_index
                .map_or(String::new(), |i| format!(", rule {i}"));
            format!("route {}{rule}: {}", m.route, m.reason)
        })
        .collect();
    if !misses.is_empty() {
        out.push_str(&format!("; the nearest misses: {}", misses.join("; ")));
    }
    out
}

/// What the tests' answers reached.
#[derive(Default)]
struct Reached {
    rules: BTreeSet<(String, usize)>,
    matches: BTreeSet<(String, usize, usize)>,
    services: BTreeSet<String>,
}

impl Reached {
    fn add(&mut self, a: &Answer) {
        let (Some(route), Some(rule)) = (&a.route, a.rule_index) else {
            return;
        };
        self.rules.insert((route.clone(), rule));
        if let Some(m) = a.match_index {
            self.matches.insert((route.clone(), rule, m));
        }
        for b in a.backends.iter().filter(|b| b.share > 0.0) {
            self.services.insert(b.name.clone());
        }
    }
}

fn coverage(objects: &Objects, origins: &Origins, reached: &Reached) -> Coverage {
    let mut items = Vec::new();
    let mut services: Vec<(String, String)> = Vec::new();
    for r in &objects.routes {
        let name = format!(
            "{}/{}",
            r.metadata.namespace.as_deref().unwrap_or_default(),
            r.metadata.name.as_deref().unwrap_or_default()
        );
        for (i, rule) in r.spec.rules.iter().flatten().enumerate() {
            let location = origins.rule_source(&name, i).unwrap_or(&name).to_string();
            items.push(CoverageItem {
                kind: ItemKind::Rule,
                location: location.clone(),
                what: format!("route {name}, rule {i}"),
                reached: reached.rules.contains(&(name.clone(), i)),
            });
            let matches = rule.matches.as_deref().unwrap_or_default();
            if matches.len() > 1 {
                for (j, m) in matches.iter().enumerate() {
                    items.push(CoverageItem {
                        kind: ItemKind::Match,
                        location: location.clone(),
                        what: format!(
                            "route {name}, rule {i}, match {j} ({})",
                            route::match_text(m)
                        ),
                        reached: reached.matches.contains(&(name.clone(), i, j)),
                    });
                }
            }
            let namespace = r.metadata.namespace.as_deref().unwrap_or_default();
            for b in rule.backend_refs.iter().flatten() {
                let key = format!("{}/{}", b.namespace.as_deref().unwrap_or(namespace), b.name);
                let (service, location) = origins
                    .service(&key)
                    .map_or((key.clone(), location.clone()), |(s, l)| {
                        (s.to_string(), l.to_string())
                    });
                if !services.iter().any(|(s, _)| *s == service) {
                    services.push((service, location));
                }
            }
        }
    }
    for (service, location) in services {
        items.push(CoverageItem {
            kind: ItemKind::Backend,
            location,
            what: format!("service {service}"),
            reached: reached.services.contains(&service),
        });
    }
    Coverage { items }
}
