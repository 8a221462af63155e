// A certificate authority of the tests' own, made with `openssl ca`: a root, and signers it
// issues with any validity dates (an expired one, one not yet valid), as PKCS #12 files that
// carry the chain, as offices receive them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCa {
  dir: string;
  /** The root certificate, PEM. */
  root: string;
  /** A signer's PKCS #12 file (password `password`) with the chain; dates as YYMMDDHHMMSSZ. */
  issue(cn: string, password: string, dates?: { start: string; end: string }, options?: { chain?: boolean }): string;
}

const ssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

export function makeCa(name = 'Test Root CA'): TestCa {
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
`,
  );
  ssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-days', '3650', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  let n = 0;
  return {
    dir,
    root: path.join(dir, 'root.pem'),
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
