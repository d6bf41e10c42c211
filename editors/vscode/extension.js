// The VS Code side of the egwc language server: it starts `egwc lsp` (the `egwc.path`
// setting, `egwc` on PATH by default) for .egw documents, and shows the objects a block makes
// (the server's code lens "N objects" runs `egwc.preview`) in a read-only document that
// follows the edits. Everything else is the server's.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

const SCHEME = 'egwc-preview';
let client;

// A preview's address: the document's URI and the block's `egwc/source`, in the query.
function previewUri(documentUri, source) {
  const query = JSON.stringify({ uri: documentUri, source: source || null });
  return vscode.Uri.from({ scheme: SCHEME, path: `${source || 'all'}.yaml`, query });
}

function activate(context) {
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
  const changed = new vscode.EventEmitter();
  const provider = {
    onDidChange: changed.event,
    provideTextDocumentContent(uri) {
      const params = JSON.parse(uri.query);
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
  ];
  if (context) context.subscriptions.push(...subscriptions);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, previewUri };
