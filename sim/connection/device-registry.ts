import type { ClientConnection } from './client-connection.js';

const key = (phone: string, deviceId: number): string => `${phone}:${deviceId}`;

/** The logged-in connection of each companion device, and the devices of each account. */
export class DeviceRegistry {
  private readonly byDevice = new Map<string, ClientConnection>();
  private readonly byAccount = new Map<string, Set<ClientConnection>>();

  get(phone: string, deviceId: number): ClientConnection | undefined {
    return this.byDevice.get(key(phone, deviceId));
  }

  /** Every logged-in connection of an account. */
  ofAccount(phone: string): ClientConnection[] {
    return [...(this.byAccount.get(phone) ?? [])];
  }

  /** Registers `conn` for its device; returns the connection it replaces, if any. */
  attach(conn: ClientConnection): ClientConnection | undefined {
    const device = conn.device;
    if (!device) throw new Error('attach() needs a logged-in connection');
    const previous = this.byDevice.get(key(device.phone, device.deviceId));
    if (previous) this.detach(previous);
    this.byDevice.set(key(device.phone, device.deviceId), conn);
    let set = this.byAccount.get(device.phone);
    if (!set) this.byAccount.set(device.phone, (set = new Set()));
    set.add(conn);
    return previous;
  }

  detach(conn: ClientConnection): void {
    const device = conn.device;
    if (!device) return;
    const k = key(device.phone, device.deviceId);
    if (this.byDevice.get(k) === conn) this.byDevice.delete(k);
    const set = this.byAccount.get(device.phone);
    if (set?.delete(conn) && set.size === 0) this.byAccount.delete(device.phone);
  }
}
