import { dirname, isAbsolute, join } from 'node:path';
import { parseCertificate } from '../../dissectors/tls/certs.js';
import { certificateRecordLength, type NodeCert, type NodeKubelet } from './facts.js';
import type { Layout } from './layouts.js';
import { bool, obj, str, yamlFile } from './manifest.js';
import { certificateDers } from './pem.js';
import type { NodeFileReader } from './reader.js';

/** Drop-ins merge like the kubelet's --config-dir: maps recursively, everything else replaced. */
function merge(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(from)) {
    const a = obj(into[k]);
    const b = obj(v);
    into[k] = a !== null && b !== null ? merge({ ...a }, b) : v;
  }
  return into;
}

function configDocs(reader: NodeFileReader, layout: Layout, configOverride: string | null): { files: string[]; doc: Record<string, unknown> } | null {
  const files: string[] = [];
  const main = configOverride ?? layout.kubeletConfig;
  if (main !== null) files.push(main);
  if (configOverride === null && layout.kubeletConfigDir !== null) {
    for (const name of reader.list(layout.kubeletConfigDir) ?? []) if (name.endsWith('.conf')) files.push(join(layout.kubeletConfigDir, name));
  }
  let doc: Record<string, unknown> | null = null;
  const read: string[] = [];
  for (const f of files) {
    const d = obj(yamlFile(reader, f)[0]);
    if (d === null) continue;
    read.push(f);
    doc = merge(doc ?? {}, d);
  }
  return doc === null ? null : { files: read, doc };
}

/** The public part of a certificate file: its CERTIFICATE blocks, never any key block. */
export function readCertFile(reader: NodeFileReader, path: string): NodeCert | null {
  const text = reader.text(path);
  if (text === null) return null;
  const chain = [];
  for (const der of certificateDers(text)) {
    try {
      chain.push(parseCertificate(der));
    } catch (e) {
      reader.malformed(path, `certificate ${chain.length + 1}: ${(e as Error).message}`);
      return null;
    }
  }
  if (chain.length === 0) {
    reader.malformed(path, 'no CERTIFICATE block');
    return null;
  }
  const derLengths = chain.map((c) => c.der.length);
  return { file: path, chain, selfSigned: chain.at(-1)!.selfSigned, derLengths, tls13CertificateRecord: certificateRecordLength(derLengths) };
}

/**
 * Which file the kubelet serves (pkg/kubelet/certificate and cmd/kubelet): tlsCertFile, else with
 * serverTLSBootstrap the rotated kubelet-server-current.pem, else the distribution's own file
 * (kubeadm: the self-signed kubelet.crt the kubelet writes at first start).
 */
function servingCertPath(layout: Layout, tlsCertFile: string | null, configFile: string | null, bootstrap: boolean): string {
  if (tlsCertFile !== null) return isAbsolute(tlsCertFile) || configFile === null ? tlsCertFile : join(dirname(configFile), tlsCertFile);
  if (bootstrap) return join(layout.kubeletCertDir, 'kubelet-server-current.pem');
  return layout.defaultServingCert;
}

export interface KubeletOverrides {
  kubeletConfig: string | null;
  kubeletCert: string | null;
}

export function readKubelet(reader: NodeFileReader, layout: Layout, o: KubeletOverrides): NodeKubelet | null {
  const cfg = configDocs(reader, layout, o.kubeletConfig);
  // Without a configuration the serving certificate alone still says what the kubelet serves.
  if (cfg === null && o.kubeletCert === null && reader.text(layout.defaultServingCert) === null) return null;
  const doc = cfg?.doc ?? {};
  const defaulted: string[] = [];
  const pick = <T>(v: T | null, name: string, fallback: T): T => {
    if (v !== null) return v;
    defaulted.push(name);
    return fallback;
  };
  const authn = obj(doc.authentication);
  const tlsCertFile = str(doc.tlsCertFile);
  const bootstrap = bool(doc.serverTLSBootstrap) ?? false;
  const lastConfig = cfg?.files.at(-1) ?? null;
  const certPath = o.kubeletCert ?? servingCertPath(layout, tlsCertFile, lastConfig, bootstrap);
  return {
    configFiles: cfg?.files ?? [],
    port: pick(typeof doc.port === 'number' ? doc.port : null, 'port', 10250),
    // KubeletConfiguration v1beta1 defaults (k8s.io/kubernetes pkg/kubelet/apis/config/v1beta1/defaults.go).
    readOnlyPort: pick(typeof doc.readOnlyPort === 'number' ? doc.readOnlyPort : null, 'readOnlyPort', 0),
    anonymousAuth: pick(bool(obj(authn?.anonymous)?.enabled), 'authentication.anonymous.enabled', false),
    webhookAuthn: pick(bool(obj(authn?.webhook)?.enabled), 'authentication.webhook.enabled', true),
    x509ClientCAFile: str(obj(authn?.x509)?.clientCAFile),
    authorizationMode: pick(str(obj(doc.authorization)?.mode), 'authorization.mode', 'Webhook'),
    serverTLSBootstrap: bootstrap,
    tlsCertFile,
    defaulted,
    servingCert: readCertFile(reader, certPath),
  };
}
