// Visitor profiles: the user agent, client hints, viewport and touch settings a scan presents.

import type { Protocol } from 'puppeteer';

export interface ProfileSettings {
  userAgent: string;
  userAgentMetadata: Protocol.Emulation.UserAgentMetadata;
  /** navigator.platform */
  platform: string;
  viewport: { width: number; height: number; deviceScaleFactor: number; isMobile: boolean; hasTouch: boolean };
  /** How much larger than the viewport the window is (the browser's frame): outer = inner + frame. */
  windowFrame: { width: number; height: number };
}

/** The window's outer size: the viewport and the browser's frame around it. */
export function windowSize(settings: Pick<ProfileSettings, 'viewport' | 'windowFrame'>): { width: number; height: number } {
  return { width: settings.viewport.width + settings.windowFrame.width, height: settings.viewport.height + settings.windowFrame.height };
}

/** Builds a profile for the running browser's major version, without the "HeadlessChrome" tells. */
export function profileSettings(profile: string, browserVersion: string): ProfileSettings {
  const major = /(\d+)\./.exec(browserVersion)?.[1] ?? '120';
  const brands = [
    { brand: 'Chromium', version: major },
    { brand: 'Google Chrome', version: major },
    { brand: 'Not_A Brand', version: '24' },
  ];
  if (profile === 'mobile') {
    return {
      userAgent: `Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Mobile Safari/537.36`,
      userAgentMetadata: { brands, platform: 'Android', platformVersion: '14.0.0', architecture: '', model: 'Pixel 8', mobile: true },
      platform: 'Linux armv8l',
      viewport: { width: 412, height: 915, deviceScaleFactor: 2.625, isMobile: true, hasTouch: true },
      windowFrame: { width: 0, height: 56 },
    };
  }
  return {
    userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
    userAgentMetadata: { brands, platform: 'Windows', platformVersion: '15.0.0', architecture: 'x86', model: '', mobile: false },
    platform: 'Win32',
    viewport: { width: 1366, height: 768, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
    windowFrame: { width: 16, height: 88 },
  };
}
