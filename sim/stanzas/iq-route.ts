import type { BinaryNode } from '../binary/node-codec.js';
import type { ClientConnection, DeviceAddress } from '../connection/client-connection.js';
import type { SimContext } from '../context.js';

export interface IqRequest {
  ctx: SimContext;
  conn: ClientConnection;
  iq: BinaryNode;
  /** the logged-in device; set for every route with `needsDevice` */
  device: DeviceAddress;
}

/** One row of the iq table: `xmlns`, `type` and first child tag (`*` = any) → handler. */
export interface IqRoute {
  xmlns: string;
  type: string;
  child: string;
  /** false for the few iqs a companion may send before it is linked */
  needsDevice: boolean;
  /** returns the children of the `<iq type="result">`, or throws IqError */
  handle(request: IqRequest): BinaryNode[] | void | Promise<BinaryNode[] | void>;
}
