/**
 * A reader of `.http` request collections (VS Code REST Client's format, which JetBrains' HTTP
 * client shares for the requests themselves): file variables `@name = value` before the first
 * `###`, requests separated by `###` lines, each with comment lines (`# @name login`,
 * `# expect: 200`), a request line, headers, a blank line and a body. Values are filled in with
 * `{{variable}}` and REST Client's request variables `{{login.response.body.$.data.access_token}}`
 * / `{{login.response.headers.X-Request-Id}}`.
 */

export interface HttpFileRequest {
  /** Its title: the text after `###`. */
  title: string;
  /** `# @name` */
  name?: string;
  /** `# expect: 200` */
  expect?: number;
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
  /** Line number of the request line (1-based), for messages. */
  line: number;
}

export interface HttpFile {
  variables: Record<string, string>;
  requests: HttpFileRequest[];
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

export function parseHttpFile(text: string): HttpFile {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const variables: Record<string, string> = {};
  const requests: HttpFileRequest[] = [];
  let block: { title: string; start: number; lines: string[] } | null = null;

  const flush = () => {
    if (!block) return;
    const request = parseBlock(block.title, block.start, block.lines);
    if (request) requests.push(request);
  };
  lines.forEach((line, i) => {
    if (line.startsWith('###')) {
      flush();
      block = { title: line.slice(3).trim(), start: i + 2, lines: [] };
      return;
    }
    if (block) {
      block.lines.push(line);
      return;
    }
    const variable = /^@([A-Za-z_][\w-]*)\s*=\s*(.*)$/.exec(line);
    if (variable) variables[variable[1]!] = variable[2]!.trim();
    else if (line.trim() && !/^\s*(#|\/\/)/.test(line))
      throw new Error(`line ${i + 1}: neither a variable nor a comment before the first ###`);
  });
  flush();
  return { variables, requests };
}

function parseBlock(title: string, start: number, lines: string[]): HttpFileRequest | null {
  let i = 0;
  let name: string | undefined;
  let expected: number | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (!/^(#|\/\/)/.test(line)) break;
    const comment = line.replace(/^(#|\/\/)\s*/, '');
    const named = /^@name\s+(\S+)$/.exec(comment);
    if (named) name = named[1];
    const expectation = /^expect:\s*(\d{3})$/.exec(comment);
    if (expectation) expected = Number(expectation[1]);
    if (/^@[A-Za-z_][\w-]*\s*=/.test(comment)) throw new Error(`line ${start + i}: file variables go before the first ###`);
  }
  if (i >= lines.length) return null;
  const requestLine = /^([A-Z]+)\s+(\S+)(\s+HTTP\/[\d.]+)?$/.exec(lines[i]!.trim());
  if (!requestLine || !METHODS.includes(requestLine[1]!)) throw new Error(`line ${start + i}: not a request line: ${lines[i]}`);
  const line = start + i;
  const headers: [string, string][] = [];
  for (i++; i < lines.length && lines[i]!.trim(); i++) {
    const header = /^([\w-]+):\s*(.*)$/.exec(lines[i]!.trim());
    if (!header) throw new Error(`line ${start + i}: not a header: ${lines[i]}`);
    headers.push([header[1]!, header[2]!]);
  }
  const body = lines
    .slice(i + 1)
    .join('\n')
    .trim();
  return { title, name, expect: expected, method: requestLine[1]!, url: requestLine[2]!, headers, body, line };
}

export interface Captured {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Fills `{{...}}` in from the file variables (which may use each other) and the answers captured so far. */
export function substitute(text: string, variables: Record<string, string>, captured: Record<string, Captured>, depth = 0): string {
  if (depth > 10) throw new Error(`variables refer to each other in a loop: ${text}`);
  return text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    const response = /^([\w-]+)\.response\.(body|headers)\.(.+)$/.exec(expression);
    if (response) {
      const [, name, part, path] = response;
      const answer = captured[name!];
      if (!answer) throw new Error(`{{${expression}}}: no answer named ${name} yet`);
      if (part === 'headers') {
        const value = answer.headers.get(path!);
        if (value === null) throw new Error(`{{${expression}}}: no such header`);
        return value;
      }
      if (!path!.startsWith('$')) throw new Error(`{{${expression}}}: only JSONPath ($.a.b) is supported`);
      let value: unknown = answer.body;
      for (const key of path!.split('.').slice(1)) value = (value as Record<string, unknown> | null)?.[key];
      if (value === undefined || value === null || typeof value === 'object') throw new Error(`{{${expression}}}: no value there`);
      return String(value);
    }
    if (!(expression in variables)) throw new Error(`{{${expression}}}: no such variable`);
    return substitute(variables[expression]!, variables, captured, depth + 1);
  });
}

/** `Basic user password` and `Basic user:password`, as REST Client and JetBrains write it, encoded as HTTP wants. */
export function basicAuth(value: string): string {
  const m = /^Basic\s+(\S+?)(?::|\s+)(\S+)$/i.exec(value);
  return m ? `Basic ${Buffer.from(`${m[1]}:${m[2]}`).toString('base64')}` : value;
}
