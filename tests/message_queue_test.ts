import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MessageQueue } from "../src/redis/message_queue.ts";
import type { IterateOptions, PubSubMessage } from "../src/redis/pubsub.ts";

function queue(options: IterateOptions): MessageQueue {
  return new MessageQueue(() => true, options, () => Promise.resolve());
}

async function take(q: MessageQueue, n: number): Promise<PubSubMessage[]> {
  const out: PubSubMessage[] = [];
  for (let i = 0; i < n; i++) out.push((await q.next()).value as PubSubMessage);
  return out;
}

describe("MessageQueue", () => {
  it("buffers messages as parts and yields them as objects, patterns and marks included", async () => {
    const q = queue({});
    q.push("a", undefined, "1", false);
    q.push("b", "b*", "2", false);
    q.push("a", undefined, "3", true);
    assert.deepEqual(await take(q, 3), [
      { channel: "a", message: "1" },
      { channel: "b", pattern: "b*", message: "2" },
      { channel: "a", message: "3", reconnected: true },
    ]);
  });

  it("drop-oldest keeps the newest and moves a reconnected mark to the next kept message", async () => {
    const q = queue({ bufferSize: 2, overflow: "drop-oldest" });
    q.push("c", undefined, "1", true);
    q.push("c", undefined, "2", false);
    q.push("c", undefined, "3", false); // drops 1, which carried the mark
    assert.equal(q.dropped, 1);
    assert.deepEqual(await take(q, 2), [
      { channel: "c", message: "2", reconnected: true },
      { channel: "c", message: "3" },
    ]);
    const one = queue({ bufferSize: 1, overflow: "drop-oldest" });
    one.push("c", undefined, "1", true);
    one.push("c", undefined, "2", false); // nothing left behind: the new one takes the mark
    assert.deepEqual(await take(one, 1), [{ channel: "c", message: "2", reconnected: true }]);
  });

  it("drop-newest keeps the oldest; a dropped mark waits for the next message", async () => {
    const q = queue({ bufferSize: 1, overflow: "drop-newest" });
    q.push("c", undefined, "1", false);
    q.push("c", undefined, "2", true); // dropped
    assert.equal(q.dropped, 1);
    assert.equal(q.gap, true, "the pubsub marks the next message it delivers");
    assert.deepEqual(await take(q, 1), [{ channel: "c", message: "1" }]);
  });

  it("error ends the iteration with a RangeError once full", async () => {
    const q = queue({ bufferSize: 1 });
    q.push("c", undefined, "1", false);
    q.push("c", undefined, "2", false);
    assert.deepEqual(await take(q, 1), [{ channel: "c", message: "1" }]);
    await assert.rejects(q.next(), /buffer of 1 messages is full/);
  });

  it("a waiting loop gets a pushed message at once", async () => {
    const q = queue({});
    const next = q.next();
    q.push("c", undefined, "now", false);
    assert.deepEqual((await next).value, { channel: "c", message: "now" });
  });

  it("configure() trims to the new size and keeps the mark", async () => {
    const q = queue({ bufferSize: 10, overflow: "drop-oldest" });
    q.push("c", undefined, "1", true);
    q.push("c", undefined, "2", false);
    q.push("c", undefined, "3", false);
    q.configure({ bufferSize: 1, overflow: "drop-oldest" });
    assert.equal(q.dropped, 2);
    assert.deepEqual(await take(q, 1), [{ channel: "c", message: "3", reconnected: true }]);
  });
});
