// The VS Code side of the egwc language server: it starts `egwc lsp` (the `egwc.path`
// setting, `egwc` on PATH by default) for .egw documents, says what to do when that binary
// is not there (highlighting works without it), starts again when the setting changes, and
// shows the objects a block makes (the server's code lens "N objects" runs `egwc.preview`)
// in a read-only document that follows the edits. Everything else is the server's.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

const SCHEME = 'egwc-preview';
let client;

// The executable a command names: a path as it is, a bare name searched on PATH (with
// Windows' PATHEXT); undefined when there is none.
function findExecutable(command, env = process.env) {
  const executable = (file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/') || command.includes(path.sep)) {
    return executable(command) ? command : undefined;
  }
  const extensions = process.platform === 'win32' ? (env.PATHEXT || '.EXE').split(';') : [''];
  for (const dir of (env.PATH || '').split(path.delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      const file = path.join(dir, command + extension);
      if (executable(file)) return file;
    }
  }
  return undefined;
}

// Starts the language server with the binary the setting names, or says why it cannot.
function startServer() {
  const command = vscode.workspace.getConfiguration('egwc').get('path') || 'egwc';
  if (!findExecutable(command)) {
    client = undefined;
    const where = command === 'egwc' ? 'on PATH' : `at "${command}" (the egwc.path setting)`;
    vscode.window
      .showErrorMessage(
        `egwc was not found ${where}: .egw files are highlighted, but without diagnostics, ` +
          'formatting or completion. Install egwc (`cargo install --locked --path .` in its ' +
          'repository) or set egwc.path to the binary.',
        'Open Settings',
      )
      .then((choice) => {
        if (choice) vscode.commands.executeCommand('workbench.action.openSettings', 'egwc.path');
      });
    return Promise.resolve();
  }
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

// A preview's address: the document's URI and the block's `egwc/source`, in the query.
function previewUri(documentUri, source) {
  const query = JSON.stringify({ uri: documentUri, source: source || null });
  return vscode.Uri.from({ scheme: SCHEME, path: `${source || 'all'}.yaml`, query });
}

function activate(context) {
  const changed = new vscode.EventEmitter();
  const provider = {
    onDidChange: changed.event,
    provideTextDocumentContent(uri) {
      const params = JSON.parse(uri.query);
      if (!client) return '# egwc is not running: set egwc.path to the egwc binary\n';
      return client.sendRequest('egwc/preview', params);
    },
  };
  const subscriptions = [
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    vscode.commands.registerCommand('egwc.preview', async (documentUri, source) => {
      const uri = documentUri || vscode.window.activeTextEditor?.document.uri.toString();
      const document = await vscode.workspace.openTextDocument(previewUri(uri, source));
      await vscode.languages.setTextDocumentLanguage(document, 'yaml');
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }),
    // An edit of an .egw document refreshes the open previews.
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document.languageId !== 'egw') return;
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme === SCHEME) changed.fire(document.uri);
      }
    }),
    // A new egwc.path takes effect at once: the server is started again with it.
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration('egwc.path')) return;
      if (client) await client.stop();
      await startServer();
    }),
  ];
  if (context) context.subscriptions.push(...subscriptions);
  return startServer();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, previewUri, findExecutable };
