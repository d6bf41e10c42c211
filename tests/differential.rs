//! The differential test (docs/validation.md, "The differential test"): random programs with
//! values near and past the limits, each compiled by egwc and, as the Gateway API objects it
//! means, dry-run against the real API server. egwc reports no error if and only if the server
//! accepts every object, except where egwc is stricter on purpose ([`STRICTER`], each a row of
//! docs/validation.md's "Stricter on purpose").
//!
//! Each program is one template (a gateway, two services, a route of three rules) in which
//! one to three values are replaced by generated ones. The objects the program means are the
//! template's objects as egwc builds them, with the generated values put where the template's
//! marker values are: the server judges those, whatever egwc makes of the program.
//!
//! Part of the API server tier: it runs when `KUBECONFIG` is set (`.ci/run`), and must when
//! `EGWC_REQUIRE_K8S` is. `EGWC_DIFF_PROGRAMS` (500) and `EGWC_DIFF_SEED` (1) choose the run;
//! `scripts/differential.sh N` runs a long one and prints the figures for docs/validation.md.
//! A disagreement's program is written to `target/differential/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::Command;

use egwc::diagnostics::Diagnostic;
use egwc::emit::{self, Format};
use egwc::load::Input;
use egwc::target::{Controller, Target};
use serde_json::Value;

mod common;

/// The places a generated value goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Hole {
    Class,
    ListenerHost,
    Cert,
    RouteName,
    RouteHost,
    RedirectHost,
    PrefixPath,
    ExactPath,
    RewritePath,
    Regex,
    HeaderName,
    HeaderValue,
    QueryName,
    QueryValue,
    SetName,
    SetValue,
    RemoveName,
    RequestTimeout,
    BackendTimeout,
    Weight,
    ListenerPort,
    BackendPort,
    RedirectPort,
    Status,
    /// The route's hostnames as a list (how many, and each).
    Hostnames,
    /// A whole listener: protocol, port, hostname and `tls` in every combination.
    Listener,
}

const HOLES: [Hole; 26] = [
    Hole::Class,
    Hole::ListenerHost,
    Hole::Cert,
    Hole::RouteName,
    Hole::RouteHost,
    Hole::RedirectHost,
    Hole::PrefixPath,
    Hole::ExactPath,
    Hole::RewritePath,
    Hole::Regex,
    Hole::HeaderName,
    Hole::HeaderValue,
    Hole::QueryName,
    Hole::QueryValue,
    Hole::SetName,
    Hole::SetValue,
    Hole::RemoveName,
    Hole::RequestTimeout,
    Hole::BackendTimeout,
    Hole::Weight,
    Hole::ListenerPort,
    Hole::BackendPort,
    Hole::RedirectPort,
    Hole::Status,
    Hole::Hostnames,
    Hole::Listener,
];

/// Where egwc refuses, on purpose, what the server accepts: the hole, the code, and the row of
/// docs/validation.md's "Stricter on purpose" that says why (the test checks the row's code).
const STRICTER: &[(Hole, &str, &str)] = &[
    (Hole::RouteHost, "E0201", "a label over 63, an IP address"),
    (Hole::Hostnames, "E0201", "a label over 63, an IP address"),
    (
        Hole::ListenerHost,
        "E0201",
        "a label over 63, an IP address",
    ),
    (
        Hole::RedirectHost,
        "E0201",
        "a label over 63, an IP address",
    ),
    (Hole::RedirectHost, "E0210", "an IP address for a name"),
    (Hole::RouteName, "E0105", "one rule for every name"),
    (Hole::RouteName, "E0001", "names are the language's names"),
    (Hole::Cert, "E0215", "Secret names are object names"),
    (Hole::HeaderValue, "E0215", "no control characters"),
    (Hole::SetValue, "E0215", "no control characters"),
    (Hole::QueryValue, "E0215", "no control characters"),
    (Hole::RewritePath, "E0202", "the path rules"),
    (Hole::RemoveName, "E0204", "a header never there"),
    (Hole::Regex, "E0203", "RE2"),
    (Hole::Listener, "E0300", "HTTPS needs a certificate"),
    (Hole::Listener, "E0303", "one port, one protocol"),
    (Hole::Listener, "E0305", "no certificate with passthrough"),
];

/// A generated value: a string (written quoted), a word (a name or duration, written as it
/// is), an integer, a list of strings, or a listener (its text, and its object).
#[derive(Clone, Debug)]
enum Generated {
    Str(String),
    Word(String),
    Int(i64),
    List(Vec<String>),
    Listener(String, Value),
}

/// The template, for program `i`. Each hole's marker is unique in the text and in the objects.
fn template(i: usize) -> String {
    format!(
        r#"namespace "d{i}"
gateway g{i} {{
  class "cls-marker"
  listener l {{ port 18081 protocol HTTP }}
  listener m {{ port 18082 protocol HTTP hostname "lhost.marker" }}
  listener t {{ port 443 protocol HTTPS tls {{ cert "cert-marker" }} }}
}}
service s{i} {{ endpoint "10.1.2.3:18083" }}
service u{i} {{ endpoint "10.1.2.4:80" }}
route route{i} {{
  on g{i}.l
  host "rhost.marker"
  rule {{
    match path "/path-marker" header "hname-marker" = "hvalue-marker" query "qname-marker" = "qvalue-marker"
    -> s{i} 717, u{i} 713
    set header "sname-marker" = "svalue-marker"
    remove header "rmname-marker"
    rewrite path "/rwpath-marker"
    timeout 21s backend 19s
  }}
  rule {{ match path = "/exact-marker" redirect https host "rdhost.marker" port 18443 status 302 }}
  rule {{ match path ~ "/regex-marker" -> s{i} }}
}}
"#
    )
}

/// The hole's marker: as written in the template, and as it appears in the objects.
fn marker(hole: Hole, i: usize) -> (String, Value) {
    let s = |m: &str| (format!("\"{m}\""), Value::from(m));
    match hole {
        Hole::Class => s("cls-marker"),
        Hole::ListenerHost => s("lhost.marker"),
        Hole::Cert => s("cert-marker"),
        Hole::RouteName => (
            format!("route route{i} {{"),
            Value::from(format!("route{i}")),
        ),
        Hole::RouteHost => s("rhost.marker"),
        Hole::RedirectHost => s("rdhost.marker"),
        Hole::PrefixPath => s("/path-marker"),
        Hole::ExactPath => s("/exact-marker"),
        Hole::RewritePath => s("/rwpath-marker"),
        Hole::Regex => s("/regex-marker"),
        Hole::HeaderName => s("hname-marker"),
        Hole::HeaderValue => s("hvalue-marker"),
        Hole::QueryName => s("qname-marker"),
        Hole::QueryValue => s("qvalue-marker"),
        Hole::SetName => s("sname-marker"),
        Hole::SetValue => s("svalue-marker"),
        Hole::RemoveName => s("rmname-marker"),
        Hole::RequestTimeout => ("timeout 21s".into(), Value::from("21s")),
        Hole::BackendTimeout => ("backend 19s".into(), Value::from("19s")),
        Hole::Weight => ("717,".into(), Value::from(717)),
        Hole::ListenerPort => ("18081".into(), Value::from(18081)),
        Hole::BackendPort => ("18083".into(), Value::from(18083)),
        Hole::RedirectPort => ("18443".into(), Value::from(18443)),
        Hole::Status => ("status 302".into(), Value::from(302)),
        Hole::Hostnames => ("host \"rhost.marker\"".into(), Value::from("rhost.marker")),
        Hole::Listener => (
            "listener t { port 443 protocol HTTPS tls { cert \"cert-marker\" } }".into(),
            Value::from("t"),
        ),
    }
}

/// The marker's text in the template with the generated value in its place.
fn written(hole: Hole, value: &Generated) -> String {
    let text = match value {
        Generated::Str(s) => egwc::import::quote(s),
        Generated::Word(w) => w.clone(),
        Generated::Int(n) => n.to_string(),
        // No hostname is no `host` line.
        Generated::List(items) if items.is_empty() => String::new(),
        Generated::List(items) => {
            let items: Vec<String> = items.iter().map(|s| egwc::import::quote(s)).collect();
            format!("host {}", items.join(" "))
        }
        Generated::Listener(text, _) => text.clone(),
    };
    match hole {
        Hole::RouteName => format!("route {text} {{"),
        Hole::RequestTimeout => format!("timeout {text}"),
        Hole::BackendTimeout => format!("backend {text}"),
        Hole::Weight => format!("{text},"),
        Hole::Status => format!("status {text}"),
        _ => text,
    }
}

/// Puts the generated value where the marker is in an object: the leaf equal to it; the list
/// holding it (hostnames); the listener it names.
fn put(object: &mut Value, marker: &Value, value: &Generated) {
    match value {
        Generated::Str(s) | Generated::Word(s) => replace(object, marker, &Value::from(s.as_str())),
        Generated::Int(n) => replace(object, marker, &Value::from(*n)),
        Generated::List(items) => {
            if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut)
                && spec
                    .get("hostnames")
                    .and_then(Value::as_array)
                    .is_some_and(|l| l.contains(marker))
            {
                if items.is_empty() {
                    spec.remove("hostnames");
                } else {
                    spec.insert("hostnames".into(), Value::from(items.clone()));
                }
            }
        }
        Generated::Listener(_, listener) => {
            if let Some(listeners) = object
                .pointer_mut("/spec/listeners")
                .and_then(Value::as_array_mut)
            {
                for l in listeners.iter_mut().filter(|l| l["name"] == *marker) {
                    *l = listener.clone();
                }
            }
        }
    }
}

/// splitmix64: a seeded generator, so that a run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A length near `limit`, or a small one.
    fn length(&mut self, limit: usize) -> usize {
        match self.below(6) {
            0 => limit,
            1 => limit + 1,
            2 => limit.saturating_sub(1),
            3 => 0,
            _ => 1 + self.below(12),
        }
    }

    fn from(&mut self, alphabet: &str, len: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..len).map(|_| *self.pick(&chars)).collect()
    }
}

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz0123456789-";
const TOKEN: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
const PATH: &str =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/";
/// Characters that break one rule or another.
const TRICKY: &[&str] = &[
    "A", "_", ".", "-", "*", "*.", "/", ":", " ", "é", "\t", "\n", "\u{7f}", "\u{1}", "\u{2028}",
    "%2f", "%2F", "%zz", "#", "//", "/./", "/../", "/.", "/..", "?", "\"", "\\", "${x}", ":80",
    "..", "\u{fffe}", "\u{a0}",
];

/// Puts a tricky piece into `s` at a random place, sometimes.
fn spoil(rng: &mut Rng, mut s: String, percent: usize) -> String {
    if rng.chance(percent) {
        let piece = *rng.pick(TRICKY);
        let mut at = rng.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        match rng.below(3) {
            0 => s.insert_str(0, piece),
            1 => s.push_str(piece),
            _ => s.insert_str(at, piece),
        }
    }
    s
}

fn hostname(rng: &mut Rng) -> String {
    if rng.chance(8) {
        return rng
            .pick(&[
                "1.2.3.4",
                "2001:db8::1",
                "[2001:db8::1]",
                "localhost",
                "a",
                "*",
                "",
            ])
            .to_string();
    }
    let mut labels = Vec::new();
    let total = match rng.below(4) {
        0 => 253 + rng.below(3) - 1,
        _ => 4 + rng.below(40),
    };
    let mut len = 0;
    while len < total {
        let mut l = match rng.below(5) {
            0 => 63 + rng.below(3) - 1,
            _ => 1 + rng.below(12),
        };
        l = l.min(total - len).max(1);
        let mut label = rng.from(LOWER, l);
        // A label mostly starts and ends with a letter or digit.
        if rng.chance(85) {
            label = label.trim_matches('-').to_string();
            if label.is_empty() {
                label.push('a');
            }
        }
        len += label.len() + 1;
        labels.push(label);
    }
    let mut host = labels.join(".");
    if rng.chance(15) {
        host = format!("*.{host}");
    }
    spoil(rng, host, 25)
}

fn path(rng: &mut Rng, limit: usize) -> String {
    let len = rng.length(limit);
    let mut p = format!("/{}", rng.from(PATH, len.saturating_sub(1)));
    if len == 0 {
        p.clear();
    }
    spoil(rng, p, 40)
}

fn name(rng: &mut Rng, alphabet: &str, limit: usize, spoil_percent: usize) -> String {
    let len = rng.length(limit);
    let s = rng.from(alphabet, len);
    spoil(rng, s, spoil_percent)
}

fn duration(rng: &mut Rng) -> String {
    let parts = 1 + rng.below(5);
    let mut out = String::new();
    for _ in 0..parts {
        let digits = 1 + rng.below(6);
        let mut n = rng.from("0123456789", digits);
        if rng.chance(70) {
            n = n.trim_start_matches('0').to_string();
            if n.is_empty() {
                n.push('1');
            }
        }
        out.push_str(&n);
        let unit: &&str = rng.pick(&["h", "m", "s", "ms", "s", "m", "d", "us"]);
        out.push_str(unit);
    }
    out
}

fn int(rng: &mut Rng, limits: &[i64]) -> i64 {
    let limit = *rng.pick(limits);
    match rng.below(3) {
        0 => limit,
        1 => limit + rng.pick(&[-1, 1]),
        _ => limit.saturating_mul(rng.below(3) as i64),
    }
    .max(0)
}

fn generate(rng: &mut Rng, hole: Hole) -> Generated {
    use Generated::*;
    match hole {
        Hole::Class => Str(name(rng, TOKEN, 253, 30)),
        Hole::Cert => Str(name(rng, "abcdefghijklmnopqrstuvwxyz0123456789-.", 253, 35)),
        Hole::RouteName => {
            let first = rng.from("abcdefghijklmnopqrstuvwxyz", 1);
            let rest = name(rng, "abcdefghijklmnopqrstuvwxyz0123456789-", 62, 0);
            let mut n = first + &rest;
            if rng.chance(30) {
                let at = rng.below(n.len() + 1);
                let piece: &&str = rng.pick(&["1", "_", "A", ".", "-"]);
                n.insert_str(at, piece);
            }
            if rng.chance(10) {
                let more = 190 + rng.below(2);
                n = format!("{n}{}", rng.from("abcdefghij", more));
            }
            Word(n)
        }
        Hole::RouteHost | Hole::ListenerHost | Hole::RedirectHost => Str(hostname(rng)),
        Hole::PrefixPath | Hole::ExactPath | Hole::RewritePath => Str(path(rng, 1024)),
        Hole::Regex => Str(match rng.below(4) {
            0 => rng
                .pick(&[
                    "^/v[0-9]+$",
                    "(",
                    "[a-",
                    "(?=x)",
                    "\\1",
                    "a{1001}",
                    "\\d+",
                    "(?i)abc",
                    ".*",
                ])
                .to_string(),
            _ => path(rng, 1024),
        }),
        Hole::HeaderName | Hole::QueryName | Hole::SetName | Hole::RemoveName => {
            Str(name(rng, TOKEN, 256, 35))
        }
        Hole::HeaderValue | Hole::SetValue => Str(name(
            rng,
            "abcdefghijklmnopqrstuvwxyz ABC-_/=:;0123456789",
            4096,
            30,
        )),
        Hole::QueryValue => Str(name(
            rng,
            "abcdefghijklmnopqrstuvwxyz-_/=:0123456789",
            1024,
            30,
        )),
        Hole::RequestTimeout | Hole::BackendTimeout => Word(duration(rng)),
        Hole::Weight => Int(int(rng, &[0, 1, 717, 1_000_000, 2_147_483_647])),
        Hole::ListenerPort | Hole::BackendPort | Hole::RedirectPort => {
            Int(int(rng, &[0, 1, 80, 65_535, 2_147_483_647]))
        }
        Hole::Status => Int(*rng.pick(&[200, 300, 301, 302, 303, 304, 307, 308, 309, 0, 999])),
        Hole::Hostnames => {
            let n = *rng.pick(&[0, 1, 2, 15, 16, 17]);
            List((0..n).map(|_| hostname(rng)).collect())
        }
        Hole::Listener => listener(rng),
    }
}

/// Listener `t`: a protocol, a port (sometimes another listener's), a hostname or none, and
/// a `tls` block of any shape; and the object it means.
fn listener(rng: &mut Rng) -> Generated {
    let protocol = *rng.pick(&["HTTP", "HTTPS", "TLS", "TCP", "UDP"]);
    let port = *rng.pick(&[443, 443, 18081, 18082]);
    let hostname = match rng.below(3) {
        0 => None,
        1 => Some("t.example.com"),
        _ => Some("*.example.com"),
    };
    // (text inside `tls { }`, mode written, certificate written)
    let (tls, mode, cert) = *rng.pick(&[
        (None, None, false),
        (Some("cert \"c\""), None, true),
        (Some("mode passthrough"), Some("Passthrough"), false),
        (Some("mode terminate"), Some("Terminate"), false),
        (Some("mode terminate cert \"c\""), Some("Terminate"), true),
        (
            Some("mode passthrough cert \"c\""),
            Some("Passthrough"),
            true,
        ),
    ]);
    let mut text = format!("listener t {{ port {port} protocol {protocol}");
    let mut object = serde_json::json!({ "name": "t", "port": port, "protocol": protocol });
    if let Some(h) = hostname {
        let _ = write!(text, " hostname \"{h}\"");
        object["hostname"] = Value::from(h);
    }
    if let Some(tls) = tls {
        let _ = write!(text, " tls {{ {tls} }}");
        let mut t = serde_json::json!({});
        if let Some(mode) = mode {
            t["mode"] = Value::from(mode);
        }
        if cert {
            t["certificateRefs"] =
                serde_json::json!([{ "group": "", "kind": "Secret", "name": "c" }]);
        }
        object["tls"] = t;
    }
    text.push_str(" }");
    Generated::Listener(text, object)
}

/// One generated program: its text, the objects it means, and what was generated.
struct Program {
    index: usize,
    text: String,
    options: egwc::Options,
    objects: Vec<Value>,
    holes: Vec<(Hole, Generated)>,
}

/// The Gateway API objects egwc builds from `text`, if it has no error.
fn gateway_api_objects(text: &str, options: &egwc::Options) -> Option<Vec<Value>> {
    let c = egwc::compile(&[Input::Stdin(text.as_bytes().to_vec())], options).unwrap();
    if c.has_errors() {
        return None;
    }
    let objects = c
        .manifests
        .unwrap()
        .iter()
        .map(|m| serde_json::from_str::<Value>(&emit::to_document(m, Format::Json)).unwrap())
        .filter(|v| {
            v["apiVersion"]
                .as_str()
                .is_some_and(|a| a.starts_with("gateway.networking.k8s.io/"))
        })
        .collect();
    Some(objects)
}

fn replace(value: &mut Value, from: &Value, to: &Value) {
    match value {
        Value::Object(fields) => fields.values_mut().for_each(|v| replace(v, from, to)),
        Value::Array(items) => items.iter_mut().for_each(|v| replace(v, from, to)),
        v if v == from => *v = to.clone(),
        _ => {}
    }
}

fn program(rng: &mut Rng, index: usize) -> Program {
    let base = template(index);
    // The target, or none; the template builds for every one that serves all it uses.
    let controllers: Vec<Controller> = Controller::all().collect();
    let mut options = egwc::Options::default();
    if rng.chance(60) {
        options.target = Some(Target::latest(*rng.pick(&controllers)));
    }
    let mut objects = gateway_api_objects(&base, &options).unwrap_or_else(|| {
        options.target = None;
        gateway_api_objects(&base, &options).expect("the template builds")
    });
    let mut text = base;
    let mut holes: Vec<(Hole, Generated)> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let hole = *rng.pick(&HOLES);
        if holes.iter().any(|(h, _)| *h == hole) {
            continue;
        }
        let value = generate(rng, hole);
        let (in_text, in_objects) = marker(hole, index);
        // Holes can overlap (a listener, and its certificate or a port it shares): the first
        // one wins.
        if text.matches(&in_text).count() != 1 {
            continue;
        }
        text = text.replace(&in_text, &written(hole, &value));
        for o in &mut objects {
            put(o, &in_objects, &value);
        }
        holes.push((hole, value));
    }
    Program {
        index,
        text,
        options,
        objects,
        holes,
    }
}

/// egwc's verdict: the codes of its errors (none: it builds).
fn egwc_errors(text: &str, options: &egwc::Options) -> BTreeSet<&'static str> {
    let c = egwc::compile(&[Input::Stdin(text.as_bytes().to_vec())], options).unwrap();
    c.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d: &Diagnostic| d.code.info().code)
        .collect()
}

/// The server's verdict on each program of a batch (whose objects have distinct kinds and
/// names): whether it accepted all of the program's objects, and what it said.
fn server_verdicts(batch: &[&Program], dir: &std::path::Path) -> Vec<(bool, String)> {
    let file = dir.join("batch.yaml");
    let mut stream = String::new();
    for p in batch {
        for o in &p.objects {
            stream.push_str("---\n");
            // kubectl reads the stream as YAML, which takes no raw control characters: every
            // character past ASCII is written as a JSON escape, which both read the same.
            for c in o.to_string().chars() {
                if c.is_ascii() && !c.is_ascii_control() {
                    stream.push(c);
                } else {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        let _ = write!(stream, "\\u{u:04x}");
                    }
                }
            }
            stream.push('\n');
        }
    }
    std::fs::write(&file, stream).unwrap();
    let out = Command::new("kubectl")
        .args([
            "apply",
            "--server-side",
            "--dry-run=server",
            "--field-manager=egwc",
            "--request-timeout=120s",
            "-f",
        ])
        .arg(&file)
        .output()
        .expect("kubectl is on PATH (scripts/k8s-apiserver.sh start prints the PATH)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let accepted: BTreeSet<(String, String)> = stdout
        .lines()
        .filter_map(|l| l.strip_suffix(" serverside-applied (server dry run)"))
        .filter_map(|l| l.split_once('/'))
        .map(|(kind, name)| (kind.to_string(), name.to_string()))
        .collect();
    batch
        .iter()
        .map(|p| {
            let mut said = String::new();
            let mut all = true;
            for o in &p.objects {
                let kind = o["kind"].as_str().unwrap().to_ascii_lowercase();
                let name = o["metadata"]["name"].as_str().unwrap();
                if !accepted.contains(&(format!("{kind}.gateway.networking.k8s.io"), name.into())) {
                    all = false;
                    let needle = format!("\"{name}\" is invalid");
                    for line in stderr.lines().filter(|l| l.contains(&needle)) {
                        let _ = writeln!(said, "{line}");
                    }
                }
            }
            (all, said)
        })
        .collect()
}

#[test]
fn egwc_refuses_what_the_api_server_refuses() {
    if !common::api_server_tier() {
        return;
    }
    let count: usize = std::env::var("EGWC_DIFF_PROGRAMS").map_or(500, |v| v.parse().unwrap());
    let seed: u64 = std::env::var("EGWC_DIFF_SEED").map_or(1, |v| v.parse().unwrap());
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let failed_dir = std::path::Path::new("target/differential");
    let mut figures: BTreeMap<&str, usize> = BTreeMap::new();
    let mut stricter_by_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut pending: Vec<Program> = (0..count).map(|i| program(&mut rng, i)).collect();
    while !pending.is_empty() {
        // A batch holds each kind and name once, so that the server's answers can be told
        // apart; a program whose names are taken waits for the next batch.
        let mut taken = BTreeSet::new();
        let mut batch = Vec::new();
        let mut later = Vec::new();
        for p in pending {
            let names: Vec<(String, String)> = p
                .objects
                .iter()
                .map(|o| (o["kind"].to_string(), o["metadata"]["name"].to_string()))
                .collect();
            if batch.len() < 100 && names.iter().all(|n| !taken.contains(n)) {
                taken.extend(names);
                batch.push(p);
            } else {
                later.push(p);
            }
        }
        pending = later;
        let refs: Vec<&Program> = batch.iter().collect();
        for (p, (server_ok, said)) in batch.iter().zip(server_verdicts(&refs, dir.path())) {
            let errors = egwc_errors(&p.text, &p.options);
            let stricter = !errors.is_empty()
                && errors.iter().all(|code| {
                    p.holes
                        .iter()
                        .any(|(h, _)| STRICTER.iter().any(|(sh, sc, _)| sh == h && sc == code))
                });
            let verdict = match (errors.is_empty(), server_ok) {
                (true, true) => "both accepted",
                (false, false) => "both rejected",
                (false, true) if stricter => {
                    for code in &errors {
                        *stricter_by_code.entry(code).or_default() += 1;
                    }
                    "stricter by design"
                }
                _ => "disagreement",
            };
            *figures.entry(verdict).or_default() += 1;
            if verdict == "disagreement" {
                std::fs::create_dir_all(failed_dir).unwrap();
                let stem = failed_dir.join(format!("seed{seed}-{}", p.index));
                let target = p
                    .options
                    .target
                    .map_or("none".to_string(), |t| t.to_string());
                let text = format!("// egwc check --target {target}\n{}", p.text);
                std::fs::write(stem.with_extension("egw"), text).unwrap();
                disagreements.push(format!(
                    "program {} ({}, target {target}): egwc errors {errors:?}, the server {}; \
holes {:?}\n{said}",
                    p.index,
                    stem.with_extension("egw").display(),
                    if server_ok { "accepted" } else { "rejected" },
                    p.holes
                ));
            }
        }
    }
    eprintln!(
        "{count} programs (seed {seed}): {figures:?}; stricter by design, by code: \
{stricter_by_code:?}"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every stricter-on-purpose entry names a code that docs/validation.md's "Stricter on
/// purpose" table explains.
#[test]
fn each_stricter_code_has_its_reason_written() {
    let doc = std::fs::read_to_string("docs/validation.md").unwrap();
    let (_, section) = doc.split_once("\n## Stricter on purpose\n").unwrap();
    let section = section.split("\n## ").next().unwrap();
    let codes: BTreeSet<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" | ").next())
        .collect();
    for (hole, code, _) in STRICTER {
        assert!(codes.contains(code), "{hole:?}: {code} has no row");
    }
}
