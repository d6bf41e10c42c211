//! Hostnames in matching (`design/gateway-api-facts.md` §3b stage 1, §3e): a wildcard
//! `*.example.com` stands for one or more labels, no hostname stands for any, listener and
//! route hostnames intersect in the more specific of the two.

/// Whether `host` (a request's, without a port) matches `pattern`; `None` matches any host.
pub fn host_matches(pattern: Option<&str>, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    match pattern {
        None | Some("*") => true,
        Some(p) => match p.strip_prefix('*') {
            // `.example.com`: one or more labels before it.
            Some(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
            None => host == p,
        },
    }
}

/// The hostname a route's `route` and its listener's `listener` intersect in, if they do.
pub fn intersect(listener: Option<&str>, route: &str) -> Option<String> {
    let Some(listener) = listener else {
        return Some(route.to_string());
    };
    match (listener.strip_prefix('*'), route.strip_prefix('*')) {
        (None, None) => (listener == route).then(|| route.to_string()),
        (Some(_), None) => host_matches(Some(listener), route).then(|| route.to_string()),
        (None, Some(_)) => host_matches(Some(route), listener).then(|| listener.to_string()),
        (Some(l), Some(r)) => {
            if r.ends_with(l) {
                Some(route.to_string())
            } else if l.ends_with(r) {
                Some(listener.to_string())
            } else {
                None
            }
        }
    }
}

/// How specific a listener hostname is, compared as a tuple: exact names first, then
/// wildcards by the labels after the `*`, then no hostname.
pub fn specificity(hostname: Option<&str>) -> (u8, usize) {
    match hostname {
        None => (0, 0),
        Some(h) if h.starts_with('*') => (1, h.matches('.').count()),
        Some(h) => (2, h.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_stands_for_one_or_more_labels() {
        assert!(host_matches(Some("*.example.com"), "a.example.com"));
        assert!(host_matches(Some("*.example.com"), "a.b.example.com"));
        assert!(!host_matches(Some("*.example.com"), "example.com"));
        assert!(host_matches(Some("api.example.com"), "API.example.com"));
        assert!(host_matches(None, "anything"));
    }

    #[test]
    fn listener_and_route_hostnames_intersect_as_the_spec_tables_say() {
        let cases = [
            (
                Some("www.example.com"),
                "www.example.com",
                Some("www.example.com"),
            ),
            (
                Some("*.example.com"),
                "www.example.com",
                Some("www.example.com"),
            ),
            (
                Some("*.example.com"),
                "sub.domain.example.com",
                Some("sub.domain.example.com"),
            ),
            (
                Some("www.example.com"),
                "*.example.com",
                Some("www.example.com"),
            ),
            (
                Some("*.example.com"),
                "*.example.com",
                Some("*.example.com"),
            ),
            (Some("*.com"), "*.example.com", Some("*.example.com")),
            (None, "www.example.com", Some("www.example.com")),
            (Some("*.example.com"), "example.com", None),
            (Some("*.example.com"), "test.example.net", None),
        ];
        for (listener, route, want) in cases {
            assert_eq!(
                intersect(listener, route).as_deref(),
                want,
                "{listener:?} {route}"
            );
        }
    }

    #[test]
    fn exact_hostnames_are_more_specific_than_wildcards_and_longer_wildcards_than_shorter() {
        assert!(specificity(Some("a.example.com")) > specificity(Some("*.example.com")));
        assert!(specificity(Some("*.foo.example.com")) > specificity(Some("*.example.com")));
        assert!(specificity(Some("*.example.com")) > specificity(None));
    }
}
