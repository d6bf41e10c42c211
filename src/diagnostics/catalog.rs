//! The catalog of diagnostic codes: code, kebab-case name, severity, one-line summary and
//! the long explanation printed by `egwc explain`. `docs/diagnostics.md` is generated from
//! this table and a test keeps it in sync; every code has a golden case under `tests/cases/`.

use super::Severity;

/// What the catalog says about one code.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub explanation: &'static str,
}

macro_rules! catalog {
    ($( $variant:ident = $code:literal $name:literal $severity:ident
        summary $summary:literal
        explain $explanation:literal ; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn info(self) -> CodeInfo {
                match self {
                    $(Code::$variant => CodeInfo {
                        code: $code,
                        name: $name,
                        severity: Severity::$severity,
                        summary: $summary,
                        explanation: $explanation,
                    },)*
                }
            }
        }
    };
}

/// A code given to `--allow`: a warning or a note, by code or name. Errors cannot be allowed:
/// the manifests they stop would be wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowed(pub Code);

impl std::str::FromStr for Allowed {
    type Err = String;

    fn from_str(text: &str) -> Result<Allowed, String> {
        let Some(code) = Code::find(text) else {
            let names = Code::ALL
                .iter()
                .flat_map(|c| [c.info().code, c.info().name]);
            let hint = super::closest(text, names)
                .map(|c| format!(": did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(format!("no diagnostic is called `{text}`{hint}"));
        };
        match code.info().severity {
            Severity::Error => Err(format!(
                "{} {} is an error, and errors cannot be allowed; only warnings and notes can",
                code.info().code,
                code.info().name
            )),
            Severity::Warning | Severity::Note => Ok(Allowed(code)),
        }
    }
}

impl Code {
    /// Looks a code up by its code (`E0100`, case-insensitive) or its name (`unknown-service`).
    pub fn find(text: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| {
            let info = c.info();
            info.code.eq_ignore_ascii_case(text) || info.name == text
        })
    }
}

catalog! {
    // ---- reading and parsing --------------------------------------------------------------
    SyntaxError = "E0001" "syntax-error" Error
    summary "the file does not follow the .egw grammar"
    explain "The parser met something it did not expect. The message lists what may appear at \
that point, in the words of the language (`port`, a string, `}`), and the label points at the \
first character it could not read. After a syntax error, reading starts again on the next \
line, with the rest of the block that line is in, so every mistake of a block is reported in \
one run. Between blocks, or where the block is unclear, it starts again at the next line that \
begins a block (`gateway`, `service`, `route` or `filters` at the start of a line). What was \
skipped is not guessed at: a file with a syntax error is not checked further; the other files \
are. See docs/language.md for the grammar.";

    InvalidUtf8 = "E0002" "invalid-utf8" Error
    summary "the file is not valid UTF-8"
    explain "egwc reads .egw files as UTF-8. The label points at the first byte that is not part \
of a valid UTF-8 sequence. Re-save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`).";

    InvalidEscape = "E0003" "invalid-escape" Error
    summary "a string contains an unknown escape sequence"
    explain "Strings are written in double quotes. Inside them, `\\\"` is a quote, `\\\\` a \
backslash, `\\n` a newline and `\\t` a tab; any other backslash sequence is an error, so that a \
regular expression like `\\d` is never silently changed. Write `\\\\d` to mean the two \
characters `\\d`.";

    NumberTooLarge = "E0004" "number-too-large" Error
    summary "an integer does not fit in 64 bits"
    explain "Integers in .egw are ports, weights, status codes and percentages, all small. A \
number with more digits than any of them can hold is reported here; the attribute's own range \
is checked by its own diagnostic.";

    InvalidInterpolation = "E0005" "invalid-interpolation" Error
    summary "a `${` in a string is not a constant reference, or is where none may be"
    explain "In a string, `${name}` stands for the value of the constant `name` (`let name = \
\"value\"`). A `${` must be followed by a name and `}`; to write the characters `${`, escape the \
dollar: `\\${`. A string with a malformed `${` is not checked further, since its value is \
not what was meant. Import paths and CA file paths cannot use constants, because files are \
read before constants are known: write them out.";

    FileNotFound = "E0010" "file-not-found" Error
    summary "an imported file or a CA file cannot be read"
    explain "`import \"path\"` and `ca file \"path\"` name files relative to the file that \
contains them. The file must exist and be readable. The message carries the operating system's \
reason.";

    PathOutsideProject = "E0011" "path-outside-project" Error
    summary "an import or CA file path leaves the project's root"
    explain "The project's root is the directory of the file given on the command line. Imports \
and CA files must stay inside it and be written as relative paths, so that a project builds \
the same on every machine and a checked-out repository cannot read files elsewhere on the disk. \
Move the file into the project, or build from a file higher up.";

    ImportCycle = "E0012" "import-cycle" Error
    summary "files import each other in a cycle"
    explain "An import makes the imported file's definitions part of the build. A file that, \
through its imports, imports itself would be read forever. Move the shared definitions into a \
third file that both import.";

    ImportsTooDeep = "E0015" "imports-too-deep" Error
    summary "imports are nested more than 64 files deep"
    explain "A file may import a file that imports another, and so on, up to 64 files deep. \
Deeper chains are refused, as no configuration needs them and each level takes memory: \
import the files from one file instead of each from the one before.";

    InvalidConfig = "E0016" "invalid-config" Error
    summary "the project configuration, egwc.toml, has a mistake"
    explain "`egwc.toml`, in the directory of the file a command is given or above it (up to the \
repository's root), sets what every command and the language server use: `target = \"NAME[@VERSION]\"` \
as `--target` does, and `allow = [\"CODE\", …]` as `--allow` does (docs/config.md). A key it does \
not have, a value of the wrong type, an unknown target or a code that cannot be allowed is \
reported at its place, and the rest of the file still applies.";

    DuplicateAttribute = "E0013" "duplicate-attribute" Error
    summary "an attribute that may appear once appears twice"
    explain "Attributes such as `port`, `protocol`, `class` or `namespace` have one value. \
Writing one twice is almost always a copy-paste mistake, so egwc does not pick one of them: \
remove the one you do not mean.";

    MissingAttribute = "E0014" "missing-attribute" Error
    summary "a required attribute is missing"
    explain "Some attributes have no sensible default: a gateway needs a `class`, a listener \
needs a `port` and a `protocol`, a service needs at least one `endpoint`, a route needs `on` \
(the gateway it attaches to). The help line shows what to add.";

    // ---- names ----------------------------------------------------------------------------
    UnknownService = "E0100" "unknown-service" Error
    summary "a route names a service that is not defined"
    explain "Backends (`-> name`) and mirrors (`mirror name`) must name a `service` defined in \
this file or an imported one. The help line offers the closest defined name. The old Helm chart \
silently reused the first service's endpoints in this case.";

    UnknownGateway = "E0101" "unknown-gateway" Error
    summary "a route attaches to a gateway that is not defined"
    explain "`on NAME` and `on NAME.LISTENER` must name a `gateway` defined in this file or an \
imported one.";

    UnknownListener = "E0102" "unknown-listener" Error
    summary "a route attaches to a listener the gateway does not have"
    explain "`on gateway.listener` names one listener of the gateway. Without `.listener` the \
route attaches to every listener. The help line lists the gateway's listeners.";

    DuplicateDefinition = "E0103" "duplicate-definition" Error
    summary "two definitions of the same kind share a name"
    explain "Services, gateways, routes and a gateway's listeners each need a unique name, \
across all imported files, because the name becomes the Kubernetes object's name. Filter \
groups need a unique name too, so that `use NAME` means one of them. Both definitions are \
shown.";

    GeneratedNameCollision = "E0104" "generated-name-collision" Error
    summary "a generated Kubernetes name collides with another object's name"
    explain "A balanced service `pve` with four endpoints becomes the Kubernetes Services \
`pve-0` to `pve-3`; a CA file of service `pve` becomes the ConfigMap `pve-ca`. If another \
service is named so that its object would carry the same name, one would overwrite the other in \
the cluster. Rename one of them.";

    InvalidName = "E0105" "invalid-name" Error
    summary "a name is not a valid Kubernetes object name"
    explain "Names become Kubernetes object names, which must be RFC 1035 labels: at most 63 \
characters of lower-case letters, digits and `-`, starting with a letter and ending with a \
letter or digit. Generated suffixes count: a balanced service with 12 endpoints needs room for \
`-11`. Listener names must match the Gateway API section-name pattern.";

    UnknownFilters = "E0106" "unknown-filters" Error
    summary "a rule uses a filter group that is not defined"
    explain "`use NAME` takes in the header edits of `filters NAME { ... }`, defined in this \
file, an imported one, or the standard library (`import \"std/headers.egw\"`). The help line \
offers the closest defined name, or the import that defines it.";

    UnknownConstant = "E0107" "unknown-constant" Error
    summary "a string uses a constant that is not defined"
    explain "`${name}` must name a constant defined with `let name = \"value\"` at the top of \
this file or an imported one. Constants are global to the build, like services. The help line \
offers the closest defined name. A value that cannot be worked out is not checked further, so \
its other mistakes show once this one is fixed.";

    ConstantCycle = "E0108" "constant-cycle" Error
    summary "constants are defined in terms of each other in a cycle"
    explain "A constant's value may use other constants (`let host = \"pve.${domain}\"`), but \
not itself, directly or through others, since it would never have a value. The message shows \
the cycle; write one of the values out.";

    // ---- values ---------------------------------------------------------------------------
    ValueTooLong = "E0109" "value-too-long" Error
    summary "a string would be longer than 64 KiB once its constants are written out"
    explain "`${name}` writes a constant's value into a string, and a constant may use others. \
Constants that each use the one before twice double at every step, so a few lines could stand \
for gigabytes. No value Kubernetes takes needs more than 64 KiB, so a constant or a string \
whose value would pass that is refused where it crosses it, without working the value out. \
Use each constant once, or write the value out.";

    PortOutOfRange = "E0200" "port-out-of-range" Error
    summary "a port is not between 1 and 65535"
    explain "Ports of listeners, services, endpoints and redirects are TCP ports, 1 to 65535.";

    InvalidHostname = "E0201" "invalid-hostname" Error
    summary "a hostname does not match the Gateway API hostname rules"
    explain "Hostnames are lower-case DNS names: labels of letters, digits and `-`, separated by \
dots, at most 253 characters, each label at most 63. A listener or route hostname may start \
with a wildcard label `*.` (never a bare `*`); a rewrite, redirect or TLS hostname may not. IP \
addresses are not hostnames: the Gateway API pattern lets `1.2.3.4` through, but the \
specification forbids it and controllers treat it inconsistently.";

    InvalidPath = "E0202" "invalid-path" Error
    summary "a path is not a valid Gateway API path"
    explain "Exact and prefix paths must start with `/`, be at most 1024 characters, use only \
the characters the API server accepts (letters, digits and `-._~!$&'()*+,;=:@/` and `%` with \
two hex digits), and must not contain `//`, `/./`, `/../`, `%2f`, `%2F` or `#`, nor end with \
`/.` or `/..`. Regular-expression paths skip these rules.";

    InvalidRegex = "E0203" "invalid-regex" Error
    summary "a regular expression does not compile"
    explain "Paths, headers and query parameters written with `~` are regular expressions. The \
Gateway API leaves the dialect to the controller; most use RE2 (Envoy, Istio, Cilium). egwc \
checks them with Rust's regex syntax, which is RE2's: no look-around, no back-references.";

    InvalidHeaderName = "E0204" "invalid-header-name" Error
    summary "a header or query parameter name is not an RFC 7230 token"
    explain "Header names (in matches and header filters) and query parameter names are 1 to \
256 characters from the RFC 7230 token set: letters, digits and ``!#$%&'*+-.^_`|~``. Spaces, \
`:` (so no HTTP/2 pseudo-headers), `/`, `(`, `)`, `,`, `;`, `=`, `@`, brackets and quotes are \
not allowed.";

    WeightOutOfRange = "E0205" "weight-out-of-range" Error
    summary "a backend weight is larger than 1,000,000"
    explain "Gateway API weights are 0 to 1,000,000. Weights are relative: `-> a 90, b 10` \
sends 90 % to `a`, whatever the number of endpoints behind each service. egwc may scale \
weights when it splits a balanced service over its endpoints; it reports this error when even \
the written weights are out of range.";

    AllWeightsZero = "W0206" "all-weights-zero" Warning
    summary "every backend of a rule has weight 0"
    explain "A rule whose backends all have weight 0 sends no traffic anywhere. The Gateway API \
defines no status code for it; controllers answer 500 or 503, and some drop the route. If you \
mean to take a service out of rotation, give another backend a weight.";

    TooMany = "E0207" "too-many" Error
    summary "a list is longer than the Gateway API allows"
    explain "The API server rejects more than 64 listeners per gateway, 16 hostnames, 16 rules, \
64 matches per rule (128 per route), 16 header or query matches per match, 16 backends and 16 \
filters per rule, 16 header modifications per filter, and 5 TLS subject names; Kubernetes \
rejects more than 1000 endpoints in one EndpointSlice (an unbalanced service's addresses of one \
family). Split the route into several routes, or the service into several services.";

    InvalidDuration = "E0208" "invalid-duration" Error
    summary "a duration is not in the Gateway API format"
    explain "Timeouts are written `10s`, `1h30m` or `500ms`: one to four parts, each one to five \
digits followed by `h`, `m`, `s` or `ms`. A backend timeout may not be longer than the request \
timeout.";

    InvalidEndpoint = "E0209" "invalid-endpoint" Error
    summary "an endpoint is not a DNS name or IP address with an optional port"
    explain "An endpoint is `host`, `host:port`, `1.2.3.4`, `1.2.3.4:port`, `2001:db8::1` or \
`[2001:db8::1]:port`. A DNS name follows the hostname rules, without a wildcard. Schemes \
(`https://`) and paths do not belong in an endpoint: the scheme is the service's `protocol`.";

    DnsNameRequired = "E0210" "dns-name-required" Error
    summary "an IP address or host:port is used where a DNS name is required"
    explain "A backend TLS hostname, a rewritten Host header and a redirect host are DNS names: \
the server's certificate and virtual host are matched against them. Write the name the server \
answers to; to connect to an IP address, put the address in the service's endpoint and the name \
in `tls { hostname \"...\" }`.";

    InvalidLabel = "E0211" "invalid-label" Error
    summary "a label or annotation key or value is not valid for Kubernetes"
    explain "Label and annotation keys are an optional DNS-subdomain prefix and `/`, then a name \
of at most 63 characters (letters, digits, `-`, `_`, `.`, starting and ending with a letter or \
digit). Label values are at most 63 such characters, or empty.";

    InvalidStatus = "E0212" "invalid-status" Error
    summary "a status code is not one the place takes"
    explain "The Gateway API allows exactly the redirect status codes 301, 302, 303, 307 and \
308; 302 is the default. A test's `expect STATUS` is one a gateway answers with: 200 \
(forwarded), a redirect status, 404 (no listener or rule takes the request) or 500 (the rule \
has no valid backend).";

    UnknownValue = "E0213" "unknown-value" Error
    summary "a word is not one of the values an attribute takes"
    explain "A listener's `protocol` is HTTP, HTTPS, TLS, TCP or UDP; `mode` is terminate or \
passthrough; `routes from` is same or all; an HTTP `method` is GET, HEAD, POST, PUT, DELETE, \
CONNECT, OPTIONS, TRACE or PATCH; a service's `protocol` is HTTP, HTTPS, H2C, TCP or UDP. The \
help line offers the closest value.";

    InvalidNamespace = "E0214" "invalid-namespace" Error
    summary "a namespace is not a valid Kubernetes namespace name"
    explain "Namespaces are RFC 1123 labels: at most 63 lower-case letters, digits and `-`, \
starting and ending with a letter or digit.";

    InvalidValue = "E0215" "invalid-value" Error
    summary "a string value is empty or too long"
    explain "Header values are 1 to 4096 characters, query values 1 to 1024, a gateway class \
name 1 to 253, a certificate or ConfigMap name a valid Kubernetes name.";

    InvalidPercent = "E0216" "invalid-percent" Error
    summary "a percentage is larger than 100"
    explain "`mirror name 10%` copies that share of requests to the service, and a test's \
`expect -> name 10%` is the share a service gets; both are 0 to 100.";

    InvalidCaCertificate = "E0217" "invalid-ca-certificate" Error
    summary "a CA file holds no PEM certificate"
    explain "`ca file \"x.pem\"` must contain at least one `-----BEGIN CERTIFICATE-----` block. \
It becomes a ConfigMap with key `ca.crt` that the gateway uses to verify the backend.";

    PrivateKeyInCaFile = "E0218" "private-key-in-ca-file" Error
    summary "a CA file holds a private key"
    explain "A `ca file` is copied into a ConfigMap, which anyone allowed to read ConfigMaps in \
the namespace can read. A file that also holds a private key (a combined certificate-and-key \
PEM, as HAProxy and Proxmox use) would publish the key, so it is refused: point to a file \
that holds the CA certificate alone. Only `CERTIFICATE` blocks of a CA file are copied; \
text around them is left out.";

    ReservedKey = "E0219" "reserved-key" Error
    summary "a label or annotation key is one egwc writes itself"
    explain "egwc marks every object it makes with the label `app.kubernetes.io/managed-by: \
egwc` and the annotation `egwc/source` (the file and line it came from), and writes a \
service's `description` as `egwc/description`. A value of yours under one of these keys, or \
any key under `egwc/`, would be overwritten or contradict egwc's, so it is refused: choose \
another key, or write `description \"…\"` in the service.";

    // ---- gateways and routes --------------------------------------------------------------
    TlsCertificateRequired = "E0300" "tls-certificate-required" Error
    summary "a listener that terminates TLS has no certificate"
    explain "An HTTPS listener, or a TLS listener in terminate mode, needs `tls { cert \"secret\" }` \
naming the Secret with its key pair (`cert \"ns/secret\"` for another namespace). Without it \
the API server rejects the Gateway, or, for HTTPS, no controller can serve it.";

    TlsModeRequired = "E0301" "tls-mode-required" Error
    summary "a TLS listener does not say whether it terminates or passes TLS through"
    explain "A `protocol TLS` listener needs `tls { mode passthrough }` or \
`tls { mode terminate cert \"...\" }`. Either way it takes TLS routes only: HTTP routes \
attach to HTTP and HTTPS listeners (an HTTPS listener is how TLS is terminated for them).";

    TlsNotAllowed = "E0302" "tls-not-allowed" Error
    summary "a plain HTTP listener has a tls block"
    explain "`protocol HTTP` listeners carry no TLS; the API server rejects a `tls` block on \
them. Use `protocol HTTPS` to terminate TLS.";

    ListenerConflict = "E0303" "listener-conflict" Error
    summary "two listeners share port, protocol and hostname"
    explain "Listeners of one gateway must differ in port, protocol or hostname; the API server \
rejects identical combinations, and listeners on one port with different protocols conflict at \
the controller.";

    HostnameMismatch = "E0304" "hostname-mismatch" Error
    summary "a route hostname matches no hostname of the listeners it attaches to"
    explain "A route attaches to a listener only if their hostnames intersect: equal names, or a \
name under the other's wildcard. A route whose hostnames intersect none of its listeners is \
never accepted (status NoMatchingListenerHostname) and serves nothing.";

    InvalidTlsMode = "E0305" "invalid-tls-mode" Error
    summary "an HTTPS listener is set to TLS passthrough"
    explain "HTTPS listeners terminate TLS. For passthrough use `protocol TLS` with \
`tls { mode passthrough }` (TLS routes; HTTP routes cannot attach there).";

    NamespaceNotAllowed = "E0306" "namespace-not-allowed" Error
    summary "a route in another namespace attaches to a listener that only takes its own"
    explain "Listeners accept routes from the gateway's own namespace unless they say \
`routes from all`. A route in another namespace would be rejected (NotAllowedByListeners).";

    RedirectWithBackends = "E0307" "redirect-with-backends" Error
    summary "a rule both redirects and forwards"
    explain "A redirect answers the request itself; the API server rejects a rule with a \
redirect and backends. Remove the `->` line, or the redirect.";

    ConflictingFilters = "E0308" "conflicting-filters" Error
    summary "a rule has filters that cannot be combined"
    explain "A rule may have at most one redirect, one rewrite, one request header filter and \
one response header filter (egwc merges `set`, `add` and `remove` lines into one), and not both \
a redirect and a rewrite.";

    PrefixNeedsPrefixMatch = "E0309" "prefix-needs-prefix-match" Error
    summary "a prefix rewrite or redirect needs exactly one path-prefix match"
    explain "`rewrite path prefix` and `redirect path prefix` replace the matched prefix, so the \
rule must have exactly one `match` with a path prefix (`path \"/x\"`).";

    ListenerRejectsRoute = "E0310" "listener-rejects-route" Error
    summary "a route attaches to a listener whose protocol does not take its kind"
    explain "Each listener protocol takes one family of routes (the Gateway API's default \
`allowedRoutes.kinds`): HTTP and HTTPS listeners take HTTP routes (`route`), TCP listeners TCP \
routes (`tcp route`), UDP listeners UDP routes (`udp route`), and TLS listeners TLS routes. A \
route attached to another listener is never accepted (NotAllowedByListeners). `on gateway` \
attaches a route to the listeners of the gateway that take its kind, and needs at least one; \
`on gateway.listener` names one, which must take it. To terminate TLS for HTTP routes, use \
`protocol HTTPS`.";

    DuplicateParent = "E0311" "duplicate-parent" Error
    summary "a route attaches to the same gateway or listener twice"
    explain "Each `on` target may appear once, and a gateway is named either whole (`on edge`) \
or by its listeners (`on edge.http, edge.https`), not both ways: the API server rejects a \
route that names one gateway twice unless each reference names a different listener.";

    RuleWithoutAction = "W0312" "rule-without-action" Warning
    summary "a rule neither forwards nor redirects"
    explain "A rule without `->` and without `redirect` answers every matching request with \
500. Add a backend, or a redirect.";

    DuplicateHeaderEdit = "E0313" "duplicate-header-edit" Error
    summary "a rule edits the same header twice"
    explain "Each header is set, added or removed at most once per rule, for requests and for \
responses separately. The API server rejects two `set` or two `add` entries with one name, and \
controllers disagree on what a `set` and a `remove` of one header do together. Header names \
are case-insensitive, so `X-Env` and `x-env` are the same header. Keep the edit you mean; an \
edit that comes from a `use`d filter group is overridden by not using the group.";

    HttpAndGrpcHostname = "W0318" "http-and-grpc-hostname" Warning
    summary "an HTTP route and a gRPC route share a hostname on one listener"
    explain "The Gateway API's GRPCRoute documentation lets a controller accept only one of an \
HTTPRoute and a GRPCRoute that share a hostname on a listener (the older, then by name), and \
reject the other with `Accepted: False`; some controllers do, others serve both. Give the gRPC \
route a hostname of its own (gRPC clients name the host they call), or attach it to another \
listener.";

    GrpcHostRewrite = "W0319" "grpc-host-rewrite" Warning
    summary "a gRPC route goes to a service whose `rewrite host` it cannot apply"
    explain "A service's `rewrite host \"name\"` is applied by each HTTP rule that routes to it, \
as a `URLRewrite` filter. GRPCRoute has no such filter, so a gRPC call reaches the service with \
the `:authority` the client sent, not the name the service asks for. If the service needs that \
name, have gRPC clients call it by that name (a listener or route hostname that is that name), \
or write `rewrite host off` in the service when any name will do.";

    NotForKind = "E0316" "not-for-kind" Error
    summary "an attribute does not apply to this kind of listener, route or service"
    explain "TCP and UDP listeners have no hostname and no `tls` block: a connection or datagram \
carries no host name to tell them apart, so each needs a port of its own. TCP and UDP routes \
have no hostnames, and their one rule holds only backends (`rule { -> ssh }`): no matches, \
header edits, rewrites, redirects, mirrors or timeouts. TCP and UDP services have no `tls` \
block and no `rewrite host`.";

    BackendProtocolMismatch = "E0317" "backend-protocol-mismatch" Error
    summary "a route's backend speaks another protocol than the route carries"
    explain "An HTTP route forwards to HTTP and HTTPS services, a TCP route to TCP services \
(`protocol TCP`), a UDP route to UDP services (`protocol UDP`). A service's protocol decides its \
Kubernetes Service port (UDP for `protocol UDP`) and whether the gateway speaks TLS to it, so a \
TCP stream sent to an HTTP service, or HTTP to a UDP port, would not reach what you meant. Set \
the service's `protocol`, or route to another service.";

    // ---- services -------------------------------------------------------------------------
    EndpointPortMismatch = "E0400" "endpoint-port-mismatch" Error
    summary "endpoints that share one Kubernetes Service use different ports"
    explain "An unbalanced service becomes one Kubernetes Service whose endpoints all use one \
port, and a DNS endpoint (an ExternalName Service) is reached on the service's port. Give the \
endpoints the same port, set `port` to it, or `balance` the service so each endpoint gets its \
own Service.";

    TlsOnHttpService = "E0401" "tls-on-http-service" Error
    summary "a service with protocol HTTP has a tls block"
    explain "Backend TLS settings apply to HTTPS services only. Set `protocol HTTPS` if the \
service speaks TLS.";

    TlsHostnameRequired = "E0402" "tls-hostname-required" Error
    summary "an HTTPS service reached by IP address has no TLS hostname"
    explain "The gateway verifies an HTTPS backend's certificate against a hostname (and sends \
it as SNI). A DNS endpoint provides it; an IP endpoint does not, so write \
`tls { hostname \"name-in-the-certificate\" }`.";

    UnbalancedDnsEndpoints = "E0403" "unbalanced-dns-endpoints" Error
    summary "an unbalanced service has several endpoints, not all of them IP addresses"
    explain "`balance off` puts all endpoints into one Kubernetes Service. That works for IP \
addresses (one EndpointSlice), but a Service can alias only one DNS name. Balance the service, \
or keep one DNS endpoint.";

    DuplicateEndpoint = "W0404" "duplicate-endpoint" Warning
    summary "the same endpoint is listed twice"
    explain "Listing an endpoint twice doubles its share of traffic when the service is \
balanced, which is rarely intended. Remove the copy.";

    TlsNamesNeedBalance = "E0405" "tls-names-need-balance" Error
    summary "endpoints of an unbalanced HTTPS service have different certificate names"
    explain "With `balance off`, all endpoints of a service share one Kubernetes Service, and a \
Service has one BackendTLSPolicy, which checks one hostname. Endpoints whose certificates carry \
different names (`endpoint \"10.0.0.11:8006\" as \"pve1.lab.example.com\"`) cannot share it. \
Balance the service (the default with several endpoints): each endpoint then gets its own \
Service and its own policy, and the route splits traffic across them.";

    HostRewriteDropsPort = "W0406" "host-rewrite-drops-port" Warning
    summary "the Host rewrite to a DNS endpoint cannot carry its non-default port"
    explain "egwc rewrites the Host header of requests to a DNS endpoint to the endpoint's name, \
because most external services are virtual-hosted. The Gateway API's `URLRewrite.hostname` is a \
precise hostname without a port, so an endpoint on a non-default port (`api.example.com:8443`) \
receives `Host: api.example.com`. Most servers ignore the port; if yours does not, keep the \
client's Host with `rewrite host off`. Writing `rewrite host \"api.example.com\"` in the \
service confirms the name and silences this warning.";

    ForbiddenDestination = "E0407" "forbidden-destination" Error
    summary "an endpoint points at a loopback, link-local, metadata or in-cluster destination"
    explain "A gateway runs inside the cluster. An endpoint on a loopback (`127.0.0.1`, `::1`, \
`localhost`, `localhost.localdomain`, `ip6-localhost`), link-local (`169.254.0.0/16`, \
`fe80::/10`), unspecified or multicast address, a name inside the cluster (`*.cluster.local`, \
and the names the cluster's DNS search path completes: a last label `svc`, `kubernetes`, \
`NAME.default`, `NAME.kube-system`), a cloud metadata service (`metadata.google.internal`, \
`instance-data.ec2.internal`, `fd00:ec2::254`, `100.100.100.200`) or a name whose last label is \
a number (`0x7f000001`, `0x7f.1`, which resolvers read as an address) would make it reach its \
own node, the cluster's internal services or the node's credentials: the confused-deputy \
problem of CVE-2021-25740. Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fd00::/8) \
are allowed: they are what homelabs use. Kubernetes refuses such EndpointSlice \
addresses, and Envoy Gateway and the Gateway API's XBackend refuse such names. Write the \
address other machines reach the service at.";

    // ---- targets --------------------------------------------------------------------------
    DnsUnsupportedByTarget = "E0501" "dns-unsupported-by-target" Error
    summary "the gateway's controller cannot route to a DNS name"
    explain "Some controllers have no way to send Gateway API traffic to a host outside the \
cluster by name: Cilium accepts a route to an ExternalName Service and answers \"no healthy \
upstream\" (cilium/cilium#24495); Traefik's Gateway provider rejects ExternalName \
(traefik/traefik#12950). NGINX Gateway Fabric before 2.2 had no support either. (GKE routes \
to no endpoint outside the cluster at all: E0509.) egwc refuses rather than emit objects that do not route. Alternatives: use the \
service's IP addresses as endpoints (a selectorless Service and EndpointSlice work \
everywhere), or compile for a target that reaches DNS names (`envoy-gateway`, `istio`, \
`nginx`, `kong`, `contour`). See docs/targets.md.";

    ExternalEndpointsUnsupported = "E0509" "external-endpoints-unsupported" Error
    summary "the gateway's controller routes to no endpoint outside the cluster"
    explain "GKE Gateway sends traffic to container-native network endpoint groups, and the NEG \
controller fills them only with endpoints that name a Pod (`targetRef`) and a node \
(`nodeName`) (kubernetes/ingress-gce, `pkg/neg/syncers/utils.go`). The addresses of a \
selectorless Service, which is how egwc reaches an external IP, are skipped, and a DNS name has \
no object at all: the route would be accepted and every request fail. egwc refuses rather \
than emit it. Alternatives: run a proxy in the cluster (a Deployment whose Pods forward to the \
external service, behind an ordinary Service with a selector) and route to that Service \
outside egwc, or compile for a controller that routes to external endpoints (`cilium`, \
`envoy-gateway`, `istio`, `nginx`, `kong`, `traefik`, `contour`). See docs/targets.md.";

    ExternalNameNotPortable = "W0502" "externalname-not-portable" Warning
    summary "a DNS endpoint becomes an ExternalName Service, which is not portable"
    explain "For the `generic` target egwc emits only portable Gateway API, and there is no \
portable way to reach a DNS name: an ExternalName Service as a backend is implementation-specific \
and the Gateway API says implementations should not support it (GEP-1294). The objects are \
written, but whether they route depends on the controller. Name the controller with `target` \
in the gateway (or `--target`), so egwc emits what it needs.";

    BackendTlsUnsupported = "E0503" "backend-tls-unsupported" Error
    summary "the gateway's controller has no BackendTLSPolicy, so an HTTPS backend would get plain HTTP"
    explain "egwc expresses TLS to a backend with a BackendTLSPolicy, in `v1alpha3` or `v1`. \
Cilium reads it from 1.20, Envoy Gateway from 1.1, Istio from 1.26, NGINX Gateway Fabric from \
1.3, Traefik from 3.2, Kong Ingress Controller from 3.4 (docs/targets.md has every range). On \
an older controller the policy is ignored and the gateway would speak plain HTTP to an HTTPS \
port. Upgrade the controller and raise the version in `target`, or use another target.";

    BackendTlsV1alpha3 = "N0504" "backend-tls-v1alpha3" Note
    summary "the controller reads BackendTLSPolicy v1alpha3, which Gateway API 1.4+ CRDs no longer serve"
    explain "Controllers built on Gateway API 1.1 to 1.3 read BackendTLSPolicy `v1alpha3`: \
Envoy Gateway 1.1–1.5, Istio 1.26–1.27, NGINX Gateway Fabric 1.3–2.2, Traefik 3.2–3.5, Kong \
Ingress Controller 3.4+ and Contour 1.33. egwc writes that version for them, as a `v1` policy \
would be ignored and the backend would get plain HTTP. Gateway API 1.4 and later CRDs do not \
serve `v1alpha3`: the cluster must have the Gateway API CRDs the controller bundles, or \
`kubectl apply` fails with \"no matches for kind\".";

    SystemCaUnsupported = "E0505" "system-ca-unsupported" Error
    summary "the controller does not accept the system CAs as backend trust"
    explain "Contour rejects BackendTLSPolicy `wellKnownCACertificates: System`: it needs a CA \
bundle. Kong Ingress Controller marks such a policy invalid (\"WellKnownCACertificates feature \
is not currently supported\"). An HTTPS service without `ca file` or `ca configmap` trusts the \
system CAs, so for these targets write the CA explicitly: `tls { ca file \"ca.pem\" }` (the \
public CA that signs the backend's certificate, for a public service) or \
`tls { ca configmap \"name\" }`.";

    SanUnsupported = "E0508" "san-unsupported" Error
    summary "the controller does not validate backend certificates by a SAN list"
    explain "`tls { san \"a\" \"b\" }` becomes BackendTLSPolicy `subjectAltNames`: the backend's \
certificate must carry one of those names, and the TLS hostname is then only sent as SNI. \
Validating against the list is the Extended feature `BackendTLSPolicySANValidation`: Envoy \
Gateway, Istio and GKE claim it; Cilium, NGINX Gateway Fabric, Kong, Traefik 3.7 and Contour \
do not, and would check the hostname instead, failing against certificates that do not carry \
it. Name each endpoint's certificate instead (`endpoint \"10.0.0.11:8006\" as \"pve1...\"`), \
which gives each endpoint its own Service and policy and works everywhere, or compile for a \
target that validates SANs.";

    HostRewriteConflict = "E0506" "host-rewrite-conflict" Error
    summary "the backends of one rule need different Host headers"
    explain "A Host rewrite (`URLRewrite.hostname`) applies to a whole rule, not to one backend: \
per-backend rewrites are implementation-specific, and no controller claims them. When one rule \
splits traffic between services that need different Host headers (two DNS names, or a DNS name \
and an IP service that keeps the client's Host), no single rewrite is right. Route to them in \
separate rules, write `rewrite host \"...\"` in the rule to choose, or `rewrite host off` in \
services that accept any Host.";

    TargetConflict = "E0507" "target-conflict" Error
    summary "a service is used through gateways whose targets need different objects"
    explain "egwc writes one set of objects per service, made for the controller that routes to \
it. When routes on gateways with different targets use the same service, and those targets \
reach it differently (an Envoy Gateway `Backend` for one, an ExternalName Service for the \
other), one set cannot serve both. Define the service twice under two names, one per gateway, \
or compile both gateways for the same target.";

    EnvoyBackendApi = "N0510" "envoy-backend-api" Note
    summary "Envoy Gateway's Backend API must be enabled"
    explain "Envoy Gateway reaches DNS names through its `Backend` resource, which is disabled \
by default. Enable it in the EnvoyGateway configuration (`extensionApis: {enableBackend: true}`, \
Helm value `config.envoyGateway.extensionApis.enableBackend=true`), and restrict who may \
create Backends with RBAC: a Backend can point anywhere.";

    NginxDnsResolver = "N0511" "nginx-dns-resolver" Note
    summary "NGINX Gateway Fabric needs a DNS resolver to route to ExternalName Services"
    explain "NGINX Gateway Fabric routes to ExternalName Services only when the Gateway's \
NginxProxy sets `spec.dnsResolver` (addresses of DNS servers), attached through \
`infrastructure.parametersRef` or the GatewayClass. Without it the backend is invalid: \
\"ExternalName service requires DNS resolver configuration in Gateway's NginxProxy\".";

    EndpointSliceRbac = "N0513" "endpointslice-rbac" Note
    summary "Applying EndpointSlices needs a permission the default roles lack"
    explain "A service reached by IP address becomes a Service without a selector and an \
EndpointSlice that lists the addresses. Since Kubernetes 1.22 the default `edit` and `admin` \
roles may no longer write EndpointSlices (CVE-2021-25740: an EndpointSlice can send a \
Service's traffic anywhere). Whoever applies the manifests, a person or a GitOps controller's \
service account, needs `create`, `update`, `patch` and `delete` on `endpointslices` in the \
group `discovery.k8s.io`, in the namespaces of those services. egwc says this once per build.";

    MirrorUnsupported = "E0515" "mirror-unsupported" Error
    summary "the gateway's controller cannot mirror requests as the rule asks"
    explain "`mirror SERVICE [PERCENT]` becomes a RequestMirror filter, an Extended feature \
that controllers support in parts (their conformance reports): Kong and Traefik reject a route \
with one; GKE takes one mirror per rule (`HTTPRouteRequestMultipleMirrors` unsupported); \
Contour copies every request or none (`HTTPRouteRequestPercentageMirror` unsupported). A \
balanced service is one Kubernetes Service per endpoint, so egwc mirrors to each of them, each \
copying its part of the requests (`mirror shadow 10%` over two endpoints is two mirrors of 5 \
%), which needs both. Mirror to a service that is one Kubernetes Service (`balance off`, for IP \
endpoints on one port), keep one mirror per rule, or compile for a controller that supports it \
(docs/targets.md).";

    ClassOfAnotherController = "W0516" "class-of-another-controller" Warning
    summary "the gateway's class belongs to another controller than its target"
    explain "A controller takes the Gateways whose GatewayClass names it as controller, and the \
well-known class names say which one that is (`cilium`, `eg`, `istio`, `kong`, … in \
docs/targets.md). `--target` or `target` changes what egwc writes for a gateway, not its \
class: compiled for Istio with class `envoy-gateway`, the objects are Istio's, but Envoy \
Gateway takes the Gateway, and Istio never sees it. Name the class the target's controller \
serves (the fix writes its default), or compile for the controller the class belongs to.";

    NodeSubnetDefect = "N0517" "node-subnet-defect" Note
    summary "Cilium may not reach an external address on the nodes' own subnet"
    explain "With Cilium's Gateway API (Envoy), a selectorless Service whose EndpointSlice \
points at an address on the same L2 subnet as the cluster's nodes gets 503: the SYN-ACK \
reaches Envoy, but the final ACK of the handshake never leaves (cilium/cilium#46798, open). \
That is the usual homelab layout: a NAS, Proxmox nodes and the Kubernetes nodes on one \
192.168.x.0/24. egwc cannot know the nodes' subnet, so it notes the first private-range \
address (10/8, 172.16/12, 192.168/16, fc00::/7) once per build. If requests fail this way, put \
the service on another subnet (a routed VLAN), or route to it through another proxy; with \
`bpf.masquerade: true` also check that traffic to external upstreams is masqueraded \
(cilium/cilium#35277). Silence this note with `--allow N0517`.";

    KongCaConfigMap = "N0514" "kong-ca-configmap" Note
    summary "Kong reads a CA ConfigMap only when it is labelled and has an id"
    explain "Kong Ingress Controller loads CA certificates only from ConfigMaps and Secrets \
labelled `konghq.com/ca-cert: \"true\"` whose data has an `id` key (the Kong CA certificate's \
UUID), each holding a single certificate; others are ignored (\"missing 'id' field in data\") \
and verification of the backend fails. egwc cannot change a ConfigMap it does not write, so for \
`ca configmap \"name\"` on Kong, label it (`kubectl label configmap NAME \
konghq.com/ca-cert=true`) and add an `id` (`kubectl patch configmap NAME -p \
'{\"data\":{\"id\":\"<uuid>\"}}'`). With `ca file`, egwc writes ConfigMaps in this form itself.";

    InvalidTestUrl = "E0600" "invalid-test-url" Error
    summary "a test's URL is not an http or https URL with a host"
    explain "A test's `request` and `expect redirect` take an absolute URL: `http://` or \
`https://`, a host, and optionally a port, path and query (`https://api.example.com/v1?x=1`). \
Without a port the request arrives on 80 for http and 443 for https.";

    ExpectedShares = "E0601" "expected-shares" Error
    summary "the shares a test expects do not add up to 100%"
    explain "`expect -> a 90%, b 10%` says which services get the request and their shares; the \
shares are of all of it, so they add up to 100%. Give every service a share, or none: `expect \
-> a, b` says that both get some and no other service gets any.";

    TestFailed = "E0602" "test-failed" Error
    summary "a request of a test does not get what the test expects"
    explain "`egwc test` sends each test's request through the routing of the files, as the \
Gateway API's matching rules say a gateway does (docs/route.md), and compares what it gets \
with each `expect` line. A failed expectation is reported at its line, with what the request \
got instead: its backends and shares, redirect or status, and for a 404 the rules that came \
closest and why each missed. `egwc route` with the same URL shows the whole answer.";

    AmbiguousTestGateway = "E0603" "ambiguous-test-gateway" Error
    summary "several gateways listen on the port of a test's request"
    explain "A request enters one gateway. When more than one gateway has a listener on the \
request's port and protocol, the test names the one it means with `on NAME`: `request \
\"https://api.example.com/\" on edge`.";

    RouteKindUnsupported = "E0518" "route-kind-unsupported" Error
    summary "the gateway's controller does not serve this kind of route"
    explain "Controllers serve different route kinds (their conformance reports and code, \
docs/targets.md \"Route kinds\"): GKE serves HTTP routes only; Istio, Traefik and Contour \
serve TCP routes but not UDP routes; Cilium serves TCP, UDP and TLS routes from 1.20, NGINX \
Gateway Fabric TCP and UDP from 2.4. TLS routes on a listener that terminates TLS (`mode \
terminate`) are an Extended feature that Cilium, Contour and NGINX Gateway Fabric before 2.7 \
lack: they only pass TLS through. A route the controller does not serve is never routed. \
Compile the gateway for a controller that serves it (the help lists them), or use another \
gateway for this route.";

    ExperimentalChannel = "N0519" "experimental-channel" Note
    summary "the controller reads this route kind only with its experimental channel on"
    explain "Traefik's Kubernetes Gateway provider watches TCP routes (and TLS routes before \
3.7) only when `experimentalChannel: true` is set in its configuration \
(pkg/provider/kubernetes/gateway/client.go); without it the route is ignored and nothing \
says so. Switch it on, or silence this note with `--allow N0519` once it is.";

    GrpcBackendTlsIgnored = "W0520" "grpc-backend-tls-ignored" Warning
    summary "the controller ignores BackendTLSPolicy for gRPC backends"
    explain "Cilium applies BackendTLSPolicy to HTTPRoute backends but not to GRPCRoute backends \
(cilium/cilium#48935, open): a gRPC route to a `protocol HTTPS` service would be sent without \
TLS and fail. Give the backend a plaintext HTTP/2 port (`protocol H2C`), or compile the gateway \
for a controller that originates TLS to gRPC backends.";

    ContourExternalName = "N0512" "contour-externalname" Note
    summary "Contour routes to ExternalName Services only when enabled"
    explain "Contour disables ExternalName Services by default (GHSA-5ph6-qq5x-7jwc). Set \
`enableExternalNameService: true` in its configuration (ContourConfiguration or the config \
file); with the Gateway provisioner, in the ContourDeployment's runtime settings.";
}
