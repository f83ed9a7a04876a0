import type { SimContext } from '../context.js';

export interface AdminRequest {
  ctx: SimContext;
  /** path parameters, e.g. `phone` for `/admin/accounts/:phone/logout` */
  params: Record<string, string>;
  /** the parsed JSON body (`{}` when empty); only read for POST */
  body: unknown;
}

export interface AdminResponse {
  status?: number;
  body: unknown;
}

export interface AdminRoute {
  method: 'GET' | 'POST';
  /** e.g. `/admin/contacts/:phone/send` */
  path: string;
  handle(request: AdminRequest): AdminResponse | Promise<AdminResponse>;
}
