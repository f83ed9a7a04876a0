import type { AdminRoute } from '../admin-route.js';

export const worldRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/admin/root-key',
    handle: ({ ctx }) => ({ body: { publicKey: ctx.rootPublicKey.toString('hex') } }),
  },
  {
    method: 'GET',
    path: '/admin/stats',
    handle: ({ ctx }) => ({ body: ctx.stats.snapshot() }),
  },
  {
    method: 'GET',
    path: '/admin/health',
    handle: () => {
      const { rss, heapUsed, external } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      return {
        body: { status: 'ok', uptimeSeconds: Math.round(process.uptime()), cpuSeconds: (user + system) / 1e6, memory: { rss, heapUsed, external } },
      };
    },
  },
];
