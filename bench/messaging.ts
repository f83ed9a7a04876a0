import { contactPhone, startFleet, waitSettled } from './lib/fleet.js';
import { benchResult, type BenchResult } from './lib/report.js';
import { round, summary } from './lib/stats.js';
import { MessageTracker, receiveAll, sendAll, waitUntil, type Inbound, type Outbound, type SentMessage } from './lib/traffic.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
/** Messages sent on one session, and per session across all of them. */
const ONE_SESSION = Number(process.env.BENCH_MESSAGES ?? 1000);
const PER_SESSION = Number(process.env.BENCH_MESSAGES_PER_SESSION ?? 40);
/** Contacts of the one-session phase; each of the N sessions talks to its own 10. */
const CONTACTS = 100;
const CONTACTS_PER_SESSION = 10;
/** HTTP requests in flight (the client is unpaced; this only bounds its sockets). */
const CLIENT_CONCURRENCY = 32;

interface OutboundFigures {
  label: string;
  messages: number;
  acceptedPerSecond: number;
  allSentMs: number;
  allDeliveredMs: number;
  deliveredPerSecond: number;
  latency: ReturnType<typeof summary>;
}

interface InboundFigures {
  label: string;
  messages: number;
  allReceivedMs: number;
  receivedPerSecond: number;
  latency: ReturnType<typeof summary>;
}

async function outbound(label: string, api: Parameters<typeof sendAll>[0], tracker: MessageTracker, items: Outbound[]): Promise<OutboundFigures> {
  const sent: SentMessage[] = await sendAll(api, items, CLIENT_CONCURRENCY);
  const ids = sent.map((m) => m.id);
  await waitUntil(
    () => ids.every((id) => tracker.reached(id, 'delivered') !== undefined || tracker.failed([id]).length > 0),
    600_000,
    () => `${label}: delivered ${ids.filter((id) => tracker.reached(id, 'delivered')).length}/${ids.length}`,
  );
  const failed = tracker.failed(ids);
  if (failed.length) throw new Error(`${label}: ${failed.length} messages failed`);
  const t0 = Math.min(...sent.map((m) => m.postedAt));
  const lastAccepted = Math.max(...sent.map((m) => m.acceptedAt));
  const lastSent = Math.max(...ids.map((id) => tracker.reached(id, 'sent')!));
  const lastDelivered = Math.max(...ids.map((id) => tracker.reached(id, 'delivered')!));
  return {
    label,
    messages: ids.length,
    acceptedPerSecond: round(ids.length / ((lastAccepted - t0) / 1000), 0),
    allSentMs: round(lastSent - t0, 0),
    allDeliveredMs: round(lastDelivered - t0, 0),
    deliveredPerSecond: round(ids.length / ((lastDelivered - t0) / 1000), 0),
    latency: summary(sent.map((m) => tracker.reached(m.id, 'delivered')! - m.postedAt)),
  };
}

async function inbound(label: string, admin: Parameters<typeof receiveAll>[0], tracker: MessageTracker, items: Inbound[]): Promise<InboundFigures> {
  const sentAt = await receiveAll(admin, items, CLIENT_CONCURRENCY);
  await waitUntil(
    () => items.every((m) => tracker.receivedAt.has(m.text)),
    600_000,
    () => `${label}: received ${items.filter((m) => tracker.receivedAt.has(m.text)).length}/${items.length}`,
  );
  const t0 = Math.min(...sentAt);
  const last = Math.max(...items.map((m) => tracker.receivedAt.get(m.text)!));
  return {
    label,
    messages: items.length,
    allReceivedMs: round(last - t0, 0),
    receivedPerSecond: round(items.length / ((last - t0) / 1000), 0),
    latency: summary(items.map((m, i) => tracker.receivedAt.get(m.text)! - sentAt[i])),
  };
}

export async function run(): Promise<BenchResult> {
  const fleet = await startFleet();
  const out: OutboundFigures[] = [];
  const inb: InboundFigures[] = [];
  let warm: OutboundFigures;
  try {
    await fleet.growTo(SESSIONS);
    await waitSettled(fleet.gw, SESSIONS);
    const sessions = fleet.sessions;
    // session 0 talks to contacts 0…99 in the one-session phases, session i > 0 to its own 10
    const contactsOf = (si: number): string[] =>
      si === 0
        ? Array.from({ length: CONTACTS }, (_, j) => contactPhone(j))
        : Array.from({ length: CONTACTS_PER_SESSION }, (_, j) => contactPhone(CONTACTS + si * CONTACTS_PER_SESSION + j));
    const contacts = sessions.map((_, si) => contactsOf(si));
    /** `per` messages for each of sessions `from…to-1`, interleaved across sessions, each to the session's contacts round-robin. */
    const spread = (from: number, to: number, per: number, tag: string): Outbound[] =>
      Array.from({ length: per }, (_, k) =>
        sessions.slice(from, to).map((s, i) => ({ sessionId: s.id, to: contacts[from + i][k % contacts[from + i].length], text: `${tag} ${from + i} ${k}` })),
      ).flat();
    const fromContacts = (count: number, per: number, tag: string): Inbound[] =>
      spread(0, count, per, tag).map((m, n) => ({ contact: m.to, to: sessions.find((s) => s.id === m.sessionId)!.phone, text: `${m.text} ${n}` }));
    const tracker = new MessageTracker(fleet.gw.events);

    // warm-up: the first message to a contact fetches its devices and pre-key bundle (one per pair)
    warm = await outbound('first message to each contact (warm-up)', fleet.gw.api, tracker, [
      ...spread(0, 1, CONTACTS, 'warm'),
      ...spread(1, sessions.length, CONTACTS_PER_SESSION, 'warm'),
    ]);
    out.push(await outbound(`1 session, ${ONE_SESSION} messages to ${CONTACTS} contacts`, fleet.gw.api, tracker, spread(0, 1, ONE_SESSION, 'one')));
    out.push(
      await outbound(
        `${sessions.length} sessions × ${PER_SESSION} messages, ${CONTACTS_PER_SESSION} contacts each`,
        fleet.gw.api,
        tracker,
        spread(0, sessions.length, PER_SESSION, 'many'),
      ),
    );
    inb.push(await inbound(`1 session, ${ONE_SESSION} messages from ${CONTACTS} contacts`, fleet.sim.admin, tracker, fromContacts(1, ONE_SESSION, 'in-one')));
    inb.push(await inbound(`${sessions.length} sessions × ${PER_SESSION} messages`, fleet.sim.admin, tracker, fromContacts(sessions.length, PER_SESSION, 'in-many')));
    tracker.close();
  } finally {
    await fleet.close();
  }
  const outRows = [warm, ...out].map(
    (f) => `| ${f.label} | ${f.messages} | ${f.acceptedPerSecond} | ${f.allSentMs} | ${f.allDeliveredMs} | **${f.deliveredPerSecond}** | ${f.latency.p50} | ${f.latency.p95} |`,
  );
  const inRows = inb.map((f) => `| ${f.label} | ${f.messages} | ${f.allReceivedMs} | **${f.receivedPerSecond}** | ${f.latency.p50} | ${f.latency.p95} |`);
  const markdown = `
Texts through the real gateway process (embedded SQLite, \`fs\` state) and \`npm run sim\` in another process, ${SESSIONS} paired
sessions. Outbound: \`POST /v1/sessions/{id}/messages\` unpaced (${CLIENT_CONCURRENCY} requests in flight), counting \`message.status\` events on
SSE; latency is from the POST to \`delivered\` on SSE. A warm-up first sends one message to every (session, contact) pair —
the first message to a contact also fetches its devices and pre-key bundle and starts a Signal session; it is shown
separately. Inbound: the simulated contacts send through the simulator's admin API (${CLIENT_CONCURRENCY} at a time; the simulator
encrypts each as the contact's phone), counting \`message.received\` on SSE; latency is from the admin request to SSE.
Times in ms. The machine has 2 cores shared by the gateway, the simulator, this client and other work: compare the
rows as ratios.

| outbound | messages | accepted/s | all \`sent\` after | all \`delivered\` after | delivered/s | send→delivered p50 | p95 |
|---|---|---|---|---|---|---|---|
${outRows.join('\n')}

| inbound | messages | all received after | received/s | contact send→SSE p50 | p95 |
|---|---|---|---|---|---|
${inRows.join('\n')}
`;
  return benchResult({
    name: 'messaging',
    title: 'Messaging throughput (issue: messaging)',
    markdown,
    data: { sessions: SESSIONS, warmUp: warm!, outbound: out, inbound: inb },
  });
}
