import type { BinaryNode } from '../binary/node-codec.js';
import type { ClientConnection } from '../connection/client-connection.js';
import type { SimContext } from '../context.js';

export type StanzaHandler = (ctx: SimContext, conn: ClientConnection, node: BinaryNode) => void | Promise<void>;
