//! Every span of a syntax tree, visited: what moves a cached block's tree to where the block
//! now is in its file (see [`super::Parses`]). Each node is destructured whole, without `..`,
//! so that a field added to the tree does not compile until it is visited here.

use super::ast::*;
use crate::source::Span;

/// A node whose spans can be visited, each once.
pub trait Spans {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span));
}

impl<T: Spans> Spans for Vec<T> {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        for x in self {
            x.spans(f);
        }
    }
}

impl<T: Spans + ?Sized> Spans for Box<T> {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        (**self).spans(f);
    }
}

impl<T: Spans> Spans for Option<T> {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        if let Some(x) = self {
            x.spans(f);
        }
    }
}

impl<T: Spans> Spans for Spanned<T> {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Spanned { node, span } = self;
        f(span);
        node.spans(f);
    }
}

impl Spans for Span {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        f(self);
    }
}

/// Leaves without spans of their own (a `Spanned<bool>` has its span in the `Spanned`).
macro_rules! no_spans {
    ($($t:ty),*) => {$(
        impl Spans for $t {
            fn spans(&mut self, _: &mut dyn FnMut(&mut Span)) {}
        }
    )*};
}
no_spans!(bool, RouteKind, Op);

impl Spans for File {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let File {
            items,
            has_holes: _,
            malformed,
        } = self;
        items.spans(f);
        malformed.spans(f);
    }
}

impl Spans for Ident {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Ident { text: _, span } = self;
        f(span);
    }
}

impl Spans for Str {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Str {
            value: _,
            span,
            holes,
        } = self;
        f(span);
        for hole in holes.iter_mut() {
            let Hole {
                name: _,
                span,
                start: _,
                end: _,
            } = hole;
            f(span);
        }
    }
}

impl Spans for Int {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Int { value: _, span } = self;
        f(span);
    }
}

impl Spans for KeyValue {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let KeyValue { key, value } = self;
        key.spans(f);
        value.spans(f);
    }
}

impl Spans for Item {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            Item::Namespace(s) | Item::Import(s) => s.spans(f),
            Item::Let { name, value } => {
                name.spans(f);
                value.spans(f);
            }
            Item::Gateway(Gateway { name, items }) => {
                name.spans(f);
                items.spans(f);
            }
            Item::Service(Service { name, items }) => {
                name.spans(f);
                items.spans(f);
            }
            Item::Route(Route { kind, name, items }) => {
                kind.spans(f);
                name.spans(f);
                items.spans(f);
            }
            Item::Filters(Filters { name, items }) => {
                name.spans(f);
                items.spans(f);
            }
            Item::Test(Test {
                keyword,
                name,
                items,
            }) => {
                f(keyword);
                name.spans(f);
                items.spans(f);
            }
        }
    }
}

impl Spans for GatewayItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            GatewayItem::Class(s) | GatewayItem::Namespace(s) => s.spans(f),
            GatewayItem::Target { name, version } => {
                name.spans(f);
                version.spans(f);
            }
            GatewayItem::Listener(Listener { name, items }) => {
                name.spans(f);
                items.spans(f);
            }
            GatewayItem::Label(kv) | GatewayItem::Annotation(kv) => kv.spans(f),
        }
    }
}

impl Spans for ListenerItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            ListenerItem::Port(n) => n.spans(f),
            ListenerItem::Protocol(i) | ListenerItem::RoutesFrom(i) => i.spans(f),
            ListenerItem::Hostname(s) => s.spans(f),
            ListenerItem::Tls(items) => items.spans(f),
        }
    }
}

impl Spans for ListenerTlsItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            ListenerTlsItem::Cert(s) => s.spans(f),
            ListenerTlsItem::Mode(i) => i.spans(f),
        }
    }
}

impl Spans for ServiceItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            ServiceItem::Endpoints(endpoints) => {
                for Endpoint { address, tls_name } in endpoints {
                    address.spans(f);
                    tls_name.spans(f);
                }
            }
            ServiceItem::HostRewrite(s) => s.spans(f),
            ServiceItem::Port(n) => n.spans(f),
            ServiceItem::Protocol(i) => i.spans(f),
            ServiceItem::Balance(b) => b.spans(f),
            ServiceItem::Tls(items) => items.spans(f),
            ServiceItem::Namespace(s) | ServiceItem::Description(s) => s.spans(f),
            ServiceItem::Label(kv) | ServiceItem::Annotation(kv) => kv.spans(f),
        }
    }
}

impl Spans for ServiceTlsItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            ServiceTlsItem::Ca(CaSource::System) => {}
            ServiceTlsItem::Ca(CaSource::File(s) | CaSource::ConfigMap(s))
            | ServiceTlsItem::Hostname(s) => s.spans(f),
            ServiceTlsItem::San(names) => names.spans(f),
        }
    }
}

impl Spans for RouteItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            RouteItem::On(parents) => {
                for ParentRef {
                    gateway,
                    listener,
                    span,
                } in parents
                {
                    gateway.spans(f);
                    listener.spans(f);
                    f(span);
                }
            }
            RouteItem::Hosts(hosts) => hosts.spans(f),
            RouteItem::Rule(Rule { items }) => items.spans(f),
            RouteItem::Namespace(s) => s.spans(f),
            RouteItem::Label(kv) | RouteItem::Annotation(kv) => kv.spans(f),
        }
    }
}

impl Spans for FiltersItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            FiltersItem::RequestHeader(a) | FiltersItem::ResponseHeader(a) => a.spans(f),
        }
    }
}

impl Spans for TestItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            TestItem::Request {
                method,
                url,
                headers,
                gateway,
            } => {
                method.spans(f);
                url.spans(f);
                headers.spans(f);
                gateway.spans(f);
            }
            TestItem::Backends(expected) => {
                for ExpectedBackend {
                    service,
                    percent,
                    span,
                } in expected
                {
                    service.spans(f);
                    percent.spans(f);
                    f(span);
                }
            }
            TestItem::Redirect { location, status } => {
                location.spans(f);
                status.spans(f);
            }
            TestItem::Status(n) => n.spans(f),
            TestItem::Path(s) | TestItem::Host(s) => s.spans(f),
            TestItem::Header(kv) => kv.spans(f),
        }
    }
}

impl Spans for RuleItem {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            RuleItem::Match(conditions) => conditions.spans(f),
            RuleItem::Backends(refs) => {
                for BackendRef {
                    service,
                    weight,
                    span,
                } in refs
                {
                    service.spans(f);
                    weight.spans(f);
                    f(span);
                }
            }
            RuleItem::RequestHeader(a) | RuleItem::ResponseHeader(a) => a.spans(f),
            RuleItem::Rewrite(parts) => parts.spans(f),
            RuleItem::Redirect(parts) => parts.spans(f),
            RuleItem::Mirror { service, percent } => {
                service.spans(f);
                percent.spans(f);
            }
            RuleItem::Timeout { request, backend } => {
                request.spans(f);
                backend.spans(f);
            }
            RuleItem::Use(i) => i.spans(f),
        }
    }
}

impl Spans for Condition {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            Condition::Path { op, value }
            | Condition::GrpcService { op, value }
            | Condition::GrpcMethod { op, value } => {
                op.spans(f);
                value.spans(f);
            }
            Condition::Header { name, op, value } | Condition::Query { name, op, value } => {
                name.spans(f);
                op.spans(f);
                value.spans(f);
            }
            Condition::Method(i) => i.spans(f),
        }
    }
}

impl Spans for HeaderAction {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            HeaderAction::Set { name, value } | HeaderAction::Add { name, value } => {
                name.spans(f);
                value.spans(f);
            }
            HeaderAction::Remove { name } => name.spans(f),
        }
    }
}

impl Spans for RewritePart {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            RewritePart::Host(s) => s.spans(f),
            RewritePart::Path { prefix: _, value } => value.spans(f),
        }
    }
}

impl Spans for RedirectPart {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            RedirectPart::Scheme(i) => i.spans(f),
            RedirectPart::Host(s) => s.spans(f),
            RedirectPart::Port(n) | RedirectPart::Status(n) => n.spans(f),
            RedirectPart::Path { prefix: _, value } => value.spans(f),
        }
    }
}
