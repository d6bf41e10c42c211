//! Structured programs: blocks of the language with attributes drawn from small sets of
//! valid and nearly valid values, so that most inputs parse and reach the checker.

use std::fmt::Write;

use arbitrary::{Arbitrary, Result, Unstructured};

const NAMES: &[&str] = &["api", "web", "edge", "pve", "a", "b-1", "x_y", "Api", "1st"];
const HOSTS: &[&str] = &[
    "10.0.0.1:8080",
    "192.168.1.10",
    "api.example.com:443",
    "example.com",
    "[fd00::1]:80",
    "127.0.0.1",
    "localhost",
    "0x7f000001",
    "kubernetes.default",
    "host:99999",
    "",
];
const HOSTNAMES: &[&str] = &[
    "*.example.com",
    "api.example.com",
    "example.com",
    "*",
    "a..b",
    "${d}",
];
const PATHS: &[&str] = &["/", "/v1", "/api/", "^/v[0-9]+", "/a/../b", "", "/${p}"];
const HEADERS: &[&str] = &["x-env", "Host", "x:bad", "X-Forwarded-For", ""];
const VALUES: &[&str] = &["prod", "a\\tb", "${d}", "\\q", "é", ""];
const PROTOCOLS: &[&str] = &["HTTP", "HTTPS", "TLS", "http", "TCP", "UDP"];
const CLASSES: &[&str] = &[
    "cilium",
    "eg",
    "istio",
    "nginx",
    "kong",
    "traefik",
    "contour",
    "gke-l7-rilb",
    "x",
];

fn pick<'a>(u: &mut Unstructured<'_>, from: &[&'a str]) -> Result<&'a str> {
    u.choose(from).copied()
}

fn small(u: &mut Unstructured<'_>, max: u32) -> Result<u32> {
    u.int_in_range(0..=max)
}

/// A program of a few top-level blocks.
#[derive(Debug)]
pub struct Program(pub String);

impl<'a> Arbitrary<'a> for Program {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Program> {
        let mut out = String::new();
        if u.arbitrary()? {
            writeln!(
                out,
                "namespace \"{}\"",
                pick(u, &["edge", "apps", "Bad_NS"])?
            )
            .unwrap();
        }
        for _ in 0..small(u, 2)? {
            writeln!(
                out,
                "let {} = \"{}\"",
                pick(u, &["d", "p", "x"])?,
                pick(u, VALUES)?
            )
            .unwrap();
        }
        for _ in 0..small(u, 6)? {
            match small(u, 4)? {
                0 => gateway(u, &mut out)?,
                1 => service(u, &mut out)?,
                2 => route(u, &mut out)?,
                3 => test(u, &mut out)?,
                _ => filters(u, &mut out)?,
            }
        }
        Ok(Program(out))
    }
}

fn gateway(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    writeln!(out, "gateway {} {{", pick(u, NAMES)?).unwrap();
    writeln!(out, "  class \"{}\"", pick(u, CLASSES)?).unwrap();
    if u.arbitrary()? {
        writeln!(
            out,
            "  target {}",
            pick(
                u,
                &[
                    "cilium",
                    "envoy-gateway",
                    "istio@1.27",
                    "nginx",
                    "gke",
                    "generic"
                ]
            )?
        )
        .unwrap();
    }
    for _ in 0..small(u, 3)? {
        let protocol = pick(u, PROTOCOLS)?;
        write!(
            out,
            "  listener {} {{ port {} protocol {protocol}",
            pick(u, NAMES)?,
            pick(u, &["80", "443", "8443", "0", "70000"])?
        )
        .unwrap();
        if u.arbitrary()? {
            write!(out, " hostname \"{}\"", pick(u, HOSTNAMES)?).unwrap();
        }
        if protocol != "HTTP" && u.arbitrary()? {
            write!(
                out,
                " tls {{ cert \"{}\" }}",
                pick(u, &["lab-cert", "Bad Cert"])?
            )
            .unwrap();
        }
        writeln!(out, " }}").unwrap();
    }
    writeln!(out, "}}").unwrap();
    Ok(())
}

fn service(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    writeln!(out, "service {} {{", pick(u, NAMES)?).unwrap();
    for _ in 0..=small(u, 3)? {
        write!(out, "  endpoint \"{}\"", pick(u, HOSTS)?).unwrap();
        if u.arbitrary()? {
            write!(out, " as \"{}\"", pick(u, HOSTNAMES)?).unwrap();
        }
        out.push('\n');
    }
    if u.arbitrary()? {
        writeln!(
            out,
            "  protocol {}",
            pick(u, &["HTTP", "HTTPS", "h2c", "H2C", "TCP", "UDP"])?
        )
        .unwrap();
    }
    if u.arbitrary()? {
        writeln!(out, "  balance {}", pick(u, &["on", "off", "maybe"])?).unwrap();
    }
    if u.arbitrary()? {
        writeln!(out, "  tls {{ hostname \"{}\" }}", pick(u, HOSTNAMES)?).unwrap();
    }
    if u.arbitrary()? {
        writeln!(
            out,
            "  label \"{}\" = \"{}\"",
            pick(u, &["team", "app.kubernetes.io/managed-by", "a/b/c"])?,
            pick(u, VALUES)?
        )
        .unwrap();
    }
    if u.arbitrary()? {
        writeln!(out, "  description \"{}\"", pick(u, VALUES)?).unwrap();
    }
    writeln!(out, "}}").unwrap();
    Ok(())
}

fn route(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    let kind = pick(u, &["", "", "grpc ", "tcp ", "udp ", "tls "])?;
    writeln!(out, "{kind}route {} {{", pick(u, NAMES)?).unwrap();
    writeln!(out, "  on {}.{}", pick(u, NAMES)?, pick(u, NAMES)?).unwrap();
    if u.arbitrary()? {
        writeln!(out, "  host \"{}\"", pick(u, HOSTNAMES)?).unwrap();
    }
    for _ in 0..=small(u, 2)? {
        writeln!(out, "  rule {{").unwrap();
        if u.arbitrary()? {
            let op = pick(u, &["", "= ", "~ "])?;
            write!(out, "    match path {op}\"{}\"", pick(u, PATHS)?).unwrap();
            if u.arbitrary()? {
                write!(
                    out,
                    " header \"{}\" = \"{}\"",
                    pick(u, HEADERS)?,
                    pick(u, VALUES)?
                )
                .unwrap();
            }
            if u.arbitrary()? {
                write!(out, " method {}", pick(u, &["GET", "POST", "FETCH"])?).unwrap();
            }
            if u.arbitrary()? {
                let op = pick(u, &["", "= ", "~ "])?;
                let name = pick(u, &["helloworld.Greeter", "a b", "(x", ".pkg.Svc"])?;
                write!(out, " service {op}\"{name}\"").unwrap();
            }
            if u.arbitrary()? {
                let op = pick(u, &["", "~ "])?;
                write!(
                    out,
                    " method {op}\"{}\"",
                    pick(u, &["SayHello", "Say.*", "1x"])?
                )
                .unwrap();
            }
            out.push('\n');
        }
        match small(u, 3)? {
            0 => writeln!(
                out,
                "    redirect https status {}",
                pick(u, &["301", "302", "200"])?
            )
            .unwrap(),
            1 => writeln!(
                out,
                "    set header \"{}\" \"{}\"",
                pick(u, HEADERS)?,
                pick(u, VALUES)?
            )
            .unwrap(),
            _ => {}
        }
        if u.arbitrary()? {
            writeln!(out, "    use {}", pick(u, NAMES)?).unwrap();
        }
        write!(out, "    -> {} {}", pick(u, NAMES)?, small(u, 120)?).unwrap();
        if u.arbitrary()? {
            write!(out, ", {} {}", pick(u, NAMES)?, small(u, 1_000_001)?).unwrap();
        }
        writeln!(out, "\n  }}").unwrap();
    }
    writeln!(out, "}}").unwrap();
    Ok(())
}

fn test(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    writeln!(out, "test \"{}\" {{", pick(u, VALUES)?).unwrap();
    if u.arbitrary()? {
        let method = pick(u, &["", "GET ", "FETCH "])?;
        let scheme = pick(u, &["http", "https", "ftp"])?;
        write!(
            out,
            "  request {method}\"{scheme}://{}{}\"",
            pick(u, HOSTNAMES)?,
            pick(u, PATHS)?
        )
        .unwrap();
        if u.arbitrary()? {
            write!(out, " on {}", pick(u, NAMES)?).unwrap();
        }
        out.push('\n');
    }
    match small(u, 4)? {
        0 => writeln!(out, "  expect {}", pick(u, &["404", "200", "418"])?).unwrap(),
        1 => writeln!(
            out,
            "  expect -> {} {}%, {} {}%",
            pick(u, NAMES)?,
            small(u, 120)?,
            pick(u, NAMES)?,
            small(u, 100)?
        )
        .unwrap(),
        2 => writeln!(
            out,
            "  expect redirect \"https://{}/\" 301",
            pick(u, HOSTNAMES)?
        )
        .unwrap(),
        _ => writeln!(out, "  expect path \"{}\"", pick(u, PATHS)?).unwrap(),
    }
    writeln!(out, "}}").unwrap();
    Ok(())
}

fn filters(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    writeln!(out, "filters {} {{", pick(u, NAMES)?).unwrap();
    for _ in 0..=small(u, 2)? {
        let response = if u.arbitrary()? { "response " } else { "" };
        writeln!(
            out,
            "  {response}set header \"{}\" \"{}\"",
            pick(u, HEADERS)?,
            pick(u, VALUES)?
        )
        .unwrap();
    }
    writeln!(out, "}}").unwrap();
    Ok(())
}
