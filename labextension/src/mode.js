// The Kedis mode: how CodeMirror colours a Kedis cell while it is typed.
//
// Exports colour Kedis cells with Pygments, through kedis/jupyter/lexer.py; the editor runs in the
// browser, where that Python cannot, so this file reads a line by the same rules, step for step
// (tests/jupyter/test_browser_highlight.py gives both the same lines and compares their tokens):
//
//     # a comment                          comment
//     %clock advance 10s                   magic, then its arguments (a duration is a number)
//     %%python                             (first line only) the rest of the cell is Python
//     SET greeting "hello world" EX 100    command, key, string, option, number
//
// A role that depends on the command (is the word a command Kedis knows? which arguments are
// keys? which words are options?) comes from the command table, which the installer writes as
// commands.json (kedis/kernel/labextension.py) and index.js fetches. No names are listed here.
//
// CodeMirror hands a StreamParser one line at a time. At a line's start, lineTokens() reads the
// whole line (a key's place depends on how many arguments follow it), and token() then gives
// CodeMirror the line's tokens one by one. This file imports nothing, so that a test can load it.

// The parser's character classes (kedis/engine/parser.py): any of these is skipped between two
// arguments and may follow a closing quote, but only the first four end a bare word.
const BETWEEN = ' \t\n\r\x0b\x0c';
const INSIDE = ' \t\n\r';
const HEX = /^[0-9a-fA-F]{2}$/;
const ESCAPES = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

// Numbers as Redis reads them (ASCII digits only), and a magic's durations (10s, 250ms).
const INTEGER = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?$/;
const DURATION = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(ms|s|m|h|d)$/;
// "3 INCR n" runs INCR three times: redis-cli's repeat count.
const REPEAT = /^[ \t\n\r\x0b\x0c]*[+-]?[0-9]+$/;

// The token of each role; index.js maps these names to CodeMirror's highlight tags.
const ROLE_TOKENS = {
  count: 'number',
  command: 'command',
  'unknown command': 'unknownCommand',
  key: 'key',
  option: 'option'
};

// Redis compares names in ASCII only (JavaScript's toUpperCase() would turn "ſ" into "S").
const asciiLower = text => text.replace(/[A-Z]/g, c => c.toLowerCase());
const asciiUpper = text => text.replace(/[a-z]/g, c => c.toUpperCase());

/** The line's first word (a magic's name: "%clock" in "%clock advance 10s"). */
function firstWord(line) {
  let i = 0;
  while (i < line.length && BETWEEN.includes(line[i])) i++;
  let j = i;
  while (j < line.length && !BETWEEN.includes(line[j])) j++;
  return line.slice(i, j);
}

/**
 * Split a line (from `start`) as the parser does, noting where each part of each argument is:
 * a"b c" is one argument of two parts, bare `a` and double-quoted `"b c"`. Returns the arguments
 * and, when the parser would refuse the line, where the unreadable rest starts (else null).
 */
function readArguments(line, start = 0) {
  const args = [];
  const nul = line.indexOf('\x00', start);
  const n = nul >= 0 ? nul : line.length; // a NUL byte ends a C string, so it ends the line
  let i = start;
  for (;;) {
    while (i < n && BETWEEN.includes(line[i])) i++;
    if (i >= n) return [args, nul >= 0 ? nul : null];
    const arg = { start: i, end: 0, value: '', parts: [] };
    const add = (from, to, kind) => {
      const last = arg.parts[arg.parts.length - 1];
      if (last && last.kind === kind && last.to === from) last.to = to;
      else arg.parts.push({ from, to, kind });
    };
    let quote = '';
    for (;;) {
      const c = i < n ? line[i] : '';
      if (quote === '"') {
        if (!c) return [args, arg.start]; // the line ended inside "..."
        if (c === '\\' && i + 3 < n && line[i + 1] === 'x' && HEX.test(line.slice(i + 2, i + 4))) {
          arg.value += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          add(i, i + 4, 'escape');
          i += 4;
          continue;
        }
        if (c === '\\' && i + 1 < n) {
          arg.value += ESCAPES[line[i + 1]] ?? line[i + 1];
          add(i, i + 2, 'escape');
          i += 2;
          continue;
        }
        add(i, i + 1, 'double');
        if (c === '"') {
          // The closing quote must end the argument.
          if (i + 1 < n && !BETWEEN.includes(line[i + 1])) return [args, arg.start];
          i += 1;
          break;
        }
        arg.value += c;
      } else if (quote === "'") {
        if (!c) return [args, arg.start];
        if (c === '\\' && i + 1 < n && line[i + 1] === "'") {
          arg.value += "'"; // \' is the only escape inside single quotes
          add(i, i + 2, 'escape');
          i += 2;
          continue;
        }
        add(i, i + 1, 'single');
        if (c === "'") {
          if (i + 1 < n && !BETWEEN.includes(line[i + 1])) return [args, arg.start];
          i += 1;
          break;
        }
        arg.value += c;
      } else {
        if (!c || INSIDE.includes(c)) break;
        if (c === '"' || c === "'") {
          quote = c; // a quote may open inside a word: a"b c" is one argument
          add(i, i + 1, c === '"' ? 'double' : 'single');
        } else {
          arg.value += c;
          add(i, i + 1, 'bare');
        }
      }
      i += 1;
    }
    arg.end = i;
    args.push(arg);
  }
}

/** The argv indexes of the keys, for `argc` arguments (KeySpec.positions, for range specs). */
function keyPositions(entry, argc) {
  const positions = [];
  for (const [index, lastKey, step] of entry.keys) {
    const last = lastKey >= 0 ? index + lastKey : argc + lastKey;
    for (let p = index; p <= Math.min(last, argc - 1); p += step) {
      if (!positions.includes(p)) positions.push(p);
    }
  }
  return positions;
}

/** The role of each argument of a command line, found in the command table. */
function commandRoles(table, values) {
  const roles = values.map(() => 'value');
  let first = 0;
  if (values.length > 1 && REPEAT.test(values[0])) {
    roles[0] = 'count';
    first = 1;
  }
  const argv = values.slice(first);
  let entry = Object.hasOwn(table, asciiLower(argv[0])) ? table[asciiLower(argv[0])] : null;
  if (!entry) {
    roles[first] = 'unknown command';
    return roles;
  }
  roles[first] = 'command';
  const subcommands = entry.subcommands ?? {};
  if (argv.length > 1 && Object.hasOwn(subcommands, asciiLower(argv[1]))) {
    roles[first + 1] = 'command'; // the GET of CONFIG GET
    entry = subcommands[asciiLower(argv[1])];
  }
  // An option counts once the mandatory arguments are past: in SET k NX, NX is the value.
  for (let index = entry.firstOption; index < argv.length; index++) {
    if (entry.options.includes(asciiUpper(argv[index]))) roles[first + index] = 'option';
  }
  // Keys last, so that they win: in SET EX v, the key is named EX.
  for (const index of keyPositions(entry, argv.length)) roles[first + index] = 'key';
  return roles;
}

/** The token of one part of a value: it shows how the value was typed. */
function valueToken(kind, text, arg, magic) {
  if (kind === 'double' || kind === 'single') return 'string';
  if (!arg.parts.some(part => part.kind !== 'bare')) {
    if (INTEGER.test(text) || FLOAT.test(text)) return 'number';
    if (magic && DURATION.test(text)) return 'number';
  }
  // A magic's words are read by the kernel, not stored by Redis: plain text, not strings.
  return magic ? null : 'string';
}

/**
 * The tokens of one line, as [from, to, token name or null] covering the whole line.
 * `firstLine`: no other line has come before it but blank ones (a cell magic must be first).
 */
export function lineTokens(table, line, firstLine) {
  const tokens = [];
  const push = (from, to, token) => {
    if (to > from) tokens.push([from, to, token]);
  };
  const indent = line.length - line.replace(/^[ \t\n\r\x0b\x0c]+/, '').length;
  push(0, indent, null);
  if (indent === line.length) return tokens;
  let position = indent;
  let args, bad, roles;
  if (line[indent] === '#') {
    // A comment is checked before the line is split: it may hold any quote.
    push(indent, line.length, 'comment');
    return tokens;
  }
  if (line[indent] === '%') {
    const name = firstWord(line);
    const misplaced = name.startsWith('%%') && !firstLine; // IPython's rule for cell magics
    push(indent, indent + name.length, misplaced ? 'error' : 'magic');
    position = indent + name.length;
    [args, bad] = readArguments(line, position);
    roles = args.map(() => 'magic argument');
  } else {
    [args, bad] = readArguments(line);
    roles = args.length ? commandRoles(table, args.map(arg => arg.value)) : [];
  }
  args.forEach((arg, i) => {
    push(position, arg.start, null);
    for (const { from, to, kind } of arg.parts) {
      let token;
      if (kind === 'escape') token = 'escape';
      else if (roles[i] in ROLE_TOKENS) token = ROLE_TOKENS[roles[i]];
      else token = valueToken(kind, line.slice(from, to), arg, roles[i] === 'magic argument');
      push(from, to, token);
    }
    position = arg.end;
  });
  if (bad !== null) {
    push(position, bad, null);
    push(bad, line.length, 'error');
  } else {
    push(position, line.length, null);
  }
  return tokens;
}

function copy(state) {
  return state && typeof state === 'object'
    ? Object.fromEntries(Object.entries(state).map(([k, v]) => [k, Array.isArray(v) ? v.slice() : v]))
    : state;
}

/**
 * A CodeMirror StreamParser for Kedis cells. `table`: commands.json; `python`: a StreamParser
 * for the Python that follows a %%python first line (the legacy Python mode), or null.
 */
export function kedisParser(table, python = null) {
  return {
    name: 'kedis',
    startState: () => ({ firstLine: true, queue: [], toPython: false, python: null }),
    copyState: state => ({ ...state, queue: state.queue.slice(), python: copy(state.python) }),
    token(stream, state) {
      if (state.python) return python.token(stream, state.python);
      if (stream.sol()) {
        const line = stream.string;
        state.queue = lineTokens(table, line, state.firstLine);
        state.toPython = state.firstLine && firstWord(line) === '%%python' && python !== null;
        if (line.replace(/[ \t\n\r\x0b\x0c]/g, '')) state.firstLine = false;
      }
      if (!state.queue.length) {
        stream.skipToEnd(); // not reached: the queue covers the line to its end
        return null;
      }
      const [, to, token] = state.queue.shift();
      stream.pos = to;
      if (!state.queue.length && state.toPython) state.python = python.startState(stream.indentUnit);
      return token;
    },
    indent: (state, textAfter, context) =>
      state.python && python.indent ? python.indent(state.python, textAfter, context) : null,
    languageData: { commentTokens: { line: '#' } }
  };
}
