// Crawler: the browser's flags: new windows open at the desktop profile's size (no resize per capture), unless the user set one.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { chromiumArgs } from '../../crawler/launch-browser.js';
import { profileSettings } from '../../crawler/profiles.js';

const base = { executablePath: '/usr/bin/chromium', resolve: {}, runningAsRoot: false };

describe('chromiumArgs', () => {
  it("opens windows at the desktop profile's viewport plus its frame", () => {
    const desktop = profileSettings('desktop', '');
    const sizes = chromiumArgs({ ...base, args: [] }).filter((a) => a.startsWith('--window-size='));
    assert.deepEqual(sizes, [`--window-size=${desktop.viewport.width + desktop.windowFrame.width},${desktop.viewport.height + desktop.windowFrame.height}`]);
  });

  it("keeps the user's own window size, once", () => {
    const sizes = chromiumArgs({ ...base, args: ['--window-size=1280,900'] }).filter((a) => a.startsWith('--window-size='));
    assert.deepEqual(sizes, ['--window-size=1280,900']);
  });
});
