import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { ApiClient } from '../support/api-client.js';
import { openSse } from '../support/sse.js';
import { tempDir } from '../support/temp-dir.js';
import { CHROMIUM, dashboardFor, desktopContext, ensureDashboardBuilt, launchChromium, screenshot } from './support/dashboard.js';

const KEY = 'dashboard-test-key-0123456789';
const ACCOUNT = '6281200000001'; // the simulated phone that links our device
const SECOND = '6281200000002'; // the simulated phone that links with a pairing code
const CONTACT = '15550001111'; // a simulated contact who writes to it
const STORAGE_KEY = 'kirim.apiKey';

// Locally without Chromium these tests are skipped with a warning; in CI (CI=true) they must run.
const noBrowser = !fs.existsSync(CHROMIUM) && process.env.CI !== 'true';
if (noBrowser) console.warn(`skipping the dashboard browser tests: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

describe.skipIf(noBrowser)('dashboard (Chromium against real gateways)', () => {
  let browser: Browser;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });

  /**
   * The whole user journey against one sandbox gateway, one step per test: they share the gateway,
   * the page and what earlier steps did (the devices linked in the first steps are used later).
   */
  describe('the user journey on a sandbox gateway', () => {
    let dir: ReturnType<typeof tempDir>;
    let gw: GatewayProcess;
    let context: BrowserContext;
    let page: Page;
    let api: ApiClient;
    let hooks: HookReceiver;
    let failingHooks: HookReceiver;
    let sessionId: string;

    beforeAll(async () => {
      dir = tempDir('kirim-web-');
      gw = await startGatewayProcess({
        KIRIM_SANDBOX: '1',
        KIRIM_SANDBOX_PORT: '0',
        KIRIM_DATA_DIR: dir.dir,
        KIRIM_API_KEY: KEY,
        KIRIM_ALLOW_PRIVATE_URLS: '1',
      });
      api = new ApiClient(gw.url, KEY);
      await dashboardFor(gw.url);
      hooks = await startHookReceiver(200);
      failingHooks = await startHookReceiver(500);
      context = await desktopContext(browser);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.url });
      page = await context.newPage();
    }, 90_000);

    // A step that failed half-way may leave a dialog open: close it so the next step stands alone.
    beforeEach(async () => {
      if (page && (await page.locator('dialog[open]').count()) > 0) await page.keyboard.press('Escape');
    });

    afterAll(async () => {
      await context?.close();
      hooks?.server.close();
      failingHooks?.server.close();
      await gw?.stop('SIGTERM');
      dir?.cleanup();
    });

    it('refuses a wrong API key in words, signs in with the right one, and keeps it in this tab only', async () => {
      await page.goto(gw.url);
      await page.getByLabel('API key').fill('not-the-key-at-all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That API key was not accepted.').waitFor();

      await page.getByLabel('API key').fill(KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Devices', exact: true }).waitFor();
      await page.getByText('No devices yet').waitFor();
      expect(new URL(page.url()).pathname).toBe('/devices');

      // Session storage, not local storage: it survives a reload of this tab and nothing else.
      expect(await page.evaluate(`sessionStorage.getItem(${JSON.stringify(STORAGE_KEY)})`)).toBe(KEY);
      expect(await page.evaluate(`Object.keys(localStorage).length`)).toBe(0);
      expect(await page.evaluate(`document.cookie`)).toBe('');
      await page.reload();
      await page.getByRole('heading', { name: 'Devices', exact: true }).waitFor();
      expect(await page.getByLabel('API key').count()).toBe(0);
      const otherTab = await context.newPage();
      try {
        await otherTab.goto(gw.url);
        await otherTab.getByRole('heading', { name: 'Sign in' }).waitFor();
      } finally {
        await otherTab.close();
      }
    });

    it('adds a device: a live QR, scanned by a simulated phone, says connected', async () => {
      await page.getByRole('button', { name: 'Add device' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add device' });
      await dialog.getByLabel('Name').fill('Sales line');
      await dialog.getByRole('button', { name: 'Continue' }).click();

      const qr = page.getByRole('img', { name: 'QR code to scan with WhatsApp' });
      await qr.waitFor();
      const list = await api.get('/v1/sessions');
      sessionId = list.body.sessions[0].id;
      expect(await qr.getAttribute('data-qr')).toBe((await api.get(`/v1/sessions/${sessionId}/qr`)).body.qr);
      await screenshot(page, 'devices-qr');

      await page.getByLabel(/Simulated phone number/).fill(ACCOUNT);
      await page.getByRole('button', { name: 'Scan with a simulated phone' }).click();
      await page.getByRole('heading', { name: 'Connected' }).waitFor();
      await page.getByText(`linked as +${ACCOUNT}`).waitFor();
      await page.getByRole('button', { name: 'Done' }).click();

      const row = page.getByRole('listitem', { name: 'Sales line' });
      await row.getByText('Connected').waitFor();
      await row.getByText(`+${ACCOUNT}`).waitFor();
      await page.getByRole('status').filter({ hasText: 'Scanned by simulated phone' }).waitFor({ state: 'detached' });
    });

    it('links a second number with a pairing code, shown big as ABCD-1234', async () => {
      await page.getByRole('button', { name: 'Add device' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add device' });
      await dialog.getByLabel('Name').fill('Support');
      await dialog.getByRole('radio', { name: /Use a pairing code/ }).check();
      await dialog.getByLabel('Phone number').fill(`+${SECOND}`);
      await dialog.getByRole('button', { name: 'Continue' }).click();

      const code = page.getByTestId('pairing-code');
      await code.waitFor();
      expect(await code.textContent()).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      await screenshot(page, 'devices-pairing-code');
      await page.getByRole('button', { name: `Enter the code on simulated phone +${SECOND}` }).click();
      await page.getByRole('heading', { name: 'Connected' }).waitFor();
      await page.getByRole('button', { name: 'Done' }).click();

      await page.getByRole('listitem', { name: 'Support' }).getByText('Connected').waitFor();
      await page.getByRole('status').filter({ hasText: 'entered the code' }).waitFor({ state: 'detached' });
      await screenshot(page, 'devices');
    });

    it('shows an inbound message live, marks it read on open, and sends a reply the contact receives', async () => {
      await page.getByRole('link', { name: 'Inbox' }).first().click();
      await page.getByLabel('Device').selectOption({ label: `Sales line · +${ACCOUNT}` });
      await page.getByText('No conversations yet').waitFor();

      // A simulated contact writes while the inbox is open: it appears without a reload.
      const sent = await api.post(`/v1/sandbox/admin/contacts/${CONTACT}/send`, { to: ACCOUNT, text: 'Hi! Is the blue one still available?' });
      expect(sent.status).toBe(200);
      const chatRow = page.getByRole('link', { name: /Is the blue one still available/ });
      await chatRow.waitFor();
      await chatRow.getByLabel('1 unread').waitFor();

      await chatRow.click();
      await page.getByRole('list', { name: /Messages with/ }).getByText('Hi! Is the blue one still available?').waitFor();
      await expect.poll(async () => (await api.get(`/v1/sessions/${sessionId}/chats`)).body.chats[0].unread, { timeout: 10_000 }).toBe(0);
      await chatRow.getByLabel('1 unread').waitFor({ state: 'detached' });

      await recordTicks(page);
      const box = page.getByLabel('Message', { exact: true });
      await box.fill('Yes, it is!');
      await box.press('Shift+Enter');
      await box.pressSequentially('Want me to hold it for you?');
      await box.press('Enter');
      const reply = 'Yes, it is!\nWant me to hold it for you?';
      const bubble = page.locator('[data-direction="out"]').filter({ hasText: 'Want me to hold it' });
      await bubble.waitFor();
      await expect.poll(async () => (await box.inputValue()) === '').toBe(true);

      await expect
        .poll(async () => ((await api.get(`/v1/sandbox/admin/contacts/${CONTACT}/inbox`)).body.messages as Array<{ text: string }>).map((m) => m.text), {
          timeout: 15_000,
        })
        .toContain(reply);

      // Delivered (✓✓) while the contact has not read it; it turns into a blue ✓✓ when they do, without a reload.
      await bubble.getByRole('img', { name: 'Delivered' }).waitFor();
      const inbox = (await api.get(`/v1/sandbox/admin/contacts/${CONTACT}/inbox`)).body.messages as Array<{ id: string; text: string }>;
      const read = await api.post(`/v1/sandbox/admin/contacts/${CONTACT}/read`, { messageIds: inbox.filter((m) => m.text === reply).map((m) => m.id) });
      expect(read.status).toBe(200);
      await bubble.getByRole('img', { name: 'Read' }).waitFor();
      expectForwardOnly(await ticksOf(page, reply), ['Delivered', 'Read']);

      // A second inbound message in the open chat appears live too.
      await api.post(`/v1/sandbox/admin/contacts/${CONTACT}/send`, { to: ACCOUNT, text: 'Yes please, I will come by at 5.' });
      const thread = page.getByRole('list', { name: /Messages with/ });
      await thread.getByText('Yes please, I will come by at 5.').waitFor();
      await thread.getByRole('listitem').last().getByText('Yes please, I will come by at 5.').waitFor();
      await screenshot(page, 'inbox');
    });

    it('shows a message that reached WhatsApp but no phone yet as Sent (one ✓)', async () => {
      // A note to the account's own number: the simulator acks it (sent) and, as no other phone
      // receives it, no delivery receipt ever comes — it stays at one ✓.
      await page.getByRole('button', { name: 'New chat' }).click();
      const dialog = page.getByRole('dialog', { name: 'New chat' });
      await dialog.getByLabel('Phone number').fill(ACCOUNT);
      await dialog.getByRole('button', { name: 'Open chat' }).click();
      await page.getByText('No messages yet. Say hello below.').waitFor();
      const box = page.getByLabel('Message', { exact: true });
      await box.fill('Note to self: restock the blue one');
      await box.press('Enter');
      const bubble = page.locator('[data-direction="out"]').filter({ hasText: 'restock the blue one' });
      await bubble.getByRole('img', { name: 'Sent' }).waitFor();
      const id = await bubble.getAttribute('data-message-id');
      expect((await api.get(`/v1/sessions/${sessionId}/messages/${id}`)).body.status).toBe('sent');
      expectForwardOnly(await ticksOf(page, 'Note to self: restock the blue one'), ['Sent']);
    });

    it('adds a webhook (the secret is shown once and copies), redelivers, shows each webhook’s health, and removes them', async () => {
      await page.getByRole('link', { name: 'Webhooks' }).first().click();
      await page.getByText('No webhooks yet').waitFor();
      await page.getByRole('button', { name: 'Add webhook' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Add webhook' });
      await dialog.getByLabel('URL').fill(hooks.url);
      await dialog.getByLabel('Description').fill('Order bot');
      await dialog.getByRole('checkbox', { name: /session\.qr/ }).uncheck();
      await dialog.getByRole('button', { name: 'Add webhook' }).click();

      const secretDialog = page.getByRole('dialog', { name: /copy its signing secret/ });
      await secretDialog.getByText('shown only once').waitFor();
      const secret = (await secretDialog.getByTestId('webhook-secret').textContent())?.trim() ?? '';
      expect(secret).toMatch(/^whsec_/);
      await secretDialog.getByRole('button', { name: 'Copy' }).click();
      await secretDialog.getByRole('button', { name: 'Copied' }).waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
      await screenshot(page, 'webhook-secret');
      await secretDialog.getByRole('button', { name: /saved the secret/ }).click();

      const row = page.getByRole('listitem', { name: hooks.url });
      await row.waitFor();
      await row.getByText('message.received').waitFor();
      await row.getByText('No deliveries yet').waitFor();
      expect(await page.content()).not.toContain(secret);
      const webhookId = ((await api.get('/v1/webhooks')).body.webhooks as Array<{ id: string; url: string }>).find((w) => w.url === hooks.url)!.id;

      // An event reaches the endpoint and shows up as a delivery.
      await api.post(`/v1/sandbox/admin/contacts/${CONTACT}/send`, { to: ACCOUNT, text: 'Ping for the webhook' });
      await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBeGreaterThan(0);
      await row.getByRole('link', { name: 'Deliveries' }).click();
      await page.getByRole('heading', { name: 'Deliveries', exact: true }).waitFor();
      await page.getByRole('cell', { name: /message\.received/ }).first().waitFor();
      await page.getByText('delivered', { exact: true }).first().waitFor();
      const deliveries = (await api.get(`/v1/webhooks/${webhookId}/deliveries`)).body.deliveries as Array<{ eventId: string; eventType: string; status: string }>;
      const ping = deliveries.find((d) => d.eventType === 'message.received' && d.status === 'delivered')!;
      expect(hooks.hits(ping.eventId)).toBe(1);
      await screenshot(page, 'webhook-deliveries');

      // Redeliver: the receiver gets the same event (same webhook-id) a second time.
      await page.getByRole('button', { name: `Redeliver message.received ${ping.eventId}` }).click();
      await page.getByRole('status').filter({ hasText: 'Queued for redelivery' }).waitFor();
      await expect.poll(() => hooks.hits(ping.eventId), { timeout: 15_000 }).toBe(2);

      // A second webhook whose endpoint answers 500: the list tells the healthy one from the failing one.
      const failing = await api.post('/v1/webhooks', { url: failingHooks.url, events: ['message.received'], description: 'Broken CRM' });
      expect(failing.status).toBe(201);
      await api.post(`/v1/sandbox/admin/contacts/${CONTACT}/send`, { to: ACCOUNT, text: 'Ping for the broken one' });
      await expect.poll(() => failingHooks.received.length, { timeout: 15_000 }).toBeGreaterThan(0);
      await page.goto(`${gw.url}/webhooks`);
      const failingRow = page.getByRole('listitem', { name: failingHooks.url });
      await failingRow.getByText(/Last delivery failed \(HTTP 500\) .* · 1 failed of the last 1$/).waitFor();
      expect(await failingRow.getByTestId('webhook-health').getAttribute('data-state')).toBe('failing');
      await row.getByText(/Last delivery OK /).waitFor();
      expect(await row.getByTestId('webhook-health').getAttribute('data-state')).toBe('ok');
      await screenshot(page, 'webhooks');

      for (const url of [hooks.url, failingHooks.url]) {
        await page.getByRole('listitem', { name: url }).getByRole('button', { name: /Remove webhook/ }).click();
        await page.getByRole('dialog', { name: 'Remove this webhook?' }).getByRole('button', { name: 'Remove webhook' }).click();
        await page.getByRole('listitem', { name: url }).waitFor({ state: 'detached' });
      }
      await page.getByText('No webhooks yet').waitFor();
      expect((await api.get('/v1/webhooks')).body.webhooks).toEqual([]);
      await page.getByRole('status').filter({ hasText: 'Webhook removed' }).first().waitFor({ state: 'detached' });
    });

    it('shows the cluster, and on a single node offers no drain, saying why', async () => {
      await page.getByRole('link', { name: 'Cluster' }).first().click();
      const meter = page.getByRole('meter');
      await meter.waitFor();
      expect(await meter.getAttribute('aria-valuenow')).toBe('2');
      const drain = page.getByRole('button', { name: /^Drain node/ });
      expect(await drain.isDisabled()).toBe(true);
      const why = page.getByText('The only node: its devices have nowhere to move to.');
      await why.waitFor();
      expect(await drain.getAttribute('aria-describedby')).toBe(await why.getAttribute('id'));
      expect((await api.get('/v1/nodes')).body.nodes.map((n: { status: string }) => n.status)).toEqual(['active']);
      await screenshot(page, 'cluster');
    });

    it('sandbox panel: explains its numbers, sends as a contact and shows what a contact received', async () => {
      await page.getByRole('link', { name: 'Sandbox' }).first().click();
      await page.getByRole('heading', { name: 'Send a message as a contact' }).waitFor();
      const stats = page.getByRole('region', { name: 'Simulator stats' });
      await stats.getByText('Times a device logged in over the encrypted WhatsApp protocol.').waitFor();
      await stats.getByText('Times one device was connected twice at once; should stay 0.').waitFor();

      await page.getByLabel('Message', { exact: true }).fill('Sent from the sandbox panel');
      await page.getByRole('button', { name: 'Send as contact' }).click();
      await expect
        .poll(async () => ((await api.get(`/v1/sessions/${sessionId}/messages?limit=5`)).body.messages as Array<{ text: string }>).map((m) => m.text), {
          timeout: 15_000,
        })
        .toContain('Sent from the sandbox panel');

      await page.getByRole('button', { name: 'Show inbox' }).click();
      await page.getByRole('list', { name: `Inbox of +${CONTACT}` }).getByText('Want me to hold it for you?').waitFor();
      await page.getByRole('listitem').filter({ hasText: `+${ACCOUNT}` }).first().waitFor();
      await page.getByRole('status').filter({ hasText: 'Sent as' }).waitFor({ state: 'detached' });
      await screenshot(page, 'sandbox');
    });

    it('manages a device: its node, rename, stop and start without a QR, a logout by the phone, link again, log out, delete', async () => {
      const support = ((await api.get('/v1/sessions')).body.sessions as Array<{ id: string; name: string; node: string }>).find((s) => s.name === 'Support')!;
      const nodeId = (await api.get('/v1/nodes')).body.nodes[0].id as string;
      expect(support.node).toBe(nodeId);
      await page.getByRole('link', { name: 'Devices' }).first().click();
      await page.getByRole('listitem', { name: 'Support' }).getByText(nodeId, { exact: true }).waitFor();

      // Rename.
      await page.getByRole('button', { name: 'Rename Support', exact: true }).click();
      const rename = page.getByRole('dialog', { name: 'Rename device' });
      await rename.getByLabel('Name').fill('Support desk');
      await rename.getByRole('button', { name: 'Save' }).click();
      const row = page.getByRole('listitem', { name: 'Support desk' });
      await row.getByText('Support desk', { exact: true }).waitFor();
      expect((await api.get(`/v1/sessions/${support.id}`)).body.name).toBe('Support desk');

      // Stop, then start: connected again from its stored state, with no new QR code.
      const events = openSse(`${gw.url}/v1/events?session=${support.id}`, { authorization: `Bearer ${KEY}` });
      try {
        await events.ready;
        await row.getByRole('button', { name: 'Stop Support desk' }).click();
        await page.getByRole('dialog', { name: 'Stop Support desk?' }).getByRole('button', { name: 'Stop', exact: true }).click();
        await row.getByText('Stopped', { exact: true }).waitFor();
        expect((await api.get(`/v1/sessions/${support.id}`)).body.status).toBe('stopped');
        await row.getByRole('button', { name: 'Start Support desk' }).click();
        await events.waitFor((e) => e.event === 'session.status' && e.data.data.status === 'open', 20_000, 'open again');
        await row.getByText('Connected', { exact: true }).waitFor();
        expect(await page.locator('dialog[open]').count()).toBe(0);
        expect(events.events.filter((e) => e.event === 'session.qr')).toEqual([]);
      } finally {
        events.close();
      }

      // The phone logs the device out (the sandbox panel plays the phone): the row says so, and why.
      await page.getByRole('link', { name: 'Sandbox' }).first().click();
      await page.getByRole('button', { name: `Log out the devices linked to +${SECOND}` }).click();
      await page.getByRole('status').filter({ hasText: `+${SECOND} logged out 1 device` }).waitFor();
      await page.getByRole('link', { name: 'Devices' }).first().click();
      await row.getByText('Logged out', { exact: true }).waitFor();
      await row.getByText('The device was logged out from the phone or by WhatsApp.').waitFor();
      expect((await api.get(`/v1/sessions/${support.id}`)).body.lastError).toBe('the device was logged out from the phone or by WhatsApp');

      // Link it again: a new QR, scanned by the same phone.
      await row.getByRole('button', { name: 'Link Support desk again' }).click();
      const relink = page.getByRole('dialog', { name: 'Link Support desk' });
      await relink.getByRole('img', { name: 'QR code to scan with WhatsApp' }).waitFor();
      await relink.getByLabel(/Simulated phone number/).fill(SECOND);
      await relink.getByRole('button', { name: 'Scan with a simulated phone' }).click();
      await relink.getByRole('heading', { name: 'Connected' }).waitFor();
      await relink.getByRole('button', { name: 'Done' }).click();
      await row.getByText('Connected', { exact: true }).waitFor();

      // Log out from the dashboard: logged out, and linking again is offered.
      await row.getByRole('button', { name: 'Log out Support desk' }).click();
      await page.getByRole('dialog', { name: 'Log out Support desk?' }).getByRole('button', { name: 'Log out', exact: true }).click();
      await row.getByText('Logged out', { exact: true }).waitFor();
      await row.getByRole('button', { name: 'Link Support desk again' }).waitFor();
      expect((await api.get(`/v1/sessions/${support.id}`)).body.status).toBe('logged_out');

      // Delete asks first: Cancel keeps it, confirming removes the row and the session.
      await row.getByRole('button', { name: 'Delete Support desk' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete Support desk?' });
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'hidden' });
      expect((await api.get(`/v1/sessions/${support.id}`)).status).toBe(200);
      await row.getByRole('button', { name: 'Delete Support desk' }).click();
      await confirm.getByRole('button', { name: 'Delete device' }).click();
      await row.waitFor({ state: 'detached' });
      const gone = await api.get(`/v1/sessions/${support.id}`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('session_not_found');
      await page.getByRole('listitem', { name: 'Sales line' }).getByText('Connected').waitFor();
    });

    it('works at 390 px wide: no sideways scrolling, one inbox pane at a time, no tab bar over a conversation', async () => {
      const mobile = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      mobile.setDefaultTimeout(20_000);
      try {
        const m = await mobile.newPage();
        await m.goto(gw.url);
        await m.getByLabel('API key').fill(KEY);
        await m.getByRole('button', { name: 'Sign in' }).click();
        await m.getByRole('listitem', { name: 'Sales line' }).getByText('Connected').waitFor();
        expect(await m.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await screenshot(m, 'mobile-devices');

        const tabs = m.getByRole('navigation', { name: 'Main' });
        await tabs.getByRole('link', { name: 'Inbox' }).click();
        await m.getByRole('link', { name: /come by at 5|Ping for the|sandbox panel/ }).first().click();
        const composer = m.getByLabel('Message', { exact: true });
        await composer.waitFor();
        expect(await m.getByRole('complementary', { name: 'Chats' }).isVisible()).toBe(false);
        await tabs.waitFor({ state: 'hidden' });
        const box = (await composer.boundingBox())!;
        expect(box.y + box.height).toBeLessThanOrEqual(844 - 8); // the composer sits at the bottom, uncovered
        expect(await m.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
        await screenshot(m, 'mobile-inbox');
        await m.getByRole('link', { name: 'Back to chats' }).click();
        await m.getByRole('complementary', { name: 'Chats' }).waitFor();
        await tabs.waitFor({ state: 'visible' });
      } finally {
        await mobile.close();
      }
    });

    it('signs out and forgets the key', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.evaluate(`sessionStorage.getItem(${JSON.stringify(STORAGE_KEY)})`)).toBeNull();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    });
  });

  describe('a QR code that rotates quickly (KIRIM_QR_TIMEOUT_MS=2000)', () => {
    let dir: ReturnType<typeof tempDir>;
    let gw: GatewayProcess;
    let context: BrowserContext;

    beforeAll(async () => {
      dir = tempDir('kirim-web-qr-');
      gw = await startGatewayProcess({ KIRIM_SANDBOX: '1', KIRIM_SANDBOX_PORT: '0', KIRIM_DATA_DIR: dir.dir, KIRIM_API_KEY: KEY, KIRIM_QR_TIMEOUT_MS: '2000' });
      context = await desktopContext(browser);
    }, 90_000);
    afterAll(async () => {
      await context?.close();
      await gw?.stop('SIGTERM');
      dir?.cleanup();
    });

    it('draws each new QR code as it rotates, the one the API gives, without a reload', async () => {
      const api = new ApiClient(gw.url, KEY);
      const page = await context.newPage();
      await signIn(page, gw.url);
      await page.getByRole('button', { name: 'Add device' }).click();
      await page.getByRole('dialog', { name: 'Add device' }).getByRole('button', { name: 'Continue' }).click();
      const qr = page.getByRole('img', { name: 'QR code to scan with WhatsApp' });
      await qr.waitFor();
      const id = (await api.get('/v1/sessions')).body.sessions[0].id as string;
      const current = (await api.get(`/v1/sessions/${id}/qr`)).body as { qr: string; expiresAt: string };
      expect(new Date(current.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(2_000);
      await page.evaluate('window.__sameDocument = true');

      const first = (await qr.getAttribute('data-qr'))!;
      const firstPicture = await qr.getAttribute('src');
      await expect.poll(() => qr.getAttribute('data-qr'), { timeout: 10_000 }).not.toBe(first);
      expect(await qr.getAttribute('src')).not.toBe(firstPicture);
      // The code on screen is the API's current one (it may rotate again between two reads: poll).
      await expect
        .poll(async () => {
          const shown = await qr.getAttribute('data-qr');
          return shown !== first && shown === (await api.get(`/v1/sessions/${id}/qr`)).body.qr;
        }, { timeout: 10_000 })
        .toBe(true);
      expect(await page.evaluate('window.__sameDocument')).toBe(true);
      const countdown = await page.getByText(/A new code appears automatically in \d+ s|Refreshing the code/).textContent();
      // 2 s codes (60 s with Baileys' default); the countdown ticks once a second, so it may show 3.
      expect(Number(countdown!.match(/(\d+) s/)?.[1] ?? 0)).toBeLessThanOrEqual(3);
    });
  });

  describe('a gateway with the sandbox off', () => {
    let dir: ReturnType<typeof tempDir>;
    let gw: GatewayProcess;
    let context: BrowserContext;
    let page: Page;
    let api: ApiClient;

    beforeAll(async () => {
      dir = tempDir('kirim-web-nosandbox-');
      // No sessions are created here: without the sandbox they would dial WhatsApp itself.
      gw = await startGatewayProcess({ KIRIM_DATA_DIR: dir.dir, KIRIM_API_KEY: KEY });
      api = new ApiClient(gw.url, KEY);
      context = await desktopContext(browser);
      page = await context.newPage();
    }, 90_000);
    afterAll(async () => {
      await context?.close();
      await gw?.stop('SIGTERM');
      dir?.cleanup();
    });

    it('has no Sandbox panel, and its sandbox API says it is off', async () => {
      expect((await api.get('/v1/sandbox')).body).toEqual({ enabled: false, url: null });
      for (const [method, path] of [
        ['GET', '/v1/sandbox/admin/stats'],
        ['POST', '/v1/sandbox/admin/scan'],
      ]) {
        const res = await api.request(method, path, method === 'POST' ? { qr: 'x' } : undefined);
        expect(res.status, path).toBe(404);
        expect(res.body.error.message, path).toContain('sandbox mode is off: start the gateway with KIRIM_SANDBOX=1');
      }

      await signIn(page, gw.url);
      await page.goto(`${gw.url}/sandbox`);
      await page.getByRole('heading', { name: 'The sandbox is off' }).waitFor(); // shown once GET /v1/sandbox answered
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Cluster' }).waitFor();
      expect(await nav.getByRole('link', { name: 'Sandbox' }).count()).toBe(0);
      expect(await page.getByText('Sandbox', { exact: true }).count()).toBe(0); // no badge by the logo either
    });

    it('shows an API refusal as a full sentence, and stores nothing', async () => {
      await page.getByRole('link', { name: 'Webhooks' }).first().click();
      await page.getByRole('button', { name: 'Add webhook' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Add webhook' });
      await dialog.getByLabel('URL').fill('http://127.0.0.1:9/hooks');
      await dialog.getByRole('button', { name: 'Add webhook' }).click();
      await dialog
        .getByRole('alert')
        .getByText(
          'URL: 127.0.0.1 is a loopback address; webhook URLs must reach a public address (set KIRIM_ALLOW_PRIVATE_URLS=1 to allow private networks).',
          { exact: true },
        )
        .waitFor();
      expect((await api.get('/v1/webhooks')).body.webhooks).toEqual([]);
    });
  });
});

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API key').fill(KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Devices', exact: true }).waitFor();
}

/** From now on, records every tick label each sent bubble shows, in order (a MutationObserver in the page). */
async function recordTicks(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    if (window.__ticks) return;
    window.__ticks = [];
    const last = new Map();
    const record = () => {
      for (const bubble of document.querySelectorAll('[data-direction="out"]')) {
        const text = bubble.querySelector('p')?.textContent ?? '';
        const label = bubble.querySelector('[role="img"]')?.getAttribute('aria-label') ?? '';
        if (last.get(text) !== label) {
          last.set(text, label);
          window.__ticks.push([text, label]);
        }
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    record();
  })()`);
}

async function ticksOf(page: Page, text: string): Promise<string[]> {
  const all = (await page.evaluate('window.__ticks')) as Array<[string, string]>;
  return all.filter(([t]) => t === text).map(([, label]) => label);
}

/** The ticks only ever moved forward (Sending → Sent → Delivered → Read) and went through `expected`. */
function expectForwardOnly(seen: string[], expected: string[]): void {
  const order = ['Sending', 'Sent', 'Delivered', 'Read'];
  const ranks = seen.map((label) => order.indexOf(label));
  expect(ranks, `ticks seen: ${seen.join(' → ')}`).not.toContain(-1);
  expect(ranks, `ticks seen: ${seen.join(' → ')}`).toEqual([...ranks].sort((a, b) => a - b));
  expect(new Set(ranks).size, `ticks seen: ${seen.join(' → ')}`).toBe(ranks.length);
  for (const label of expected) expect(seen).toContain(label);
  expect(seen.at(-1)).toBe(expected.at(-1));
}

interface HookReceiver {
  url: string;
  received: Array<{ webhookId: string; body: string }>;
  /** How many requests carried this webhook-id (the event id). */
  hits(eventId: string): number;
  server: http.Server;
}

/** A local webhook endpoint that answers `status` and remembers what it got. */
async function startHookReceiver(status: number): Promise<HookReceiver> {
  const received: HookReceiver['received'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ webhookId: String(req.headers['webhook-id'] ?? ''), body });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'broken');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/kirim`;
  return { url, received, hits: (eventId) => received.filter((r) => r.webhookId === eventId).length, server };
}
