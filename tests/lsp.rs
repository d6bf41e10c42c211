//! The language server as an editor runs it: `egwc lsp` over standard input and output.
//! Every wait has a timeout, so a server that hangs fails the test instead of CI.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Messages received while waiting for another, in order.
    pending: Vec<Value>,
    next_id: u64,
}

impl Client {
    fn start() -> Client {
        Client::start_with(&["lsp"])
    }

    fn start_with(args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_egwc"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            loop {
                // `Content-Length: N\r\n\r\n` then N bytes of JSON.
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                stdout.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            pending: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(|m| m["id"] == id)
    }

    /// The next message that `want` accepts; others are kept for later waits.
    fn wait_for(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&want) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .messages
                .recv_timeout(left)
                .expect("the server answered in time");
            if want(&message) {
                return message;
            }
            self.pending.push(message);
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "egw", "version": 1, "text": text } }),
        );
    }

    /// Replaces the whole text of an open document.
    fn change(&mut self, uri: &str, version: u32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// Replaces the range `(line, character)..(line, character)` of an open document.
    fn edit(&mut self, uri: &str, version: u32, range: ((u32, u32), (u32, u32)), text: &str) {
        let ((l0, c0), (l1, c1)) = range;
        let range = json!({
            "start": { "line": l0, "character": c0 },
            "end": { "line": l1, "character": c1 },
        });
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "range": range, "text": text }] }),
        );
    }

    /// The diagnostics next published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn initialize(&mut self, encodings: &[&str]) -> Value {
        self.initialize_with(
            json!({ "general": { "positionEncodings": encodings } }),
            Value::Null,
        )
    }

    /// The handshake with these client capabilities and initialization options.
    fn initialize_with(&mut self, capabilities: Value, options: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result["result"].clone()
    }

    /// The exit status once the server has ended, waiting at most [`WAIT`].
    fn status(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every message that comes within `quiet` of the one before.
    fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = std::mem::take(&mut self.pending);
        while let Ok(m) = self.messages.recv_timeout(quiet) {
            out.push(m);
        }
        out
    }

    /// `shutdown`, `exit`, and the process ends with success.
    fn stop(mut self) {
        let answer = self.request("shutdown", Value::Null);
        assert_eq!(answer["result"], Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit after `exit`"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn file_uri(path: &std::path::Path) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}

const GATEWAY: &str = "gateway edge { class \"eg\" listener http { port 80 protocol HTTP } }\n";

#[test]
fn diagnostics_follow_the_edits_of_a_document_and_its_imports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shared.egw"),
        "service db { endpoint \"10.0.0.9:0\" }\n",
    )
    .unwrap();
    let main = dir.path().join("main.egw");
    let (main_uri, shared_uri) = (file_uri(&main), file_uri(&dir.path().join("shared.egw")));

    let mut client = Client::start();
    let caps = client.initialize(&["utf-16"]);
    assert_eq!(caps["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(caps["capabilities"]["documentFormattingProvider"], true);
    assert_eq!(caps["serverInfo"]["name"], "egwc");

    // Unsaved text: the rocket is two UTF-16 units before the port.
    let text = format!(
        "import \"./shared.egw\"\n{GATEWAY}service api {{ description \"🚀\" endpoint \"10.0.0.1:99999\" }}\n"
    );
    client.open(&main_uri, &text);
    let diags = client.diagnostics(&main_uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "E0200 port-out-of-range");
    assert_eq!(diags[0]["severity"], 1);
    assert_eq!(diags[0]["source"], "egwc");
    assert_eq!(
        diags[0]["range"]["start"],
        json!({ "line": 2, "character": 40 })
    );
    assert_eq!(
        diags[0]["range"]["end"],
        json!({ "line": 2, "character": 56 })
    );
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("\nhelp: ports are 1 to 65535")
    );
    // The imported file's own mistake is published for it.
    let shared = client.diagnostics(&shared_uri);
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(shared[0]["code"], "E0200 port-out-of-range");

    // Fixed, and no longer importing: both files are cleared.
    let fixed = format!("{GATEWAY}service api {{ endpoint \"10.0.0.1:8080\" }}\n");
    client.change(&main_uri, 2, &fixed);
    assert_eq!(client.diagnostics(&shared_uri), Vec::<Value>::new());
    // The EndpointSlice note is all that is left.
    let notes = client.diagnostics(&main_uri);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["code"], "N0513 endpointslice-rbac");
    assert_eq!(notes[0]["severity"], 3);

    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": main_uri } }),
    );
    assert_eq!(client.diagnostics(&main_uri), Vec::<Value>::new());
    client.stop();
}

#[test]
fn related_labels_and_utf8_positions() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.egw");
    let uri = file_uri(&main);
    let mut client = Client::start();
    let caps = client.initialize(&["utf-8", "utf-16"]);
    assert_eq!(caps["capabilities"]["positionEncoding"], "utf-8");
    let text = format!(
        "{GATEWAY}service api {{ description \"🚀\" endpoint \"10.0.0.1:99999\" }}\nservice api {{ endpoint \"10.0.0.2\" }}\n"
    );
    client.open(&uri, &text);
    let diags = client.diagnostics(&uri);
    let port = diags
        .iter()
        .find(|d| d["code"] == "E0200 port-out-of-range")
        .unwrap();
    // In UTF-8 the rocket is four bytes.
    assert_eq!(
        port["range"]["start"],
        json!({ "line": 1, "character": 42 })
    );
    let duplicate = diags
        .iter()
        .find(|d| d["code"] == "E0103 duplicate-definition")
        .unwrap();
    let related = &duplicate["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri.as_str());
    assert_eq!(
        related["location"]["range"]["start"],
        json!({ "line": 1, "character": 8 })
    );
    assert_eq!(related["message"], "first defined here");
    client.stop();
}

#[test]
fn formatting_replaces_the_document_with_egwc_fmt_output() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let mut client = Client::start();
    client.initialize(&[]);
    let text = "service  api {endpoint \"10.0.0.1\"\n}\n";
    client.open(&uri, text);
    let params = json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } });
    let answer = client.request("textDocument/formatting", params.clone());
    let edits = answer["result"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["newText"],
        "service api {\n  endpoint \"10.0.0.1\"\n}\n"
    );
    assert_eq!(
        edits[0]["range"],
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 2, "character": 0 } })
    );
    // Text that does not parse is left alone: no edit.
    client.change(&uri, 2, "service {");
    let answer = client.request("textDocument/formatting", params);
    assert_eq!(answer["result"], json!([]));
    // A request the server does not know gets the protocol's error.
    let answer = client.request("textDocument/signatureHelp", json!({}));
    assert_eq!(answer["error"]["code"], -32601);
    client.stop();
}

/// The position of the `n`-th (0-based) occurrence of `needle` in `text`, in UTF-16 units.
fn position_of(text: &str, needle: &str, n: usize) -> Value {
    let at = text.match_indices(needle).nth(n).unwrap().0;
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": text[start..at].encode_utf16().count() })
}

/// A directory with `services.egw` (service `api`) on disk; the URIs of `main.egw` (not
/// written: the test opens it) and of `services.egw`.
fn with_services() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let services = dir.path().join("services.egw");
    std::fs::write(&services, "service api { endpoint \"10.0.0.1:8080\" }\n").unwrap();
    let main = file_uri(&dir.path().join("main.egw"));
    (dir, main, file_uri(&services))
}

#[test]
fn go_to_definition_and_the_outline() {
    let (_dir, uri, services_uri) = with_services();
    let text = "import \"./services.egw\"\nimport \"std/headers.egw\"\nlet domain = \"lab.example.com\"\n\
gateway edge {\n  class \"eg\"\n  listener http { port 80 protocol HTTP }\n}\n\
filters mine { set header \"x\" = \"1\" }\n\
route api {\n  on edge.http\n  host \"api.${domain}\"\n  rule { -> api use mine use no-index }\n}\n";
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&uri, text);
    let mut definition = |needle: &str, n: usize| {
        let params =
            json!({ "textDocument": { "uri": uri }, "position": position_of(text, needle, n) });
        client.request("textDocument/definition", params)["result"].clone()
    };
    // A backend: the service in the imported file.
    let api = definition("api use", 0);
    assert_eq!(api["uri"], services_uri.as_str());
    assert_eq!(api["range"]["start"], json!({ "line": 0, "character": 8 }));
    // A listener, a gateway, a filter group and a constant: in this file.
    for (needle, n, target, def_n) in [
        ("http\n", 0, "http {", 0),
        ("edge.", 0, "edge {", 0),
        ("mine use", 0, "mine {", 0),
        ("domain}", 0, "domain =", 0),
    ] {
        let found = definition(needle, n);
        assert_eq!(found["uri"], uri.as_str(), "{needle}");
        assert_eq!(
            found["range"]["start"],
            position_of(text, target, def_n),
            "{needle}"
        );
    }
    // The standard library: its module as a read-only file, at the definition, and the
    // same file from the `import` path. A keyword is no name.
    let no_index = definition("no-index", 0);
    let std_uri = no_index["uri"].as_str().unwrap().to_string();
    assert!(std_uri.ends_with("/std/headers.egw"), "{no_index}");
    let std_path = PathBuf::from(std_uri.strip_prefix("file://").unwrap());
    let module = include_str!("../stdlib/headers.egw");
    assert_eq!(std::fs::read_to_string(&std_path).unwrap(), module);
    assert!(
        std::fs::metadata(&std_path)
            .unwrap()
            .permissions()
            .readonly()
    );
    assert_eq!(
        no_index["range"]["start"],
        position_of(module, "no-index {", 0)
    );
    assert_eq!(definition("std/headers", 0)["uri"], std_uri.as_str());
    assert_eq!(definition("rule", 0), Value::Null);

    // Hover shows the definition as written, and where it is when in another file.
    let mut hover = |needle: &str| {
        let params =
            json!({ "textDocument": { "uri": uri }, "position": position_of(text, needle, 0) });
        client.request("textDocument/hover", params)["result"].clone()
    };
    let constant = hover("domain}");
    assert_eq!(constant["contents"]["kind"], "markdown");
    assert_eq!(
        constant["contents"]["value"],
        "```egw\nlet domain = \"lab.example.com\"\n```"
    );
    let service = hover("api use")["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(service.starts_with("```egw\nservice api {"), "{service}");
    // Then the objects it makes, and those of a route on its name.
    let (definition, objects) = service.split_once("\n\n---\n\n").unwrap();
    assert!(definition.ends_with("services.egw`"), "{service}");
    assert_eq!(
        objects,
        "Makes 2 objects:\n- Service `default/api`\n- EndpointSlice `default/api-ipv4`"
    );
    let route = hover("api {\n  on")["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        route.ends_with("Makes 1 object:\n- HTTPRoute `default/api`"),
        "{route}"
    );
    // A filter group makes no object of its own.
    let mine = hover("mine use")["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!mine.contains("Makes"), "{mine}");
    // A keyword: what it does.
    let keyword = hover("rule")["contents"]["value"].clone();
    assert!(
        keyword.as_str().unwrap().contains("a rule of the route"),
        "{keyword}"
    );

    let params = json!({ "textDocument": { "uri": uri } });
    let symbols = client.request("textDocument/documentSymbol", params)["result"].clone();
    let outline: Vec<(String, String)> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["detail"].as_str().unwrap().into(),
                s["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("let", "domain"),
        ("gateway", "edge"),
        ("filters", "mine"),
        ("route", "api"),
    ];
    assert_eq!(
        outline,
        expected
            .map(|(d, n)| (d.to_string(), n.to_string()))
            .to_vec()
    );
    assert_eq!(symbols[1]["children"][0]["name"], "http");
    assert_eq!(
        symbols[1]["children"][0]["selectionRange"]["start"],
        position_of(text, "http {", 0)
    );
    client.stop();
    // The standard library's directory goes with the server.
    assert!(!std_path.exists(), "{}", std_path.display());
}

#[test]
fn a_file_is_checked_in_the_build_of_the_file_that_imports_it() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).unwrap();
        file_uri(&dir.path().join(name))
    };
    let main = write(
        "main.egw",
        &format!("import \"./routes.egw\"\nimport \"./services.egw\"\n{GATEWAY}"),
    );
    let services = write(
        "services.egw",
        "service api { endpoint \"api.example.com\" }\n",
    );
    let routes_text = "route api {\n  on edge\n  rule { -> api }\n}\n";
    let routes = write("routes.egw", routes_text);

    let mut client = Client::start();
    client.initialize(&[]);
    // Alone, routes.egw names a gateway and a service it does not define; in main.egw's
    // build, which imports it, both are known.
    client.open(&routes, routes_text);
    assert_eq!(client.diagnostics(&routes), Vec::<Value>::new());
    assert_eq!(client.diagnostics(&services), Vec::<Value>::new());
    // Envoy Gateway's setup note is for the gateway, in main.egw.
    let notes = client.diagnostics(&main);
    assert_eq!(notes[0]["code"], "N0510 envoy-backend-api", "{notes:?}");
    // Definitions are found in the files of that build.
    let params =
        json!({ "textDocument": { "uri": routes }, "position": { "line": 1, "character": 6 } });
    let edge = client.request("textDocument/definition", params)["result"].clone();
    assert_eq!(edge["uri"], main.as_str());

    // An unsaved edit of an open file is what the other files are checked against.
    client.open(&services, "service api { endpoint \"api.example.com\" }\n");
    client.change(
        &services,
        2,
        "service api2 { endpoint \"api.example.com\" }\n",
    );
    let unknown = loop {
        let diags = client.diagnostics(&routes);
        if !diags.is_empty() {
            break diags;
        }
    };
    assert_eq!(unknown[0]["code"], "E0100 unknown-service");
    client.stop();
}

#[test]
fn a_notification_it_cannot_read_does_not_end_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let mut client = Client::start();
    client.initialize(&[]);
    client.notify("textDocument/didOpen", json!({ "textDocument": 42 }));
    client.open(&uri, "service api { endpoint \"10.0.0.1:0\" }\n");
    assert_eq!(
        client.diagnostics(&uri)[0]["code"],
        "E0200 port-out-of-range"
    );
    client.stop();
}

#[test]
fn completion_offers_keywords_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let mut client = Client::start();
    let caps = client.initialize(&[]);
    assert_eq!(
        caps["capabilities"]["completionProvider"]["triggerCharacters"],
        json!([".", "{"])
    );
    let text = format!(
        "{GATEWAY}service api {{ endpoint \"10.0.0.1:8080\" }}\nroute r {{\n  on edge\n  rule {{\n    -> api\n  }}\n}}\n"
    );
    client.open(&uri, &text);
    let complete = |client: &mut Client, line: u32, character: u32| -> Vec<(String, u64)> {
        let params = json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } });
        let answer = client.request("textDocument/completion", params);
        answer["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["label"].as_str().unwrap().to_string(),
                    i["kind"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    // After `->`: the services (kind Class).
    assert_eq!(complete(&mut client, 5, 7), [("api".to_string(), 7)]);
    // At the start of a rule's line: the rule's keywords (kind Keyword).
    let keywords = complete(&mut client, 5, 4);
    assert!(
        keywords.contains(&("match".to_string(), 14)),
        "{keywords:?}"
    );
    assert!(
        !keywords.iter().any(|(l, _)| l == "endpoint"),
        "{keywords:?}"
    );
    // While the text does not parse, the document's names are those it last had.
    let broken = text.replace("    -> api\n  }\n}\n", "    -> \n");
    client.change(&uri, 2, &broken);
    assert_eq!(complete(&mut client, 5, 7), [("api".to_string(), 7)]);
    client.stop();
}

#[test]
fn whole_blocks_are_snippets_where_the_client_takes_them() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let snippets = |snippet_support: bool| -> Vec<Value> {
        let mut client = Client::start();
        client.initialize_with(
            json!({ "textDocument": { "completion": { "completionItem": { "snippetSupport": snippet_support } } } }),
            Value::Null,
        );
        client.open(&uri, &format!("{GATEWAY}\n"));
        let params =
            json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 0 } });
        let answer = client.request("textDocument/completion", params);
        client.stop();
        let items = answer["result"].as_array().unwrap().clone();
        // The keywords are offered either way.
        assert!(
            items
                .iter()
                .any(|i| i["label"] == "service" && i["kind"] == 14)
        );
        items.into_iter().filter(|i| i["kind"] == 15).collect()
    };
    let offered = snippets(true);
    let service = offered.iter().find(|i| i["label"] == "service").unwrap();
    assert_eq!(service["insertTextFormat"], 2);
    assert_eq!(
        service["insertText"],
        "service ${1:name} { endpoint \"${2:10.0.0.1:8080}\" }"
    );
    assert!(offered.iter().any(|i| i["label"] == "tcp route"));
    assert_eq!(snippets(false), Vec::<Value>::new());
}

#[test]
fn importers_are_not_looked_for_above_the_workspace_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("main.egw"),
        format!("import \"./sub/routes.egw\"\n{GATEWAY}service api {{ endpoint \"10.0.0.1\" }}\n"),
    )
    .unwrap();
    let routes_text = "route api {\n  on edge\n  rule { -> api }\n}\n";
    std::fs::write(dir.path().join("sub/routes.egw"), routes_text).unwrap();
    let routes = file_uri(&dir.path().join("sub/routes.egw"));
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({
            "processId": null,
            "capabilities": {},
            "workspaceFolders": [{ "uri": file_uri(&dir.path().join("sub")), "name": "sub" }],
        }),
    );
    client.notify("initialized", json!({}));
    client.open(&routes, routes_text);
    let codes: Vec<Value> = client
        .diagnostics(&routes)
        .iter()
        .map(|d| d["code"].clone())
        .collect();
    assert_eq!(codes, ["E0101 unknown-gateway", "E0100 unknown-service"]);
    client.stop();
    // Without a workspace folder, main.egw in the directory above is found.
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&routes, routes_text);
    assert_eq!(client.diagnostics(&routes), Vec::<Value>::new());
    client.stop();
}

#[test]
fn references_and_rename_across_files() {
    let (_dir, uri, services_uri) = with_services();
    let text = format!(
        "import \"./services.egw\"\nimport \"std/headers.egw\"\nlet domain = \"lab.example.com\"\n{GATEWAY}\
route api {{\n  on edge\n  host \"api.${{domain}}\" \"www.${{domain}}\"\n  rule {{ -> api 9, api 1 mirror api use no-index }}\n}}\n"
    );
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&uri, &text);
    let position = |needle: &str| position_of(&text, needle, 0);
    let at = |needle: &str| json!({ "textDocument": { "uri": uri }, "position": position(needle) });

    let references = |client: &mut Client, needle: &str, declaration: bool| -> Vec<Value> {
        let mut params = at(needle);
        params["context"] = json!({ "includeDeclaration": declaration });
        let answer = client.request("textDocument/references", params);
        answer["result"].as_array().unwrap().clone()
    };
    // `api` the service (not the route of the same name): three uses and its definition.
    let uses = references(&mut client, "api 9", false);
    assert_eq!(uses.len(), 3, "{uses:?}");
    assert!(uses.iter().all(|l| l["uri"] == uri.as_str()));
    let all = references(&mut client, "api 9", true);
    assert_eq!(all.len(), 4);
    assert!(all.iter().any(|l| l["uri"] == services_uri.as_str()));

    let rename = |client: &mut Client, needle: &str, new_name: &str| -> Value {
        let mut params = at(needle);
        params["newName"] = json!(new_name);
        client.request("textDocument/rename", params)
    };
    let edit = rename(&mut client, "api 9", "web")["result"].clone();
    let changes = edit["documentChanges"].as_array().unwrap();
    let edits_in = |u: &str| -> usize {
        changes
            .iter()
            .filter(|c| c["textDocument"]["uri"] == u)
            .map(|c| c["edits"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!((edits_in(&uri), edits_in(&services_uri)), (3, 1));
    // A constant: only its name is replaced, not the `${` and `}` around it.
    let edit = rename(&mut client, "domain}", "zone")["result"].clone();
    let edits = edit["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edits.len(), 3);
    let first_use = position("domain}\" \"www");
    assert!(
        edits
            .iter()
            .any(|e| e["range"]["start"] == first_use && e["newText"] == "zone")
    );
    // What cannot be renamed says why.
    let refused = rename(&mut client, "api 9", "not a name");
    assert_eq!(refused["error"]["code"], -32803);
    let refused = rename(&mut client, "no-index", "quiet");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("standard library")
    );
    client.stop();
}

#[test]
fn a_did_you_mean_is_a_quick_fix() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let mut client = Client::start();
    client.initialize(&[]);
    let text = format!(
        "{GATEWAY}service api {{ endpoint \"10.0.0.1:8080\" }}\nroute r {{\n  on edge\n  rule {{ -> apii }}\n}}\n"
    );
    client.open(&uri, &text);
    let diagnostics = client.diagnostics(&uri);
    let unknown: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "E0100 unknown-service")
        .collect();
    assert_eq!(unknown.len(), 1, "{diagnostics:?}");
    let params = json!({
        "textDocument": { "uri": uri },
        "range": unknown[0]["range"],
        "context": { "diagnostics": [unknown[0]] },
    });
    let actions = client.request("textDocument/codeAction", params)["result"].clone();
    assert_eq!(actions[0]["title"], "Write `api`");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edit = &actions[0]["edit"]["documentChanges"][0];
    assert_eq!(edit["textDocument"]["uri"], uri.as_str());
    assert_eq!(edit["edits"][0]["newText"], "api");
    assert_eq!(edit["edits"][0]["range"], unknown[0]["range"]);
    client.stop();
}

/// A `test` block's expected services and its request's gateway are uses of those names:
/// definition, references and rename reach them, and its mistakes are diagnostics.
#[test]
fn a_test_block_names_services_and_gateways() {
    let (_dir, uri, services_uri) = with_services();
    let text = format!(
        "import \"./services.egw\"\n{GATEWAY}route web {{\n  on edge\n  rule {{ -> api }}\n}}\n\
test \"api\" {{\n  request \"http://a.example.com/\" on edge\n  expect -> api 100%\n}}\n\
test {{ request \"http://a.example.com/\" expect -> apii }}\n"
    );
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&uri, &text);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "E0100 unknown-service");
    let at = |needle: &str| json!({ "textDocument": { "uri": uri }, "position": position_of(&text, needle, 0) });
    let found = client.request("textDocument/definition", at("api 100%"))["result"].clone();
    assert_eq!(found["uri"], services_uri.as_str());
    let found = client.request("textDocument/definition", at("edge\n  expect"))["result"].clone();
    assert_eq!(found["range"]["start"], position_of(&text, "edge {", 0));
    let mut params = at("api }");
    params["newName"] = json!("web-api");
    let edit = client.request("textDocument/rename", params)["result"].clone();
    let edits: usize = edit["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["edits"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        edits, 3,
        "the backend, the expectation and the definition: {edit}"
    );
    client.stop();
}

/// Defect 1: closing one file of a split configuration leaves the other's diagnostics.
#[test]
fn closing_one_file_keeps_the_diagnostics_of_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let main_text =
        format!("import \"./services.egw\"\n{GATEWAY}route r {{ on edge rule {{ -> nope }} }}\n");
    let services_text = "service api { endpoint \"10.0.0.1:0\" }\n";
    std::fs::write(dir.path().join("main.egw"), &main_text).unwrap();
    std::fs::write(dir.path().join("services.egw"), services_text).unwrap();
    let (main, services) = (
        file_uri(&dir.path().join("main.egw")),
        file_uri(&dir.path().join("services.egw")),
    );
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&main, &main_text);
    client.open(&services, services_text);
    client.drain(Duration::from_millis(300));
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": services } }),
    );
    // What is published after the close: main keeps its unknown service.
    let after = client.drain(Duration::from_millis(500));
    let for_main: Vec<&Value> = after
        .iter()
        .filter(|m| m["params"]["uri"] == main.as_str())
        .collect();
    for m in &for_main {
        let codes: Vec<&Value> = m["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["code"])
            .collect();
        assert!(
            codes.contains(&&json!("E0100 unknown-service")),
            "{after:?}"
        );
    }
    client.stop();
}

/// Defect 2: an untitled buffer is checked like standard input, and definitions work in it.
#[test]
fn an_untitled_buffer_gets_diagnostics_and_definitions() {
    let uri = "untitled:Untitled-1";
    let text = format!("{GATEWAY}route r {{ on edge rule {{ -> nope }} }}\n");
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(uri, &text);
    let diags = client.diagnostics(uri);
    assert_eq!(diags[0]["code"], "E0100 unknown-service", "{diags:?}");
    let params =
        json!({ "textDocument": { "uri": uri }, "position": position_of(&text, "edge rule", 0) });
    let found = client.request("textDocument/definition", params)["result"].clone();
    assert_eq!(found["uri"], uri, "{found}");
    assert_eq!(found["range"]["start"], position_of(&text, "edge {", 0));
    client.stop();
}

/// Defect 3: a syntax error in one block leaves the names of the others: definition, the
/// outline, references, and completion after `on edge.`.
#[test]
fn a_syntax_error_does_not_blind_the_editor() {
    let (_dir, uri, _) = with_services();
    let text = format!(
        "import \"./services.egw\"\n{GATEWAY}route api {{\n  on edge.\n}}\nroute b {{ on edge rule {{ -> api }} }}\n"
    );
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&uri, &text);
    let diags = client.diagnostics(&uri);
    assert_eq!(diags[0]["code"], "E0001 syntax-error", "{diags:?}");
    let at = |needle: &str, n: usize| json!({ "textDocument": { "uri": uri }, "position": position_of(&text, needle, n) });
    let found = client.request("textDocument/definition", at("edge rule", 0))["result"].clone();
    assert_eq!(
        found["range"]["start"],
        position_of(&text, "edge {", 0),
        "{found}"
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    )["result"]
        .clone();
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"edge") && names.contains(&"b"), "{names:?}");
    let refs = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": position_of(&text, "edge {", 0), "context": { "includeDeclaration": true } }),
    )["result"].clone();
    assert!(refs.as_array().unwrap().len() >= 2, "{refs}");
    let mut after_dot = position_of(&text, "edge.\n", 0);
    after_dot["character"] = json!(after_dot["character"].as_u64().unwrap() + 5);
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": after_dot }),
    )["result"]
        .clone();
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"edge.http"), "{labels:?}");
    client.stop();
}

/// Defect 4: `prepareRename` answers the name's range, and a name the checker would refuse
/// is refused with the reason.
#[test]
fn rename_refuses_names_the_checker_would_refuse() {
    let (_dir, uri, _) = with_services();
    let text = format!(
        "import \"./services.egw\"\n{GATEWAY}service web {{ endpoint \"10.0.0.2:80\" }}\nroute r {{ on edge rule {{ -> api }} }}\n"
    );
    let mut client = Client::start();
    let caps = client.initialize(&[]);
    assert_eq!(
        caps["capabilities"]["renameProvider"]["prepareProvider"],
        true
    );
    client.open(&uri, &text);
    let at = json!({ "textDocument": { "uri": uri }, "position": position_of(&text, "api }", 0) });
    let prepared = client.request("textDocument/prepareRename", at.clone())["result"].clone();
    let start = position_of(&text, "api }", 0);
    assert_eq!(prepared["start"], start, "{prepared}");
    let rename = |client: &mut Client, name: &str| {
        let mut params = at.clone();
        params["newName"] = json!(name);
        client.request("textDocument/rename", params)
    };
    let refused = rename(&mut client, "Jelly");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("E0105"),
        "{refused}"
    );
    let refused = rename(&mut client, "web");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a service `web` exists already"),
        "{refused}"
    );
    let renamed = rename(&mut client, "backend");
    assert!(renamed["result"]["documentChanges"].is_array(), "{renamed}");
    client.stop();
}

/// Defect 5: the server asks to watch `.egw` files, and a file changed on disk is read again
/// by the open files that import it.
#[test]
fn a_file_changed_on_disk_is_read_again() {
    let (dir, uri, services) = with_services();
    let text =
        format!("import \"./services.egw\"\n{GATEWAY}route r {{ on edge rule {{ -> api }} }}\n");
    let mut client = Client::start();
    client.initialize_with(
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
        Value::Null,
    );
    let register = client.wait_for(|m| m["method"] == "client/registerCapability");
    let watchers = &register["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(watchers[0]["globPattern"], "**/*.egw", "{register}");
    client.open(&uri, &text);
    let before = client.diagnostics(&uri);
    assert!(
        before.iter().all(|d| d["code"] != "E0100 unknown-service"),
        "{before:?}"
    );
    // A `git checkout` renames the service.
    std::fs::write(
        dir.path().join("services.egw"),
        "service api2 { endpoint \"10.0.0.1:8080\" }\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": services, "type": 2 }] }),
    );
    let after = client.diagnostics(&uri);
    assert_eq!(after[0]["code"], "E0100 unknown-service", "{after:?}");
    client.stop();
}

/// Defect 6: egwc.toml and the initialization options apply as on the command line.
#[test]
fn the_project_configuration_and_initialization_options_apply() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let text = format!(
        "{GATEWAY}service api {{ endpoint \"10.0.0.1:8080\" }}\nroute r {{ on edge rule {{ -> api }} }}\n"
    );
    // Without either: the EndpointSlice note.
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&uri, &text);
    let codes = |d: &[Value]| {
        d.iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        codes(&client.diagnostics(&uri)),
        ["N0513 endpointslice-rbac"]
    );
    client.stop();
    // From the initialization options.
    let mut client = Client::start();
    client.initialize_with(json!({}), json!({ "allow": ["N0513"] }));
    client.open(&uri, &text);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    client.stop();
    // From egwc.toml, and its mistakes shown in it.
    std::fs::write(
        dir.path().join("egwc.toml"),
        "allow = [\"N0513\", \"E0100\"]\n",
    )
    .unwrap();
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&uri, &text);
    let config = file_uri(&dir.path().join("egwc.toml"));
    let config_diags = client.diagnostics(&config);
    assert_eq!(codes(&config_diags), ["E0016 invalid-config"]);
    let main_diags = client.diagnostics(&uri);
    assert!(
        !codes(&main_diags).contains(&"N0513 endpointslice-rbac".to_string()),
        "{main_diags:?}"
    );
    client.stop();
}

/// Defect 7: versions on diagnostics, a burst of edits checked once, cancellation, the
/// exit code, and `--stdio`.
#[test]
fn the_protocol_details() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let mut client = Client::start_with(&["lsp", "--stdio"]);
    client.initialize(&[]);
    client.open(&uri, "service api { endpoint \"10.0.0.1:0\" }\n");
    let first = client.wait_for(|m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(first["params"]["version"], 1, "{first}");
    client.drain(Duration::from_millis(200));
    // Twenty edits of a file of 500 services, written at once as an editor's burst is.
    let services: String = (0..500)
        .map(|i| {
            format!(
                "service s{i} {{ endpoint \"10.1.{}.{}:80\" }}\n",
                i / 200,
                i % 200 + 1
            )
        })
        .collect();
    let burst: String = (2..=21)
        .map(|version| {
            let text = format!(
                "{services}service api {{ endpoint \"10.0.0.1:{}\" }}\n",
                version - 1
            );
            let change = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }] } })
            .to_string();
            format!("Content-Length: {}\r\n\r\n{change}", change.len())
        })
        .collect();
    let stdin = client.stdin.as_mut().unwrap();
    stdin.write_all(burst.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let published: Vec<Value> = client
        .drain(Duration::from_millis(1000))
        .into_iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(
        !published.is_empty() && published.len() < 20,
        "{} checks for 20 edits",
        published.len()
    );
    assert_eq!(published.last().unwrap()["params"]["version"], 21);
    // A request cancelled before the server reads it is answered as cancelled: sent while
    // the server checks a large edit, so both wait for the next batch.
    let large: String = (0..3000)
        .map(|i| {
            format!(
                "service s{i} {{ endpoint \"10.0.{}.{}:80\" }}\n",
                i / 200,
                i % 200 + 1
            )
        })
        .collect();
    client.change(&uri, 22, &large);
    let id = 9001;
    let params = json!({ "textDocument": { "uri": uri } });
    // Both in one write, so that they reach the server together.
    let request = json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/documentSymbol", "params": params }).to_string();
    let cancel = json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": id } })
        .to_string();
    let stdin = client.stdin.as_mut().unwrap();
    write!(
        stdin,
        "Content-Length: {}\r\n\r\n{request}Content-Length: {}\r\n\r\n{cancel}",
        request.len(),
        cancel.len()
    )
    .unwrap();
    stdin.flush().unwrap();
    let answer = client.wait_for(|m| m["id"] == id);
    assert_eq!(answer["error"]["code"], -32800, "{}", answer["error"]);
    // `exit` without `shutdown`: exit code 1.
    client.notify("exit", Value::Null);
    drop(client.stdin.take());
    assert_eq!(client.status().code(), Some(1));
}

/// Inlay hints show what egwc derives: the target and why, a balanced service's objects and
/// port, and each backend's share (of each endpoint, for a balanced service).
#[test]
fn inlay_hints_show_what_egwc_derives() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let text = "gateway edge {\n  class \"cilium\"\n  listener http { port 80 protocol HTTP }\n}\n\
service pve { endpoints \"10.0.0.11:8006\" \"10.0.0.12:8006\" \"10.0.0.13:8006\" \"10.0.0.14:8006\" }\n\
service api { endpoint \"10.0.0.20\" port 8080 }\n\
route r { on edge rule { -> pve 90, api 10 } }\n";
    let mut client = Client::start();
    let caps = client.initialize(&[]);
    assert_eq!(caps["capabilities"]["inlayHintProvider"], true);
    client.open(&uri, text);
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } } }),
    )["result"].clone();
    let shown: Vec<(Value, &str)> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["position"].clone(), h["label"].as_str().unwrap()))
        .collect();
    let after = |needle: &str| {
        let mut p = position_of(text, needle, 0);
        p["character"] = json!(p["character"].as_u64().unwrap() + needle.len() as u64);
        p
    };
    assert_eq!(
        shown,
        [
            (after("gateway edge"), ": cilium 1.20, from its class"),
            (after("service pve"), ": pve-0 … pve-3, port 8006"),
            (after("-> pve 90"), "= 4 × 22.5 %"),
            (after("api 10"), "= 10 %"),
        ],
        "{hints}"
    );
    client.stop();
}

/// Hover explains keywords, and the codes of the diagnostics shown where the cursor is.
#[test]
fn hover_explains_keywords_and_diagnostic_codes() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let text = format!(
        "{GATEWAY}service api {{ endpoints \"10.0.0.1\" \"10.0.0.2\" balance off }}\nroute r {{ on edge rule {{ -> nope }} }}\n"
    );
    let mut client = Client::start();
    client.initialize(&[]);
    client.open(&uri, &text);
    client.diagnostics(&uri);
    let mut hover = |needle: &str| {
        let params =
            json!({ "textDocument": { "uri": uri }, "position": position_of(&text, needle, 0) });
        client.request("textDocument/hover", params)["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(hover("balance off").contains("makes one Kubernetes Service per endpoint"));
    let unknown = hover("nope");
    assert!(unknown.contains("**E0100 unknown-service**"), "{unknown}");
    // In a string, a keyword is only text.
    let in_string = hover("\"10.0.0.1\"");
    assert!(!in_string.contains("endpoint"), "{in_string}");
    client.stop();
}

/// Folding ranges for the blocks over several lines, and values completed after `protocol`.
#[test]
fn folding_ranges_and_value_completion() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let text =
        "gateway edge {\n  class \"eg\"\n  listener http {\n    port 80\n    protocol \n  }\n}\n";
    let mut client = Client::start();
    let caps = client.initialize(&[]);
    assert_eq!(caps["capabilities"]["foldingRangeProvider"], true);
    client.open(&uri, text);
    let folds = client.request(
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": uri } }),
    )["result"]
        .clone();
    let lines: Vec<(u64, u64)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [(0, 5), (2, 4)]);
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 4, "character": 13 } }),
    )["result"]
        .clone();
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["HTTP", "HTTPS", "TLS", "TCP", "UDP"]);
    client.stop();
}

/// The preview: a code lens "N objects" on each gateway, service and route, whose command
/// carries the block's `egwc/source`, and `egwc/preview` gives the YAML of those objects.
#[test]
fn code_lenses_count_the_objects_of_each_block_and_preview_them() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let text = format!(
        "{GATEWAY}service pve {{ endpoints \"10.0.0.11:8006\" \"10.0.0.12:8006\" }}\nroute r {{ on edge rule {{ -> pve }} }}\n"
    );
    let mut client = Client::start();
    let caps = client.initialize(&[]);
    assert_eq!(
        caps["capabilities"]["codeLensProvider"]["resolveProvider"],
        false
    );
    client.open(&uri, &text);
    let lenses = client.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": uri } }),
    )["result"]
        .clone();
    let shown: Vec<(&str, &str)> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["command"]["title"].as_str().unwrap(),
                l["command"]["arguments"][1].as_str().unwrap(),
            )
        })
        .collect();
    // The balanced service: two Services and their two EndpointSlices.
    assert_eq!(
        shown,
        [
            ("1 object", "main.egw:1"),
            ("4 objects", "main.egw:2"),
            ("1 object", "main.egw:3")
        ],
        "{lenses}"
    );
    assert_eq!(lenses[1]["command"]["command"], "egwc.preview");
    let yaml = client.request(
        "egwc/preview",
        json!({ "uri": uri, "source": "main.egw:2" }),
    )["result"]
        .clone();
    let yaml = yaml.as_str().unwrap();
    assert_eq!(yaml.matches("kind: Service\n").count(), 2, "{yaml}");
    assert_eq!(yaml.matches("kind: EndpointSlice\n").count(), 2, "{yaml}");
    assert!(!yaml.contains("kind: HTTPRoute"), "{yaml}");
    let all = client.request("egwc/preview", json!({ "uri": uri }))["result"].clone();
    assert!(all.as_str().unwrap().contains("kind: HTTPRoute"));
    // While the build has errors, the preview says so.
    client.change(&uri, 2, "route r { on nowhere rule { -> nothing } }\n");
    let broken = client.request("egwc/preview", json!({ "uri": uri }))["result"].clone();
    assert!(
        broken
            .as_str()
            .unwrap()
            .starts_with("# The build has errors"),
        "{broken}"
    );
    client.stop();
}

/// Go to definition on an `import` path opens the file; document highlight marks a name's
/// places in the document (its definition as written to); workspace symbols search the open
/// builds.
#[test]
fn import_paths_highlights_and_workspace_symbols() {
    let (_dir, uri, services) = with_services();
    let text = format!(
        "import \"./services.egw\"\n{GATEWAY}route r {{ on edge rule {{ -> api }} }}\nroute s {{ on edge rule {{ -> api }} }}\n"
    );
    let mut client = Client::start();
    let caps = client.initialize(&[]);
    assert_eq!(caps["capabilities"]["documentHighlightProvider"], true);
    assert_eq!(caps["capabilities"]["workspaceSymbolProvider"], true);
    client.open(&uri, &text);
    let at = |needle: &str| json!({ "textDocument": { "uri": uri }, "position": position_of(&text, needle, 0) });
    let file = client.request("textDocument/definition", at("services.egw"))["result"].clone();
    assert_eq!(file["uri"], services.as_str(), "{file}");
    assert_eq!(file["range"]["start"], json!({ "line": 0, "character": 0 }));
    let marks = client.request("textDocument/documentHighlight", at("edge {"))["result"].clone();
    let kinds: Vec<u64> = marks
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_u64().unwrap())
        .collect();
    assert_eq!(kinds, [3, 2, 2], "{marks}");
    let found = client.request("workspace/symbol", json!({ "query": "AP" }))["result"].clone();
    let names: Vec<(&str, &str)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["location"]["uri"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("api", services.as_str())], "{found}");
    client.stop();
}

/// Semantic tokens colour names by what they name, definitions marked as declarations.
#[test]
fn semantic_tokens_name_what_each_name_is() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let text = "let d = \"x.example.com\"\ngateway edge { class \"eg\" listener http { port 80 protocol HTTP } }\nservice api { endpoint \"10.0.0.1:80\" }\nroute r { on edge.http host \"${d}\" rule { -> api } }\n";
    let mut client = Client::start();
    let caps = client.initialize(&[]);
    let legend = caps["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"].clone();
    client.open(&uri, text);
    let data = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    )["result"]["data"]
        .clone();
    let data: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    // Back to (line, character, length, type, modifiers).
    let (mut line, mut character) = (0, 0);
    let mut tokens = Vec::new();
    for t in data.chunks(5) {
        line += t[0];
        character = if t[0] == 0 { character + t[1] } else { t[1] };
        let lines: Vec<&str> = text.lines().collect();
        let word = &lines[line as usize][character as usize..(character + t[2]) as usize];
        tokens.push((
            word.to_string(),
            legend[t[3] as usize].as_str().unwrap().to_string(),
            t[4],
        ));
    }
    let expected = [
        ("d", "variable", 1),
        ("edge", "interface", 1),
        ("http", "property", 1),
        ("api", "class", 1),
        ("r", "function", 1),
    ];
    for (word, kind, declared) in expected {
        assert!(
            tokens.contains(&(word.to_string(), kind.to_string(), declared)),
            "{word} as {kind}: {tokens:?}"
        );
    }
    assert!(
        tokens
            .iter()
            .any(|(w, k, m)| w == "api" && k == "class" && *m == 0),
        "{tokens:?}"
    );
    client.stop();
}

/// Selection ranges grow from the word to its line, then to each block around it.
#[test]
fn selection_ranges_grow_from_the_word_to_the_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let text = "gateway edge {\n  class \"eg\"\n  listener http {\n    port 80\n  }\n}\n";
    let mut client = Client::start();
    let caps = client.initialize(&[]);
    assert_eq!(caps["capabilities"]["selectionRangeProvider"], true);
    client.open(&uri, text);
    let answer = client.request(
        "textDocument/selectionRange",
        json!({ "textDocument": { "uri": uri }, "positions": [{ "line": 3, "character": 6 }] }),
    )["result"][0]
        .clone();
    let mut ranges = Vec::new();
    let mut at = &answer;
    while !at.is_null() {
        let r = &at["range"];
        ranges.push((
            r["start"]["line"].as_u64().unwrap(),
            r["start"]["character"].as_u64().unwrap(),
            r["end"]["line"].as_u64().unwrap(),
            r["end"]["character"].as_u64().unwrap(),
        ));
        at = &at["parent"];
    }
    // `port`, `port 80`, the listener, the gateway, the document.
    assert_eq!(
        ranges,
        [
            (3, 4, 3, 8),
            (3, 4, 3, 11),
            (2, 2, 4, 3),
            (0, 0, 5, 1),
            (0, 0, 6, 0)
        ],
        "{answer}"
    );
    client.stop();
}

/// Edits arrive as ranges (in UTF-16 here), applied in order; the blocks an edit does not
/// touch are taken from the last parse, and their diagnostics move with them.
#[test]
fn range_edits_apply_in_order_and_kept_blocks_move_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("main.egw"));
    let mut client = Client::start();
    client.initialize(&["utf-16"]);
    let text = format!(
        "{GATEWAY}service api {{ description \"🚀\" endpoint \"10.0.0.1:8080\" }}\nroute r {{ on edge rule {{ -> apx }} }}\n\n\n"
    );
    client.open(&uri, &text);
    let codes = |diags: &[Value]| -> Vec<String> {
        diags
            .iter()
            .map(|d| format!("{} {}", d["code"].as_str().unwrap(), d["range"]["start"]))
            .collect()
    };
    let unknown = |line: u32| {
        format!(
            "E0100 unknown-service {}",
            json!({ "line": line, "character": 28 })
        )
    };
    let diags = client.diagnostics(&uri);
    assert!(codes(&diags).contains(&unknown(2)), "{diags:?}");

    // Two lines above everything: the route's block is kept, two lines down.
    client.edit(&uri, 2, ((0, 0), (0, 0)), "// one\n// two\n");
    let diags = client.diagnostics(&uri);
    assert!(codes(&diags).contains(&unknown(4)), "{diags:?}");

    // After the rocket (two UTF-16 units), a word into the description; then the route's
    // `apx` (line 4, characters 28..31) becomes `api`, in two changes of one message.
    client.edit(&uri, 3, ((3, 29), (3, 29)), " launch");
    let diags = client.diagnostics(&uri);
    assert!(codes(&diags).contains(&unknown(4)), "{diags:?}");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 4 }, "contentChanges": [
            { "range": { "start": { "line": 4, "character": 28 }, "end": { "line": 4, "character": 31 } }, "text": "apy" },
            { "range": { "start": { "line": 4, "character": 30 }, "end": { "line": 4, "character": 31 } }, "text": "i" },
        ] }),
    );
    let diags = client.diagnostics(&uri);
    assert!(!diags.iter().any(|d| d["severity"] == 1), "{diags:?}");

    // The text the server holds is the text the edits make: formatting (which drops the
    // blank lines at the end) shows it.
    let formatted = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let new_text = formatted["result"][0]["newText"]
        .as_str()
        .unwrap_or_else(|| panic!("{formatted}"));
    assert!(new_text.contains("description \"🚀 launch\""), "{new_text}");
    assert!(new_text.contains("-> api"), "{new_text}");
    assert!(new_text.starts_with("// one\n// two\n"), "{new_text}");
    client.stop();
}
