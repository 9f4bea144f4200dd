import { createServer } from 'node:net';

/**
 * Ask the kernel for a currently unused TCP port on 127.0.0.1.
 *
 * There is an unavoidable race between closing this probe and the caller
 * binding the port; callers that spawn servers should retry on EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error(`freePort: unexpected server address ${String(addr)}`));
        return;
      }
      const { port } = addr;
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
