// The VS Code side of the egwc language server: it starts `egwc lsp` (the `egwc.path`
// setting, `egwc` on PATH by default) for .egw documents. Everything else is the server's.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate() {
  const command = vscode.workspace.getConfiguration('egwc').get('path') || 'egwc';
  client = new LanguageClient(
    'egwc',
    'egwc',
    { command, args: ['lsp'] },
    {
      documentSelector: [
        { scheme: 'file', language: 'egw' },
        { scheme: 'untitled', language: 'egw' },
      ],
    },
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
