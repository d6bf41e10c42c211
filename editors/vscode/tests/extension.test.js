// extension.js without VS Code: `vscode` and the language client are stubbed. Activation
// must start `egwc lsp` (or the `egwc.path` setting) for .egw documents, and register the
// preview: the `egwc.preview` command (what the server's code lens runs) opens a read-only
// document whose text the server gives (`egwc/preview`), refreshed when an .egw file changes.
'use strict';

const assert = require('node:assert');
const Module = require('node:module');

const started = [];
const sent = [];
let setting;
class LanguageClient {
  constructor(id, name, server, client) {
    Object.assign(this, { id, name, server, client, running: false });
    started.push(this);
  }
  start() { this.running = true; return Promise.resolve(); }
  stop() { this.running = false; return Promise.resolve(); }
  sendRequest(method, params) { sent.push({ method, params }); return Promise.resolve('kind: Gateway\n'); }
}
const commands = {};
const providers = {};
const changeListeners = [];
const opened = [];
const fired = [];
class EventEmitter {
  constructor() { this.event = () => {}; }
  fire(uri) { fired.push(uri); }
}
const Uri = {
  from: (parts) => ({ ...parts, toString: () => `${parts.scheme}:${parts.path}?${parts.query}` }),
};
const stubs = {
  vscode: {
    Uri,
    EventEmitter,
    ViewColumn: { Beside: -2 },
    workspace: {
      getConfiguration: (section) => ({ get: (key) => (section === 'egwc' && key === 'path' ? setting : undefined) }),
      registerTextDocumentContentProvider: (scheme, provider) => { providers[scheme] = provider; return {}; },
      onDidChangeTextDocument: (listener) => { changeListeners.push(listener); return {}; },
      openTextDocument: (uri) => { opened.push(uri); return Promise.resolve({ uri }); },
      textDocuments: [],
    },
    commands: { registerCommand: (name, f) => { commands[name] = f; return {}; } },
    languages: { setTextDocumentLanguage: (document) => Promise.resolve(document) },
    window: { showTextDocument: () => Promise.resolve(), activeTextEditor: undefined },
  },
  'vscode-languageclient/node': { LanguageClient },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request in stubs ? stubs[request] : load.call(this, request, ...rest);
};

// The real client module must exist: it is what the package ships.
require.resolve('vscode-languageclient/node');

(async () => {
  const extension = require('../extension.js');
  const context = { subscriptions: [] };
  extension.activate(context);
  assert.strictEqual(started.length, 1);
  const [client] = started;
  assert.deepStrictEqual(client.server, { command: 'egwc', args: ['lsp'] });
  assert.deepStrictEqual(client.client.documentSelector.map((s) => s.language), ['egw', 'egw']);
  assert.ok(client.running);
  assert.strictEqual(context.subscriptions.length, 3);

  // The code lens's command opens the preview of one block; its text is the server's.
  await commands['egwc.preview']('file:///lab/main.egw', 'main.egw:7');
  assert.strictEqual(opened.length, 1);
  assert.strictEqual(opened[0].scheme, 'egwc-preview');
  const text = await providers['egwc-preview'].provideTextDocumentContent(opened[0]);
  assert.strictEqual(text, 'kind: Gateway\n');
  assert.deepStrictEqual(sent, [{ method: 'egwc/preview', params: { uri: 'file:///lab/main.egw', source: 'main.egw:7' } }]);

  // An edit of an .egw document refreshes the open previews, not others.
  stubs.vscode.workspace.textDocuments.push({ uri: opened[0] }, { uri: { scheme: 'file' } });
  changeListeners[0]({ document: { languageId: 'egw' } });
  assert.deepStrictEqual(fired, [opened[0]]);
  changeListeners[0]({ document: { languageId: 'yaml' } });
  assert.strictEqual(fired.length, 1);

  extension.deactivate();
  assert.ok(!client.running);

  setting = '/opt/egwc/bin/egwc';
  extension.activate(context);
  assert.strictEqual(started[1].server.command, '/opt/egwc/bin/egwc');
  console.log('✓ extension.js starts `egwc lsp` for .egw documents and previews their objects');
})().catch((e) => { console.error(e); process.exit(1); });
