/**
 * The dissectors the pipeline attaches. It lives in pipeline/ rather than dispatch/ because
 * dissectors sit to the right of dispatch in the dependency order; dispatch takes the registry
 * as a parameter.
 */
import type { DissectorRegistry } from '../dispatch/attach.js';
import { http1Factory } from '../../dissectors/http1/index.js';
import { http2Factory } from '../../dissectors/http2/index.js';
import { sshFactory } from '../../dissectors/ssh/index.js';
import { tlsFactory } from '../../dissectors/tls/index.js';

export const defaultRegistry: DissectorRegistry = {
  tls: tlsFactory,
  ssh: sshFactory,
  http: http1Factory,
  http2: http2Factory,
};
