// extension.js without VS Code: `vscode` and the language client are stubbed, and activation
// must start `egwc lsp` (or the `egwc.path` setting) for .egw documents.
'use strict';

const assert = require('node:assert');
const Module = require('node:module');

const started = [];
let setting;
class LanguageClient {
  constructor(id, name, server, client) {
    Object.assign(this, { id, name, server, client, running: false });
    started.push(this);
  }
  start() { this.running = true; return Promise.resolve(); }
  stop() { this.running = false; return Promise.resolve(); }
}
const stubs = {
  vscode: { workspace: { getConfiguration: (section) => ({ get: (key) => (section === 'egwc' && key === 'path' ? setting : undefined) }) } },
  'vscode-languageclient/node': { LanguageClient },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request in stubs ? stubs[request] : load.call(this, request, ...rest);
};

// The real client module must exist: it is what the package ships.
require.resolve('vscode-languageclient/node');

const extension = require('../extension.js');
extension.activate();
assert.strictEqual(started.length, 1);
const [client] = started;
assert.deepStrictEqual(client.server, { command: 'egwc', args: ['lsp'] });
assert.deepStrictEqual(client.client.documentSelector.map((s) => s.language), ['egw', 'egw']);
assert.ok(client.running);
extension.deactivate();
assert.ok(!client.running);

setting = '/opt/egwc/bin/egwc';
extension.activate();
assert.strictEqual(started[1].server.command, '/opt/egwc/bin/egwc');
console.log('✓ extension.js starts `egwc lsp` for .egw documents');
