//! Checking `gateway` blocks and their listeners.

use std::collections::HashMap;

use super::{Checker, Once, SECRET_NAMES, missing, not_for_kind, validate};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{self, Protocol};
use crate::source::Span;
use crate::syntax::ast::{self, GatewayItem, ListenerItem, ListenerTlsItem};
use crate::target::{Controller, Target, Version};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Terminate,
    Passthrough,
}

impl<'a> Checker<'a> {
    pub(super) fn gateway(
        &mut self,
        g: &'a ast::Gateway,
        file_namespace: &'a str,
    ) -> Option<ir::Gateway> {
        let mark = self.mark();
        self.object_name(&g.name, 0, true);
        let mut class = Once::new("class");
        let mut target = Once::new("target");
        let mut namespace = Once::new("namespace");
        let mut labels = Vec::new();
        let mut annotations = Vec::new();
        let mut listeners = Vec::new();
        let mut listener_names: HashMap<&str, &ast::Ident> = HashMap::new();
        for item in &g.items {
            match &item.node {
                GatewayItem::Class(c) => class.set(self, c, item.span),
                GatewayItem::Target { name, version } => {
                    target.set(self, (name, version.as_ref(), item.span), item.span)
                }
                GatewayItem::Namespace(ns) => {
                    self.namespace_name(ns);
                    namespace.set(self, ns.value.as_str(), item.span);
                }
                GatewayItem::Label(kv) => labels.push(&**kv),
                GatewayItem::Annotation(kv) => annotations.push(&**kv),
                GatewayItem::Listener(l) => {
                    if let Some(first) = listener_names.get(l.name.text.as_str()) {
                        self.report(super::duplicate(
                            "listener",
                            &l.name,
                            first.span,
                            &super::kubernetes_name("listener"),
                        ));
                        continue;
                    }
                    listener_names.insert(&l.name.text, &l.name);
                    listeners.push((l, item.span));
                }
            }
        }
        let namespace = namespace.get().unwrap_or(file_namespace);
        let class_attr = class.get();
        let class = self.gateway_class(g, class_attr);
        let checked = self.gateway_listeners(g, &listeners, namespace);
        let failed = checked.is_none() || self.errors_since(mark);
        let (labels, annotations) = self.metadata(&labels, &annotations, None);
        let class_span = class_attr.map(|c| c.span);
        let class = class?;
        let (target, target_from) = self.gateway_target(target.get(), &class, g)?;
        if let Some(span) = class_span {
            self.class_of_another_controller(&class, span, target, target_from, g);
        }
        (!failed).then(|| ir::Gateway {
            meta: ir::Meta {
                name: g.name.text.clone(),
                namespace: namespace.to_string(),
                labels,
                annotations,
                origin: g.name.span,
            },
            class,
            listeners: checked.unwrap_or_default(),
            target,
            target_from,
        })
    }

    /// The `class`: required, 1 to 253 characters.
    fn gateway_class(&mut self, g: &ast::Gateway, written: Option<&ast::Str>) -> Option<String> {
        match written {
            Some(c) if c.value.is_empty() || c.value.chars().count() > 253 => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidValue,
                        c.span,
                        "a gateway class name is 1 to 253 characters",
                        "not a class name",
                    )
                    .with_help(
                        "write the GatewayClass of your controller, such as `cilium` or `eg`",
                    ),
                );
                None
            }
            Some(c) => {
                let mark = self.mark();
                self.yaml_text(c, "gateway class name");
                (!self.errors_since(mark)).then(|| c.value.clone())
            }
            None => {
                self.report(missing(&g.name, "gateway", "class", "class \"cilium\""));
                None
            }
        }
    }

    /// The listeners, each checked, then against each other; `None` if any has an error.
    fn gateway_listeners(
        &mut self,
        g: &ast::Gateway,
        listeners: &[(&ast::Listener, Span)],
        namespace: &str,
    ) -> Option<Vec<ir::Listener>> {
        let mark = self.mark();
        let mut failed = false;
        if listeners.is_empty() {
            self.report(missing(
                &g.name,
                "gateway",
                "listener",
                "listener http { port 80 protocol HTTP }",
            ));
        }
        self.limit(listeners.len(), 64, "listeners", g.name.span);
        let mut checked = Vec::new();
        for (l, _) in listeners {
            match self.listener(l, namespace) {
                Some(ir) => checked.push((ir, *l)),
                None => failed = true,
            }
        }
        self.listener_conflicts(&checked);
        let failed = failed || self.errors_since(mark);
        (!failed).then(|| checked.into_iter().map(|(l, _)| l).collect())
    }

    /// Warns when the class is a well-known class of another controller than the target's:
    /// that controller would take the Gateway, and the target's would never see it.
    fn class_of_another_controller(
        &mut self,
        class: &str,
        class_span: Span,
        target: Target,
        from: ir::TargetFrom,
        g: &ast::Gateway,
    ) {
        let Some(owner) = Controller::from_class(class) else {
            return;
        };
        if owner == target.controller || target.controller == Controller::GENERIC {
            return;
        }
        let caps = target.caps();
        let own: Vec<String> = caps.classes.iter().map(|c| format!("`{c}`")).collect();
        let mut d = Diagnostic::new(
            Code::ClassOfAnotherController,
            class_span,
            format!(
                "gateway `{}` is compiled for {target}, but its class `{class}` is {}'s: {} would \
never pick it up",
                g.name.text,
                owner.caps().title,
                caps.title
            ),
            format!("a class of {}", owner.caps().title),
        )
        .with_label(from.span(), from.describe(target))
        .with_help(format!(
            "name the GatewayClass {} serves ({} by default), or compile for `{}`",
            caps.title,
            own.join(", "),
            owner.name()
        ));
        if let Some(default) = caps.classes.iter().find(|c| !c.ends_with('*')) {
            d = d.with_fix(class_span, format!("\"{default}\""));
        }
        self.report(d);
    }

    /// The target of what no gateway decides: `--target`, else `generic`.
    pub(super) fn default_target(&self) -> Target {
        self.command_line_target().unwrap_or_else(Target::generic)
    }

    /// `--target`, which overrides every gateway's: the one place the flag is read.
    fn command_line_target(&self) -> Option<Target> {
        self.options.target
    }

    /// The gateway's target: `--target`, else its `target` attribute, else the one its class
    /// implies, else `generic`.
    fn gateway_target(
        &mut self,
        written: Option<(&ast::Ident, Option<&ast::Ident>, Span)>,
        class: &str,
        g: &ast::Gateway,
    ) -> Option<(Target, ir::TargetFrom)> {
        let class_span = g
            .items
            .iter()
            .find(|i| matches!(i.node, GatewayItem::Class(_)))
            .map_or(g.name.span, |i| i.span);
        if let Some(target) = self.command_line_target() {
            let from = if self.options.target_from_config {
                ir::TargetFrom::Config(g.name.span)
            } else {
                ir::TargetFrom::CommandLine(g.name.span)
            };
            return Some((target, from));
        }
        if let Some((name, version, span)) = written {
            let controllers: Vec<(&str, Controller)> =
                Controller::all().map(|c| (c.name(), c)).collect();
            let controller = self.one_of(name, "target", &controllers)?;
            let version = match version {
                None => controller.caps().latest,
                Some(v) => match Version::parse(&v.text) {
                    Some(version) => version,
                    None => {
                        self.report(
                            Diagnostic::new(
                                Code::InvalidValue,
                                v.span,
                                format!("`{}` is not a version", v.text),
                                "not `major.minor` or `major.minor.patch`",
                            )
                            .with_help(format!(
                                "write the controller's version, such as `target {} {}`",
                                controller.name(),
                                controller.caps().latest
                            )),
                        );
                        return None;
                    }
                },
            };
            return Some((
                Target {
                    controller,
                    version,
                },
                ir::TargetFrom::Attribute(span),
            ));
        }
        Some(match Controller::from_class(class) {
            Some(c) => (Target::latest(c), ir::TargetFrom::Class(class_span)),
            None => (Target::generic(), ir::TargetFrom::Default(class_span)),
        })
    }

    fn listener(&mut self, l: &ast::Listener, gateway_namespace: &str) -> Option<ir::Listener> {
        let mark = self.mark();
        if let Err(reason) = validate::dns1123_subdomain(&l.name.text) {
            self.report(
                Diagnostic::new(
                    Code::InvalidName,
                    l.name.span,
                    format!("`{}` is not a valid listener name", l.name.text),
                    reason,
                )
                .with_help("listener names are lower-case letters, digits, `-` and `.`"),
            );
        }
        let mut port = Once::new("port");
        let mut protocol = Once::new("protocol");
        let mut hostname = Once::new("hostname");
        let mut tls = Once::new("tls");
        let mut routes = Once::new("routes");
        for item in &l.items {
            match &item.node {
                ListenerItem::Port(p) => port.set(self, p, item.span),
                ListenerItem::Protocol(p) => protocol.set(self, p, item.span),
                ListenerItem::Hostname(h) => hostname.set(self, h, item.span),
                ListenerItem::Tls(t) => tls.set(self, (t, item.span), item.span),
                ListenerItem::RoutesFrom(r) => routes.set(self, r, item.span),
            }
        }
        let port = match port.get() {
            Some(p) => self.port(p),
            None => {
                self.report(missing(&l.name, "listener", "port", "port 443"));
                None
            }
        };
        let protocol = match protocol.get() {
            Some(p) => self.one_of(p, "listener protocol", ir::LISTENER_PROTOCOLS),
            None => {
                self.report(missing(&l.name, "listener", "protocol", "protocol HTTPS"));
                None
            }
        };
        let hostname = hostname.get().and_then(|h| {
            if let Some(p) = protocol.filter(|p| matches!(p, Protocol::Tcp | Protocol::Udp)) {
                self.report(not_for_kind(
                    h.span,
                    format!("{} listener has no hostname", ir::article(p.as_str())),
                    "TCP and UDP carry no host name to tell listeners apart by: give each its own port",
                ));
                return None;
            }
            self.hostname(h, true).then(|| h.value.clone())
        });
        let routes_from_all = match routes.get() {
            Some(r) => {
                self.one_of(r, "`routes from` value", &[("same", false), ("all", true)])
                    == Some(true)
            }
            None => false,
        };
        let tls_block = tls.get();
        let tls = tls_block.map(|(items, span)| self.listener_tls(items, span, gateway_namespace));
        let protocol = protocol?;
        let port = port?;
        let tls = match Self::listener_tls_for(l, protocol, tls_block.map(|(_, span)| span), tls) {
            Ok(tls) => tls,
            Err(d) => {
                if let Some(d) = d {
                    self.report(d);
                }
                return None;
            }
        };
        (!self.errors_since(mark)).then(|| ir::Listener {
            name: l.name.text.clone(),
            port,
            protocol,
            hostname,
            tls,
            routes_from_all,
        })
    }

    /// A listener's TLS, which its protocol decides: none for HTTP, a certificate for
    /// HTTPS, a mode for TLS. `None` `Err` when it is wrong, with the diagnostic (none when the `tls` block
    /// itself had errors, reported already); `Ok(None)` for no TLS.
    #[allow(clippy::type_complexity)]
    fn listener_tls_for(
        l: &ast::Listener,
        protocol: Protocol,
        block: Option<Span>,
        tls: Option<Option<(Option<Mode>, Vec<ir::ObjectRef>, Option<Span>)>>,
    ) -> Result<Option<ir::ListenerTls>, Option<Diagnostic>> {
        let tls = match (protocol, block, tls) {
            (Protocol::Http, Some(span), _) => {
                return Err(Some(
                    Diagnostic::new(
                        Code::TlsNotAllowed,
                        span,
                        format!(
                            "listener `{}` is plain HTTP but has a `tls` block",
                            l.name.text
                        ),
                        "not allowed on an HTTP listener",
                    )
                    .with_help("use `protocol HTTPS` to terminate TLS, or remove the `tls` block"),
                ));
            }
            (Protocol::Tcp | Protocol::Udp, Some(span), _) => {
                return Err(Some(
                    Diagnostic::new(
                        Code::TlsNotAllowed,
                        span,
                        format!(
                            "listener `{}` is {} but has a `tls` block",
                            l.name.text,
                            protocol.as_str()
                        ),
                        format!("not allowed on a {} listener", protocol.as_str()),
                    )
                    .with_help(
                        "TCP and UDP listeners forward what they get; for TLS, use `protocol TLS` \
with `tls { mode passthrough }`",
                    ),
                ));
            }
            (Protocol::Http | Protocol::Tcp | Protocol::Udp, None, _) => None,
            (_, None, _) => {
                let (code, help) = if protocol == Protocol::Https {
                    (
                        Code::TlsCertificateRequired,
                        "add `tls { cert \"secret-name\" }` naming the Secret with the certificate",
                    )
                } else {
                    (
                        Code::TlsModeRequired,
                        "add `tls { mode passthrough }`, or `tls { mode terminate cert \
\"secret-name\" }`",
                    )
                };
                return Err(Some(
                    Diagnostic::new(
                        code,
                        l.name.span,
                        format!(
                            "{} listener `{}` has no `tls` block",
                            protocol.as_str(),
                            l.name.text
                        ),
                        "needs `tls`",
                    )
                    .with_help(help),
                ));
            }
            (_, Some(_), None) => return Err(None),
            (_, Some(span), Some(tls)) => {
                let Some((mode, certs, mode_span)) = tls else {
                    return Err(None);
                };
                tls_mode(l, protocol, span, mode, certs, mode_span)?
            }
        };
        Ok(tls)
    }

    /// The mode, the certificates and the span of the mode word of a listener's `tls` block.
    #[allow(clippy::type_complexity)]
    fn listener_tls(
        &mut self,
        items: &[ast::Spanned<ListenerTlsItem>],
        block: Span,
        gateway_namespace: &str,
    ) -> Option<(Option<Mode>, Vec<ir::ObjectRef>, Option<Span>)> {
        let mark = self.mark();
        let mut mode = Once::new("mode");
        let mut certs = Vec::new();
        for item in items {
            match &item.node {
                ListenerTlsItem::Mode(m) => mode.set(self, m, item.span),
                ListenerTlsItem::Cert(c) => {
                    let (namespace, name) = match c.value.split_once('/') {
                        Some((ns, name)) => (ns, name),
                        None => (gateway_namespace, c.value.as_str()),
                    };
                    let valid = validate::dns1123_label(namespace)
                        .map_err(|e| format!("namespace: {e}"))
                        .and_then(|()| validate::dns1123_subdomain(name));
                    if let Err(reason) = valid {
                        let mut diag = Diagnostic::new(
                            Code::InvalidValue,
                            c.span,
                            format!("`{}` is not a valid Secret reference", c.value),
                            reason,
                        )
                        .with_help(
                            "write `cert \"secret-name\"` or `cert \"namespace/secret-name\"`",
                        );
                        if validate::dns1123_label(namespace).is_ok()
                            && validate::server_takes_reference(name)
                        {
                            diag = diag.stricter(SECRET_NAMES);
                        }
                        self.report(diag);
                        continue;
                    }
                    certs.push(ir::ObjectRef {
                        namespace: namespace.to_string(),
                        name: name.to_string(),
                    });
                }
            }
        }
        self.limit(certs.len(), 64, "certificates", block);
        let mode_word = mode.get();
        let mode_span = mode_word.map(|m| m.span);
        let mode = match mode_word {
            Some(m) => Some(self.one_of(
                m,
                "TLS mode",
                &[
                    ("terminate", Mode::Terminate),
                    ("passthrough", Mode::Passthrough),
                ],
            )?),
            None if certs.is_empty() => None,
            None => Some(Mode::Terminate),
        };
        if mode == Some(Mode::Passthrough) && !certs.is_empty() {
            // Certificates are unused in passthrough mode; the API server accepts them, but the
            // user most likely meant terminate.
            self.report(
                Diagnostic::new(
                    Code::InvalidTlsMode,
                    mode_span.expect("mode was given"),
                    "passthrough listeners do not use certificates",
                    "passthrough",
                )
                .with_help("remove the `cert` lines, or use `mode terminate`")
                .stricter("the gateway never uses a certificate it passes TLS through for"),
            );
            return None;
        }
        (!self.errors_since(mark)).then_some((mode, certs, mode_span))
    }

    /// Listeners must differ in port, protocol or hostname; HTTP cannot share a port with
    /// HTTPS or TLS, and a TCP listener a port with any other over TCP (UDP may share one).
    fn listener_conflicts(&mut self, listeners: &[(ir::Listener, &ast::Listener)]) -> bool {
        let mark = self.mark();
        for (i, (a, a_ast)) in listeners.iter().enumerate() {
            for (b, b_ast) in &listeners[..i] {
                if a.port != b.port {
                    continue;
                }
                let identical = a.protocol == b.protocol && a.hostname == b.hostname;
                let message = if identical {
                    format!(
                        "listeners `{}` and `{}` both take {} on port {}{}",
                        b.name,
                        a.name,
                        a.protocol.as_str(),
                        a.port,
                        a.hostname
                            .as_ref()
                            .map_or(String::new(), |h| format!(" for `{h}`"))
                    )
                } else if a.protocol.is_udp() != b.protocol.is_udp() {
                    continue;
                } else if a.protocol == Protocol::Tcp || b.protocol == Protocol::Tcp {
                    format!(
                        "listeners `{}` and `{}` both take TCP connections on port {}",
                        b.name, a.name, a.port
                    )
                } else if (a.protocol == Protocol::Http) != (b.protocol == Protocol::Http) {
                    format!(
                        "listeners `{}` and `{}` use port {} for both plain HTTP and TLS",
                        b.name, a.name, a.port
                    )
                } else {
                    continue;
                };
                let diag = Diagnostic::new(
                    Code::ListenerConflict,
                    a_ast.name.span,
                    message,
                    "conflicts",
                )
                .with_label(b_ast.name.span, "with this listener")
                .with_help("give the listeners different ports, or different hostnames");
                // The API server refuses only identical port, protocol and hostname.
                self.report(if identical {
                    diag
                } else {
                    diag.stricter(
                        "one port speaks one protocol: the controller marks such listeners \
Conflicted and routes through at most one of them",
                    )
                });
            }
        }
        !self.errors_since(mark)
    }
}

/// A listener's `tls` block checked against its protocol: HTTPS terminates, TLS says how.
fn tls_mode(
    l: &ast::Listener,
    protocol: Protocol,
    span: Span,
    mode: Option<Mode>,
    certs: Vec<ir::ObjectRef>,
    mode_span: Option<Span>,
) -> Result<Option<ir::ListenerTls>, Option<Diagnostic>> {
    match (protocol, mode) {
        (Protocol::Https, Some(Mode::Passthrough)) => Err(Some(
            Diagnostic::new(
                Code::InvalidTlsMode,
                mode_span.unwrap_or(span),
                format!("HTTPS listener `{}` cannot pass TLS through", l.name.text),
                "HTTPS terminates TLS",
            )
            .with_help("use `protocol TLS` for passthrough, or remove `mode passthrough`"),
        )),
        (Protocol::Tls, None) => Err(Some(
            Diagnostic::new(
                Code::TlsModeRequired,
                span,
                format!(
                    "TLS listener `{}` does not say how to handle TLS",
                    l.name.text
                ),
                "no `mode`",
            )
            .with_help("add `mode passthrough` or `mode terminate`"),
        )),
        (_, Some(Mode::Passthrough)) => Ok(Some(ir::ListenerTls::Passthrough)),
        (_, _) if certs.is_empty() => Err(Some(
            Diagnostic::new(
                Code::TlsCertificateRequired,
                span,
                format!(
                    "listener `{}` terminates TLS without a certificate",
                    l.name.text
                ),
                "no `cert`",
            )
            .with_help(
                "add `cert \"secret-name\"` (or `cert \"namespace/secret-name\"`) \
naming the Secret with the key pair",
            ),
        )),
        _ => Ok(Some(ir::ListenerTls::Terminate {
            certificates: certs,
        })),
    }
}
