import type { BinaryNode } from '../../binary/node-codec.js';
import { child, children } from '../../binary/node-content.js';
import type { IqRoute } from '../iq-route.js';

/**
 * `<iq xmlns="w:sync:app:state"><sync><collection name version/>…</sync></iq>`: the simulator keeps no
 * app state, so every collection is answered as up to date (no snapshot, no patches). An answer without
 * the collections would make Baileys ask again forever.
 */
export const appStateIq: IqRoute = {
  xmlns: 'w:sync:app:state',
  type: 'set',
  child: 'sync',
  needsDevice: true,
  handle: ({ iq }) => [
    {
      tag: 'sync',
      attrs: {},
      content: children(child(iq, 'sync'), 'collection').map(
        (c): BinaryNode => ({ tag: 'collection', attrs: { name: c.attrs.name ?? '', version: c.attrs.version ?? '0' } }),
      ),
    },
  ],
};
