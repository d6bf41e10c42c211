/**
 * @file tree-sitter grammar for .egw files, the language of egwc.
 *
 * It mirrors grammar/egw.pest, the compiler's grammar, rule for rule. tests/editors.rs checks
 * that both know the same keywords and that this parser reads every example and test case
 * without an error. After a change: `tree-sitter generate && tree-sitter test`, and commit
 * src/ (editors compile the committed parser; none runs the generator).
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const commaSep1 = (rule) => seq(rule, repeat(seq(',', rule)));
const block = (...items) => seq('{', repeat(choice(...items)), '}');

module.exports = grammar({
  name: 'egw',

  extras: ($) => [/\s/, $.comment],

  // Keywords are not reserved: `service backend` names a service `backend`.
  word: ($) => $.name,

  rules: {
    source_file: ($) => repeat($._item),

    _item: ($) => choice($.namespace, $.import, $.let, $.gateway, $.service, $.route, $.filters,
      $.test),

    namespace: ($) => seq('namespace', $.string),
    import: ($) => seq('import', $.string),
    let: ($) => seq('let', field('name', $.name), '=', $.string),

    // ---- gateway ------------------------------------------------------------------------
    gateway: ($) => seq('gateway', field('name', $.name),
      block($.class, $.target, $.listener, $.namespace, $.label, $.annotation)),
    class: ($) => seq('class', $.string),
    target: ($) => seq('target', $.name, optional($.version)),

    listener: ($) => seq('listener', field('name', $.name),
      block($.port, $.protocol, $.hostname, $.listener_tls, $.routes)),
    listener_tls: ($) => seq('tls', block($.cert, $.mode)),
    cert: ($) => seq('cert', $.string),
    mode: ($) => seq('mode', $.name),
    routes: ($) => seq('routes', 'from', $.name),

    // ---- service ------------------------------------------------------------------------
    service: ($) => seq('service', field('name', $.name),
      block($.endpoints, $.port, $.protocol, $.balance, $.service_tls, $.host_rewrite,
        $.namespace, $.label, $.annotation, $.description)),
    endpoints: ($) => seq(choice('endpoints', 'endpoint'), repeat1($.endpoint)),
    endpoint: ($) => seq($.string, optional(seq('as', $.string))),
    host_rewrite: ($) => seq('rewrite', 'host', choice('off', $.string)),
    balance: ($) => seq('balance', optional(choice('on', 'off'))),
    service_tls: ($) => seq('tls', block($.ca, $.hostname, $.san)),
    ca: ($) => seq('ca', choice('system', seq('file', $.string), seq('configmap', $.string))),
    san: ($) => seq('san', repeat1($.string)),
    description: ($) => seq('description', $.string),

    // ---- route --------------------------------------------------------------------------
    route: ($) => seq(optional(field('kind', $.route_kind)), 'route', field('name', $.name),
      block($.on, $.hosts, $.rule, $.namespace, $.label, $.annotation)),
    route_kind: (_) => choice('tcp', 'udp', 'tls', 'grpc'),
    on: ($) => seq('on', commaSep1($.parent_ref)),
    parent_ref: ($) => seq(field('gateway', $.name), optional(seq('.', field('listener', $.name)))),
    hosts: ($) => seq('host', repeat1($.string)),

    rule: ($) => seq('rule', block($.match, $.backends, $.request_header, $.response_header,
      $.rewrite, $.redirect, $.mirror, $.timeout, $.use)),

    match: ($) => seq('match', repeat1(choice($.path_condition, $.header_condition,
      $.query_condition, $.method_condition, $.service_condition))),
    path_condition: ($) => seq('path', optional($.operator), $.string),
    header_condition: ($) => seq('header', $.string, $.operator, $.string),
    query_condition: ($) => seq('query', $.string, $.operator, $.string),
    // `method GET` for HTTP; `method "SayHello"` or `method ~ "Say.*"` for gRPC.
    method_condition: ($) => seq('method', choice($.name, seq(optional($.operator), $.string))),
    service_condition: ($) => seq('service', optional($.operator), $.string),
    operator: (_) => choice('=', '~'),

    backends: ($) => seq('->', commaSep1($.backend)),
    backend: ($) => seq($.name, optional($.integer)),

    request_header: ($) => $._header_action,
    response_header: ($) => seq('response', $._header_action),
    _header_action: ($) => choice($.set_header, $.add_header, $.remove_header),
    set_header: ($) => seq('set', 'header', $.string, '=', $.string),
    add_header: ($) => seq('add', 'header', $.string, '=', $.string),
    remove_header: ($) => seq('remove', 'header', $.string),

    rewrite: ($) => seq('rewrite', repeat1(choice($.rewrite_host, $.path_value))),
    rewrite_host: ($) => seq('host', $.string),
    path_value: ($) => seq('path', optional('prefix'), $.string),

    redirect: ($) => seq('redirect', repeat1(choice($.scheme, $.redirect_host, $.redirect_port,
      $.path_value, $.redirect_status))),
    scheme: (_) => choice('https', 'http'),
    redirect_host: ($) => seq('host', $.string),
    redirect_port: ($) => seq('port', $.integer),
    redirect_status: ($) => seq('status', $.integer),

    use: ($) => seq('use', $.name),
    mirror: ($) => seq('mirror', $.name, optional($.percent)),
    timeout: ($) => seq('timeout', $.duration, optional(seq('backend', $.duration))),

    // ---- filter groups ------------------------------------------------------------------
    filters: ($) => seq('filters', field('name', $.name),
      block($.request_header, $.response_header)),

    // ---- route tests --------------------------------------------------------------------
    test: ($) => seq('test', optional(field('name', $.string)),
      block($.request, $.expect_backends, $.expect_redirect, $.expect_status, $.expect_path,
        $.expect_host, $.expect_header)),
    request: ($) => seq('request', optional(field('method', $.name)), $.string,
      repeat(choice($.request_header_value, $.request_on))),
    request_header_value: ($) => seq('header', $.string, '=', $.string),
    request_on: ($) => seq('on', $.name),
    expect_backends: ($) => seq('expect', '->', commaSep1($.expected_backend)),
    expected_backend: ($) => seq($.name, optional($.percent)),
    expect_redirect: ($) => seq('expect', 'redirect', $.string, optional($.integer)),
    expect_status: ($) => seq('expect', $.integer),
    expect_path: ($) => seq('expect', 'path', $.string),
    expect_host: ($) => seq('expect', 'host', $.string),
    expect_header: ($) => seq('expect', 'header', $.string, '=', $.string),

    // ---- shared attributes --------------------------------------------------------------
    port: ($) => seq('port', $.integer),
    protocol: ($) => seq('protocol', $.name),
    hostname: ($) => seq('hostname', $.string),
    label: ($) => seq('label', $.string, '=', $.string),
    annotation: ($) => seq('annotation', $.string, '=', $.string),

    // ---- tokens -------------------------------------------------------------------------
    name: (_) => /[A-Za-z_][A-Za-z0-9_-]*/,
    string: ($) => seq('"',
      repeat(choice($.string_content, $.escape_sequence, $.interpolation)), token.immediate('"')),
    // A `$` not starting `${name}` is content; `${name}` is longer, so the lexer prefers it.
    string_content: (_) => token.immediate(prec(1, choice(/[^"\\\n$]+/, '$'))),
    interpolation: (_) => token.immediate(prec(2, /\$\{[A-Za-z_][A-Za-z0-9_-]*\}/)),
    escape_sequence: (_) => token.immediate(/\\./),
    integer: (_) => /[0-9]+/,
    percent: (_) => /[0-9]+%/,
    version: (_) => /[0-9]+(\.[0-9]+)+/,
    duration: (_) => /([0-9]+(ms|h|m|s))+/,
    comment: (_) => token(seq('//', /.*/)),
  },
});
