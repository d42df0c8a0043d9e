// Crawler: the recorder keeps what a new document asked for, in whatever order the engine reports it.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'vitest';
import type { CDPSession } from 'puppeteer';
import { PageRecorder } from '../../crawler/page-recorder.js';

/** A CDP session's event side: the recorder only listens (and asks for bodies, which are not read here). */
function session(): EventEmitter & { send(): Promise<never> } {
  return Object.assign(new EventEmitter(), { send: () => Promise.reject(new Error('not connected')) });
}

const sent = (requestId: string, loaderId: string, url: string, type: string) => ({
  requestId, loaderId, documentURL: url, type, frameId: 'F', timestamp: 1, wallTime: 1,
  request: { url, method: 'GET', headers: {} }, initiator: { type: 'parser' },
});

describe('PageRecorder', () => {
  it('keeps a script request of the new document that the engine reported before the navigation (a failed DNS lookup)', () => {
    const s = session();
    const recorder = new PageRecorder(100);
    recorder.attach(s as unknown as CDPSession, { worker: false });
    s.emit('Network.requestWillBeSent', sent('OLD', 'OLD', 'http://shop.test/', 'Document'));
    s.emit('Network.requestWillBeSent', sent('r1', 'OLD', 'http://shop.test/old.js', 'Script'));
    s.emit('Network.requestWillBeSent', sent('L2', 'L2', 'http://shop.test/next', 'Document'));
    // Failed at once, from the cache of failed lookups: reported before the new document's commit.
    s.emit('Network.requestWillBeSent', sent('r2', 'L2', 'http://gone.invalid/tag.js', 'Script'));
    s.emit('Network.loadingFailed', { requestId: 'r2', errorText: 'net::ERR_NAME_NOT_RESOLVED', type: 'Script', timestamp: 2 });
    s.emit('Page.frameNavigated', { frame: { id: 'F', loaderId: 'L2', url: 'http://shop.test/next' }, type: 'Navigation' });
    assert.deepEqual([...recorder.requests.keys()].sort(), ['L2', 'r2']);
    assert.equal(recorder.requests.get('r2')!.failed, 'net::ERR_NAME_NOT_RESOLVED');
    assert.deepEqual(recorder.earlierRequests.map((r) => r.requestId).sort(), ['OLD', 'r1']);
  });
});
