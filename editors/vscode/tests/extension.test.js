// extension.js without VS Code: `vscode` and the language client are stubbed. Activation
// must start `egwc lsp` (or the `egwc.path` setting) for .egw documents, say what to do when
// that binary is missing and start again when the setting changes, and register the
// preview: the `egwc.preview` command (what the server's code lens runs) opens a read-only
// document whose text the server gives (`egwc/preview`), refreshed when an .egw file changes.
'use strict';

const assert = require('node:assert');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

// An `egwc` on PATH (an executable file is all the extension looks for), and a file of that
// name that is not executable, which does not count.
const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'egwc-vscode-'));
const fake = path.join(bin, 'egwc');
fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
const notExecutable = path.join(bin, 'egwc-text');
fs.writeFileSync(notExecutable, 'text\n', { mode: 0o644 });
process.env.PATH = bin + path.delimiter + (process.env.PATH || '');

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
const configurationListeners = [];
const errors = [];
const executed = [];
let choice;
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
      onDidChangeConfiguration: (listener) => { configurationListeners.push(listener); return {}; },
      openTextDocument: (uri) => { opened.push(uri); return Promise.resolve({ uri }); },
      textDocuments: [],
    },
    commands: {
      registerCommand: (name, f) => { commands[name] = f; return {}; },
      executeCommand: (...args) => { executed.push(args); return Promise.resolve(); },
    },
    languages: { setTextDocumentLanguage: (document) => Promise.resolve(document) },
    window: {
      showTextDocument: () => Promise.resolve(),
      activeTextEditor: undefined,
      showErrorMessage: (message, ...items) => { errors.push({ message, items }); return Promise.resolve(choice); },
    },
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
  assert.strictEqual(context.subscriptions.length, 4);
  assert.deepStrictEqual(errors, []);

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

  // A setting naming no binary: no server, and a message that says what to do, whose
  // button opens the setting.
  setting = '/opt/egwc/bin/egwc';
  choice = 'Open Settings';
  await extension.activate({ subscriptions: [] });
  assert.strictEqual(started.length, 1, 'no server without a binary');
  assert.strictEqual(errors.length, 1);
  assert.match(errors[0].message, /egwc was not found at "\/opt\/egwc\/bin\/egwc" \(the egwc.path setting\)/);
  assert.match(errors[0].message, /cargo install --locked/);
  assert.deepStrictEqual(errors[0].items, ['Open Settings']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepStrictEqual(executed, [['workbench.action.openSettings', 'egwc.path']]);
  // The preview says so instead of failing.
  const missing = await providers['egwc-preview'].provideTextDocumentContent(opened[0]);
  assert.match(missing, /egwc is not running/);

  // Setting it starts the server with it, at once; another setting changes nothing.
  const listener = configurationListeners[configurationListeners.length - 1];
  setting = fake;
  await listener({ affectsConfiguration: (key) => key === 'egwc.path' });
  assert.strictEqual(started.length, 2);
  assert.strictEqual(started[1].server.command, fake);
  assert.ok(started[1].running);
  await listener({ affectsConfiguration: () => false });
  assert.strictEqual(started.length, 2);

  // A file that is not executable is not a binary.
  const { findExecutable } = extension;
  assert.strictEqual(findExecutable(notExecutable), undefined);
  assert.strictEqual(findExecutable('egwc'), fake);
  assert.strictEqual(findExecutable('egwc', { PATH: '' }), undefined);
  fs.rmSync(bin, { recursive: true });
  console.log('✓ extension.js starts `egwc lsp` for .egw documents, says when egwc is missing, and previews their objects');
})().catch((e) => { console.error(e); process.exit(1); });
