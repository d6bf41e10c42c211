; Highlights for .egw files in Helix: editors/tree-sitter-egw/queries/highlights.scm with
; Helix's capture names. Copy to ~/.config/helix/runtime/queries/egw/highlights.scm.

(comment) @comment

["gateway" "service" "route" "listener" "rule" "filters" "test" "tcp" "udp" "grpc"] @keyword
["import"] @keyword.control.import
["namespace" "let"] @keyword
["add" "annotation" "as" "backend" "balance" "ca" "cert" "class" "configmap" "description"
 "endpoint" "endpoints" "expect" "file" "from" "header" "host" "hostname" "http" "https" "label" "match"
 "method" "mirror" "mode" "on" "path" "port" "prefix" "protocol" "query" "redirect" "remove"
 "request" "response" "rewrite" "routes" "san" "set" "status" "target" "timeout" "tls" "use"] @keyword
["off" "system"] @constant.builtin

(gateway name: (name) @type)
(service name: (name) @type)
(route name: (name) @type)
(let name: (name) @constant)
(filters name: (name) @type)
(use (name) @type)
(listener name: (name) @type)
(parent_ref gateway: (name) @type)
(parent_ref listener: (name) @variable.other.member)
(backend (name) @type)
(mirror (name) @type)
(target (name) @constant)
(protocol (name) @constant)
(mode (name) @constant)
(routes (name) @constant)
(method_condition (name) @constant)
(request method: (name) @constant)
(request_on (name) @type)
(expected_backend (name) @type)

(string) @string
(escape_sequence) @constant.character.escape
(interpolation) @string.special
[(integer) (percent) (version) (duration)] @constant.numeric

(operator) @operator
["->" "="] @operator
["{" "}"] @punctuation.bracket
["," "."] @punctuation.delimiter
