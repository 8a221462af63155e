// A certificate authority of the tests' own, made with `openssl ca`: a root, and signers it
// issues with any validity dates (an expired one, one not yet valid), as PKCS #12 files that
// carry the chain, as offices receive them. Started with a service (`startCa`), it publishes
// its CRL and answers OCSP on 127.0.0.1, and its certificates name both.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCa {
  dir: string;
  /** Revoke the certificate of the .p12 file `issue` returned. */
  revoke(p12: string): void;
  close(): Promise<void>;
  /** The root certificate, PEM. */
  root: string;
  /** A signer's PKCS #12 file (password `password`) with the chain; dates as YYMMDDHHMMSSZ. */
  issue(cn: string, password: string, dates?: { start: string; end: string }, options?: { chain?: boolean }): string;
}

export const ssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** An HTTP service of the tests' own on 127.0.0.1: each request's path and body, answered by `answer`. */
export async function serve(answer: (url: string, body: Buffer) => { status: number; type?: string; body?: Buffer }): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = answer(req.url ?? '', Buffer.concat(chunks));
      res.writeHead(a.status, a.type ? { 'Content-Type': a.type } : {}).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A CA with its CRL at `/crl` and its OCSP responder at `/ocsp` on 127.0.0.1. */
export async function startCa(name = 'Test Root CA'): Promise<TestCa> {
  let dir = '';
  const service = await serve((url, body) => {
    if (url === '/crl') {
      ssl(dir, ['ca', '-gencrl', '-config', 'ca.cnf', '-out', 'crl.pem']);
      ssl(dir, ['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der']);
      return { status: 200, type: 'application/pkix-crl', body: readFileSync(path.join(dir, 'crl.der')) };
    }
    if (url === '/ocsp') {
      writeFileSync(path.join(dir, 'ocsp.req'), body);
      ssl(dir, ['ocsp', '-index', 'index.txt', '-CA', 'root.pem', '-rsigner', 'root.pem', '-rkey', 'root.key', '-reqin', 'ocsp.req', '-respout', 'ocsp.resp', '-ndays', '7']);
      return { status: 200, type: 'application/ocsp-response', body: readFileSync(path.join(dir, 'ocsp.resp')) };
    }
    return { status: 404 };
  });
  const ca = makeCa(name, { crl: `${service.base}/crl`, ocsp: `${service.base}/ocsp` });
  dir = ca.dir;
  ca.close = service.close;
  return ca;
}

export function makeCa(name = 'Test Root CA', service?: { crl: string; ocsp: string }): TestCa {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-ca-'));
  mkdirSync(path.join(dir, 'newcerts'));
  writeFileSync(path.join(dir, 'index.txt'), '');
  writeFileSync(path.join(dir, 'serial'), '1000\n');
  writeFileSync(path.join(dir, 'crlnumber'), '1000\n');
  writeFileSync(
    path.join(dir, 'ca.cnf'),
    `[ ca ]
default_ca = ca1
[ ca1 ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = $dir/root.pem
private_key = $dir/root.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = any
email_in_dn = no
unique_subject = no
utf8 = yes
string_mask = utf8only
[ any ]
commonName = supplied
organizationName = optional
countryName = optional
[ signer ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
${service ? `crlDistributionPoints = URI:${service.crl}\nauthorityInfoAccess = OCSP;URI:${service.ocsp}\n` : ''}`,
  );
  ssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '3650', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let n = 0;
  return {
    dir,
    root: path.join(dir, 'root.pem'),
    revoke(p12) {
      ssl(dir, ['ca', '-config', 'ca.cnf', '-revoke', p12.replace(/\.p12$/, '.pem')]);
    },
    close: async () => undefined,
    issue(cn, password, dates, options = {}) {
      const id = `s${++n}`;
      ssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${id}.key`, '-out', `${id}.csr`, '-utf8', '-subj', `/C=CN/O=某某市人民政府/CN=${cn}`]);
      ssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-extensions', 'signer', '-in', `${id}.csr`, '-out', `${id}.pem`, '-notext', ...(dates ? ['-startdate', dates.start, '-enddate', dates.end] : [])]);
      const p12 = path.join(dir, `${id}.p12`);
      ssl(dir, ['pkcs12', '-export', '-inkey', `${id}.key`, '-in', `${id}.pem`, ...(options.chain === false ? [] : ['-certfile', 'root.pem']), '-out', p12, '-passout', `pass:${password}`]);
      return p12;
    },
  };
}
