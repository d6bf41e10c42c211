//! Emission: the IR to typed Kubernetes objects (k8s-openapi and gateway-api types), in one
//! deterministic order, and their serialization as YAML (serde-saphyr) or JSON. One file per
//! kind family; this file holds the order, the shared metadata and the serializers.

pub mod api;
mod external;
mod gateway;
mod grant;
mod route;
mod service;
pub mod yaml;

use std::collections::BTreeMap;

use gateway_api::backendtlspolicies::{BackendTlsPolicy, BackendTlsPolicySpec};
use gateway_api::gateways::Gateway;
use gateway_api::httproutes::HttpRoute;
use gateway_api::referencegrants::ReferenceGrant;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::ir;
use crate::source::{SourceMap, Span};

pub use crate::ir::{DESCRIPTION_ANNOTATION, MANAGED_BY, SOURCE_ANNOTATION};

/// One emitted object.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Manifest {
    Gateway(Box<Gateway>),
    Service(Box<Service>),
    EndpointSlice(Box<EndpointSlice>),
    ConfigMap(Box<ConfigMap>),
    BackendTlsPolicy(Box<BackendTlsPolicy>),
    /// For targets that read only `v1alpha3` (see `ir::PolicyVersion`).
    BackendTlsPolicyV1alpha3(Box<external::Object<BackendTlsPolicySpec>>),
    EnvoyBackend(Box<external::Object<external::EnvoyBackendSpec>>),
    ServiceEntry(Box<external::Object<external::ServiceEntrySpec>>),
    HttpRoute(Box<HttpRoute>),
    GrpcRoute(Box<gateway_api::grpcroutes::GrpcRoute>),
    /// A TCPRoute, UDPRoute or TLSRoute, in the version its target reads (see
    /// `ir::RouteVersion`).
    L4Route(Box<external::Object<route::L4RouteSpec>>),
    ReferenceGrant(Box<ReferenceGrant>),
}

impl Manifest {
    pub fn kind(&self) -> &'static str {
        match self {
            Manifest::Gateway(_) => "Gateway",
            Manifest::Service(_) => "Service",
            Manifest::EndpointSlice(_) => "EndpointSlice",
            Manifest::ConfigMap(_) => "ConfigMap",
            Manifest::BackendTlsPolicy(_) | Manifest::BackendTlsPolicyV1alpha3(_) => {
                "BackendTLSPolicy"
            }
            Manifest::EnvoyBackend(_) => "Backend",
            Manifest::ServiceEntry(_) => "ServiceEntry",
            Manifest::HttpRoute(_) => "HTTPRoute",
            Manifest::GrpcRoute(_) => "GRPCRoute",
            Manifest::L4Route(o) => o.kind,
            Manifest::ReferenceGrant(_) => "ReferenceGrant",
        }
    }

    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Manifest::Gateway(o) => &o.metadata,
            Manifest::Service(o) => &o.metadata,
            Manifest::EndpointSlice(o) => &o.metadata,
            Manifest::ConfigMap(o) => &o.metadata,
            Manifest::BackendTlsPolicy(o) => &o.metadata,
            Manifest::BackendTlsPolicyV1alpha3(o) => &o.metadata,
            Manifest::EnvoyBackend(o) => &o.metadata,
            Manifest::ServiceEntry(o) => &o.metadata,
            Manifest::HttpRoute(o) => &o.metadata,
            Manifest::GrpcRoute(o) => &o.metadata,
            Manifest::L4Route(o) => &o.metadata,
            Manifest::ReferenceGrant(o) => &o.metadata,
        }
    }

    /// The file name used by `egwc build --output-dir DIR`: `<namespace>.<kind>.<name>.<ext>`, unique
    /// because names are unique per kind and namespace.
    pub fn file_name(&self, extension: &str) -> String {
        let meta = self.metadata();
        format!(
            "{}.{}.{}.{extension}",
            meta.namespace.as_deref().unwrap_or("default"),
            self.kind().to_ascii_lowercase(),
            meta.name.as_deref().unwrap_or("unnamed"),
        )
    }
}

/// All objects of a model, in order: gateways, then each service's objects, then routes, then
/// the reference grants the cross-namespace references need.
pub fn emit(model: &ir::Model, sources: &SourceMap) -> Vec<Manifest> {
    let cx = Context { sources };
    let mut out = Vec::new();
    for unit in units(model) {
        emit_unit(&cx, model, unit, &mut out);
    }
    out
}

/// Makes the objects of [`emit`] and writes them to `out` as [`to_stream`] would, a wave
/// at a time: each core makes and serializes a run of [`UNITS_PER_RUN`] units, the runs are
/// written in order, and the next wave starts. The objects are never all alive, nor is their
/// text. Returns how many objects were written.
pub fn write_stream(
    model: &ir::Model,
    sources: &SourceMap,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    let units: Vec<Unit> = units(model).collect();
    let mut stream = Framing::start(format, out)?;
    let mut objects = 0;
    for wave in units.chunks(crate::parallel::cores() * UNITS_PER_RUN) {
        let runs = on_threads(wave, UNITS_PER_RUN, |run| {
            let cx = Context { sources };
            let mut text = String::new();
            let mut made = Vec::new();
            let mut count = 0;
            for &unit in run {
                emit_unit(&cx, model, unit, &mut made);
                for m in made.drain(..) {
                    write_document(&mut text, &m, format, count == 0);
                    count += 1;
                }
            }
            (text, count)
        });
        for (text, count) in runs {
            stream.run(out, &text, count)?;
            objects += count;
        }
    }
    stream.end(out)?;
    Ok(objects)
}

/// How many units of emission (a gateway, a service, a route) one thread makes and
/// serializes before its text is written: about 1,000 objects, 1 MB of YAML.
const UNITS_PER_RUN: usize = 500;

/// What one step of emission makes objects of.
#[derive(Clone, Copy)]
enum Unit {
    Gateway(usize),
    Service(usize),
    Route(usize),
    Grants,
}

fn units(model: &ir::Model) -> impl Iterator<Item = Unit> {
    (0..model.gateways.len())
        .map(Unit::Gateway)
        .chain((0..model.services.len()).map(Unit::Service))
        .chain((0..model.routes.len()).map(Unit::Route))
        .chain([Unit::Grants])
}

fn emit_unit(cx: &Context<'_>, model: &ir::Model, unit: Unit, out: &mut Vec<Manifest>) {
    match unit {
        Unit::Gateway(i) => out.push(Manifest::Gateway(Box::new(gateway::gateway(
            cx,
            &model.gateways[i],
        )))),
        Unit::Service(i) => service::service(cx, &model.services[i], out),
        Unit::Route(i) => {
            let r = &model.routes[i];
            out.push(match r.kind {
                ir::RouteKind::Http => Manifest::HttpRoute(Box::new(route::route(cx, r))),
                ir::RouteKind::Grpc => Manifest::GrpcRoute(Box::new(route::grpc_route(cx, r))),
                ir::RouteKind::Tcp | ir::RouteKind::Udp | ir::RouteKind::Tls => {
                    Manifest::L4Route(Box::new(route::l4_route(cx, r)))
                }
            });
        }
        Unit::Grants => grant::grants(cx, model, out),
    }
}

pub(crate) struct Context<'a> {
    sources: &'a SourceMap,
}

impl Context<'_> {
    /// Metadata with the user's labels and annotations, egwc's label and the source annotation.
    fn meta(&self, name: &str, meta: &ir::Meta, origin: Span) -> ObjectMeta {
        let mut labels = meta.labels.clone();
        labels.insert(MANAGED_BY.0.into(), MANAGED_BY.1.into());
        let mut annotations = meta.annotations.clone();
        annotations.insert(SOURCE_ANNOTATION.into(), self.sources.location(origin));
        ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(meta.namespace.clone()),
            labels: Some(labels),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        }
    }

    /// Metadata for objects egwc derives (grants): only egwc's label and the source.
    fn derived_meta(&self, name: &str, namespace: &str, origin: Span) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(namespace.to_string()),
            labels: Some(BTreeMap::from([(MANAGED_BY.0.into(), MANAGED_BY.1.into())])),
            annotations: Some(BTreeMap::from([(
                SOURCE_ANNOTATION.into(),
                self.sources.location(origin),
            )])),
            ..ObjectMeta::default()
        }
    }
}

/// Output formats of `egwc build`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// One object as a document of its own (for `--output-dir DIR`).
pub fn to_document(manifest: &Manifest, format: Format) -> String {
    match format {
        Format::Yaml => yaml(manifest),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(manifest)
                .expect("Kubernetes objects serialize to JSON");
            s.push('\n');
            s
        }
    }
}

/// All objects as one stream: `---`-separated YAML, or a JSON `v1 List`.
pub fn to_stream(manifests: &[Manifest], format: Format) -> String {
    let runs = on_threads(manifests, DOCUMENTS_PER_THREAD, |run| {
        let mut text = String::with_capacity(run.len() * 600);
        for (i, m) in run.iter().enumerate() {
            write_document(&mut text, m, format, i == 0);
        }
        (text, run.len())
    });
    let mut out = Vec::with_capacity(runs.iter().map(|(text, _)| text.len() + 2).sum());
    let write = |out: &mut Vec<u8>| {
        let mut stream = Framing::start(format, out)?;
        for (text, count) in &runs {
            stream.run(out, text, *count)?;
        }
        stream.end(out)
    };
    write(&mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("the runs and their framing are text")
}

/// `write_run` over consecutive runs of `items`, one run per core, none shorter than
/// `shortest`: objects are independent, so each thread writes its own buffer. The results,
/// in order.
fn on_threads<T: Sync>(
    items: &[T],
    shortest: usize,
    write_run: impl Fn(&[T]) -> (String, usize) + Sync,
) -> Vec<(String, usize)> {
    let per_thread = items.len().div_ceil(crate::parallel::cores()).max(shortest);
    let runs: Vec<&[T]> = items.chunks(per_thread).collect();
    crate::parallel::each_share(runs.len(), |i| write_run(runs[i]))
}

/// Below this many objects (or units of emission), a stream is written on one thread.
const DOCUMENTS_PER_THREAD: usize = 2000;

/// Appends one object to a run of the stream: a `---`-separated YAML document, or a JSON
/// object indented as an item of the List and separated from the one before by `,\n`.
fn write_document(out: &mut String, manifest: &Manifest, format: Format, first_of_run: bool) {
    match format {
        Format::Yaml => {
            out.push_str("---\n");
            write_yaml(out, manifest);
        }
        Format::Json => {
            if !first_of_run {
                out.push_str(",\n");
            }
            let item = serde_json::to_string_pretty(manifest)
                .expect("Kubernetes objects serialize to JSON");
            // JSON strings hold no raw newline, so every newline starts a line of layout.
            out.push_str("    ");
            for line in item.split_inclusive('\n') {
                out.push_str(line);
                if line.ends_with('\n') {
                    out.push_str("    ");
                }
            }
        }
    }
}

/// Runs of serialized objects (of [`write_document`]) written as one stream. YAML runs
/// follow each other; JSON runs are the items of a `v1 List`, laid out as serde_json's
/// pretty printer lays out `{"apiVersion":"v1","kind":"List","items":[...]}`.
struct Framing {
    format: Format,
    runs: usize,
}

impl Framing {
    fn start(format: Format, out: &mut dyn std::io::Write) -> std::io::Result<Framing> {
        if format == Format::Json {
            out.write_all(b"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n")?;
        }
        Ok(Framing { format, runs: 0 })
    }

    /// A run of `objects` objects; an empty run is nothing.
    fn run(
        &mut self,
        out: &mut dyn std::io::Write,
        text: &str,
        objects: usize,
    ) -> std::io::Result<()> {
        if objects == 0 {
            return Ok(());
        }
        if self.format == Format::Json {
            out.write_all(if self.runs == 0 {
                b"  \"items\": [\n"
            } else {
                b",\n"
            })?;
        }
        self.runs += 1;
        out.write_all(text.as_bytes())
    }

    fn end(self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match (self.format, self.runs) {
            (Format::Yaml, _) => Ok(()),
            (Format::Json, 0) => out.write_all(b"  \"items\": []\n}\n"),
            (Format::Json, _) => out.write_all(b"\n  ]\n}\n"),
        }
    }
}

fn yaml(manifest: &Manifest) -> String {
    let mut out = String::new();
    write_yaml(&mut out, manifest);
    out
}

fn write_yaml(out: &mut String, manifest: &Manifest) {
    yaml::write(out, manifest).expect("Kubernetes objects are in the YAML writer's subset");
}
