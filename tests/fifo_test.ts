import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Queue } from "../src/redis/queue.ts";
import { Pending, ReplyFifo } from "../src/redis/reply_fifo.ts";
import { RecordQueue, SEGMENT_RECORDS } from "../src/redis/record_queue.ts";

describe("RecordQueue", () => {
  it("keeps records of several slots in order across segments, emptying and refilling", () => {
    const queue = new RecordQueue(3);
    const model: number[] = [];
    let next = 0;
    const check = () => {
      assert.equal(queue.length, model.length);
      for (const index of [0, model.length >> 1, model.length - 1]) {
        if (index < 0 || index >= model.length) continue;
        const slots = queue.segment(index);
        const base = queue.base(index);
        assert.deepEqual(
          [slots[base], slots[base + 1], slots[base + 2]],
          [model[index], `r${model[index]}`, -model[index]],
        );
      }
    };
    // Bursts larger than a segment, drained to empty mid-segment, then refilled.
    for (const [add, take] of [[3000, 2999], [1, 2], [SEGMENT_RECORDS * 2 + 5, 10], [0, 10_000]]) {
      for (let i = 0; i < add; i++, next++) {
        const base = queue.append();
        queue.last[base] = next;
        queue.last[base + 1] = `r${next}`;
        queue.last[base + 2] = -next;
        model.push(next);
      }
      check();
      for (let i = 0; i < take && model.length > 0; i++) {
        queue.dropFirst();
        model.shift();
        if (i % 500 === 0) check();
      }
      check();
    }
    assert.equal(queue.length, 0);
    queue.dropFirst(); // nothing to drop: no harm
    assert.equal(queue.length, 0);
  });
});

describe("Queue", () => {
  it("keeps FIFO order through growth and wrap-around", () => {
    const queue = new Queue<number>();
    const model: number[] = [];
    let next = 0;
    // Uneven pushes and shifts so the head wraps at every capacity.
    for (let round = 0; round < 2000; round++) {
      for (let i = 0; i < (round % 7) + 1; i++) {
        queue.push(next);
        model.push(next++);
      }
      for (let i = 0; i < (round % 5); i++) assert.equal(queue.shift(), model.shift());
      assert.equal(queue.length, model.length);
      assert.equal(queue.at(0), model[0]);
      assert.equal(queue.at(model.length - 1), model[model.length - 1]);
    }
    assert.equal(queue.at(-1), undefined);
    assert.equal(queue.at(queue.length), undefined);
    assert.deepEqual(queue.drain(), model);
    assert.equal(queue.length, 0);
    assert.equal(queue.shift(), undefined);
  });
});

describe("ReplyFifo", () => {
  const shape = (value: unknown) => value;

  function lean(fifo: ReplyFifo, name: string, settled: string[]) {
    fifo.pushLean(
      name,
      shape,
      (value) => settled.push(`${name} ${value}`),
      (error) => settled.push(`${name} failed: ${error}`),
      [name],
    );
  }

  function rich(name: string, settled: string[], idempotent = false): Pending {
    const entry = new Pending(name, shape, [name], false, idempotent, false);
    entry.resolve = (value) => settled.push(`${name} ${value}`);
    entry.reject = (error) => settled.push(`${name} failed: ${error}`);
    return entry;
  }

  it("matches lean and object entries in order, across growth and wrap-around", () => {
    const fifo = new ReplyFifo();
    const settled: string[] = [];
    const expected: string[] = [];
    let sent = 0;
    let answered = 0;
    for (let round = 0; round < 500; round++) {
      for (let i = 0; i < (round % 9) + 1; i++, sent++) {
        const name = `c${sent}`;
        if (sent % 3 === 0) fifo.push(rich(name, settled));
        else lean(fifo, name, settled);
      }
      for (let i = 0; i < (round % 8) && fifo.length > 0; i++, answered++) {
        const entry = fifo.shift()!;
        assert.equal(entry.name, `c${answered}`);
        assert.equal(entry.done, false);
        entry.resolve(answered);
        expected.push(`c${answered} ${answered}`);
      }
      assert.equal(fifo.length, sent - answered);
    }
    assert.deepEqual(settled, expected);
  });

  it("at() and drain() turn lean entries into objects that keep their settlers", () => {
    const fifo = new ReplyFifo();
    const settled: string[] = [];
    lean(fifo, "a", settled);
    fifo.push(rich("b", settled));
    lean(fifo, "c", settled);
    const a = fifo.at(0)!;
    assert.ok(a instanceof Pending);
    assert.equal(fifo.at(0), a, "the same object every time");
    a.done = true;
    assert.equal(fifo.done(0), true);
    assert.equal(fifo.done(2), false);
    const all = fifo.drain();
    assert.deepEqual(all.map((entry) => entry.name), ["a", "b", "c"]);
    assert.deepEqual(all[2].args, ["c"]);
    for (const entry of all) entry.reject("closed");
    assert.deepEqual(settled, ["a failed: closed", "b failed: closed", "c failed: closed"]);
    assert.equal(fifo.length, 0);
  });

  it("written() drops arguments except those of idempotent entries", () => {
    const fifo = new ReplyFifo();
    const settled: string[] = [];
    lean(fifo, "a", settled);
    fifo.push(rich("b", settled, true));
    fifo.push(rich("c", settled));
    lean(fifo, "d", settled);
    fifo.written(0, 3);
    const all = fifo.drain();
    assert.deepEqual(all.map((entry) => entry.args), [undefined, ["b"], undefined, ["d"]]);
  });

  it("deadline() reads an object entry's deadline; lean entries have none", () => {
    const fifo = new ReplyFifo();
    const entry = rich("a", []);
    entry.deadline = 1234;
    fifo.push(entry);
    lean(fifo, "b", []);
    assert.equal(fifo.deadline(0), 1234);
    assert.equal(fifo.deadline(1), 0);
  });
});
