// Screenshots for a person to look at: node shot.mjs BASE USER PATH OUT [PATH OUT]...
import { chromium } from "playwright-core";
const [base, user, ...rest] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
const page = await ctx.newPage();
await page.goto(`${base}/login`);
await page.fill("#username", user);
await page.fill("#password", "Dandang2026");
await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
for (let i = 0; i < rest.length; i += 2) {
  const r = await page.goto(`${base}${rest[i]}`);
  console.log(rest[i], r.status());
  await page.screenshot({ path: rest[i + 1], fullPage: true });
}
await browser.close();
