// One exchange with a TSA, an OCSP responder or a CRL server, bounded: a deadline over the whole
// of it (connecting, redirects, every byte of the answer), checked while reading, and a size
// cap checked against Content-Length before reading and against the running count while
// reading. A server that answers gigabytes, or sends its headers and then a byte a second,
// is cut off with a message, never followed for minutes or into the machine's memory.

/** Seconds one exchange may take, redirects and all; TONGBAO_NETWORK_TIMEOUT sets it. */
export function networkTimeoutMs(): number {
  const s = Number(process.env['TONGBAO_NETWORK_TIMEOUT']);
  return s > 0 ? s * 1000 : 30_000;
}

/** Redirects followed (301, 302, 303, 307, 308), to http and https addresses only. */
export const MAX_REDIRECTS = 3;

type Fault =
  | { kind: 'unreachable'; cause: string }
  | { kind: 'cut'; cause: string }
  | { kind: 'http'; status: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'too-large'; limit: number; declared?: number }
  | { kind: 'redirect'; location: string; why: string };

/** What went wrong with an exchange; `say` words it after the server's name. */
export class NetworkError extends Error {
  constructor(readonly fault: Fault) {
    super(fault.kind);
  }

  /** The fault in words, `server` being e.g. "时间戳服务器 http://…" or the bare address. */
  say(server: string): string {
    const f = this.fault;
    const size = (n: number) => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.round(n / 1024)} KB`);
    switch (f.kind) {
      case 'unreachable':
        return `连不上${server}（${f.cause}）`;
      case 'cut':
        return `${server} 的回答中途断开（${f.cause}）`;
      case 'http':
        return `${server} 回答 HTTP ${f.status}`;
      case 'timeout':
        return `${server} 在 ${f.ms / 1000} 秒内没有答完，已中断`;
      case 'too-large':
        return `${server} 的回答${f.declared !== undefined ? `有 ${size(f.declared)}，` : ''}超过 ${size(f.limit)} 的上限，已停止接收`;
      case 'redirect':
        return `${server} 转向 ${f.location}，${f.why}`;
    }
  }
}

/** Node's network error codes, in words (the code kept for whoever looks it up). */
const CAUSES: Record<string, string> = {
  ECONNREFUSED: '连接被拒绝',
  ECONNRESET: '连接被对方重置',
  ENOTFOUND: '找不到这个主机名',
  EAI_AGAIN: '暂时无法解析主机名',
  ETIMEDOUT: '连接超时',
  EHOSTUNREACH: '无法到达主机',
  ENETUNREACH: '网络不可达',
  UND_ERR_SOCKET: '连接被对方关闭',
  UND_ERR_CONNECT_TIMEOUT: '连接超时',
  CERT_HAS_EXPIRED: '服务器的 HTTPS 证书已过期',
  DEPTH_ZERO_SELF_SIGNED_CERT: '服务器的 HTTPS 证书是自签名的',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: '无法核验服务器的 HTTPS 证书',
  ERR_TLS_CERT_ALTNAME_INVALID: '服务器的 HTTPS 证书不是这个主机名的',
};

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string } } | undefined)?.cause;
  const code = cause?.code ?? (e as { code?: string } | undefined)?.code;
  if (code) return CAUSES[code] ? `${CAUSES[code]}，${code}` : code;
  return '网络错误';
}

/**
 * The body of `url`'s answer to a GET, or to a POST of `body` as `contentType`; at most
 * `maxBytes`, all within the deadline. A NetworkError says what failed; `signal` (an
 * interrupted build) ends it at once.
 */
export async function exchange(url: string, request: { body?: Buffer; contentType?: string }, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  const ms = networkTimeoutMs();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new NetworkError({ kind: 'timeout', ms })), ms);
  const abort = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  // A fault found by reading (too large) ends the exchange too.
  const stop = (fault: NetworkError): never => {
    deadline.abort(fault);
    throw fault;
  };
  try {
    let at = url;
    for (let hops = 0; ; hops++) {
      let response: Response;
      try {
        response = await fetch(at, {
          method: request.body ? 'POST' : 'GET',
          ...(request.contentType && { headers: { 'Content-Type': request.contentType } }),
          // A fresh copy each time: fetch detaches what it sends, and a redirect sends it again.
          ...(request.body && { body: new Uint8Array(request.body) }),
          redirect: 'manual',
          signal: abort,
        });
      } catch (e) {
        if (deadline.signal.aborted && !signal?.aborted) throw deadline.signal.reason;
        throw new NetworkError({ kind: 'unreachable', cause: signal?.aborted ? '已中断' : causeOf(e) });
      }
      if ([301, 302, 303, 307, 308].includes(response.status)) {
        await response.body?.cancel().catch(() => undefined);
        const location = response.headers.get('location');
        if (!location) throw new NetworkError({ kind: 'http', status: response.status });
        let next: URL;
        try {
          next = new URL(location, at);
        } catch {
          throw new NetworkError({ kind: 'redirect', location, why: '这不是一个网址' });
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new NetworkError({ kind: 'redirect', location: next.href, why: '只跟随转向 http 和 https 地址' });
        if (hops >= MAX_REDIRECTS) throw new NetworkError({ kind: 'redirect', location: next.href, why: `已转向 ${MAX_REDIRECTS} 次，不再跟随` });
        at = next.href;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new NetworkError({ kind: 'http', status: response.status });
      }
      const declared = Number(response.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) stop(new NetworkError({ kind: 'too-large', limit: maxBytes, declared }));
      const chunks: Uint8Array[] = [];
      let total = 0;
      if (response.body) {
        const reader = response.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            total += value.byteLength;
            if (total > maxBytes) stop(new NetworkError({ kind: 'too-large', limit: maxBytes }));
            chunks.push(value);
          }
        } catch (e) {
          if (e instanceof NetworkError) throw e;
          if (deadline.signal.aborted && !signal?.aborted) throw deadline.signal.reason;
          throw new NetworkError({ kind: 'cut', cause: signal?.aborted ? '已中断' : causeOf(e) });
        }
      }
      return Buffer.concat(chunks);
    }
  } finally {
    clearTimeout(timer);
  }
}
