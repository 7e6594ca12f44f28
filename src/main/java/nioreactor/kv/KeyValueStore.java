package nioreactor.kv;

import java.util.Arrays;

/**
 * The keyspace: binary keys to binary values, with optional expiry times, held compactly because the JVM's object
 * headers would otherwise cost more than the data (a {@code HashMap<Key, byte[]>} spends about 100 bytes per entry
 * before the first byte of key or value).
 *
 * <p><b>Layout.</b> Open addressing with linear probing over two parallel arrays: {@code entries} holds one
 * {@code byte[]} per key, and {@code hashes} that key's hash, so a probe compares ints and touches an entry only on a
 * likely match. An entry packs everything about its key into one array:
 * <pre>
 *   [flags: 1][key length: varint][expiry: 8 + volatile index: 4, only when FLAG_EXPIRES][key bytes][value bytes]
 * </pre>
 * so a key with a 16-byte name and a 64-byte value costs one 104-byte array plus 8 bytes of table per slot (at
 * most 75% of slots are used). Deletion shifts later entries back (no tombstones).
 *
 * <p><b>Expiry.</b> Keys with a time to live are also listed, densely, in {@code volatileEntries} (each entry knows
 * its index there), so the active expiry cycle can sample them at random in O(1), as Redis samples its
 * {@code expires} dict; keys without one pay nothing for it.
 *
 * <p><b>Memory.</b> {@link #usedMemory()} estimates the heap this holds: the arrays' sizes with their 16-byte
 * headers and 8-byte alignment, and 4-byte references (compressed oops, the default below 32 GiB of heap).
 *
 * <p>Not thread-safe: one reactor thread owns it. Growing the table rehashes at once (a pause of a few milliseconds
 * per million keys); it shrinks only when emptied.
 */
final class KeyValueStore {
    /** "No time to live", in the expiry arguments and results. */
    static final long NO_EXPIRY = -1;
    private static final int FLAG_EXPIRES = 1;
    private static final int EXPIRY_BYTES = 12;
    private static final int MIN_CAPACITY = 16;
    private static final int ARRAY_HEADER = 16;
    private static final int REFERENCE = 4;

    private byte[][] entries;
    private int[] hashes;
    private int mask;
    private int size;
    private int growAt;
    private byte[][] volatileEntries = new byte[MIN_CAPACITY][];
    private int volatileCount;
    /** Heap held by the entry arrays themselves. */
    private long entryBytes;
    private long expiredKeys;
    /** xorshift state for sampling; no Random object, no allocation. */
    private long seed = 0x9E3779B97F4A7C15L;

    KeyValueStore() {
        allocate(MIN_CAPACITY);
    }

    // ---------------------------------------------------------------------------------------- entry layout

    static int keyLength(byte[] e) {
        int b = e[1];
        if (b >= 0) {
            return b;
        }
        int v = b & 0x7f;
        int shift = 7;
        for (int i = 2; ; i++, shift += 7) {
            b = e[i];
            v |= (b & 0x7f) << shift;
            if (b >= 0) {
                return v;
            }
        }
    }

    private static int varintSize(int v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static int expiryOffset(byte[] e) {
        return 1 + varintSize(keyLength(e));
    }

    static int keyOffset(byte[] e) {
        int len = keyLength(e);
        return 1 + varintSize(len) + ((e[0] & FLAG_EXPIRES) != 0 ? EXPIRY_BYTES : 0);
    }

    static int valueOffset(byte[] e) {
        return keyOffset(e) + keyLength(e);
    }

    static int valueLength(byte[] e) {
        return e.length - valueOffset(e);
    }

    /** The entry's expiry time in epoch milliseconds, or {@link #NO_EXPIRY}. */
    static long expiry(byte[] e) {
        return (e[0] & FLAG_EXPIRES) == 0 ? NO_EXPIRY : getLong(e, expiryOffset(e));
    }

    private static byte[] newEntry(byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, long expiry) {
        int header = 1 + varintSize(keyLen) + (expiry == NO_EXPIRY ? 0 : EXPIRY_BYTES);
        byte[] e = new byte[header + keyLen + valLen];
        e[0] = (byte) (expiry == NO_EXPIRY ? 0 : FLAG_EXPIRES);
        int i = 1;
        int v = keyLen;
        while ((v & ~0x7f) != 0) {
            e[i++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        e[i++] = (byte) v;
        if (expiry != NO_EXPIRY) {
            putLong(e, i, expiry);
        }
        System.arraycopy(key, keyOff, e, header, keyLen);
        System.arraycopy(val, valOff, e, header + keyLen, valLen);
        return e;
    }

    private static long getLong(byte[] b, int i) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (b[i + k] & 0xff);
        }
        return v;
    }

    private static void putLong(byte[] b, int i, long v) {
        for (int k = 7; k >= 0; k--) {
            b[i + k] = (byte) v;
            v >>>= 8;
        }
    }

    private static int getInt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    private static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    private static long heapSize(int length, int elementSize) {
        return (ARRAY_HEADER + (long) length * elementSize + 7) & ~7L;
    }

    // -------------------------------------------------------------------------------------------- lookups

    static int hash(byte[] key, int off, int len) {
        int h = 0x811C9DC5 ^ len;
        int i = off;
        int end = off + len;
        for (; i + 4 <= end; i += 4) {
            int k = (key[i] & 0xff) | (key[i + 1] & 0xff) << 8 | (key[i + 2] & 0xff) << 16 | key[i + 3] << 24;
            k *= 0xcc9e2d51;
            k = Integer.rotateLeft(k, 15) * 0x1b873593;
            h = Integer.rotateLeft(h ^ k, 13) * 5 + 0xe6546b64;
        }
        for (; i < end; i++) {
            h = (h ^ (key[i] & 0xff)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    /** The slot holding {@code key}, expired or not, or -1. */
    private int slotOf(byte[] key, int off, int len, int h) {
        for (int i = h & mask; ; i = (i + 1) & mask) {
            byte[] e = entries[i];
            if (e == null) {
                return -1;
            }
            if (hashes[i] == h && keyLength(e) == len) {
                int ko = keyOffset(e);
                if (Arrays.equals(e, ko, ko + len, key, off, off + len)) {
                    return i;
                }
            }
        }
    }

    /**
     * The live entry for {@code key} at time {@code now}, or null; an entry found expired is deleted on the spot
     * (lazy expiry, as Redis's {@code expireIfNeeded}).
     */
    byte[] get(byte[] key, int off, int len, long now) {
        int slot = slotOf(key, off, len, hash(key, off, len));
        if (slot < 0) {
            return null;
        }
        byte[] e = entries[slot];
        if ((e[0] & FLAG_EXPIRES) != 0 && getLong(e, expiryOffset(e)) < now) {
            removeSlot(slot);
            expiredKeys++;
            return null;
        }
        return e;
    }

    int size() {
        return size;
    }

    /** Keys with a time to live (INFO's {@code expires}). */
    int volatileCount() {
        return volatileCount;
    }

    long expiredKeys() {
        return expiredKeys;
    }

    /** The estimated heap held by the keyspace, in bytes: tables plus entries. */
    long usedMemory() {
        return heapSize(entries.length, REFERENCE) + heapSize(hashes.length, 4)
                + heapSize(volatileEntries.length, REFERENCE) + entryBytes;
    }

    // ------------------------------------------------------------------------------------------- changes

    /**
     * Sets {@code key} to {@code value} with {@code expiry} (epoch ms, or {@link #NO_EXPIRY}); returns the new entry.
     * A value of the same length and expiry kind is overwritten in place, so rewriting a key allocates nothing.
     */
    byte[] put(byte[] key, int keyOff, int keyLen, byte[] val, int valOff, int valLen, long expiry) {
        int h = hash(key, keyOff, keyLen);
        int slot = slotOf(key, keyOff, keyLen, h);
        if (slot >= 0) {
            byte[] old = entries[slot];
            boolean oldExpires = (old[0] & FLAG_EXPIRES) != 0;
            if (oldExpires == (expiry != NO_EXPIRY) && valueLength(old) == valLen) {
                System.arraycopy(val, valOff, old, valueOffset(old), valLen);
                if (oldExpires) {
                    putLong(old, expiryOffset(old), expiry);
                }
                return old;
            }
            byte[] e = newEntry(key, keyOff, keyLen, val, valOff, valLen, expiry);
            replaceEntry(slot, old, e);
            return e;
        }
        if (size >= growAt) {
            resize(entries.length * 2);
        }
        byte[] e = newEntry(key, keyOff, keyLen, val, valOff, valLen, expiry);
        int i = h & mask;
        while (entries[i] != null) {
            i = (i + 1) & mask;
        }
        entries[i] = e;
        hashes[i] = h;
        size++;
        entryBytes += heapSize(e.length, 1);
        if (expiry != NO_EXPIRY) {
            addVolatile(e);
        }
        return e;
    }

    /** Gives {@code e}, a live entry of this store, the expiry {@code expiry} (or none); returns the entry now in use. */
    byte[] setExpiry(byte[] e, long expiry) {
        boolean has = (e[0] & FLAG_EXPIRES) != 0;
        if (has && expiry != NO_EXPIRY) {
            putLong(e, expiryOffset(e), expiry);
            return e;
        }
        if (!has && expiry == NO_EXPIRY) {
            return e;
        }
        int keyOff = keyOffset(e);
        int keyLen = keyLength(e);
        int valOff = keyOff + keyLen;
        byte[] fresh = newEntry(e, keyOff, keyLen, e, valOff, e.length - valOff, expiry);
        replaceEntry(slotOfEntry(e), e, fresh);
        return fresh;
    }

    /** Deletes {@code key}; true when it existed (expired or not: an expired key is gone either way). */
    boolean delete(byte[] key, int off, int len, long now) {
        int slot = slotOf(key, off, len, hash(key, off, len));
        if (slot < 0) {
            return false;
        }
        byte[] e = entries[slot];
        boolean live = (e[0] & FLAG_EXPIRES) == 0 || getLong(e, expiryOffset(e)) >= now;
        removeSlot(slot);
        if (!live) {
            expiredKeys++;
        }
        return live;
    }

    /** Deletes the live entry {@code e}. */
    void delete(byte[] e) {
        removeSlot(slotOfEntry(e));
    }

    /** Empties the store at once (FLUSHDB): the old arrays go to the garbage collector, whatever their size. */
    void clear() {
        allocate(MIN_CAPACITY);
        volatileEntries = new byte[MIN_CAPACITY][];
        volatileCount = 0;
        size = 0;
        entryBytes = 0;
    }

    /**
     * One round of active expiry: looks at up to {@code samples} random keys that have a time to live and deletes
     * those expired at {@code now}; returns how many it deleted.
     */
    int expireSample(int samples, long now) {
        int expired = 0;
        for (int k = 0; k < samples && volatileCount > 0; k++) {
            byte[] e = volatileEntries[nextRandom(volatileCount)];
            if (getLong(e, expiryOffset(e)) < now) {
                removeSlot(slotOfEntry(e));
                expired++;
            }
        }
        expiredKeys += expired;
        return expired;
    }

    private int nextRandom(int bound) {
        long x = seed;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        seed = x;
        return (int) ((x >>> 33) % bound);
    }

    private int slotOfEntry(byte[] e) {
        int keyOff = keyOffset(e);
        int h = hash(e, keyOff, keyLength(e));
        for (int i = h & mask; ; i = (i + 1) & mask) {
            if (entries[i] == e) {
                return i;
            }
            if (entries[i] == null) {
                throw new IllegalStateException("entry not in the table");
            }
        }
    }

    private void replaceEntry(int slot, byte[] old, byte[] e) {
        entries[slot] = e;
        entryBytes += heapSize(e.length, 1) - heapSize(old.length, 1);
        boolean oldExpires = (old[0] & FLAG_EXPIRES) != 0;
        boolean newExpires = (e[0] & FLAG_EXPIRES) != 0;
        if (oldExpires && newExpires) {
            int index = getInt(old, expiryOffset(old) + 8);
            volatileEntries[index] = e;
            putInt(e, expiryOffset(e) + 8, index);
        } else if (oldExpires) {
            removeVolatile(old);
        } else if (newExpires) {
            addVolatile(e);
        }
    }

    private void addVolatile(byte[] e) {
        if (volatileCount == volatileEntries.length) {
            volatileEntries = Arrays.copyOf(volatileEntries, volatileEntries.length * 2);
        }
        putInt(e, expiryOffset(e) + 8, volatileCount);
        volatileEntries[volatileCount++] = e;
    }

    private void removeVolatile(byte[] e) {
        int index = getInt(e, expiryOffset(e) + 8);
        byte[] last = volatileEntries[--volatileCount];
        volatileEntries[index] = last;
        putInt(last, expiryOffset(last) + 8, index);
        volatileEntries[volatileCount] = null;
        if (volatileCount == 0 && volatileEntries.length > MIN_CAPACITY) {
            volatileEntries = new byte[MIN_CAPACITY][];
        }
    }

    /** Empties {@code slot}, shifting back the entries after it that probed past it, so lookups never need tombstones. */
    private void removeSlot(int slot) {
        byte[] e = entries[slot];
        if ((e[0] & FLAG_EXPIRES) != 0) {
            removeVolatile(e);
        }
        entryBytes -= heapSize(e.length, 1);
        size--;
        if (size == 0 && entries.length > MIN_CAPACITY) {
            allocate(MIN_CAPACITY); // emptied (e.g. by mass expiry): give the big table back at no cost
            return;
        }
        int hole = slot;
        for (int j = (slot + 1) & mask; entries[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            // Move j into the hole unless its home lies cyclically in (hole, j]: then it must stay where it is.
            boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays) {
                entries[hole] = entries[j];
                hashes[hole] = hashes[j];
                hole = j;
            }
        }
        entries[hole] = null;
        hashes[hole] = 0;
    }

    private void allocate(int capacity) {
        entries = new byte[capacity][];
        hashes = new int[capacity];
        mask = capacity - 1;
        growAt = capacity / 4 * 3;
    }

    private void resize(int capacity) {
        byte[][] oldEntries = entries;
        int[] oldHashes = hashes;
        allocate(capacity);
        for (int s = 0; s < oldEntries.length; s++) {
            byte[] e = oldEntries[s];
            if (e != null) {
                int h = oldHashes[s];
                int i = h & mask;
                while (entries[i] != null) {
                    i = (i + 1) & mask;
                }
                entries[i] = e;
                hashes[i] = h;
            }
        }
    }
}
