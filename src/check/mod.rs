//! Checking: resolves names across all loaded files, applies every rule of the language,
//! Kubernetes and the Gateway API, and builds the [`ir::Model`]. It never stops at the first
//! problem: every diagnostic of the input comes out of one run, and the model is returned only
//! when none of them is an error.

mod capabilities;
mod constants;
mod filters;
mod gateway;
mod host_rewrite;
mod matches;
mod metadata;
mod route;
mod rule;
mod service;
mod target;
mod test;
pub mod validate;
pub mod weights;

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic};
use crate::ir;
use crate::load::Loaded;
use crate::source::Span;
use crate::syntax::ast;
use crate::target::Target;

/// What the caller decides for the whole build.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--target`: compile every gateway for this target, whatever it says.
    pub target: Option<Target>,
    /// Files as an editor holds them, read instead of the disk (the language server).
    pub edited: crate::load::Edited,
    /// `--allow`: warnings and notes not to report.
    pub allow: Vec<crate::diagnostics::Allowed>,
    /// The target was set by the project configuration (egwc.toml), not `--target`.
    pub target_from_config: bool,
    /// Parses kept between builds of the same files (the language server), so that a
    /// build parses again only the blocks that changed. None for the command line.
    pub parses: Option<std::sync::Arc<crate::syntax::Parses>>,
}

/// The namespace of definitions that do not name one.
pub const DEFAULT_NAMESPACE: &str = "default";
/// Kubernetes' limit on the annotations of one object, keys and values together.
pub const MAX_ANNOTATION_BYTES: usize = 256 * 1024;

/// Checks everything loaded. Constants are put in place first, in the syntax trees.
pub fn check(loaded: &mut Loaded, options: &Options) -> (Option<ir::Model>, Vec<Diagnostic>) {
    let constants::Expansion {
        mut diags,
        mut unknown,
    } = constants::expand(&mut loaded.files);
    let loaded = &*loaded;
    let mut checker = Checker {
        loaded,
        options,
        earlier_errors: loaded.diags.iter().chain(&diags).any(Diagnostic::is_error),
        diags: Vec::new(),
        gateways: HashMap::new(),
        services: HashMap::new(),
        service_irs: HashMap::new(),
        gateway_irs: HashMap::new(),
        filters: HashMap::new(),
    };
    let model = checker.run();
    // A diagnostic inside a string whose constant is unknown is about a value egwc does not
    // know: E0107 or E0108 already says what is wrong there.
    // Strings do not overlap: the one a diagnostic may lie in is the last starting before it.
    unknown.sort_unstable_by_key(|s| (s.file, s.start));
    let in_unknown = |d: &Diagnostic| {
        let p = d.primary_span();
        let after = unknown.partition_point(|s| (s.file, s.start) <= (p.file, p.start));
        after > 0 && {
            let s = unknown[after - 1];
            s.file == p.file && p.end <= s.end
        }
    };
    diags.extend(checker.diags.into_iter().filter(|d| !in_unknown(d)));
    let has_errors = diags.iter().any(Diagnostic::is_error);
    ((!has_errors).then_some(model), diags)
}

/// A definition found in some file, with that file's namespace.
struct Def<'a, T> {
    node: &'a T,
    namespace: &'a str,
}

impl<T> Clone for Def<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Def<'_, T> {}

/// A point in the diagnostics reported so far (see [`Checker::mark`]).
#[derive(Clone, Copy)]
struct Mark(usize);

/// Below this many definitions per core, services or routes are checked on one thread.
const DEFINITIONS_PER_CORE: usize = 500;

/// Why egwc refuses a Secret or ConfigMap name that is not a DNS subdomain, which a
/// reference may hold.
const SECRET_NAMES: &str = "Kubernetes names every object with a DNS subdomain, so no \
object has this name and the reference would never resolve";

pub(crate) struct Checker<'a> {
    loaded: &'a Loaded,
    options: &'a Options,
    /// Reading, parsing or constants failed somewhere: the build makes no objects.
    earlier_errors: bool,
    diags: Vec<Diagnostic>,
    gateways: HashMap<&'a str, Def<'a, ast::Gateway>>,
    services: HashMap<&'a str, Def<'a, ast::Service>>,
    /// Checked services and gateways by name, for routes to resolve against, shared with
    /// every route that refers to them (a service with its index in `Model::services`). A
    /// definition with errors is absent here, and references to it are not reported again.
    service_irs: HashMap<&'a str, (usize, Arc<ir::Service>)>,
    gateway_irs: HashMap<String, Arc<ir::Gateway>>,
    /// Filter groups by name, and whether they are free of errors. A rule that uses one with
    /// errors is not checked against it, since its errors were reported at the group.
    filters: HashMap<&'a str, (&'a ast::Filters, bool)>,
}

impl<'a> Checker<'a> {
    fn report(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    /// The diagnostics reported so far, to ask later whether an error came after.
    fn mark(&self) -> Mark {
        Mark(self.diags.len())
    }

    /// Whether an error was reported since `mark`: the question a check asks before it
    /// builds what it checked, instead of carrying an `ok` flag beside every report.
    fn errors_since(&self, mark: Mark) -> bool {
        self.diags[mark.0..].iter().any(Diagnostic::is_error)
    }

    /// `check` on each of `defs`, in order, over every core when there are many: each core
    /// checks a run of them on a copy of this checker, whose tables it only reads, and the
    /// runs' diagnostics are appended in order, so that the results and the diagnostics are
    /// those of one pass. (Services and routes are each checked against what came before
    /// them, never against each other.)
    fn on_cores<T: Sync, R: Send>(
        &mut self,
        defs: &[T],
        check: impl Fn(&mut Checker<'a>, &T) -> Option<R> + Sync,
    ) -> Vec<Option<R>> {
        let per_core = defs
            .len()
            .div_ceil(crate::parallel::cores())
            .max(DEFINITIONS_PER_CORE);
        if defs.len() <= per_core {
            return defs.iter().map(|d| check(self, d)).collect();
        }
        let runs: Vec<&[T]> = defs.chunks(per_core).collect();
        let this = &*self;
        let checked = crate::parallel::each_share(runs.len(), |i| {
            let mut copy = this.copy();
            let results: Vec<Option<R>> = runs[i].iter().map(|d| check(&mut copy, d)).collect();
            (results, copy.diags)
        });
        let mut out = Vec::with_capacity(defs.len());
        for (results, diags) in checked {
            out.extend(results);
            self.diags.extend(diags);
        }
        out
    }

    /// This checker with its tables and no diagnostics, for [`Checker::on_cores`].
    fn copy(&self) -> Checker<'a> {
        Checker {
            loaded: self.loaded,
            options: self.options,
            earlier_errors: self.earlier_errors,
            diags: Vec::new(),
            gateways: self.gateways.clone(),
            services: self.services.clone(),
            service_irs: self.service_irs.clone(),
            gateway_irs: self.gateway_irs.clone(),
            filters: self.filters.clone(),
        }
    }

    fn run(&mut self) -> ir::Model {
        let loaded = self.loaded;
        let mut gateways = Vec::new();
        let mut services = Vec::new();
        let mut routes = Vec::new();
        let mut groups = Vec::new();
        let mut tests = Vec::new();
        // First definition of each name, per kind; later ones are reported as duplicates.
        let items = loaded.files.iter().map(|(_, ast)| ast.items.len()).sum();
        let mut first: HashMap<(&str, &str), Span> = HashMap::with_capacity(items);
        for (_, ast) in &loaded.files {
            let namespace = self.file_namespace(ast);
            for item in &ast.items {
                // Why the name must be unique, where it is not that it names an object.
                let (kind, name, why) = match &item.node {
                    ast::Item::Gateway(g) => ("gateway", &g.name, None),
                    ast::Item::Service(s) => ("service", &s.name, None),
                    ast::Item::Route(r) => ("route", &r.name, None),
                    ast::Item::Filters(f) => (
                        "filter group",
                        &f.name,
                        Some("`use NAME` must mean one group"),
                    ),
                    ast::Item::Test(t) => {
                        tests.push(t);
                        continue;
                    }
                    ast::Item::Namespace(_) | ast::Item::Import(_) | ast::Item::Let { .. } => {
                        continue;
                    }
                };
                if let Some(&span) = first.get(&(kind, name.text.as_str())) {
                    let why = why.map_or_else(|| kubernetes_name(kind), str::to_string);
                    self.report(duplicate(kind, name, span, &why));
                    continue;
                }
                first.insert((kind, &name.text), name.span);
                match &item.node {
                    ast::Item::Gateway(g) => gateways.push(Def { node: g, namespace }),
                    ast::Item::Service(s) => services.push(Def { node: s, namespace }),
                    ast::Item::Route(r) => routes.push(Def { node: r, namespace }),
                    ast::Item::Filters(f) => groups.push(f),
                    ast::Item::Namespace(_)
                    | ast::Item::Import(_)
                    | ast::Item::Let { .. }
                    | ast::Item::Test(_) => {}
                }
            }
        }
        self.gateways.reserve(gateways.len());
        self.services.reserve(services.len());
        self.service_irs.reserve(services.len());
        for g in &gateways {
            self.gateways.insert(&g.node.name.text, *g);
        }
        for s in &services {
            self.services.insert(&s.node.name.text, *s);
        }

        let mut model = ir::Model {
            gateways: Vec::with_capacity(gateways.len()),
            routes: Vec::with_capacity(routes.len()),
            ..ir::Model::default()
        };
        for g in &gateways {
            if let Some(ir) = self.gateway(g.node, g.namespace) {
                self.gateway_irs
                    .insert(ir.meta.name.clone(), Arc::new(ir.clone()));
                model.gateways.push(ir);
            }
        }
        // The services are shared with the routes while they are checked, and are the
        // model's once they are.
        let mut checked: Vec<Arc<ir::Service>> = Vec::with_capacity(services.len());
        let service_irs = self.on_cores(&services, |c, s| c.service(s.node, s.namespace));
        for (s, ir) in services.iter().zip(service_irs) {
            if let Some(ir) = ir {
                let ir = Arc::new(ir);
                self.service_irs
                    .insert(&s.node.name.text, (checked.len(), Arc::clone(&ir)));
                checked.push(ir);
            }
        }
        self.generated_names(checked.iter().map(|s| &**s));
        for g in groups {
            let ok = self.filter_group(g);
            self.filters.insert(&g.name.text, (g, ok));
        }
        let route_irs = self.on_cores(&routes, |c, r| c.route(r.node, r.namespace));
        model.routes.extend(route_irs.into_iter().flatten());
        for t in tests {
            if let Some(ir) = self.test(t) {
                model.tests.push(ir);
            }
        }
        self.service_irs.clear();
        model.services = checked
            .into_iter()
            .map(|s| Arc::try_unwrap(s).unwrap_or_else(|s| (*s).clone()))
            .collect();
        self.http_and_grpc_hostnames(&model);
        self.fit_to_targets(&mut model);
        self.infer_host_rewrites(&mut model);
        model
    }

    /// W0318: an HTTP route and a gRPC route on one listener with a hostname in common. The
    /// Gateway API lets a controller accept only one of them (the older): the other would
    /// never be routed.
    fn http_and_grpc_hostnames(&mut self, model: &ir::Model) {
        // Each route's listeners (gateway and listener names), found once.
        let listeners = |r: &ir::Route| -> Vec<(&str, &str)> {
            let mut out = Vec::new();
            for p in &r.parents {
                let Some(g) = self.gateway_irs.get(&p.gateway.name) else {
                    continue;
                };
                for l in &g.listeners {
                    if r.kind.fits(l.protocol) && p.listener.as_ref().is_none_or(|n| *n == l.name) {
                        out.push((g.meta.name.as_str(), l.name.as_str()));
                    }
                }
            }
            out
        };
        let shared = |a: &ir::Route, b: &ir::Route| -> Option<String> {
            match (a.hostnames.is_empty(), b.hostnames.is_empty()) {
                (true, true) => Some("every hostname".to_string()),
                (true, false) => Some(format!("`{}`", b.hostnames[0])),
                (false, true) => Some(format!("`{}`", a.hostnames[0])),
                (false, false) => a.hostnames.iter().find_map(|h| {
                    b.hostnames
                        .iter()
                        .any(|k| {
                            validate::hostnames_intersect(Some(h), k)
                                || validate::hostnames_intersect(Some(k), h)
                        })
                        .then(|| format!("`{h}`"))
                }),
            }
        };
        let mut reports = Vec::new();
        {
            // The HTTP routes on each listener, in the model's order: a gRPC route is compared
            // with those on its own listeners only.
            let http: Vec<(&ir::Route, Vec<(&str, &str)>)> = model
                .routes
                .iter()
                .filter(|r| r.kind == ir::RouteKind::Http)
                .map(|r| (r, listeners(r)))
                .collect();
            let mut on_listener: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
            for (i, (_, ls)) in http.iter().enumerate() {
                for l in ls {
                    on_listener.entry(*l).or_default().push(i);
                }
            }
            for grpc in model
                .routes
                .iter()
                .filter(|r| r.kind == ir::RouteKind::Grpc)
            {
                let on = listeners(grpc);
                let mut candidates: Vec<usize> = on
                    .iter()
                    .filter_map(|l| on_listener.get(l))
                    .flatten()
                    .copied()
                    .collect();
                candidates.sort_unstable();
                candidates.dedup();
                for i in candidates {
                    let (http, ls) = &http[i];
                    let Some((gateway, listener)) = ls.iter().find(|l| on.contains(l)) else {
                        continue;
                    };
                    if let Some(host) = shared(http, grpc) {
                        reports.push(
                            Diagnostic::new(
                                Code::HttpAndGrpcHostname,
                                grpc.meta.origin,
                                format!(
                                    "gRPC route `{}` and HTTP route `{}` share {host} on \
listener `{gateway}.{listener}`",
                                    grpc.meta.name, http.meta.name
                                ),
                                "a gRPC route",
                            )
                            .with_label(http.meta.origin, "an HTTP route")
                            .with_help(
                                "a controller may accept only the older of the two; give the \
gRPC route a hostname of its own (`grpc.example.com`), or another listener",
                            ),
                        );
                        break;
                    }
                }
            }
        }
        for d in reports {
            self.report(d);
        }
    }

    /// The `namespace` declared at the top of a file, or the default.
    fn file_namespace(&mut self, ast: &'a ast::File) -> &'a str {
        let mut found: Option<&'a ast::Str> = None;
        for item in &ast.items {
            if let ast::Item::Namespace(ns) = &item.node {
                if let Some(first) = found {
                    self.report(duplicate_attribute("namespace", item.span, first.span));
                } else {
                    self.namespace_name(ns);
                    found = Some(ns);
                }
            }
        }
        found.map_or(DEFAULT_NAMESPACE, |ns| ns.value.as_str())
    }

    fn namespace_name(&mut self, ns: &ast::Str) {
        if let Err(reason) = validate::dns1123_label(&ns.value) {
            self.report(
                Diagnostic::new(
                    Code::InvalidNamespace,
                    ns.span,
                    format!("`{}` is not a valid namespace", ns.value),
                    reason,
                )
                .with_help(
                    "namespaces are lower-case letters, digits and `-`, at most 63 characters",
                ),
            );
        }
    }

    /// Checks a definition's name as a Kubernetes object name, leaving room for `suffix_len`
    /// generated characters.
    /// `subdomain`: the object is a route or a gateway, whose kind takes any DNS subdomain.
    fn object_name(&mut self, name: &ast::Ident, suffix_len: usize, subdomain: bool) -> bool {
        let result = validate::dns1035_label(&name.text).and_then(|()| {
            if name.text.len() + suffix_len > 63 {
                Err(format!(
                    "{} characters plus {suffix_len} for generated suffixes, at most 63 are \
allowed",
                    name.text.len()
                ))
            } else {
                Ok(())
            }
        });
        match result {
            Ok(()) => true,
            Err(reason) => {
                let suggestion = name.text.to_ascii_lowercase().replace('_', "-");
                let help =
                    if suggestion != name.text && validate::dns1035_label(&suggestion).is_ok() {
                        format!("names become Kubernetes object names; try `{suggestion}`")
                    } else {
                        "names become Kubernetes object names: lower-case letters, digits and `-`, \
starting with a letter, at most 63 characters"
                            .to_string()
                    };
                let mut diag = Diagnostic::new(
                    Code::InvalidName,
                    name.span,
                    format!("`{}` is not a valid Kubernetes name", name.text),
                    reason,
                )
                .with_help(help);
                if subdomain && validate::dns1123_subdomain(&name.text).is_ok() {
                    diag = diag.stricter(
                        "egwc keeps one rule for every name: a service's name becomes \
Kubernetes Services, which take at most 63 characters, and a gateway's names the controller's \
Deployment and Service",
                    );
                }
                self.report(diag);
                false
            }
        }
    }

    /// A value written into YAML: without the control characters the API server refuses.
    fn yaml_text(&mut self, value: &ast::Str, what: &str) {
        if let Err(reason) = validate::yaml_text(&value.value) {
            self.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    value.span,
                    format!("this {what} holds a control character"),
                    reason,
                )
                .with_help("write the value without it"),
            );
        }
    }

    fn invalid_label(&mut self, s: &ast::Str, what: &str, reason: String) {
        self.report(
            Diagnostic::new(
                Code::InvalidLabel,
                s.span,
                format!("`{}` is not a valid {what}", s.value),
                reason,
            )
            .with_help(
                "keys are `[prefix/]name`; names and values are at most 63 letters, \
digits, `-`, `_` and `.`",
            ),
        );
    }

    fn port(&mut self, port: &ast::Int) -> Option<u16> {
        match u16::try_from(port.value) {
            Ok(p) if p > 0 => Some(p),
            _ => {
                self.report(
                    Diagnostic::new(
                        Code::PortOutOfRange,
                        port.span,
                        // A number too large for 64 bits is shown as written.
                        if port.value == u64::MAX {
                            format!(
                                "port {} is out of range",
                                self.loaded.sources.text(port.span)
                            )
                        } else {
                            format!("port {} is out of range", port.value)
                        },
                        "not between 1 and 65535",
                    )
                    .with_help("ports are 1 to 65535"),
                );
                None
            }
        }
    }

    fn hostname(&mut self, host: &ast::Str, wildcard: bool) -> bool {
        match validate::hostname(&host.value, wildcard) {
            Ok(()) => true,
            Err(reason) => {
                let lower = host.value.to_ascii_lowercase();
                let ip = reason.contains("IP address") || reason.contains("port");
                let (code, help) = if ip && !wildcard {
                    (
                        Code::DnsNameRequired,
                        "write the DNS name the server answers to; an address belongs in the \
service's `endpoint`"
                            .to_string(),
                    )
                } else if lower != host.value && validate::hostname(&lower, wildcard).is_ok() {
                    (Code::InvalidHostname, format!("write `{lower}`"))
                } else if wildcard {
                    (
                        Code::InvalidHostname,
                        "hostnames are lower-case DNS names, optionally starting with `*.`"
                            .to_string(),
                    )
                } else {
                    (
                        Code::InvalidHostname,
                        "hostnames here are lower-case DNS names without a wildcard".to_string(),
                    )
                };
                let mut diag = Diagnostic::new(
                    code,
                    host.span,
                    format!("`{}` is not a valid hostname", host.value),
                    reason,
                )
                .with_help(help);
                if validate::server_takes_hostname(&host.value, wildcard) {
                    diag = diag.stricter(if ip {
                        "an IP address names no virtual host, and TLS names a server by its DNS \
name"
                    } else {
                        "no DNS name has a label longer than 63 characters, so no client would \
ask for it"
                    });
                }
                self.report(diag);
                false
            }
        }
    }

    /// Reports a list longer than the Gateway API allows.
    fn limit(&mut self, count: usize, max: usize, what: &str, span: Span) -> bool {
        if count <= max {
            return true;
        }
        self.report(
            Diagnostic::new(
                Code::TooMany,
                span,
                format!("{count} {what}, the Gateway API allows at most {max}"),
                format!("{count} {what}"),
            )
            .with_help("split it into several routes or rules"),
        );
        false
    }

    /// A keyword value (`HTTPS`, `GET`) that must be one of `allowed`.
    fn one_of<T: Copy>(
        &mut self,
        word: &ast::Ident,
        what: &str,
        allowed: &[(&str, T)],
    ) -> Option<T> {
        if let Some((_, v)) = allowed.iter().find(|(name, _)| *name == word.text) {
            return Some(*v);
        }
        let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
        let case = names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&word.text))
            .copied();
        let suggestion =
            case.or_else(|| crate::diagnostics::closest(&word.text, names.iter().copied()));
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`? {what} is one of {list}"),
            None => format!("{what} is one of {list}"),
        };
        self.report(
            Diagnostic::new(
                Code::UnknownValue,
                word.span,
                format!("unknown {what} `{}`", word.text),
                format!("not a {what}"),
            )
            .with_help(help),
        );
        None
    }

    /// Every Kubernetes Service name a service generates must be unique in its namespace.
    fn generated_names<'s>(&mut self, services: impl Iterator<Item = &'s ir::Service>) {
        let mut taken: HashMap<(&str, &str), (&str, Span)> = HashMap::new();
        let mut reports = Vec::new();
        for s in services {
            for b in &s.backends {
                let key = (s.meta.namespace.as_str(), b.name.as_str());
                match taken.get(&key) {
                    Some(&(other, span)) if other != s.meta.name => {
                        reports.push((
                            b.name.clone(),
                            other.to_string(),
                            span,
                            s.meta.name.clone(),
                            s.meta.origin,
                        ));
                    }
                    Some(_) => {}
                    None => {
                        taken.insert(key, (&s.meta.name, s.meta.origin));
                    }
                }
            }
        }
        for (object, first, first_span, second, second_span) in reports {
            let (a, b) = (first_span, second_span);
            self.report(
                Diagnostic::new(
                    Code::GeneratedNameCollision,
                    b,
                    format!(
                        "services `{first}` and `{second}` both produce the Kubernetes \
Service `{object}`"
                    ),
                    format!("produces `{object}`"),
                )
                .with_label(a, format!("also produces `{object}`"))
                .with_help(
                    "rename one of the services; balanced services add `-0`, `-1`, … to their name",
                ),
            );
        }
    }
}

/// Why names of `what` (a gateway, a listener, …) are unique: they name Kubernetes objects.
fn kubernetes_name(what: &str) -> String {
    format!("{what} names become Kubernetes names and must be unique")
}

/// Two definitions of one name; `why` says why the name must be unique.
fn duplicate(what: &str, name: &ast::Ident, first: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDefinition,
        name.span,
        format!("the {what} `{}` is defined twice", name.text),
        "defined again here",
    )
    .with_label(first, "first defined here")
    .with_help(format!("{why}; rename or remove one"))
}

fn duplicate_attribute(what: &str, again: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateAttribute,
        again,
        format!("`{what}` is given twice"),
        "given again here",
    )
    .with_label(first, "first given here")
    .with_help(format!(
        "`{what}` takes one value; remove the one you do not mean"
    ))
}

/// E0316: an attribute that the kind of its listener, route or service does not have.
fn not_for_kind(span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::new(Code::NotForKind, span, message, "not for this kind").with_help(help)
}

fn missing(name: &ast::Ident, what: &str, attribute: &str, example: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MissingAttribute,
        name.span,
        format!("{what} `{}` has no `{attribute}`", name.text),
        format!("needs `{attribute}`"),
    )
    .with_help(format!("add `{example}` inside the block"))
}

/// Collects attributes that may be given once; the second occurrence is reported.
struct Once<T> {
    what: &'static str,
    value: Option<(T, Span)>,
}

impl<T> Once<T> {
    fn new(what: &'static str) -> Self {
        Once { what, value: None }
    }

    fn set(&mut self, checker: &mut Checker<'_>, value: T, span: Span) {
        match &self.value {
            Some((_, first)) => checker.report(duplicate_attribute(self.what, span, *first)),
            None => self.value = Some((value, span)),
        }
    }

    fn get(self) -> Option<T> {
        self.value.map(|(v, _)| v)
    }
}
