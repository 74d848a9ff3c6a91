// Browser test: starts dandang with the demo data, then in headless Chromium
// logs in, opens the cadre list, searches, opens a cadre — on a laptop-sized
// and a phone-sized window — and fails on any console error, page error,
// failed request or HTTP error on a page or asset.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const bin = process.env.DANDANG_BIN || join(root, "target/debug/dandang");
const port = 18000 + Math.floor(Math.random() * 2000);
const base = `http://127.0.0.1:${port}`;
const out = join(import.meta.dirname, "out");
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), "dandang-browser-"));

const server = spawn(bin, ["serve", "--demo", "--db", `sqlite://${dir}/b.db`, "--listen", `127.0.0.1:${port}`], {
  cwd: root,
  stdio: ["ignore", "pipe", "pipe"],
});
let serverLog = "";
server.stdout.on("data", (d) => (serverLog += d));
server.stderr.on("data", (d) => (serverLog += d));

const problems = [];
let browser;

function fail(msg) {
  throw new Error(msg);
}

async function waitForServer() {
  for (let i = 0; i < 150; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`server did not start:\n${serverLog}`);
}

function watch(page, label) {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`[${label}] console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`[${label}] page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`[${label}] request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`[${label}] HTTP ${r.status()} ${r.url()}`);
  });
}

async function run(viewport, label) {
  const ctx = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await ctx.newPage();
  watch(page, label);
  await page.goto(`${base}/cadres`);
  // Not signed in: the login page, with the way back remembered.
  if (!page.url().includes("/login")) fail(`expected login redirect, got ${page.url()}`);
  await page.fill("#username", "yc_ganbu");
  await page.fill("#password", "Dandang2026");
  await Promise.all([page.waitForURL(/\/cadres/), page.click("button[type=submit]")]);
  await page.waitForSelector("#cadre-table tbody tr");
  const before = await page.textContent(".result-count");
  await page.screenshot({ path: join(out, `${label}-1-list.png`), fullPage: false });

  if (label === "phone") {
    // The menu opens from the toggle on a narrow screen.
    if (await page.isVisible("#nav")) fail("nav should be collapsed on a phone");
    await page.click(".menu-toggle");
    await page.waitForSelector("#nav.open");
    await page.click(".menu-toggle");
  }

  // Search by pinyin initials, answered by htmx without a page load.
  const firstName = (await page.textContent("#cadre-table tbody tr .cadre-link")).trim();
  await page.fill("#q", firstName);
  await page.waitForFunction((b) => document.querySelector(".result-count")?.textContent !== b, before);
  const after = await page.textContent(".result-count");
  if (!/共 \d+ 人/.test(after)) fail(`unexpected result count: ${after}`);
  const names = await page.$$eval("#cadre-table tbody .cadre-link", (as) => as.map((a) => a.textContent.trim()));
  if (!names.includes(firstName)) fail(`search for ${firstName} did not find them: ${names}`);
  if (!page.url().includes("q=")) fail("search should be in the URL for back/forward");
  await page.screenshot({ path: join(out, `${label}-2-search.png`) });

  // Open the cadre.
  await Promise.all([page.waitForURL(/\/cadres\/[0-9a-f-]{36}/), page.click(`#cadre-table .cadre-link >> text=${firstName}`)]);
  await page.waitForSelector("#appointments");
  const h1 = (await page.textContent("h1")).trim();
  if (!h1.startsWith(firstName)) fail(`cadre page heading ${h1} != ${firstName}`);
  const rows = await page.$$("#appointments tbody tr");
  if (rows.length < 2) fail("appointment history should have several rows");
  await page.screenshot({ path: join(out, `${label}-3-cadre.png`), fullPage: true });

  // A few more pages every role uses.
  for (const path of ["/", "/units", "/policy?pack=cn-zj", "/workdays?date=2025-09-30&n=1", "/imports", "/me"]) {
    await page.goto(`${base}${path}`);
    await page.waitForSelector("main h1");
  }
  const result = await page.goto(`${base}/workdays?date=2025-09-30&n=1`).then(() => page.textContent("#add-result"));
  if (!result.includes("2025-10-09")) fail(`workday calculator: ${result}`);
  await page.goto(`${base}/policy?pack=cn-zj`);
  if (!(await page.textContent("body")).includes("本清单不完整")) fail("incomplete catalogue not flagged");
  await page.screenshot({ path: join(out, `${label}-4-policy.png`) });
  await ctx.close();
}

async function login(user) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  const page = await ctx.newPage();
  watch(page, user);
  await page.goto(`${base}/login`);
  await page.fill("#username", user);
  await page.fill("#password", "Dandang2026");
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
  return { ctx, page };
}

// Follow-up of a sanctioned cadre: the unit proposes "no longer affects use"
// for a cadre whose impact period ends within 30 days, the organization
// department's supervision section decides; the eligibility panel agrees.
async function followUp() {
  const unit = await login("yc_fgw");
  let page = unit.page;
  await page.goto(`${base}/impact?days=30`);
  await page.waitForSelector("#ending tbody tr");
  await page.screenshot({ path: join(out, "followup-1-impact.png"), fullPage: true });
  await Promise.all([page.waitForURL(/\/cadres\//), page.click("#ending tbody tr a")]);
  const verdict = await page.textContent("#verdict");
  if (!/前不能提拔晋升/.test(verdict)) fail(`verdict should be red with a date: ${verdict}`);
  if (!(await page.$("#verdict.red"))) fail("verdict should be red inside the impact period");
  await page.screenshot({ path: join(out, "followup-2-cadre.png"), fullPage: true });
  const cadreUrl = page.url().split("#")[0];
  await Promise.all([page.waitForURL(/\/follow-ups\//), page.click("#follow-up a >> text=查看")]);
  const fuUrl = page.url().split("?")[0];
  if (!(await page.$(".flash.warn"))) fail("the expiry alert should show");
  await page.fill("#proposal-form textarea[name=proposal]", "该同志认识深刻、工作实绩突出，建议影响期满后不影响使用。");
  await Promise.all([page.waitForURL(/ok=/), page.click("#proposal-form button[type=submit]")]);
  if (!(await page.textContent(".flash.ok")).includes("已提出使用建议")) fail("proposal not confirmed");
  if (await page.$("#decision-form")) fail("a unit party committee must not see the decision form");
  await unit.ctx.close();

  const org = await login("yc_jiandu");
  page = org.page;
  await page.goto(fuUrl);
  await page.selectOption("#decision-form select[name=decision]", "no_longer_affects");
  await page.fill("#decision-form textarea[name=note]", "经研究，同意单位意见。");
  await Promise.all([page.waitForURL(/ok=/), page.click("#decision-form button[type=submit]")]);
  if (!(await page.textContent("#steps")).includes("组织部门决定")) fail("steps missing");
  if (!(await page.textContent("#use")).includes("影响期满后不影响使用")) fail("decision not shown");
  await page.screenshot({ path: join(out, "followup-3-decided.png"), fullPage: true });
  // After the last day the panel turns green.
  await page.goto(`${cadreUrl}?as_of=2030-01-01`);
  if (!(await page.$("#verdict.green"))) fail("verdict should be green after the period");
  await org.ctx.close();
}

try {
  await waitForServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  await run({ width: 1366, height: 800 }, "laptop");
  await run({ width: 390, height: 844 }, "phone");
  await followUp();
  if (problems.length) fail(`browser reported problems:\n${problems.join("\n")}`);
  console.log("browser test passed (laptop and phone): login, cadre list, search, cadre page, policy, workdays; follow-up proposal and decision");
} catch (e) {
  console.error(String(e.stack || e));
  if (problems.length) console.error(problems.join("\n"));
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
