import { describe, expect, it } from 'vitest';
import { describePrivateAddress } from './private-address.js';

describe('describePrivateAddress', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.1.2', /loopback/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['169.254.169.254', /link-local/],
    ['0.0.0.0', /this network/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved or broadcast/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fd12:3456::1', /unique-local/],
    ['fc00::1', /unique-local/],
    ['fe80::1%eth0', /link-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /loopback, as IPv4-mapped/],
    ['::ffff:7f00:1', /loopback, as IPv4-mapped/],
    ['::ffff:a9fe:a9fe', /link-local.*, as IPv4-mapped/],
    ['::ffff:10.0.0.1', /private.*, as IPv4-mapped/],
    ['64:ff9b::127.0.0.1', /loopback, as NAT64/],
    ['2002:7f00:1::', /loopback, as 6to4/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['[::1]', /loopback/],
    ['example.com', /not an IP address/],
  ])('%s is not public', (ip, why) => {
    expect(describePrivateAddress(ip)).toMatch(why);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '169.253.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    '%s is public',
    (ip) => {
      expect(describePrivateAddress(ip)).toBeNull();
    },
  );
});
