// The dashboard end to end, in headless Chromium. It starts nothing: the
// server is given by the environment (scripts/dashboard_e2e.sh starts one).
//
//   FROSTY_URL          the server, e.g. http://127.0.0.1:41234
//   FROSTY_ADMIN_TOKEN  its operator token
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  API credentials
//   ARTIFACTS           where the screenshots go (one PNG per page)
//   CHROMIUM            the browser (default /usr/bin/chromium)
//
// It signs in (a wrong token first, which is refused), creates a job
// through the API and sees it appear without a reload, advances it from
// its page and sees the journey and the timeline follow, then moves it
// through the API and sees the page follow again. Any console error fails
// the run.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  SnowballClient, CreateAddressCommand, CreateJobCommand, CreateClusterCommand, UpdateJobShipmentStateCommand,
} from '@aws-sdk/client-snowball';

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const base = need('FROSTY_URL').replace(/\/$/, '');
const token = need('FROSTY_ADMIN_TOKEN');
const artifacts = need('ARTIFACTS');
mkdirSync(artifacts, { recursive: true });
const ui = `${base}/_frosty/ui/`;

const api = new SnowballClient({
  endpoint: base, region: 'us-west-2', maxAttempts: 1,
  credentials: { accessKeyId: need('AWS_ACCESS_KEY_ID'), secretAccessKey: need('AWS_SECRET_ACCESS_KEY') },
});

let step = '';
const log = (s) => { step = s; console.log(`-- ${s}`); };
const assert = (ok, msg) => { if (!ok) throw new Error(msg); };

const userData = mkdtempSync(join(tmpdir(), 'frosty-chromium-'));
const browser = await chromium.launchPersistentContext(userData, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const errors = [];
const watch = (page) => {
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
};
const shot = async (page, name) => {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  console.log(`   screenshot ${name}.png`);
};
// mark tags the document, so that a reload (a new document) shows. (The
// pages' Content-Security-Policy forbids eval: no waitForFunction here.)
const mark = (page) => page.evaluate(() => { window.frostyMark = 'still here'; });
const marked = async (page) => (await page.evaluate(() => window.frostyMark)) === 'still here';

let failed = false;
try {
  const page = browser.pages()[0] || await browser.newPage();
  watch(page);

  log('a wrong token is refused');
  await page.goto(ui);
  assert(page.url().includes('/_frosty/ui/login'), `not sent to sign in: ${page.url()}`);
  await page.fill('#token', 'not-the-token');
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('#signin')]);
  assert(refused.status() === 401, `wrong token: status ${refused.status()}, want 401`);
  assert(await page.isVisible('#flash'), 'wrong token: no message');
  await shot(page, 'signin-refused');
  // The browser logs the 401 of the page itself; it is what was asked for.
  errors.length = 0;

  log('sign in');
  await page.fill('#token', token);
  const [signedIn] = await Promise.all([page.waitForNavigation(), page.click('#signin')]);
  assert(signedIn.status() === 200, `sign in: status ${signedIn.status()}`);
  assert(new URL(page.url()).pathname === '/_frosty/ui/', `after sign in: ${page.url()}`);
  const cookies = await browser.cookies(ui);
  const session = cookies.find((c) => c.name === 'frosty_session');
  assert(session && session.httpOnly && session.sameSite === 'Strict', `session cookie: ${JSON.stringify(session)}`);
  await page.waitForSelector('#live[data-state="on"]');

  log('a job created through the API appears without a reload');
  await mark(page);
  const address = await api.send(new CreateAddressCommand({
    Address: {
      Name: 'Dana <b>Ops</b>', Company: 'Frosty Inc.', Street1: '123 Main Street', City: 'Seattle',
      StateOrProvince: 'WA', Country: 'US', PostalCode: '98101', PhoneNumber: '425-555-5555',
    },
  }));
  const description = 'Nightly archive <script>alert(1)</script>';
  const { JobId: jobId } = await api.send(new CreateJobCommand({
    JobType: 'IMPORT', SnowballType: 'EDGE', AddressId: address.AddressId, ShippingOption: 'SECOND_DAY',
    Description: description,
    RoleARN: 'arn:aws:iam::111122223333:role/snowball-import-S3-role',
    KmsKeyARN: 'arn:aws:kms:us-west-2:111122223333:key/abcd1234-12ab-34cd-56ef-123456123456',
    Resources: { S3Resources: [{ BucketArn: 'arn:aws:s3:::frosty-bucket' }] },
  }));
  const row = page.locator(`tr[data-id="${jobId}"]`);
  await row.waitFor({ timeout: 10000 });
  assert(await marked(page), 'the jobs page reloaded');
  assert((await row.locator('.desc').textContent()) === description, 'the description is not shown as text');
  assert((await row.textContent()).includes('1 of 10 · New'), `row: ${await row.textContent()}`);
  await shot(page, 'jobs');

  log('its page');
  await Promise.all([page.waitForNavigation(), row.locator('a.id').click()]);
  assert(page.url().endsWith(`/jobs/${jobId}`), page.url());
  assert((await page.textContent('#description')) === description, 'description on the job page');
  assert((await page.textContent('#address')).includes('Dana <b>Ops</b>'), 'address not shown as text');
  await page.waitForSelector('#live[data-state="on"]');
  await mark(page);

  log('advance it from the page');
  await page.selectOption('#advance-to', 'InTransitToCustomer');
  await page.click('#advance');
  await page.waitForSelector('#job-state:text-is("InTransitToCustomer")');
  assert(await marked(page), 'advancing reloaded the page');
  const current = await page.textContent('#journey li[aria-current="step"] .name');
  assert(current === 'InTransitToCustomer', `journey's current step: ${current}`);
  const passed = await page.locator('#journey li.passed').count();
  assert(passed === 3, `journey: ${passed} states passed, want 3`);
  const timeline = await page.textContent('#timeline');
  for (const s of ['PreparingAppliance', 'PreparingShipment', 'InTransitToCustomer']) {
    assert(timeline.includes(s), `timeline lacks ${s}`);
  }
  assert(await page.locator('#timeline tbody tr').count() === 4, 'timeline: want 4 events');
  assert((await page.textContent('#outbound')).includes('In transit'), 'no outbound shipment');

  log('a refused move shows why, on the page');
  await page.selectOption('#advance-to', 'WithCustomer');
  await page.evaluate(() => { const s = document.getElementById('advance-to'); s.options[s.selectedIndex].value = 'New'; });
  await page.click('#advance');
  await page.waitForSelector('#flash');
  assert((await page.textContent('#flash')).includes('not ahead'), `message: ${await page.textContent('#flash')}`);
  errors.length = 0; // the 400 of that fetch is logged by the browser, as asked

  log('the customer receives it (API): the page follows by itself');
  await mark(page);
  await api.send(new UpdateJobShipmentStateCommand({ JobId: jobId, ShipmentState: 'RECEIVED' }));
  await page.waitForSelector('#job-state:text-is("WithCustomer")', { timeout: 10000 });
  assert(await marked(page), 'the job page reloaded');
  assert(await page.isVisible('#unlock'), 'no unlock code while WithCustomer');
  assert(await page.isVisible('#manifest'), 'no manifest link while WithCustomer');
  assert(await page.locator('#timeline tbody tr').count() === 5, 'timeline: want 5 events');
  await shot(page, 'job');

  log('the same page on a phone');
  const phone = await browser.newPage();
  watch(phone);
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${ui}jobs/${jobId}`);
  await shot(phone, 'job-phone');
  await phone.close();

  log('a cluster and its page');
  const cluster = await api.send(new CreateClusterCommand({
    JobType: 'LOCAL_USE', SnowballType: 'EDGE_C', AddressId: address.AddressId, ShippingOption: 'SECOND_DAY',
    InitialClusterSize: 3, Description: 'Edge cluster',
    Resources: { S3Resources: [{ BucketArn: 'arn:aws:s3:::frosty-bucket' }] },
  }));
  await page.goto(`${ui}clusters`);
  await page.waitForSelector(`a[href$="/clusters/${cluster.ClusterId}"]`);
  await shot(page, 'clusters');
  await page.click(`a[href$="/clusters/${cluster.ClusterId}"]`);
  await page.waitForSelector('#nodes');
  assert(await page.locator('#nodes tbody tr').count() === 3, 'cluster: want 3 nodes');
  await page.click('#advance');
  await page.waitForSelector('#cluster-state:text-is("Pending")');
  await shot(page, 'cluster');

  log('the clock and the reset pages');
  await page.goto(`${ui}clock`);
  await page.fill('#advance', '2d');
  await page.click('button:text("Advance")');
  await page.waitForSelector('#clock-now');
  await shot(page, 'clock');
  await page.goto(`${ui}reset`);
  await shot(page, 'reset');

  log('the job list, filtered');
  await page.goto(`${ui}?state=WithCustomer`);
  assert(await page.locator(`tr[data-id="${jobId}"]`).count() === 1, 'filter by state');
  await page.goto(`${ui}?q=nightly+ARCHIVE`);
  assert(await page.locator(`tr[data-id="${jobId}"]`).count() === 1, 'search by description');

  log('no console errors');
  assert(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`);
  console.log('dashboard e2e: ok');
} catch (e) {
  failed = true;
  console.error(`FAIL (${step}): ${e.stack || e}`);
  if (errors.length) console.error(`console errors:\n  ${errors.join('\n  ')}`);
  try {
    for (const p of browser.pages()) await shot(p, 'failure');
  } catch { /* the browser is gone */ }
} finally {
  await browser.close();
  rmSync(userData, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
