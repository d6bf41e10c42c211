//! What each keyword of the language does, in a sentence or two: the language server's
//! hover. The words are docs/language.md's; a test checks that every keyword of the grammar
//! has an entry.

/// The explanation of a keyword, if `word` is one.
pub fn explain(word: &str) -> Option<&'static str> {
    KEYWORDS
        .iter()
        .find(|(k, _)| *k == word)
        .map(|(_, text)| *text)
}

/// Every keyword of `grammar/egw.pest`, with what it does.
pub const KEYWORDS: &[(&str, &str)] = &[
    (
        "add",
        "`add header \"n\" = \"v\"`: adds a header value to the request (or, after `response`, the response), keeping the ones it has.",
    ),
    (
        "annotation",
        "`annotation \"key\" = \"value\"`: an annotation on every object this block becomes.",
    ),
    (
        "as",
        "`endpoint \"10.0.0.11:8006\" as \"pve1.example.com\"`: the name the endpoint's TLS certificate carries; verified and sent as SNI. Nodes with their own certificates need it.",
    ),
    (
        "backend",
        "`timeout 10s backend 3s`: the time one try at the backend may take, at most the request's timeout.",
    ),
    (
        "balance",
        "`balance` (or `balance on`, the default with several endpoints) makes one Kubernetes Service per endpoint (`NAME-0`, `NAME-1`, …) and splits each rule's share evenly over them; `balance off` makes one Service with all the addresses.",
    ),
    (
        "ca",
        "`ca system` (the default), `ca file \"ca.pem\"` (its certificates become a ConfigMap) or `ca configmap \"name\"`: what the gateway trusts the backend's certificate by.",
    ),
    (
        "cert",
        "`cert \"secret\"` or `cert \"namespace/secret\"`: the Secret with the listener's certificate (a ReferenceGrant is written for another namespace).",
    ),
    (
        "class",
        "`class \"cilium\"`: the GatewayClass. A well-known class also implies the target the gateway is compiled for.",
    ),
    (
        "configmap",
        "`ca configmap \"name\"`: a ConfigMap of your own with the CA certificates (key `ca.crt`).",
    ),
    (
        "description",
        "`description \"…\"`: written as the `egwc/description` annotation of the service's objects.",
    ),
    (
        "endpoint",
        "`endpoint \"host[:port]\"`: where the service is, outside the cluster: an IP address (a selectorless Service and EndpointSlice) or a DNS name (what the target reaches names with).",
    ),
    (
        "endpoints",
        "`endpoints \"a\" \"b\" …`: several endpoints; balanced unless `balance off`.",
    ),
    (
        "expect",
        "`expect -> a 90%, b 10%`, `expect 404`, `expect redirect \"URL\" 301`, `expect path|host|header …`: what the test's request must get (`egwc test`).",
    ),
    (
        "file",
        "`ca file \"ca.pem\"`: a PEM file beside this one, inside the project; its certificates become a ConfigMap.",
    ),
    (
        "filters",
        "`filters NAME { … }`: a group of header edits that rules take in with `use NAME`.",
    ),
    (
        "from",
        "`routes from all`: the listener takes routes from every namespace (the default is its own).",
    ),
    (
        "gateway",
        "`gateway NAME { class … listener … }`: a Gateway, with its listeners.",
    ),
    (
        "grpc",
        "`grpc route NAME { … }`: a GRPCRoute, matching calls by gRPC service and method.",
    ),
    (
        "header",
        "`header \"n\" = \"v\"` or `~ \"regex\"` in a match; `set|add|remove header` edits one.",
    ),
    (
        "host",
        "In a route, `host \"a.example.com\" …`: the hostnames it answers (each must meet a listener's). In a service, `rewrite host \"name\"|off`: the Host header requests carry to it.",
    ),
    (
        "hostname",
        "In a listener, the hostname it takes (`*.example.com` allowed). In a service's `tls`, the name its certificate is verified against.",
    ),
    ("http", "`redirect http …`: redirect to plain HTTP."),
    ("https", "`redirect https …`: redirect to HTTPS."),
    (
        "import",
        "`import \"./file.egw\"` or `import \"std/NAME.egw\"`: the definitions of another file (inside the project) or of the standard library join this build.",
    ),
    (
        "label",
        "`label \"key\" = \"value\"`: a label on every object this block becomes.",
    ),
    (
        "let",
        "`let NAME = \"value\"`: a constant, used as `${NAME}` in any string.",
    ),
    (
        "listener",
        "`listener NAME { port … protocol … }`: one of the gateway's listeners; routes attach with `on GATEWAY.NAME`.",
    ),
    (
        "match",
        "`match COND …`: one match, its conditions all required; several `match` lines are alternatives. No `match`: every request.",
    ),
    (
        "method",
        "`method GET`: the HTTP method; in a gRPC route, `method \"Name\"` or `~ \"regex\"`: the gRPC method.",
    ),
    (
        "mirror",
        "`mirror NAME [10%]`: copies requests (all, or a share) to a service; a balanced one gets its part per endpoint.",
    ),
    (
        "mode",
        "`mode passthrough` or `mode terminate`: whether a TLS listener passes the encrypted stream on or decrypts it.",
    ),
    (
        "namespace",
        "`namespace \"name\"`: the namespace of this file's (or this block's) definitions; `default` if none.",
    ),
    (
        "off",
        "Turns a switch off: `balance off`, `rewrite host off`.",
    ),
    (
        "on",
        "In a route, `on GATEWAY` or `on GATEWAY.LISTENER, …`: where it attaches. `balance on`: balanced. In a test's request, `on GATEWAY`: the gateway it enters.",
    ),
    (
        "path",
        "`path \"/p\"` (prefix), `path = \"/p\"` (exact), `path ~ \"re\"` in a match; `rewrite path [prefix] \"/p\"` and `redirect … path …` replace it.",
    ),
    (
        "port",
        "A listener's or service's port (1–65535). A service without one uses its first endpoint's, else 443 for HTTPS and 80 for HTTP. In a redirect, the port of the Location.",
    ),
    (
        "prefix",
        "`path prefix \"/p\"` in a rewrite or redirect: replaces the matched prefix only (the rule needs one prefix match).",
    ),
    (
        "protocol",
        "A listener's `HTTP`, `HTTPS`, `TLS`, `TCP` or `UDP`; a service's `HTTP` (default), `HTTPS`, `H2C`, `TCP` or `UDP`.",
    ),
    (
        "query",
        "`query \"name\" = \"v\"` or `~ \"regex\"`: a query parameter match.",
    ),
    (
        "redirect",
        "`redirect [https|http] [host \"h\"] [port N] [path …] [status 301]`: answers with a redirect instead of forwarding.",
    ),
    (
        "remove",
        "`remove header \"n\"`: removes a header from the request (or, after `response`, the response).",
    ),
    (
        "request",
        "`request [METHOD] \"URL\" [header …] [on GATEWAY]`: the request a test sends through the routing.",
    ),
    (
        "response",
        "`response set|add|remove header …`: edits the response's headers instead of the request's.",
    ),
    (
        "rewrite",
        "In a rule, `rewrite host \"h\"` and `rewrite path [prefix] \"/p\"`: what the backend gets. In a service, `rewrite host \"name\"|off`: its Host header (a DNS endpoint gets its own name by default).",
    ),
    (
        "route",
        "`route NAME { on … host … rule { … } }`: an HTTPRoute; `grpc`, `tcp`, `udp` or `tls` before it for the other kinds.",
    ),
    (
        "routes",
        "`routes from all`: the listener takes routes from every namespace.",
    ),
    (
        "rule",
        "`rule { match … -> … }`: a rule of the route: its matches, its backends and weights, and what it does to the request.",
    ),
    (
        "san",
        "`san \"a\" \"b\"`: the names the backend's certificate may carry, checked instead of its hostname (at most 5; not every controller does).",
    ),
    (
        "service",
        "`service NAME { endpoints … }`: something outside the cluster that routes send traffic to.",
    ),
    (
        "set",
        "`set header \"n\" = \"v\"`: sets a header of the request (or, after `response`, the response), replacing it.",
    ),
    (
        "status",
        "`status 301`: the redirect's status code (301, 302, 303, 307 or 308).",
    ),
    (
        "system",
        "`ca system`: the CA certificates of the gateway's system (the default).",
    ),
    (
        "target",
        "`target NAME [VERSION]`: the controller this gateway is compiled for, overriding what its class implies.",
    ),
    (
        "tcp",
        "`tcp route NAME { on GW.LISTENER rule { -> … } }`: a TCPRoute, for a TCP listener.",
    ),
    (
        "test",
        "`test \"what it checks\" { request … expect … }`: a request and what it must get, run by `egwc test`.",
    ),
    (
        "timeout",
        "`timeout 10s [backend 3s]`: how long the request, and each try at the backend, may take.",
    ),
    (
        "tls",
        "A listener's `tls { cert … | mode passthrough }`, a service's `tls { hostname … ca … san … }`; `tls route`: a TLSRoute, by SNI.",
    ),
    (
        "udp",
        "`udp route NAME { … }`: a UDPRoute, for a UDP listener.",
    ),
    (
        "use",
        "`use NAME`: the header edits of the filter group NAME, as if written in the rule.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every keyword of the grammar (`kw_*` rules) has an explanation, and none is extra.
    #[test]
    fn every_keyword_of_the_grammar_is_explained() {
        let grammar = include_str!("../grammar/egw.pest");
        let mut keywords: Vec<&str> = grammar
            .lines()
            .filter_map(|l| l.strip_prefix("kw_"))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        keywords.sort_unstable();
        let mut explained: Vec<&str> = KEYWORDS.iter().map(|(k, _)| *k).collect();
        explained.sort_unstable();
        assert_eq!(keywords, explained);
    }
}
