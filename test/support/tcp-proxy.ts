// A TCP proxy for fault tests: forwards 127.0.0.1:<port> to a target and, per connection, can
// reset it, stall it, or cut it after a number of bytes sent towards the target. Faults are
// drawn from a seeded generator, so a run is repeatable given the same connection order. It
// can also go down (connections refused) and come back on the same port.
import net from 'node:net';

export type ProxyFault =
  /** RST to both sides after `afterBytes` */
  | { kind: 'reset'; afterBytes: number }
  /** FIN to both sides after `afterBytes`: the connection ends mid-transfer */
  | { kind: 'cut'; afterBytes: number }
  /** stop forwarding after `afterBytes` for `ms` (Infinity: until releaseStalls()) */
  | { kind: 'stall'; afterBytes: number; ms: number };

/** Picks the fault of the `index`th connection (0-based), or none. */
export type FaultPlan = (random: () => number, index: number) => ProxyFault | null;

export interface TcpProxy {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** host:port connections are forwarded to; connections made while unset are dropped */
  target: string | null;
  plan: FaultPlan | null;
  readonly stats: { connections: number; reset: number; cut: number; stalled: number };
  /** Ends stalls without a time limit. */
  releaseStalls(): void;
  /** Stops listening and drops every connection: clients are refused until up(). */
  down(): Promise<void>;
  /** Listens again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** A small seeded generator (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startTcpProxy(
  options: { target?: string; seed?: number; plan?: FaultPlan } = {},
): Promise<TcpProxy> {
  const random = seededRandom(options.seed ?? 1);
  const sockets = new Set<net.Socket>();
  const releases = new Set<() => void>();
  let server: net.Server;
  let port = 0;

  const proxy: TcpProxy = {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    target: options.target ?? null,
    plan: options.plan ?? null,
    stats: { connections: 0, reset: 0, cut: 0, stalled: 0 },
    releaseStalls() {
      for (const release of [...releases]) release();
    },
    async down() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        proxy.releaseStalls();
      });
    },
    async up() {
      server = createServer();
      await listen(server, port);
    },
    close: () => proxy.down(),
  };

  function createServer(): net.Server {
    return net.createServer((client) => {
      const index = proxy.stats.connections++;
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => client.destroy());
      if (!proxy.target) {
        client.destroy();
        return;
      }
      const [host, targetPort] = splitHostPort(proxy.target);
      const upstream = net.connect(targetPort, host);
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.pipe(client);
      forward(client, upstream, proxy.plan?.(random, index) ?? null);
    });
  }

  function forward(client: net.Socket, upstream: net.Socket, fault: ProxyFault | null): void {
    let sent = 0;
    let held: Buffer[] | null = null;
    const send = (chunk: Buffer) => {
      if (held) {
        held.push(chunk);
        return;
      }
      sent += chunk.length;
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => {
          if (!held) client.resume();
        });
      }
    };
    client.on('data', (chunk: Buffer) => {
      if (!fault || held || sent + chunk.length < fault.afterBytes) {
        send(chunk);
        return;
      }
      const cut = Math.max(0, fault.afterBytes - sent);
      send(chunk.subarray(0, cut));
      const rest = chunk.subarray(cut);
      const kind = fault.kind;
      if (kind === 'reset') {
        proxy.stats.reset++;
        fault = null;
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      } else if (kind === 'cut') {
        proxy.stats.cut++;
        fault = null;
        upstream.end();
        client.end();
        client.destroy();
      } else {
        proxy.stats.stalled++;
        const ms = fault.ms;
        fault = null;
        held = [rest];
        client.pause();
        const release = () => {
          releases.delete(release);
          clearTimeout(timer);
          const pending = held ?? [];
          held = null;
          for (const c of pending) send(c);
          if (!client.destroyed) client.resume();
        };
        const timer = Number.isFinite(ms) ? setTimeout(release, ms) : undefined;
        releases.add(release);
        client.once('close', () => {
          releases.delete(release);
          clearTimeout(timer);
        });
      }
    });
    client.on('end', () => upstream.end());
  }

  server = createServer();
  port = await listen(server, 0);
  return proxy;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function splitHostPort(hostPort: string): [string, number] {
  const url = new URL(hostPort.includes('://') ? hostPort : `tcp://${hostPort}`);
  return [url.hostname, Number(url.port)];
}
