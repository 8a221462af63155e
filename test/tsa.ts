// A time-stamping authority of the tests' own on 127.0.0.1: a root CA and a TSA certificate
// made by openssl, and a small HTTP server that answers each query with `openssl ts -reply`.
// Its `mode` makes it misbehave as real servers do: refuse, or stamp something else; `urlFor`
// gives an address that always behaves one way, so that builds of several modes run side by side.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { serve, ssl } from './pki.js';

export type TsaMode = 'good' | 'reject' | 'other-digest' | 'http-500';

export interface TestTsa {
  url: string;
  /** The root CA that issued the TSA's certificate (PEM file). */
  caFile: string;
  mode: TsaMode;
  /** An address of this TSA that answers in `mode` whatever `mode` is set to. */
  urlFor(mode: TsaMode): string;
  close(): Promise<void>;
}

export async function startTsa(): Promise<TestTsa> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-tsa-'));
  ssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Test TSA Root', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  ssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=Test TSA']);
  writeFileSync(path.join(dir, 'tsa.ext'), 'extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n');
  ssl(dir, ['x509', '-req', '-in', 'tsa.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tsa.pem', '-days', '30', '-extfile', 'tsa.ext']);
  writeFileSync(path.join(dir, 'tsaserial'), '01\n');
  writeFileSync(
    path.join(dir, 'tsa.cnf'),
    `[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = ${dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`,
  );
  writeFileSync(path.join(dir, 'other.bin'), 'not the signature');
  const tsa: TestTsa = { url: '', caFile: path.join(dir, 'ca.pem'), mode: 'good', urlFor: () => '', close: async () => undefined };
  const reply = (body: Buffer) => ({ status: 200, type: 'application/timestamp-reply', body });
  const service = await serve((url, body) => {
    const mode = (/^\/tsa\/([\w-]+)$/.exec(url)?.[1] as TsaMode | undefined) ?? tsa.mode;
    if (mode === 'http-500') return { status: 500 };
    if (mode === 'reject') return reply(Buffer.from(new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: 2 }) }).toSchema().toBER()));
    const query = path.join(dir, 'query.tsq');
    if (mode === 'other-digest') ssl(dir, ['ts', '-query', '-data', 'other.bin', '-sha256', '-cert', '-out', query]);
    else writeFileSync(query, body);
    ssl(dir, ['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', query, '-out', 'reply.tsr']);
    return reply(readFileSync(path.join(dir, 'reply.tsr')));
  });
  tsa.url = `${service.base}/tsa`;
  tsa.urlFor = (mode) => `${service.base}/tsa/${mode}`;
  tsa.close = service.close;
  return tsa;
}
