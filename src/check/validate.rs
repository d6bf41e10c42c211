//! Pure value rules from Kubernetes and the Gateway API: each returns `Err(reason)` with a
//! short reason a label can show. No spans, no diagnostics here, so property tests can call
//! them directly.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// RFC 1035 label: Kubernetes Service names. `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63.
pub fn dns1035_label(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a name cannot be empty".into());
    }
    if name.len() > 63 {
        return Err(format!("{} characters, at most 63 are allowed", name.len()));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
    {
        return Err(match c {
            'A'..='Z' => "upper-case letters are not allowed".into(),
            '_' => "`_` is not allowed, use `-`".into(),
            c => format!("`{c}` is not allowed"),
        });
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a letter".into());
    }
    if name.ends_with('-') {
        return Err("must end with a letter or digit".into());
    }
    Ok(())
}

/// RFC 1123 label: namespaces. Like RFC 1035 but may start with a digit.
pub fn dns1123_label(name: &str) -> Result<(), String> {
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return dns1035_label(&format!("a{}", &name[1..]));
    }
    dns1035_label(name)
}

/// RFC 1123 subdomain: Secret and ConfigMap names, label-key prefixes.
pub fn dns1123_subdomain(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err(format!(
            "{} characters, at most 253 are allowed",
            name.len()
        ));
    }
    name.split('.').try_for_each(dns1123_label)
}

/// A Gateway API hostname. `wildcard` allows a leading `*.`.
pub fn hostname(host: &str, wildcard: bool) -> Result<(), String> {
    if host.is_empty() {
        return Err("a hostname cannot be empty".into());
    }
    if host == "*" {
        return Err("a bare `*` is not allowed; leave the hostname out to match every host".into());
    }
    if host.parse::<IpAddr>().is_ok() || host.trim_matches(['[', ']']).parse::<Ipv6Addr>().is_ok() {
        return Err("an IP address is not a hostname".into());
    }
    if let Some((h, p)) = host.rsplit_once(':')
        && p.chars().all(|c| c.is_ascii_digit())
        && hostname(h, wildcard).is_ok()
    {
        return Err("a hostname carries no port".into());
    }
    if host.contains("://") {
        return Err("a hostname carries no scheme".into());
    }
    if host.len() > 253 {
        return Err(format!(
            "{} characters, at most 253 are allowed",
            host.len()
        ));
    }
    let rest = match host.strip_prefix("*.") {
        Some(rest) if wildcard => rest,
        Some(_) => return Err("a wildcard is not allowed here".into()),
        None => host,
    };
    if rest.contains('*') {
        return Err("a wildcard is allowed only as the whole first label, `*.`".into());
    }
    if rest.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("hostnames are lower case".into());
    }
    for label in rest.split('.') {
        if label.is_empty() {
            return Err("empty label (two dots, or a dot at an end)".into());
        }
        if label.len() > 63 {
            return Err(format!("the label `{label}` is longer than 63 characters"));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
        {
            return Err(format!("`{c}` is not allowed in a hostname"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("the label `{label}` starts or ends with `-`"));
        }
    }
    Ok(())
}

/// Whether the API server takes `host` as a Gateway API hostname: its pattern (lower-case
/// labels of letters, digits and `-`, starting and ending with a letter or digit, a leading
/// `*.` where `wildcard`) and its 253 characters, which say nothing of a label's length or of
/// IP addresses.
pub fn server_takes_hostname(host: &str, wildcard: bool) -> bool {
    let rest = match host.strip_prefix("*.") {
        Some(rest) if wildcard => rest,
        _ => host,
    };
    host.len() <= 253
        && rest.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
        })
}

/// Whether the API server takes `name` in a reference to a Secret or a ConfigMap: 1 to 253
/// characters, whatever they are (and text its YAML reader takes).
pub fn server_takes_reference(name: &str) -> bool {
    (1..=253).contains(&name.chars().count()) && yaml_text(name).is_ok()
}

/// Whether a listener hostname and a route hostname intersect (Gateway API hostname rules).
/// `None` on the listener side matches everything.
pub fn hostnames_intersect(listener: Option<&str>, route: &str) -> bool {
    let Some(listener) = listener else {
        return true;
    };
    match (listener.strip_prefix("*."), route.strip_prefix("*.")) {
        (None, None) => listener == route,
        (Some(suffix), None) => route.ends_with(&format!(".{suffix}")),
        (None, Some(suffix)) => listener.ends_with(&format!(".{suffix}")),
        (Some(a), Some(b)) => {
            a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
        }
    }
}

/// Exact and prefix path values: the API server's CEL rules, in its order.
pub fn path(value: &str) -> Result<(), String> {
    if !value.starts_with('/') {
        return Err("must start with `/`".into());
    }
    if value.len() > 1024 {
        return Err(format!(
            "{} characters, at most 1024 are allowed",
            value.len()
        ));
    }
    for bad in ["//", "/./", "/../", "%2f", "%2F", "#"] {
        if value.contains(bad) {
            return Err(format!("must not contain `{bad}`"));
        }
    }
    for bad in ["/..", "/."] {
        if value.ends_with(bad) {
            return Err(format!("must not end with `{bad}`"));
        }
    }
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return Err("`%` must be followed by two hex digits".into());
            }
            i += 3;
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-/._~!$&'()*+,;=:@".contains(&b)) {
            let c = value[i..].chars().next().unwrap_or('?');
            return Err(match c {
                '?' => "`?` starts a query string; match it with `query`".into(),
                ' ' => "spaces are not allowed; write `%20`".into(),
                c => format!("`{c}` is not allowed in a path; percent-encode it"),
            });
        }
        i += 1;
    }
    Ok(())
}

/// Text the API server's YAML reader takes: it refuses U+007F, U+0080–U+009F but U+0085,
/// and U+FFFE and U+FFFF, even escaped ("yaml: control characters are not allowed").
pub fn yaml_text(value: &str) -> Result<(), String> {
    match value
        .chars()
        .find(|&c| matches!(c, '\u{7f}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}') && c != '\u{85}')
    {
        Some(c) => Err(format!(
            "U+{:04X} is a control character, which the API server refuses",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// An HTTP field value (RFC 9110 §5.5): no control character but a tab (CR, LF and NUL
/// would split or end the header, and Envoy refuses them), and text the API server takes.
pub fn field_value(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|&c| c.is_ascii_control() && c != '\t') {
        return Err(match c {
            '\r' | '\n' => "a line break is not allowed in a header value".into(),
            c => format!(
                "U+{:04X} is a control character, not allowed in a header value",
                u32::from(c)
            ),
        });
    }
    yaml_text(value)
}

/// An exact gRPC service name, as the GRPCRoute CRD's CEL checks it:
/// `^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$`, at most 1024 characters.
pub fn grpc_service(value: &str) -> Result<(), String> {
    grpc_length(value)?;
    let rest = value.strip_prefix('.').unwrap_or(value);
    if rest.split('.').all(protobuf_ident) {
        Ok(())
    } else {
        Err(
            "dot-separated names of letters, digits and `_`, each starting with a letter or `_`"
                .to_string(),
        )
    }
}

/// An exact gRPC method name: `^[A-Za-z_][A-Za-z_0-9]*$`, at most 1024 characters.
pub fn grpc_method(value: &str) -> Result<(), String> {
    grpc_length(value)?;
    if protobuf_ident(value) {
        Ok(())
    } else {
        Err("letters, digits and `_`, starting with a letter or `_`".to_string())
    }
}

/// The GRPCRoute CRD's limit on a service or method name.
fn grpc_length(value: &str) -> Result<(), String> {
    if value.len() > 1024 {
        Err(format!("{} characters, at most 1024", value.len()))
    } else {
        Ok(())
    }
}

/// `[A-Za-z_][A-Za-z_0-9]*`: one protobuf identifier.
fn protobuf_ident(w: &str) -> bool {
    let mut chars = w.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A regular expression in RE2 syntax (what Envoy-based controllers run), at most `max`
/// bytes (the CRD's limit for the field).
pub fn regex(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() {
        return Err("an empty expression matches everything; leave the match out".into());
    }
    // The API server counts characters, not bytes.
    let length = value.chars().count();
    if length > max {
        return Err(format!("{length} characters, at most {max} are allowed"));
    }
    yaml_text(value)?;
    regex_syntax::Parser::new()
        .parse(value)
        .map(|_| ())
        .map_err(|e| match e {
            regex_syntax::Error::Parse(e) => e.kind().to_string(),
            regex_syntax::Error::Translate(e) => e.kind().to_string(),
            other => other.to_string(),
        })
}

/// RFC 7230 token: header and query parameter names.
pub fn header_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a name cannot be empty".into());
    }
    if name.len() > 256 {
        return Err(format!(
            "{} characters, at most 256 are allowed",
            name.len()
        ));
    }
    match name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)))
    {
        Some(':') => Err("`:` is not allowed (HTTP/2 pseudo-headers cannot be matched)".into()),
        Some(c) if c.is_whitespace() => Err("whitespace is not allowed".into()),
        Some(c) => Err(format!("`{c}` is not allowed")),
        None => Ok(()),
    }
}

/// Gateway API duration (GEP-2257): 1–4 parts of 1–5 digits and a unit h, m, s or ms.
/// The grammar already guarantees the shape; this checks the counts.
pub fn duration(value: &str) -> Result<(), String> {
    let mut parts = 0;
    let mut digits = 0;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits > 5 {
                return Err("at most 5 digits per part".into());
            }
            continue;
        }
        if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
        }
        parts += 1;
        digits = 0;
    }
    if parts > 4 {
        return Err("at most 4 parts, like `1h2m3s4ms`".into());
    }
    Ok(())
}

/// A duration in milliseconds (after [`duration`] accepted it).
pub fn duration_ms(value: &str) -> u64 {
    let mut total = 0u64;
    let mut number = 0u64;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(d) = c.to_digit(10) {
            number = number * 10 + u64::from(d);
            continue;
        }
        let unit = match c {
            'h' => 3_600_000,
            's' => 1_000,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            _ => 60_000,
        };
        total += number * unit;
        number = 0;
    }
    total
}

/// Label and annotation keys: `[prefix/]name`.
pub fn label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        dns1123_subdomain(prefix).map_err(|e| format!("the prefix is not a DNS subdomain: {e}"))?;
    }
    qualified_name(name)
}

/// Label values: empty, or a qualified name of at most 63 characters.
pub fn label_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    qualified_name(value)
}

fn qualified_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name part cannot be empty".into());
    }
    if name.len() > 63 {
        return Err(format!("{} characters, at most 63 are allowed", name.len()));
    }
    if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
    {
        return Err(format!("`{c}` is not allowed"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// A parsed endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    Dns(String),
}

/// Why the gateway must not be pointed at `host`, if it must not: loopback, link-local,
/// unspecified and multicast addresses; the local host by any of its names; names inside
/// the cluster, also those the cluster's DNS search path completes (`kubernetes`,
/// `my-svc.my-ns.svc`, `kube-dns.kube-system`); cloud metadata services; and numeric forms
/// that resolvers read as an address (`0x7f000001`, `0x7f.1`). An endpoint there would make
/// the gateway reach its own node, the cluster's internal services or the node's cloud
/// credentials (CVE-2021-25740); Kubernetes, Envoy Gateway and XBackend refuse the same.
/// Private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fd00::/8) are what homelabs use,
/// and stay allowed.
pub fn forbidden_destination(host: &Host) -> Option<&'static str> {
    const METADATA_V4: [Ipv4Addr; 1] = [Ipv4Addr::new(100, 100, 100, 200)]; // Alibaba Cloud
    const METADATA_V6: [Ipv6Addr; 1] = [Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)]; // AWS
    match host {
        Host::V4(ip) if ip.is_loopback() => Some("a loopback address"),
        Host::V4(ip) if ip.is_link_local() => Some("a link-local address"),
        Host::V4(ip) if ip.is_unspecified() => Some("the unspecified address"),
        Host::V4(ip) if ip.is_multicast() || ip.is_broadcast() => Some("a multicast address"),
        Host::V4(ip) if METADATA_V4.contains(ip) => Some("a cloud metadata service"),
        Host::V6(ip) if ip.is_loopback() => Some("a loopback address"),
        Host::V6(ip) if ip.is_unicast_link_local() => Some("a link-local address"),
        Host::V6(ip) if ip.is_unspecified() => Some("the unspecified address"),
        Host::V6(ip) if ip.is_multicast() => Some("a multicast address"),
        Host::V6(ip) if ip.to_ipv4_mapped().is_some() => Some("an IPv4-mapped address"),
        Host::V6(ip) if METADATA_V6.contains(ip) => Some("a cloud metadata service"),
        Host::Dns(name) => forbidden_name(&name.trim_end_matches('.').to_ascii_lowercase()),
        _ => None,
    }
}

fn forbidden_name(name: &str) -> Option<&'static str> {
    const LOCAL: [&str; 5] = [
        "localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "ip6-loopback",
        "ip6-localnet",
    ];
    const METADATA: [&str; 4] = [
        "metadata",
        "metadata.google.internal",
        "instance-data",
        "instance-data.ec2.internal",
    ];
    // Namespaces every cluster has: `NAME.NAMESPACE` is a Service there, through the
    // search path.
    const NAMESPACES: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];
    let labels: Vec<&str> = name.split('.').collect();
    let last = labels.last().copied().unwrap_or_default();
    let numeric = !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
    if LOCAL.contains(&name) || name.ends_with(".localhost") {
        Some("the local host")
    } else if METADATA.contains(&name) {
        Some("a cloud metadata service")
    } else if numeric {
        Some(
            "a numeric address form (resolvers read it as an IP address, such as 0x7f.1 for \
127.0.0.1)",
        )
    } else if name == "cluster.local"
        || name.ends_with(".cluster.local")
        || last == "svc"
        || name == "kubernetes"
        || (labels.len() == 2 && NAMESPACES.contains(&last))
    {
        Some("a name inside the cluster")
    } else {
        None
    }
}

/// `host`, `host:port`, `1.2.3.4[:port]`, `2001:db8::1`, `[2001:db8::1][:port]`.
pub fn endpoint(text: &str) -> Result<(Host, Option<u64>), String> {
    if let Some((scheme, _)) = text.split_once("://") {
        return Err(format!(
            "`{scheme}://` does not belong in an endpoint; the scheme is the service's `protocol`"
        ));
    }
    if text.contains('/') {
        return Err("an endpoint has no path".into());
    }
    let port = |p: &str| {
        p.parse::<u64>()
            .map_err(|_| format!("`{p}` is not a port number"))
    };
    if let Some(rest) = text.strip_prefix('[') {
        let (addr, tail) = rest
            .split_once(']')
            .ok_or_else(|| "`[` without a closing `]`".to_string())?;
        let ip = addr
            .parse::<Ipv6Addr>()
            .map_err(|_| format!("`{addr}` is not an IPv6 address"))?;
        let port = match tail {
            "" => None,
            t => Some(port(
                t.strip_prefix(':')
                    .ok_or_else(|| "expected `:port` after `]`".to_string())?,
            )?),
        };
        return Ok((Host::V6(ip), port));
    }
    if let Ok(ip) = text.parse::<Ipv6Addr>() {
        return Ok((Host::V6(ip), None));
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) => (h, Some(port(p)?)),
        None => (text, None),
    };
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Ok((Host::V4(ip), port));
    }
    if host.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(format!("`{host}` is not a valid IPv4 address"));
    }
    hostname(host, false)?;
    Ok((Host::Dns(host.to_string()), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_the_api_server_and_http_take() {
        for ok in ["plain", "tab\there", "next line \u{85}", "é €", "\u{a0}"] {
            assert_eq!(yaml_text(ok), Ok(()), "{ok:?}");
        }
        for bad in ["\u{7f}", "\u{80}", "\u{9f}", "\u{fffe}", "\u{ffff}"] {
            assert!(yaml_text(bad).is_err(), "{bad:?}");
            assert!(field_value(bad).is_err(), "{bad:?}");
        }
        assert_eq!(field_value("a\tb"), Ok(()));
        for bad in ["a\rb", "a\nb", "a\0b", "\u{1}"] {
            assert!(field_value(bad).is_err(), "{bad:?}");
        }
        assert!(regex(&"a".repeat(1025), 1024).is_err());
        assert_eq!(regex(&"a".repeat(1024), 1024), Ok(()));
    }

    #[test]
    fn hostnames() {
        assert!(hostname("api.example.com", false).is_ok());
        assert!(hostname("*.example.com", true).is_ok());
        assert!(hostname("*.example.com", false).is_err());
        assert!(hostname("*", true).is_err());
        assert!(hostname("10.0.0.1", true).is_err());
        assert!(hostname("Api.example.com", true).is_err());
        assert!(hostname("api.example.com:443", true).is_err());
        assert!(hostname("a..b", true).is_err());
    }

    #[test]
    fn intersections_follow_the_gateway_api_table() {
        let cases = [
            (Some("www.example.com"), "www.example.com", true),
            (Some("*.example.com"), "www.example.com", true),
            (Some("*.example.com"), "sub.domain.example.com", true),
            (Some("www.example.com"), "*.example.com", true),
            (Some("*.example.com"), "*.example.com", true),
            (Some("*.com"), "*.example.com", true),
            (None, "www.example.com", true),
            (Some("*.example.com"), "example.com", false),
            (Some("*.example.com"), "test.example.net", false),
            (Some("a.example.com"), "b.example.com", false),
        ];
        for (listener, route, want) in cases {
            assert_eq!(
                hostnames_intersect(listener, route),
                want,
                "{listener:?} {route}"
            );
        }
    }

    #[test]
    fn paths() {
        assert!(path("/api/v1").is_ok());
        assert!(path("/a%20b").is_ok());
        assert!(path("api").is_err());
        assert!(path("/a//b").is_err());
        assert!(path("/a/..").is_err());
        assert!(path("/a?b").is_err());
        assert!(path("/a%zz").is_err());
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            endpoint("10.0.0.1:8006"),
            Ok((Host::V4("10.0.0.1".parse().unwrap()), Some(8006)))
        );
        assert_eq!(
            endpoint("[2001:db8::1]:443"),
            Ok((Host::V6("2001:db8::1".parse().unwrap()), Some(443)))
        );
        assert_eq!(
            endpoint("2001:db8::1"),
            Ok((Host::V6("2001:db8::1".parse().unwrap()), None))
        );
        assert_eq!(
            endpoint("api.example.com"),
            Ok((Host::Dns("api.example.com".into()), None))
        );
        assert!(endpoint("https://api.example.com").is_err());
        assert!(endpoint("10.0.0.300").is_err());
        assert!(endpoint("host:port").is_err());
    }

    #[test]
    fn forbidden_destinations() {
        let forbidden = |text: &str| forbidden_destination(&endpoint(text).unwrap().0);
        for inside in [
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "my-svc.my-ns.svc",
            "kube-dns.kube-system",
            "api.apps.svc.cluster.local",
        ] {
            assert_eq!(
                forbidden(inside),
                Some("a name inside the cluster"),
                "{inside}"
            );
        }
        for metadata in [
            "metadata.google.internal",
            "instance-data.ec2.internal",
            "[fd00:ec2::254]",
            "100.100.100.200",
            "169.254.169.254",
        ] {
            assert!(forbidden(metadata).is_some(), "{metadata}");
        }
        for local in [
            "localhost.localdomain",
            "ip6-localhost",
            "0x7f000001",
            "0x7f.1",
        ] {
            assert!(forbidden(local).is_some(), "{local}");
        }
        for allowed in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.10",
            "100.64.0.1",
            "[fd00::10]",
            "nas",
            "api.example.com",
            "pve.lab.example.com",
            "svc.example.com",
            "default.example.com",
        ] {
            assert_eq!(forbidden(allowed), None, "{allowed}");
        }
    }

    #[test]
    fn durations() {
        assert!(duration("1h30m").is_ok());
        assert!(duration("123456s").is_err());
        assert!(duration("1h1m1s1ms1h").is_err());
        assert_eq!(duration_ms("1m30s"), 90_000);
        assert_eq!(duration_ms("500ms"), 500);
    }

    #[test]
    fn names() {
        assert!(dns1035_label("api-v2").is_ok());
        assert!(dns1035_label("api_v2").is_err());
        assert!(dns1035_label("2api").is_err());
        assert!(dns1123_label("2api").is_ok());
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("cert-manager.io/cluster-issuer").is_ok());
        assert!(label_key("bad key").is_err());
    }
}
