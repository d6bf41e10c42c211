//! Emission: the IR to typed Kubernetes objects (k8s-openapi and gateway-api types), in one
//! deterministic order, and their serialization as YAML (serde-saphyr) or JSON. One file per
//! kind family; this file holds the order, the shared metadata and the serializers.

pub mod api;
mod external;
mod gateway;
mod grant;
mod route;
mod service;

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
    for g in &model.gateways {
        out.push(Manifest::Gateway(Box::new(gateway::gateway(&cx, g))));
    }
    for s in &model.services {
        service::service(&cx, s, &mut out);
    }
    for r in &model.routes {
        out.push(match r.kind {
            ir::RouteKind::Http => Manifest::HttpRoute(Box::new(route::route(&cx, r))),
            ir::RouteKind::Grpc => Manifest::GrpcRoute(Box::new(route::grpc_route(&cx, r))),
            ir::RouteKind::Tcp | ir::RouteKind::Udp | ir::RouteKind::Tls => {
                Manifest::L4Route(Box::new(route::l4_route(&cx, r)))
            }
        });
    }
    grant::grants(&cx, model, &mut out);
    out
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
    to_stream_parts(manifests, format).concat()
}

/// The stream of [`to_stream`] in consecutive parts, to be written one after the other
/// (joining them would copy the whole output once more).
pub fn to_stream_parts(manifests: &[Manifest], format: Format) -> Vec<String> {
    // Objects are independent: each thread writes a run of them into its own buffer.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = manifests.len().div_ceil(threads).max(DOCUMENTS_PER_THREAD);
    let write_run = match format {
        Format::Yaml => yaml_stream,
        Format::Json => json_items,
    };
    let mut parts: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = manifests
            .chunks(per_thread)
            .map(|run| scope.spawn(|| write_run(run)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a serializing thread does not panic"))
            .collect()
    });
    if format == Format::Json {
        // serde_json's pretty layout of `{"apiVersion":"v1","kind":"List","items":[...]}`,
        // written around the items rather than copying them into a `serde_json::Value`.
        if manifests.is_empty() {
            return vec![
                "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": []\n}\n".into(),
            ];
        }
        parts.insert(
            0,
            "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n".into(),
        );
        for part in &mut parts[2..] {
            part.insert_str(0, ",\n");
        }
        parts.push("\n  ]\n}\n".into());
    }
    parts
}

/// Below this many objects, a stream is written on one thread.
const DOCUMENTS_PER_THREAD: usize = 2000;

/// Pretty JSON objects separated by `,\n` and indented as items of the List.
fn json_items(manifests: &[Manifest]) -> String {
    let mut out = Vec::with_capacity(manifests.len() * 1100);
    let mut item = Vec::new();
    for (i, m) in manifests.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        item.clear();
        serde_json::to_writer_pretty(&mut item, m).expect("Kubernetes objects serialize to JSON");
        // JSON strings hold no raw newline, so every newline starts a line of layout.
        out.extend_from_slice(b"    ");
        for line in item.split_inclusive(|&b| b == b'\n') {
            out.extend_from_slice(line);
            if line.ends_with(b"\n") {
                out.extend_from_slice(b"    ");
            }
        }
    }
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

fn yaml(manifest: &Manifest) -> String {
    let mut out = String::new();
    write_yaml(&mut out, manifest);
    out
}

/// `---`-separated documents.
fn yaml_stream(manifests: &[Manifest]) -> String {
    let mut out = String::with_capacity(manifests.len() * 600);
    for m in manifests {
        out.push_str("---\n");
        write_yaml(&mut out, m);
    }
    out
}

fn write_yaml(out: &mut String, manifest: &Manifest) {
    // Block scalars (`>-`) for long strings are valid YAML but unlike kubectl's output and
    // noisy in diffs, so strings stay on one line. YAML 1.1 booleans (`on`, `yes`) are quoted
    // by serde-saphyr's default, which is why it was chosen (docs in design/crates.md).
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    serde_saphyr::to_fmt_writer_with_options(out, manifest, options)
        .expect("Kubernetes objects serialize to YAML");
}
