import net from 'node:net';

/** Where to look for a container runtime, and how long to wait for it. */
export interface ContainerRuntimeProbe {
  /** Environment to read `DOCKER_HOST` from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Socket tried when `DOCKER_HOST` is unset; defaults to `/var/run/docker.sock`. */
  socketPath?: string;
  /** Gives up after this many milliseconds; defaults to 300. */
  timeoutMs?: number;
}

/**
 * Tells within milliseconds whether a Docker-compatible runtime answers `GET /_ping` at
 * `DOCKER_HOST` (unix:// or tcp://) or at the default socket, so that Testcontainers (slow to
 * import, slower to time out) is only loaded when it can work.
 */
export async function containerRuntimeAnswers(probe: ContainerRuntimeProbe = {}): Promise<boolean> {
  const env = probe.env ?? process.env;
  const timeoutMs = probe.timeoutMs ?? 300;
  const needsTls = Boolean(env.DOCKER_TLS_VERIFY);
  const target = dockerEndpoint(env.DOCKER_HOST, probe.socketPath ?? '/var/run/docker.sock', needsTls);
  if (!target) return false;
  return new Promise<boolean>((resolve) => {
    const socket = net.connect(target);
    let response = '';
    const finish = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('error', () => finish(false));
    socket.once('connect', () => {
      // A TLS endpoint cannot be pinged without its client certificates; a TCP connect is answer enough.
      if (needsTls && 'port' in target) return finish(true);
      socket.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n');
    });
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString('latin1');
      if (response.includes('\r\n')) finish(/^HTTP\/1\.[01] 200\b/.test(response));
    });
    socket.once('end', () => finish(/^HTTP\/1\.[01] 200\b/.test(response)));
  });
}

function dockerEndpoint(dockerHost: string | undefined, defaultSocket: string, tls: boolean): net.NetConnectOpts | undefined {
  if (!dockerHost) return { path: defaultSocket };
  if (dockerHost.startsWith('unix://')) return { path: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || (tls ? 2376 : 2375)) };
  }
  // npipe:// and ssh:// cannot be probed cheaply here; let the other options run.
  return undefined;
}
