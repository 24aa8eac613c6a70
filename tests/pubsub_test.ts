import { it } from "node:test";
import assert from "node:assert/strict";
import type { PubSubMessage } from "../mod.ts";
import { forEachTarget } from "./_targets.ts";
import { eventually } from "./_wait.ts";

for (const protocol of [3, 2] as const) {
  forEachTarget(`PubSub (RESP${protocol})`, (target) => {
    it("subscribe() resolves once confirmed; publish() counts receivers", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      await pubsub.subscribe("ps:a", "ps:b");
      assert.equal(await pubsub.publish("ps:a", "hello"), 1);
      assert.equal(await pubsub.publish("ps:nobody", "x"), 0);
      assert.deepEqual(await pubsub.count("ps:a", "ps:b", "ps:c"), {
        "ps:a": 1,
        "ps:b": 1,
        "ps:c": 0,
      });
      assert.deepEqual((await pubsub.channels("ps:*")).sort(), ["ps:a", "ps:b"]);
      await pubsub.close();
    });

    it("every subscribe call is sent, not just the first", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      await Promise.all([
        pubsub.subscribe("m:1"),
        pubsub.subscribe("m:2"),
        pubsub.subscribe("m:3"),
      ]);
      assert.deepEqual(await pubsub.count("m:1", "m:2", "m:3"), { "m:1": 1, "m:2": 1, "m:3": 1 });
      await pubsub.close();
    });

    it("addClient() callbacks get (channel, message); a throwing client is removed", async () => {
      const store = target().store({ protocol });
      const errors: unknown[] = [];
      const pubsub = store.pubsub({ onError: (error) => errors.push(error) });
      const got: [string, unknown][] = [];
      const bad = () => {
        throw new Error("client failed");
      };
      pubsub.addClient(bad);
      pubsub.addClient((channel, message) => got.push([channel, message]));
      await pubsub.subscribe("cb:1");
      await pubsub.publish("cb:1", "one");
      await pubsub.publish("cb:1", "two");
      await eventually(() => got.length === 2);
      assert.deepEqual(got, [["cb:1", "one"], ["cb:1", "two"]]);
      assert.equal(errors.length, 1);
      await pubsub.close();
    });

    it("psubscribe() delivers the pattern and channel", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      const subscription = await pubsub.psubscribe("news.*");
      assert.equal(await pubsub.countPatterns() >= 1, true);
      await pubsub.publish("news.tech", "chips");
      const iterator = subscription.messages();
      const { value } = await iterator.next();
      assert.deepEqual(value, { channel: "news.tech", pattern: "news.*", message: "chips" });
      await iterator.return!();
      await pubsub.close();
    });

    it("a subscription iterates its messages; break unsubscribes", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      const subscription = await pubsub.subscribe("it:1");
      for (let i = 0; i < 3; i++) await pubsub.publish("it:1", `m${i}`);
      const seen: unknown[] = [];
      for await (const { message } of subscription) {
        seen.push(message);
        if (seen.length === 3) break;
      }
      assert.deepEqual(seen, ["m0", "m1", "m2"]);
      assert.deepEqual(await pubsub.count("it:1"), { "it:1": 0 });
      await pubsub.close();
    });

    it("protocol encodes and decodes messages; a decode failure is reported", async () => {
      const store = target().store({ protocol });
      const errors: unknown[] = [];
      const pubsub = store.pubsub({ protocol: JSON, onError: (error) => errors.push(error) });
      const got: unknown[] = [];
      pubsub.addClient((_channel, message) => got.push(message));
      await pubsub.subscribe("json:1");
      await pubsub.publish("json:1", { id: 1, tags: ["a"] });
      await store.execute("PUBLISH", "json:1", "{not json");
      await pubsub.publish("json:1", [2]);
      await eventually(() => got.length === 2 && errors.length === 1);
      assert.deepEqual(got, [{ id: 1, tags: ["a"] }, [2]]);
      assert.match(String(errors[0]), /Cannot decode a message on "json:1"/);
      await pubsub.close();
    });

    it("binary mode keeps payloads as Uint8Array", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub({ binary: true });
      const subscription = await pubsub.subscribe("bin:1");
      const payload = new Uint8Array([0, 255, 13, 10, 1]);
      await pubsub.publish("bin:1", payload);
      const { value } = await subscription.messages().next();
      assert.deepEqual((value as PubSubMessage).message, payload);
      await pubsub.close();
    });

    it("a full iterator buffer ends the loop with a RangeError by default", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      const subscription = await pubsub.subscribe("slow:1");
      const iterator = subscription.messages({ bufferSize: 2 });
      for (let i = 0; i < 4; i++) await pubsub.publish("slow:1", String(i));
      await eventually(() => iterator.dropped > 0);
      assert.deepEqual((await iterator.next()).value?.message, "0");
      assert.deepEqual((await iterator.next()).value?.message, "1");
      await assert.rejects(iterator.next(), RangeError);
      await pubsub.close();
    });

    it("drop-oldest keeps the newest messages and counts the dropped", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      const subscription = await pubsub.subscribe("slow:2");
      const iterator = subscription.messages({ bufferSize: 2, overflow: "drop-oldest" });
      for (let i = 0; i < 5; i++) await pubsub.publish("slow:2", String(i));
      await eventually(() => iterator.dropped === 3);
      assert.deepEqual((await iterator.next()).value?.message, "3");
      assert.deepEqual((await iterator.next()).value?.message, "4");
      await pubsub.close();
    });

    it("an aborted signal ends iteration with its reason", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      const subscription = await pubsub.subscribe("abort:1");
      const controller = new AbortController();
      const iterator = subscription.messages({ signal: controller.signal });
      const next = iterator.next();
      controller.abort(new Error("stop"));
      await assert.rejects(next, /stop/);
      await pubsub.close();
    });

    it("unsubscribe() with no channels removes them all", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      await pubsub.subscribe("u:1", "u:2");
      await pubsub.unsubscribe();
      assert.deepEqual(await pubsub.count("u:1", "u:2"), { "u:1": 0, "u:2": 0 });
      await pubsub.close();
    });

    it("a burst of mixed messages arrives whole and in order, split across reads or not", async () => {
      const store = target().store({ protocol, namespace: "mix_" });
      const pubsub = store.pubsub();
      const text = store.pubsub();
      const bytes = store.pubsub({ binary: true });
      const got: string[] = [];
      const raw: Uint8Array[] = [];
      text.addClient((channel, message) => got.push(`${channel} ${message}`));
      bytes.addClient((_channel, message) => raw.push(message as Uint8Array));
      await text.subscribe("mix:a", "mix:b", "mix:é");
      await text.psubscribe("mixp:*");
      await bytes.subscribe("mix:a");
      // Small and large (several reads) payloads, on alternating channels
      // and a pattern, all in flight at once.
      const sent: [string, string][] = [];
      for (let i = 0; i < 300; i++) {
        const channel = ["mix:a", "mix:b", "mix:é", "mixp:x"][i % 4];
        const size = i % 50 === 7 ? 70_000 + i : i % 13;
        sent.push([channel, `${i % 5 === 0 ? "\uFEFF" : ""}${i}:${"ü".repeat(size)}`]);
      }
      const replies = await Promise.all(sent.map(([c, m]) => pubsub.publish(c, m)));
      assert.deepEqual(replies, sent.map(([c]) => c === "mix:a" ? 2 : 1));
      const forA = sent.filter(([c]) => c === "mix:a");
      // Two subscriber connections: wait for both.
      await eventually(() => got.length === sent.length && raw.length === forA.length, 10_000);
      assert.deepEqual(got, sent.map(([c, m]) => `${c} ${m}`));
      const encoder = new TextEncoder();
      assert.deepEqual(raw, forA.map(([, m]) => encoder.encode(m)));
      await Promise.all([pubsub.close(), text.close(), bytes.close()]);
    });

    it("messages() with bad options throws and keeps the early messages for the next call", async () => {
      const store = target().store({ protocol });
      const pubsub = store.pubsub();
      const subscription = await pubsub.subscribe("early:1");
      await pubsub.publish("early:1", "first");
      await pubsub.publish("early:1", "second");
      assert.throws(() => subscription.messages({ bufferSize: 0 }), RangeError);
      const iterator = subscription.messages();
      assert.deepEqual((await iterator.next()).value, { channel: "early:1", message: "first" });
      assert.deepEqual((await iterator.next()).value, { channel: "early:1", message: "second" });
      await pubsub.close();
    });

    it("pubsub applies the store namespace to channels", async () => {
      const store = target().store({ protocol, namespace: "ns_" });
      const plain = target().store({ protocol });
      const pubsub = store.pubsub();
      const subscription = await pubsub.subscribe("room");
      assert.equal(await plain.execute("PUBLISH", "ns_room", "hi"), 1);
      const { value } = await subscription.messages().next();
      assert.deepEqual(value, { channel: "room", message: "hi" });
      await pubsub.close();
    });
  });
}
