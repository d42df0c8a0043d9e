// Who serves a script or receives data: first or third party (Public Suffix List) and vendor and category (third-party-web).

import thirdPartyWeb from 'third-party-web';
import { getDomain, getHostname } from 'tldts';

export interface PartyInfo {
  party: 'first' | 'third';
  /** Registrable domain, e.g. `shop.co.uk`; the host itself for IP addresses and single-label hosts. */
  site: string;
  vendor: string | null;
  category: string | null;
}

/** The registrable domain of a host or URL (`shop.co.uk`); the host itself for IP addresses and single-label hosts. */
export function siteOf(hostOrUrl: string): string {
  const host = getHostname(hostOrUrl) ?? hostOrUrl;
  return getDomain(host, { allowPrivateDomains: true }) ?? host.toLowerCase();
}

/** The fields the inventory shows for a script or destination. */
export function partyFields(urlOrHost: string, pageUrl: string): Pick<PartyInfo, 'party' | 'vendor' | 'category'> {
  const { party, vendor, category } = classify(urlOrHost, pageUrl);
  return { party, vendor, category };
}

/** Classifies a script or destination URL (or bare host) against the page it was seen on. */
export function classify(urlOrHost: string, pageUrl: string): PartyInfo {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(urlOrHost) ? urlOrHost : `https://${urlOrHost}/`;
  const site = siteOf(url);
  const entity = thirdPartyWeb.getEntity(url);
  return {
    party: site === siteOf(pageUrl) ? 'first' : 'third',
    site,
    vendor: entity?.name ?? null,
    category: entity?.category ?? null,
  };
}

/** True when a URL belongs to the page's own registrable domain; false for anything that cannot be classified. */
export function isOwnSite(url: string, pageUrl: string): boolean {
  try {
    return classify(url, pageUrl).party === 'first';
  } catch {
    return false;
  }
}
