import { parseAllDocuments } from 'yaml';
import type { NodeFileReader } from './reader.js';

export function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
export function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

/** The YAML documents of a node file; a parse error marks the file malformed and yields none. */
export function yamlFile(reader: NodeFileReader, path: string): unknown[] {
  const text = reader.text(path);
  if (text === null) return [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const bad = list.find((d) => d.errors.length > 0);
  if (bad !== undefined) {
    reader.malformed(path, bad.errors[0]!.message.split('\n')[0]!);
    return [];
  }
  return list.map((d) => d.toJS() as unknown);
}

export interface ContainerArgs {
  image: string;
  args: string[];
}

/** command + args of each container of a Pod, or of a DaemonSet / Deployment template. */
export function containerArgs(doc: unknown): ContainerArgs[] {
  const out: ContainerArgs[] = [];
  const spec = obj(obj(doc)?.spec);
  const podSpec = obj(obj(spec?.template)?.spec) ?? spec;
  const containers = Array.isArray(podSpec?.containers) ? podSpec.containers : [];
  for (const c of containers.map(obj)) {
    if (c === null) continue;
    const list = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter((a): a is string => typeof a === 'string');
    out.push({ image: str(c.image) ?? '', args: list });
  }
  return out;
}

/** `--name=value` or `--name value`; the last occurrence wins, as with pflag. */
export function flag(args: string[], name: string): string | null {
  let found: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith(`--${name}=`)) found = a.slice(name.length + 3);
    else if (a === `--${name}` && i + 1 < args.length && !args[i + 1]!.startsWith('--')) found = args[i + 1]!;
    else if (a === `--${name}`) found = 'true';
  }
  return found;
}

/** pflag's boolean spelling. */
export function flagBool(v: string | null): boolean | null {
  if (v === null) return null;
  if (/^(true|1|t)$/i.test(v)) return true;
  if (/^(false|0|f)$/i.test(v)) return false;
  return null;
}

/** The container of a static pod whose command or image names `program`. */
export function programArgs(docs: unknown[], program: RegExp): string[] | null {
  for (const doc of docs) {
    for (const c of containerArgs(doc)) {
      if (program.test(c.args[0] ?? '') || program.test(c.image)) return c.args;
    }
  }
  return null;
}

/** A metadata annotation of the first document. */
export function annotation(docs: unknown[], name: string): string | null {
  return str(obj(obj(obj(docs[0])?.metadata)?.annotations)?.[name]);
}
