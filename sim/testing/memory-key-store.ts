import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from 'baileys';

/** Baileys' Signal key store kept in a plain object (what a test needs; no persistence). */
export function memoryKeyStore(): SignalKeyStore {
  const data = new Map<string, Map<string, unknown>>();
  return {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const bucket = data.get(type);
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = bucket?.get(id);
        if (value !== undefined) found[id] = value as SignalDataTypeMap[T];
      }
      return found;
    },
    set(update: SignalDataSet) {
      for (const [type, values] of Object.entries(update)) {
        let bucket = data.get(type);
        if (!bucket) data.set(type, (bucket = new Map()));
        for (const [id, value] of Object.entries(values ?? {})) {
          if (value === null || value === undefined) bucket.delete(id);
          else bucket.set(id, value);
        }
      }
    },
  };
}
