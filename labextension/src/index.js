// Why this extension exists: JupyterLab and Notebook 7 colour a cell while it is typed with
// CodeMirror, which knows no Kedis; exports use Pygments (kedis/jupyter/lexer.py) instead. This
// plugin adds a CodeMirror language named "kedis". A notebook on the Kedis kernel asks for it by
// name: the kernel's language_info says codemirror_mode "kedis" (kedis/kernel/kernel.py), and
// JupyterLab's mime type service looks that name up in this registry.
//
// CodeMirror itself is not in the bundle: @codemirror/language, @lezer/highlight and
// @jupyterlab/codemirror are JupyterLab's own copies (shared singletons), so the bundle holds
// only this folder's code and the small legacy Python mode (for %%python cells).

import { HighlightStyle, LanguageSupport, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { python } from '@codemirror/legacy-modes/mode/python';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { Tag, tags } from '@lezer/highlight';

import { kedisParser } from './mode';

// A command Kedis does not know: coloured as a command, but not bold (the lexer's Keyword.Pseudo).
// A tag of its own, not a kind of keyword, or the theme's bold keyword style would apply to it.
const unknownCommand = Tag.define();

// The mode's token names (mode.js) and the highlight tags they stand for. JupyterLab's theme
// colours each tag with its CSS variables (--jp-mirror-editor-keyword-color...).
const tokenTable = {
  command: tags.keyword,
  unknownCommand,
  key: tags.special(tags.variableName),
  option: tags.attributeName,
  string: tags.string,
  escape: tags.special(tags.string),
  number: tags.number,
  magic: tags.meta,
  comment: tags.comment,
  error: tags.invalid
};

// What JupyterLab's theme leaves uncoloured. An error (an unclosed quote) is also underlined:
// its red alone is too close to a string's.
const kedisStyle = HighlightStyle.define([
  { tag: unknownCommand, color: 'var(--jp-mirror-editor-keyword-color)' },
  { tag: tags.invalid, color: 'var(--jp-mirror-editor-error-color)', textDecoration: 'underline wavy' }
]);

// The command table is written by the installer next to this code (kedis/kernel/labextension.py).
async function loadTable() {
  try {
    const answer = await fetch(new URL('commands.json', __webpack_public_path__));
    if (answer.ok) return await answer.json();
    console.warn(`Kedis: no command table (${answer.status}); run python -m kedis.kernel install`);
  } catch (error) {
    console.warn('Kedis: no command table', error);
  }
  return {}; // every command then shows as unknown, but the cell is still coloured
}

const plugin = {
  id: 'kedis-jupyterlab:language',
  description: 'The Kedis language for the cell editor',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (app, languages) => {
    languages.addLanguage({
      name: 'kedis',
      displayName: 'Kedis',
      mime: 'text/x-kedis',
      extensions: ['kedis'],
      // Called the first time an editor needs the language.
      load: async () => {
        const parser = kedisParser(await loadTable(), python);
        const language = StreamLanguage.define({ ...parser, tokenTable });
        return new LanguageSupport(language, [syntaxHighlighting(kedisStyle)]);
      }
    });
  }
};

export default plugin;
