// Visitor profiles: the user agent, viewport and touch settings a scan presents.

export interface ProfileSettings {
  userAgent: string;
  viewport: { width: number; height: number; deviceScaleFactor: number; isMobile: boolean; hasTouch: boolean };
  platform: string;
}

/** Builds a profile for the running browser's major version, without the "HeadlessChrome" tell. */
export function profileSettings(profile: string, browserVersion: string): ProfileSettings {
  const major = /(\d+)\./.exec(browserVersion)?.[1] ?? '120';
  if (profile === 'mobile') {
    return {
      userAgent: `Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Mobile Safari/537.36`,
      viewport: { width: 412, height: 915, deviceScaleFactor: 2.625, isMobile: true, hasTouch: true },
      platform: 'Android',
    };
  }
  return {
    userAgent: `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`,
    viewport: { width: 1366, height: 768, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
    platform: 'Windows',
  };
}
