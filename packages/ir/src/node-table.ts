/**
 * An open-addressing hash table from (op, argument ids, shape and attributes) to op nodes, for
 * hash-consing. Slots are an Int32Array, so a million nodes cost no per-entry
 * objects or key strings (which dominated garbage collection on large graphs).
 */
import type { Node } from './node.js';

export class NodeTable {
  private slots = new Int32Array(1024); // node index + 1; 0 = empty
  /** Each filled slot's full hash: a probe reads a node only when it matches, and growing reads no node at all. */
  private hashes = new Int32Array(1024);
  private readonly nodes: Node[] = [];
  private readonly opCodes = new Map<string, number>();

  private opCode(op: string): number {
    let code = this.opCodes.get(op);
    if (code === undefined) {
      code = this.opCodes.size + 1;
      this.opCodes.set(op, code);
    }
    return code;
  }

  private static hash(op: number, args: readonly Node[], key: string): number {
    let h = Math.imul(op, 0x9e3779b1);
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    for (const a of args) h = Math.imul(h ^ a.id, 0x85ebca6b) ^ (h >>> 13);
    return h ^ (h >>> 16);
  }

  private readonly keys: string[] = [];

  private static matches(node: Node, op: string, args: readonly Node[]): boolean {
    if (node.op !== op || node.args.length !== args.length) return false;
    for (let i = 0; i < args.length; i++) if (node.args[i] !== args[i]) return false;
    return true;
  }

  /**
   * The node `op(args)` with this `key` (its shape and attributes as text) if
   * it exists, else the one `create()` makes, stored.
   */
  intern(op: string, args: readonly Node[], key: string, create: () => Node): Node {
    const mask = this.slots.length - 1;
    const h = NodeTable.hash(this.opCode(op), args, key);
    let i = h & mask;
    for (;;) {
      const slot = this.slots[i]!;
      if (slot === 0) break;
      if (this.hashes[i] === h) {
        const node = this.nodes[slot - 1]!;
        if (NodeTable.matches(node, op, args) && this.keys[slot - 1] === key) return node;
      }
      i = (i + 1) & mask;
    }
    const node = create();
    this.nodes.push(node);
    this.keys.push(key);
    this.slots[i] = this.nodes.length;
    this.hashes[i] = h;
    if (this.nodes.length * 2 > this.slots.length) this.grow();
    return node;
  }

  private grow(): void {
    const [oldSlots, oldHashes] = [this.slots, this.hashes];
    this.slots = new Int32Array(oldSlots.length * 2);
    this.hashes = new Int32Array(oldSlots.length * 2);
    const mask = this.slots.length - 1;
    for (let j = 0; j < oldSlots.length; j++) {
      if (oldSlots[j] === 0) continue;
      const h = oldHashes[j]!;
      let i = h & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = oldSlots[j]!;
      this.hashes[i] = h;
    }
  }
}
