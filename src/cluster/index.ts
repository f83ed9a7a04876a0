export { localNodeDirectory } from './local-node.js';
export type { NodeDirectory, NodeView } from './node-directory.js';
