//! Where each name is defined and where it is used, read from the syntax trees: the language
//! server's definitions, hover, references, rename, outline and completion names. Names are those the checker resolves: services
//! (backends, mirrors, tests' expected backends), gateways and their listeners (`on`, and a
//! test request's `on`), filter groups (`use`) and constants (`${name}`). It reads the trees as written, so it works on files that do not
//! check; a file with a syntax error is read block by block, each top-level block that parses
//! on its own.

use crate::load::Loaded;
use crate::source::Span;
use crate::syntax::ast::{self, Item, RouteItem, RuleItem};

/// What a name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Gateway,
    /// A listener; its name is `gateway.listener`.
    Listener,
    Service,
    Route,
    Filters,
    Constant,
}

/// A definition: its kind and name, the span of the name, and of the whole definition.
#[derive(Clone, Debug)]
pub struct Def {
    pub kind: Kind,
    pub name: String,
    pub name_span: Span,
    pub span: Span,
    /// Definitions inside this one (a gateway's listeners).
    pub children: Vec<Def>,
}

/// A use of a name, at `span`.
#[derive(Clone, Debug)]
pub struct Ref {
    pub kind: Kind,
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Default)]
pub struct Index {
    /// Top-level definitions of every file, in load order.
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
}

impl Index {
    /// The index of everything loaded. (Mutable only to walk the strings, which it leaves
    /// as they are.)
    pub fn new(loaded: &mut Loaded) -> Index {
        let mut index = Index::default();
        // A file with a syntax error has no tree: its blocks that parse on their own stand in.
        let broken: Vec<crate::source::FileId> = loaded
            .diags
            .iter()
            .filter(|d| d.code == crate::diagnostics::Code::SyntaxError)
            .map(|d| d.primary_span().file)
            .collect();
        for (id, file) in &mut loaded.files {
            if broken.contains(id) {
                *file = crate::syntax::parse_blocks(*id, &loaded.sources.get(*id).text);
            }
        }
        for (_, file) in &mut loaded.files {
            for item in &file.items {
                index.item(item);
            }
            // `${name}` in strings, and in constants' values.
            let mut holes = Vec::new();
            file.strings_mut(&mut |s| holes.extend(s.holes.iter().cloned()));
            for item in &file.items {
                if let Item::Let { value, .. } = &item.node {
                    holes.extend(value.holes.iter().cloned());
                }
            }
            for hole in holes {
                index.refer(Kind::Constant, &hole.name, hole.span);
            }
        }
        index
    }

    /// The definition that the name at `at` (a use, or a definition's own name) refers to.
    pub fn definition_at(&self, at: Span) -> Option<&Def> {
        let (kind, name) = self.name_at(at)?;
        self.all().find(|d| d.kind == kind && d.name == name)
    }

    /// Where the name at `at` is written: its definition's name (`true`), if it has one, and
    /// every use (`false`). Each span covers the name alone (of `${name}`, the `name`).
    pub fn occurrences_at(&self, at: Span) -> Vec<(Span, bool)> {
        let Some((kind, name)) = self.name_at(at) else {
            return Vec::new();
        };
        let defs = self
            .all()
            .filter(|d| d.kind == kind && d.name == name)
            .map(|d| (d.name_span, true));
        let uses = self
            .refs
            .iter()
            .filter(|r| r.kind == kind && r.name == name)
            .map(|r| match kind {
                Kind::Constant => Span {
                    start: r.span.start + 2,
                    end: r.span.end - 1,
                    ..r.span
                },
                _ => r.span,
            })
            .map(|s| (s, false));
        defs.chain(uses).collect()
    }

    /// The kind and name written at `at`: a use, or a definition's own name.
    fn name_at(&self, at: Span) -> Option<(Kind, &str)> {
        let contains = |s: &Span| s.file == at.file && s.start <= at.start && at.start <= s.end;
        match self.refs.iter().find(|r| contains(&r.span)) {
            Some(r) => Some((r.kind, r.name.as_str())),
            None => {
                let def = self.all().find(|d| contains(&d.name_span))?;
                Some((def.kind, def.name.as_str()))
            }
        }
    }

    /// The kind and name of every definition, with the file it is in.
    pub fn names(&self) -> impl Iterator<Item = (Kind, &str, crate::source::FileId)> {
        self.all()
            .map(|d| (d.kind, d.name.as_str(), d.name_span.file))
    }

    /// Every definition, nested ones included.
    pub fn all(&self) -> impl Iterator<Item = &Def> {
        self.defs
            .iter()
            .flat_map(|d| std::iter::once(d).chain(&d.children))
    }

    fn item(&mut self, item: &ast::Spanned<Item>) {
        let def = |kind, name: &ast::Ident| Def {
            kind,
            name: name.text.clone(),
            name_span: name.span,
            span: item.span,
            children: Vec::new(),
        };
        match &item.node {
            Item::Gateway(g) => {
                let mut d = def(Kind::Gateway, &g.name);
                for i in &g.items {
                    if let ast::GatewayItem::Listener(l) = &i.node {
                        d.children.push(Def {
                            kind: Kind::Listener,
                            name: format!("{}.{}", g.name.text, l.name.text),
                            name_span: l.name.span,
                            span: i.span,
                            children: Vec::new(),
                        });
                    }
                }
                self.defs.push(d);
            }
            Item::Service(s) => self.defs.push(def(Kind::Service, &s.name)),
            Item::Filters(f) => self.defs.push(def(Kind::Filters, &f.name)),
            Item::Let { name, .. } => self.defs.push(def(Kind::Constant, name)),
            Item::Route(r) => {
                self.defs.push(def(Kind::Route, &r.name));
                for i in &r.items {
                    self.route_item(&i.node);
                }
            }
            Item::Test(t) => {
                for i in &t.items {
                    match &i.node {
                        ast::TestItem::Request {
                            gateway: Some(g), ..
                        } => self.refer(Kind::Gateway, &g.text, g.span),
                        ast::TestItem::Backends(backends) => {
                            for b in backends {
                                self.refer(Kind::Service, &b.service.text, b.service.span);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Item::Namespace(_) | Item::Import(_) => {}
        }
    }

    fn route_item(&mut self, item: &RouteItem) {
        match item {
            RouteItem::On(parents) => {
                for p in parents {
                    self.refer(Kind::Gateway, &p.gateway.text, p.gateway.span);
                    if let Some(l) = &p.listener {
                        let name = format!("{}.{}", p.gateway.text, l.text);
                        self.refer(Kind::Listener, &name, l.span);
                    }
                }
            }
            RouteItem::Rule(rule) => {
                for i in &rule.items {
                    match &i.node {
                        RuleItem::Backends(backends) => {
                            for b in backends {
                                self.refer(Kind::Service, &b.service.text, b.service.span);
                            }
                        }
                        RuleItem::Mirror { service, .. } => {
                            self.refer(Kind::Service, &service.text, service.span)
                        }
                        RuleItem::Use(name) => self.refer(Kind::Filters, &name.text, name.span),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn refer(&mut self, kind: Kind, name: &str, span: Span) {
        self.refs.push(Ref {
            kind,
            name: name.to_string(),
            span,
        });
    }
}
