// Shared bits for the browser tests: playwright-core (installed in web/),
// Debian's chromium launch options, and a login helper.
import { createRequire } from 'node:module'

// The tests live outside web/, so resolve playwright-core from web/node_modules.
const require = createRequire(new URL('../../web/package.json', import.meta.url))
export const { chromium } = require('playwright-core')

export const LAUNCH = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run']
}

export async function login(page, base, user, password = 'sanqu123') {
  await page.goto(base + '/login')
  await page.fill('input[name=login]', user)
  await page.fill('input[name=password]', password)
  await page.click('button[type=submit]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}
